//! Obsolete detection. Counted back from the tenant's latest ingested hour (so a paused pipeline
//! does not mark everything obsolete), an event, screen, application or application version not
//! seen for the quiet period ([`QUIET_DAYS`] days unless the tenant or the event sets its own) is `gone`; an event still sent by older versions of an application
//! but absent from that application's newest live version is `retired` there. Each gets one open
//! mark, and its owner and watchers are told once; when it is seen again (or the newest version
//! sends it after all) the mark is lifted and they are told that too.
//!
//! The newest live version of an application is the highest version seen within the same window
//! whose first hour is at least a day before the latest hour, so a version released an hour ago
//! does not make every event look retired. Runs after each hourly planning and when a backfill ends.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::browse::version_order;
use crate::entities::{app_version, application, combination, event, quiet_mark, screen, tenant};
use crate::hour::Hour;
use crate::notify::{self, Subject};

/// Days without a sighting after which something is obsolete.
pub const QUIET_DAYS: i64 = 7;

/// What one detection changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detected {
    pub marked: usize,
    pub lifted: usize,
}

/// One thing found obsolete now.
struct Quiet {
    kind: &'static str,
    subject_id: i64,
    label: String,
    scope: String,
    last_seen: Option<i64>,
    subject: (Option<String>, Option<String>, Option<String>),
    owners: Vec<String>,
    link: String,
    title: String,
}

fn seen_text(seconds: Option<i64>) -> String {
    seconds
        .and_then(Hour::from_epoch_seconds)
        .map_or_else(|| "never".to_owned(), |h| h.to_string())
}

