//! Gone: events, screens, applications and application versions not seen for the quiet period
//! before the tenant's latest hour (a version only when its application is still seen).

use super::snapshot::{Quiet, Snapshot, seen_text};
use crate::notify::path_segment;

/// Everything gone now, in a stable order: events, screens, applications, versions.
pub(super) fn find(s: &Snapshot) -> Vec<Quiet> {
    let mut quiet = Vec::new();
    let slug = &s.slug;
    for e in s.events.iter().filter(|e| s.event_gone(e)) {
        quiet.push(Quiet {
            kind: "event",
            subject_id: e.id,
            label: e.name.clone(),
            scope: "gone".into(),
            last_seen: e.last_seen,
            subject: (Some(e.name.clone()), None, None),
            owners: e.owner.iter().cloned().collect(),
            link: format!("/t/{slug}/events/{}", path_segment(&e.name)),
            title: format!(
                "Event {} has not been seen since {} (gone everywhere)",
                e.name,
                seen_text(e.last_seen)
            ),
        });
    }
    for sc in s.screens.iter().filter(|sc| s.gone(sc.last_seen)) {
        quiet.push(Quiet {
            kind: "screen",
            subject_id: sc.id,
            label: sc.name.clone(),
            scope: "gone".into(),
            last_seen: sc.last_seen,
            subject: (None, Some(sc.name.clone()), None),
            owners: sc.owner.iter().cloned().collect(),
            link: format!("/t/{slug}/screens/{}", path_segment(&sc.name)),
            title: format!(
                "Screen {} has not been seen since {}",
                sc.name,
                seen_text(sc.last_seen)
            ),
        });
    }
    quiet.extend(applications(s));
    quiet
}

/// Gone applications, then gone versions of applications still seen.
fn applications(s: &Snapshot) -> Vec<Quiet> {
    let slug = &s.slug;
    let mut quiet = Vec::new();
    for a in s.apps.iter().filter(|a| s.gone(a.last_seen)) {
        quiet.push(Quiet {
            kind: "application",
            subject_id: a.id,
            label: format!("{} ({})", a.name, a.platform),
            scope: "gone".into(),
            last_seen: a.last_seen,
            subject: (None, None, Some(a.name.clone())),
            owners: a.owner.iter().cloned().collect(),
            link: format!("/t/{slug}/applications"),
            title: format!(
                "Application {} ({}) has not been seen since {}",
                a.name,
                a.platform,
                seen_text(a.last_seen)
            ),
        });
    }
    let app_by_id = s.app_by_id();
    for v in s.versions.iter().filter(|v| s.gone(v.last_seen)) {
        let Some(app) = app_by_id.get(&v.application_id) else {
            continue;
        };
        if s.gone(app.last_seen) {
            continue; // the whole application is quiet: one mark says it
        }
        quiet.push(Quiet {
            kind: "version",
            subject_id: v.id,
            label: format!("{} {} ({})", app.name, v.version, app.platform),
            scope: "gone".into(),
            last_seen: v.last_seen,
            subject: (None, None, Some(app.name.clone())),
            owners: app.owner.iter().cloned().collect(),
            link: format!("/t/{slug}/applications"),
            title: format!(
                "Version {} {} ({}) has not been seen since {}",
                app.name,
                v.version,
                app.platform,
                seen_text(v.last_seen)
            ),
        });
    }
    quiet
}
