//! `/t/{tenant}/applications`: each application × platform with its versions — first/last seen,
//! events, sessions (merged day sketches: approximate) and events per session in the range, and
//! each version's share of the application's sessions per day — of its events when it sent no
//! session ids in the range (back-end events without context, the `(none)` application), so an
//! application with events never reads as empty.

use std::collections::{BTreeMap, HashMap};

use blueprint_types::catalog::{
    ApplicationEntry, Applications, Curation, TimeSeries, VersionEntry,
};
use sea_orm::FromQueryResult;

use super::figures::{mark_buckets, series};
use super::query::{VersionInfo, tags_of};
use super::{Range, TenantRef, day_text, hour_text, version_order};
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::application;
use crate::ingest::sketch::Sketch;
use crate::sql::fetch;

#[derive(FromQueryResult)]
struct DayRow {
    version_id: i64,
    day: i64,
    sessions: i64,
    events: i64,
    sketch: Vec<u8>,
}

pub async fn applications(
    services: &Services,
    actor: &Actor,
    tenant: &TenantRef,
    range: Range,
) -> Result<Applications, ServiceError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let apps = application::Entity::find()
        .filter(application::Column::TenantId.eq(tenant.id))
        .all(services.db.conn())
        .await?;
    let versions = super::query::versions(services, tenant.id).await?;
    let days: Vec<DayRow> = fetch(
        services.db.conn(),
        "SELECT version_id, day, sessions, events, sketch FROM daily_sessions WHERE tenant_id = ? AND day >= ? AND day < ?",
        vec![tenant.id.into(), range.from.into(), range.to.into()],
    )
    .await?;
    let sums = sum_days(&days, &versions);
    let tags = tags_of(
        services,
        "application",
        &apps.iter().map(|a| a.id).collect::<Vec<_>>(),
    )
    .await?;
    let buckets = range.day_starts();
    let mut out = Vec::new();
    for app in apps.into_iter().filter(|a| a.first_seen.is_some()) {
        let share_of = if sums
            .per_app_day
            .range((app.id, i64::MIN)..=(app.id, i64::MAX))
            .any(|(_, (sessions, _))| *sessions > 0)
        {
            ShareOf::Sessions
        } else {
            ShareOf::Events
        };
        let mut share = version_share(
            &buckets,
            &days,
            &versions,
            &sums.per_app_day,
            app.id,
            share_of,
        );
        mark_buckets(&mut share, &buckets, crate::ledger::rollup::DAY, tenant);
        out.push(ApplicationEntry {
            versions: version_entries(&versions, &sums.totals, app.id),
            share,
            share_of: match share_of {
                ShareOf::Sessions => "sessions",
                ShareOf::Events => "events",
            }
            .to_owned(),
            curation: Curation {
                description: app.description,
                owner: app.owner,
                status: app.status,
                tags: tags.get(&app.id).cloned().unwrap_or_default(),
                quiet_days: None,
            },
            name: app.name,
            platform: app.platform,
            first_seen: hour_text(app.first_seen),
            last_seen: hour_text(app.last_seen),
        });
    }
    out.sort_by(|a, b| (&a.name, &a.platform).cmp(&(&b.name, &b.platform)));
    Ok(Applications {
        range: range.view(),
        can_edit: actor.can_own(tenant.id),
        applications: out,
    })
}

/// What a share chart divides.
#[derive(Clone, Copy)]
enum ShareOf {
    Sessions,
    Events,
}

/// The day rows summed: per version its events and merged session sketch, per (application, day)
/// its sessions and events.
struct DaySums {
    totals: HashMap<i64, (i64, Sketch)>,
    per_app_day: BTreeMap<(i64, i64), (i64, i64)>,
}

fn sum_days(days: &[DayRow], versions: &HashMap<i64, VersionInfo>) -> DaySums {
    let mut totals: HashMap<i64, (i64, Sketch)> = HashMap::new();
    let mut per_app_day: BTreeMap<(i64, i64), (i64, i64)> = BTreeMap::new();
    for row in days {
        let entry = totals.entry(row.version_id).or_default();
        entry.0 += row.events;
        if let Some(sketch) = Sketch::from_bytes(&row.sketch) {
            entry.1.merge(&sketch);
        }
        if let Some(version) = versions.get(&row.version_id) {
            let sums = per_app_day
                .entry((version.application_id, row.day))
                .or_default();
            sums.0 += row.sessions;
            sums.1 += row.events;
        }
    }
    DaySums {
        totals,
        per_app_day,
    }
}

/// The application's versions seen, newest first, with their figures in the range (`totals`).
fn version_entries(
    versions: &HashMap<i64, VersionInfo>,
    totals: &HashMap<i64, (i64, Sketch)>,
    application_id: i64,
) -> Vec<VersionEntry> {
    let mut mine: Vec<_> = versions
        .values()
        .filter(|v| v.application_id == application_id && v.first_seen.is_some())
        .collect();
    mine.sort_by(|a, b| version_order(&b.version, &a.version));
    mine.iter()
        .map(|v| {
            let (events, sessions) = totals
                .get(&v.id)
                .map_or((0, 0), |(e, s)| (*e, s.estimate() as i64));
            VersionEntry {
                version: v.version.clone(),
                first_seen: hour_text(v.first_seen),
                last_seen: hour_text(v.last_seen),
                events,
                sessions,
                events_per_session: (sessions > 0).then(|| events as f64 / sessions as f64),
            }
        })
        .collect()
}

/// Each version's share of the application's sessions (or events) per day, "other" first, then
/// oldest first.
fn version_share(
    buckets: &[i64],
    days: &[DayRow],
    versions: &HashMap<i64, VersionInfo>,
    per_app_day: &BTreeMap<(i64, i64), (i64, i64)>,
    application_id: i64,
    share_of: ShareOf,
) -> TimeSeries {
    let points = days.iter().filter_map(|row| {
        let version = versions.get(&row.version_id)?;
        (version.application_id == application_id).then(|| {
            let (sessions, events) = per_app_day
                .get(&(application_id, row.day))
                .copied()
                .unwrap_or((0, 0));
            let (part, all) = match share_of {
                ShareOf::Sessions => (row.sessions, sessions),
                ShareOf::Events => (row.events, events),
            };
            (
                version.version.clone(),
                row.day,
                part as f64 / all.max(1) as f64,
            )
        })
    });
    let mut share = series(buckets, day_text, points, 7);
    share
        .series
        .sort_by(|a, b| match (a.label.as_str(), b.label.as_str()) {
            ("other", _) => std::cmp::Ordering::Less,
            (_, "other") => std::cmp::Ordering::Greater,
            (x, y) => version_order(x, y),
        });
    share
}