/// Marks what went quiet and lifts the marks of what came back, telling owners and watchers.
pub async fn detect(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<Detected, DbErr> {
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
        return Ok(Detected::default());
    };
    let Some(latest) = crate::ingestion::latest_hour(conn, tenant_id).await? else {
        return Ok(Detected::default());
    };
    let tenant_days = tenant.quiet_days.map_or(QUIET_DAYS, i64::from);
    let gone_after = |days: i64, last_seen: Option<i64>| {
        last_seen.is_some_and(|seen| seen <= latest - days * 86_400)
    };
    let gone = |last_seen: Option<i64>| gone_after(tenant_days, last_seen);
    let slug = notify::path_segment(&tenant.slug);
    let mut quiet: Vec<Quiet> = Vec::new();

    let events = event::Entity::find()
        .filter(event::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?;
    let screens = screen::Entity::find()
        .filter(screen::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?;
    let apps = application::Entity::find()
        .filter(application::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?;
    let versions = app_version::Entity::find()
        .filter(app_version::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?;
    let app_by_id: HashMap<i64, &application::Model> = apps.iter().map(|a| (a.id, a)).collect();

    let event_gone =
        |e: &event::Model| gone_after(e.quiet_days.map_or(tenant_days, i64::from), e.last_seen);
    for e in events.iter().filter(|e| event_gone(e)) {
        quiet.push(Quiet {
            kind: "event",
            subject_id: e.id,
            label: e.name.clone(),
            scope: "gone".into(),
            last_seen: e.last_seen,
            subject: (Some(e.name.clone()), None, None),
            owners: e.owner.iter().cloned().collect(),
            link: format!("/t/{slug}/events/{}", notify::path_segment(&e.name)),
            title: format!(
                "Event {} has not been seen since {} (gone everywhere)",
                e.name,
                seen_text(e.last_seen)
            ),
        });
    }
    for s in screens.iter().filter(|s| gone(s.last_seen)) {
        quiet.push(Quiet {
            kind: "screen",
            subject_id: s.id,
            label: s.name.clone(),
            scope: "gone".into(),
            last_seen: s.last_seen,
            subject: (None, Some(s.name.clone()), None),
            owners: s.owner.iter().cloned().collect(),
            link: format!("/t/{slug}/screens/{}", notify::path_segment(&s.name)),
            title: format!(
                "Screen {} has not been seen since {}",
                s.name,
                seen_text(s.last_seen)
            ),
        });
    }
    for a in apps.iter().filter(|a| gone(a.last_seen)) {
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
    for v in versions.iter().filter(|v| gone(v.last_seen)) {
        let Some(app) = app_by_id.get(&v.application_id) else {
            continue;
        };
        if gone(app.last_seen) {
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

    // Retired: sent by an application's older versions, absent from its newest live version.
    let mut newest: HashMap<i64, &app_version::Model> = HashMap::new();
    for v in versions.iter().filter(|v| {
        !gone(v.last_seen) && v.first_seen.is_some_and(|first| first <= latest - 86_400)
    }) {
        let better = newest
            .get(&v.application_id)
            .is_none_or(|best| version_order(&v.version, &best.version).is_gt());
        if better {
            newest.insert(v.application_id, v);
        }
    }
    let version_app: HashMap<i64, i64> =
        versions.iter().map(|v| (v.id, v.application_id)).collect();
    let pairs: Vec<(i64, i64)> = combination::Entity::find()
        .select_only()
        .column(combination::Column::EventId)
        .column(combination::Column::VersionId)
        .distinct()
        .filter(combination::Column::TenantId.eq(tenant_id))
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
    let event_by_id: HashMap<i64, &event::Model> = events.iter().map(|e| (e.id, e)).collect();
    let mut retired: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for ((event_id, app_id), by) in &sent {
        let (Some(e), Some(latest_version), Some(app)) = (
            event_by_id.get(event_id),
            newest.get(app_id),
            app_by_id.get(app_id),
        ) else {
            continue;
        };
        if event_gone(e) || by.contains(&latest_version.id) {
            continue;
        }
        retired.entry(*event_id).or_default().push(format!(
            "{} {} ({})",
            app.name, latest_version.version, app.platform
        ));
    }
    for (event_id, newest_versions) in retired {
        let e = event_by_id[&event_id];
        quiet.push(Quiet {
            kind: "event",
            subject_id: e.id,
            label: e.name.clone(),
            scope: "retired".into(),
            last_seen: e.last_seen,
            subject: (Some(e.name.clone()), None, None),
            owners: e.owner.iter().cloned().collect(),
            link: format!("/t/{slug}/events/{}", notify::path_segment(&e.name)),
            title: format!(
                "Event {} is retired: absent from {}, the newest live version, still sent by older ones",
                e.name,
                newest_versions.join(", ")
            ),
        });
    }

    let open = quiet_mark::Entity::find()
        .filter(quiet_mark::Column::TenantId.eq(tenant_id))
        .filter(quiet_mark::Column::LiftedAt.is_null())
        .all(conn)
        .await?;
    let key = |kind: &str, id: i64, scope: &str| format!("{kind}:{id}:{scope}");
    let now_open: BTreeSet<String> = quiet
        .iter()
        .map(|q| key(q.kind, q.subject_id, &q.scope))
        .collect();
    let marked: BTreeSet<String> = open
        .iter()
        .map(|m| key(&m.kind, m.subject_id, &m.scope))
        .collect();
    let watches = notify::watches_in(conn, tenant_id).await?;
    let readers = notify::readers(conn, tenant_id).await?;
    let now = chrono::Utc::now().timestamp();
    let mut detected = Detected::default();
    for q in quiet
        .iter()
        .filter(|q| !marked.contains(&key(q.kind, q.subject_id, &q.scope)))
    {
        let mark = quiet_mark::Entity::insert(quiet_mark::ActiveModel {
            tenant_id: Set(tenant_id),
            kind: Set(q.kind.to_owned()),
            subject_id: Set(q.subject_id),
            label: Set(q.label.clone()),
            scope: Set(q.scope.clone()),
            last_seen: Set(q.last_seen),
            marked_at: Set(now),
            ..Default::default()
        })
        .exec(conn)
        .await?;
        let subject = Subject {
            event: q.subject.0.as_deref(),
            screen: q.subject.1.as_deref(),
            application: q.subject.2.as_deref(),
            owners: q.owners.clone(),
        };
        let to = notify::recipients(&watches, &readers, "obsolete", &subject);
        let dedupe = format!("obsolete:{}", mark.last_insert_id);
        notify::tell(conn, tenant_id, &to, "obsolete", &q.title, &q.link, &dedupe).await?;
        detected.marked += 1;
    }
    for m in open
        .iter()
        .filter(|m| !now_open.contains(&key(&m.kind, m.subject_id, &m.scope)))
    {
        quiet_mark::Entity::update_many()
            .col_expr(quiet_mark::Column::LiftedAt, Expr::value(now))
            .filter(quiet_mark::Column::Id.eq(m.id))
            .exec(conn)
            .await?;
        // The mark's subject, read back by id: its event, screen or application, and its owner.
        let app = match m.kind.as_str() {
            "application" => app_by_id.get(&m.subject_id).copied(),
            "version" => versions
                .iter()
                .find(|v| v.id == m.subject_id)
                .and_then(|v| app_by_id.get(&v.application_id).copied()),
            _ => None,
        };
        let screen_row = screens
            .iter()
            .find(|s| m.kind == "screen" && s.id == m.subject_id);
        let event_row = event_by_id
            .get(&m.subject_id)
            .copied()
            .filter(|_| m.kind == "event");
        let event = event_row.map(|e| e.name.clone());
        let screen_name = screen_row.map(|s| s.name.clone());
        let owners: Vec<String> = [
            event_row.and_then(|e| e.owner.clone()),
            screen_row.and_then(|s| s.owner.clone()),
            app.and_then(|a| a.owner.clone()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let app = app.map(|a| a.name.clone());
        let subject = Subject {
            event: event.as_deref(),
            screen: screen_name.as_deref(),
            application: app.as_deref(),
            owners,
        };
        let to = notify::recipients(&watches, &readers, "returned", &subject);
        let what = if m.scope == "retired" {
            format!("{} {} is sent by the newest version again", m.kind, m.label)
        } else {
            format!("{} {} is back", m.kind, m.label)
        };
        let link = format!("/t/{slug}");
        let dedupe = format!("returned:{}", m.id);
        notify::tell(conn, tenant_id, &to, "returned", &what, &link, &dedupe).await?;
        detected.lifted += 1;
    }
    Ok(detected)
}
