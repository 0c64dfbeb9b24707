//! Retired: an event sent by an application's older versions but absent from its newest live
//! version — the highest version seen within the quiet period whose first hour is at least a day
//! before the latest hour (so a version released an hour ago does not retire every event).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::snapshot::{Quiet, Snapshot};
use crate::browse::version_order;
use crate::entities::{app_version, combination, event};
use crate::notify::path_segment;

/// Every retired event now, with the newest versions it is absent from.
pub(super) async fn find(conn: &impl ConnectionTrait, s: &Snapshot) -> Result<Vec<Quiet>, DbErr> {
    let newest = newest_live_versions(s);
    let sent = versions_sending(conn, s).await?;
    let app_by_id = s.app_by_id();
    let event_by_id: HashMap<i64, &event::Model> = s.events.iter().map(|e| (e.id, e)).collect();
    let mut retired: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for ((event_id, app_id), by) in &sent {
        let (Some(e), Some(latest_version), Some(app)) = (
            event_by_id.get(event_id),
            newest.get(app_id),
            app_by_id.get(app_id),
        ) else {
            continue;
        };
        if s.event_gone(e) || by.contains(&latest_version.id) {
            continue;
        }
        retired.entry(*event_id).or_default().push(format!(
            "{} {} ({})",
            app.name, latest_version.version, app.platform
        ));
    }
    Ok(retired
        .into_iter()
        .map(|(event_id, newest_versions)| {
            let e = event_by_id[&event_id];
            Quiet {
                kind: "event",
                subject_id: e.id,
                label: e.name.clone(),
                scope: "retired".into(),
                last_seen: e.last_seen,
                subject: (Some(e.name.clone()), None, None),
                owners: e.owner.iter().cloned().collect(),
                link: format!("/t/{}/events/{}", s.slug, path_segment(&e.name)),
                title: format!(
                    "Event {} is retired: absent from {}, the newest live version, still sent by older ones",
                    e.name,
                    newest_versions.join(", ")
                ),
            }
        })
        .collect())
}

/// The newest live version of each application (by application id).
fn newest_live_versions(s: &Snapshot) -> HashMap<i64, &app_version::Model> {
    let mut newest: HashMap<i64, &app_version::Model> = HashMap::new();
    for v in s.versions.iter().filter(|v| {
        !s.gone(v.last_seen) && v.first_seen.is_some_and(|first| first <= s.latest - 86_400)
    }) {
        let better = newest
            .get(&v.application_id)
            .is_none_or(|best| version_order(&v.version, &best.version).is_gt());
        if better {
            newest.insert(v.application_id, v);
        }
    }
    newest
}

/// The versions that ever sent each (event, application).
async fn versions_sending(
    conn: &impl ConnectionTrait,
    s: &Snapshot,
) -> Result<BTreeMap<(i64, i64), BTreeSet<i64>>, DbErr> {
    let version_app: HashMap<i64, i64> = s
        .versions
        .iter()
        .map(|v| (v.id, v.application_id))
        .collect();
    let pairs: Vec<(i64, i64)> = combination::Entity::find()
        .select_only()
        .column(combination::Column::EventId)
        .column(combination::Column::VersionId)
        .distinct()
        .filter(combination::Column::TenantId.eq(s.tenant_id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut sent: BTreeMap<(i64, i64), BTreeSet<i64>> = BTreeMap::new();
    for (event_id, version_id) in pairs {
        if let Some(app_id) = version_app.get(&version_id) {
            sent.entry((event_id, *app_id))
                .or_default()
                .insert(version_id);
        }
    }
    Ok(sent)
}
