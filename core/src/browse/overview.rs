//! `/t/{tenant}`: activity (events and sessions per hour, or per day for long or old ranges),
//! ingestion health, what is new in the range, what went quiet, and the day-over-day movers.

use std::collections::HashMap;

use blueprint_types::catalog::{
    DiscoveryItem, Health, HourProblem, Mover, Overview, QuietItem, TimeSeries,
};
use sea_orm::FromQueryResult;

use super::figures::{mark_buckets, series};
use super::query::Discovered;
use super::{Range, TenantRef, day_text, hour_text};
use crate::Services;
use crate::accounts::ServiceError;
use crate::hour::Hour;
use crate::ledger::rollup::DAY;
use crate::sql::fetch;

const HOUR: i64 = 3_600;
use super::QUIET_AFTER_HOURS;
/// Kinds of discovery the overview lists (combinations and key types are counted, not listed).
const LISTED: [&str; 5] = ["application", "version", "screen", "event", "key"];

#[derive(FromQueryResult)]
struct Activity {
    period: i64,
    events: i64,
    sessions: i64,
}

#[derive(FromQueryResult)]
struct KindCount {
    kind: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct IngestedHour {
    hour: i64,
    status: String,
    lines: i64,
    rejected: i64,
}

#[derive(FromQueryResult)]
struct FailedRun {
    hour: i64,
    error: Option<String>,
}

#[derive(FromQueryResult)]
struct Named {
    name: String,
    last_seen: i64,
}

#[derive(FromQueryResult)]
struct Moved {
    id: i64,
    b: i64,
    a: i64,
}

/// Whether the range can be drawn per hour: short, and still in hourly detail.
pub(crate) fn hourly(tenant: &TenantRef, range: Range) -> bool {
    range.days() <= 7 && tenant.window.is_none_or(|window| range.from >= window)
}

pub async fn overview(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
) -> Result<Overview, ServiceError> {
    let id = tenant.id;
    let (activity, events_total) = activity(services, tenant, range).await?;
    let health = health(services, tenant, range).await?;
    let (discovered, discovered_by_kind) = discovered(services, id, range).await?;
    let quiet = match tenant.latest {
        Some(latest) => quiet(services, id, latest - QUIET_AFTER_HOURS * HOUR).await?,
        None => Vec::new(),
    };
    let (movers, movers_days) = match tenant.latest {
        Some(latest) => super::cache::cached(
            &services.db,
            format!("movers:{id}:{latest}"),
            tenant.version,
            movers(services, id, latest),
        )
        .await?
        .as_ref()
        .clone(),
        None => (Vec::new(), None),
    };
    Ok(Overview {
        tenant: tenant.slug.clone(),
        name: tenant.name.clone(),
        range: range.view(),
        activity,
        events_total,
        health,
        discovered,
        discovered_by_kind,
        quiet,
        movers,
        movers_days,
    })
}

/// Events and sessions per hour (or per day when the range cannot be drawn per hour), and the
/// events in the range.
async fn activity(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
) -> Result<(TimeSeries, i64), sea_orm::DbErr> {
    let per_hour = hourly(tenant, range);
    let (sql, buckets): (&str, Vec<i64>) = if per_hour {
        (
            "SELECT hour AS period, CAST(SUM(events) AS BIGINT) AS events, CAST(SUM(sessions) AS BIGINT) AS sessions \
             FROM hourly_sessions WHERE tenant_id = ? AND hour >= ? AND hour < ? GROUP BY hour",
            (range.from..range.to).step_by(HOUR as usize).collect(),
        )
    } else {
        (
            "SELECT day AS period, CAST(SUM(events) AS BIGINT) AS events, CAST(SUM(sessions) AS BIGINT) AS sessions \
             FROM daily_sessions WHERE tenant_id = ? AND day >= ? AND day < ? GROUP BY day",
            range.day_starts(),
        )
    };
    let rows: Vec<Activity> = fetch(
        services.db.conn(),
        sql,
        vec![tenant.id.into(), range.from.into(), range.to.into()],
    )
    .await?;
    let events_total = rows.iter().map(|r| r.events).sum();
    let bucket_text = |b: i64| {
        if per_hour {
            hour_text(Some(b)).unwrap_or_default()
        } else {
            day_text(b)
        }
    };
    let points = rows.iter().flat_map(|r| {
        [
            ("events".to_owned(), r.period, r.events as f64),
            ("sessions".to_owned(), r.period, r.sessions as f64),
        ]
    });
    let mut activity = series(&buckets, bucket_text, points, 2);
    mark_buckets(
        &mut activity,
        &buckets,
        if per_hour { HOUR } else { 86_400 },
        tenant,
    );
    activity.series.sort_by(|a, b| a.label.cmp(&b.label));
    Ok((activity, events_total))
}

/// What was discovered in the range: the latest of the listed kinds, and the count of each kind.
async fn discovered(
    services: &Services,
    tenant_id: i64,
    range: Range,
) -> Result<(Vec<DiscoveryItem>, Vec<(String, i64)>), sea_orm::DbErr> {
    let kinds = LISTED.map(|k| format!("'{k}'")).join(",");
    let discovered: Vec<DiscoveryItem> = fetch::<Discovered>(
        services.db.conn(),
        &format!(
            "SELECT kind, label, hour, news FROM discoveries WHERE tenant_id = ? AND hour >= ? AND hour < ? \
             AND kind IN ({kinds}) ORDER BY hour DESC, id DESC LIMIT 60"
        ),
        vec![tenant_id.into(), range.from.into(), range.to.into()],
    )
    .await?
    .into_iter()
    .map(DiscoveryItem::from)
    .collect();
    let mut by_kind: Vec<(String, i64)> = fetch::<KindCount>(
        services.db.conn(),
        "SELECT kind, COUNT(*) AS n FROM discoveries WHERE tenant_id = ? AND hour >= ? AND hour < ? GROUP BY kind",
        vec![tenant_id.into(), range.from.into(), range.to.into()],
    )
    .await?
    .into_iter()
    .map(|k| (k.kind, k.n))
    .collect();
    let order = |kind: &str| {
        [
            "application",
            "version",
            "screen",
            "event",
            "combination",
            "key",
            "key_type",
        ]
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(99)
    };
    by_kind.sort_by_key(|(kind, _)| order(kind));
    Ok((discovered, by_kind))
}

async fn health(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
) -> Result<Health, sea_orm::DbErr> {
    let id = tenant.id;
    let ingested: Vec<IngestedHour> = fetch(
        services.db.conn(),
        "SELECT i.hour AS hour, i.status AS status, COALESCE(r.lines, 0) AS lines, COALESCE(r.rejected, 0) AS rejected \
         FROM ingested_hours i LEFT JOIN ingestion_runs r ON r.id = i.run_id \
         WHERE i.tenant_id = ? AND i.hour >= ? AND i.hour < ?",
        vec![id.into(), range.from.into(), range.to.into()],
    )
    .await?;
    let failed: HashMap<i64, Option<String>> = fetch::<FailedRun>(
        services.db.conn(),
        "SELECT hour, error FROM ingestion_runs WHERE tenant_id = ? AND hour >= ? AND hour < ? AND status = 'failed' ORDER BY id",
        vec![id.into(), range.from.into(), range.to.into()],
    )
    .await?
    .into_iter()
    .map(|r| (r.hour, r.error))
    .collect();
    #[derive(FromQueryResult)]
    struct First {
        first: Option<i64>,
    }
    let first = fetch::<First>(
        services.db.conn(),
        "SELECT MIN(hour) AS first FROM ingested_hours WHERE tenant_id = ?",
        vec![id.into()],
    )
    .await?
    .into_iter()
    .next()
    .and_then(|f| f.first);
    let done: HashMap<i64, &IngestedHour> = ingested.iter().map(|i| (i.hour, i)).collect();
    let mut problems = Vec::new();
    let mut problem_count = 0;
    if let (Some(first), Some(latest)) = (first, tenant.latest) {
        let mut hour = range.from.max(first);
        let last = tenant.gap.map_or(latest + HOUR, |(_, until)| until);
        while hour < range.to.min(last) {
            if !done.contains_key(&hour) {
                problem_count += 1;
                if problems.len() < 24 {
                    let failure = failed.get(&hour);
                    problems.push(HourProblem {
                        hour: hour_text(Some(hour)).unwrap_or_default(),
                        problem: if failure.is_some() {
                            "failed"
                        } else {
                            "missing"
                        }
                        .to_owned(),
                        detail: failure.cloned().flatten(),
                    });
                }
            }
            hour += HOUR;
        }
    }
    Ok(Health {
        latest_hour: hour_text(tenant.latest),
        no_data_since: tenant.gap.and_then(|(since, _)| hour_text(Some(since))),
        no_data_hours: tenant
            .gap
            .map_or(0, |(since, until)| (until - since) / HOUR),
        hours_ok: ingested.iter().filter(|i| i.status == "ok").count() as i64,
        hours_no_data: ingested.iter().filter(|i| i.status == "no_data").count() as i64,
        problems,
        problem_count,
        rejected_lines: ingested.iter().map(|i| i.rejected).sum(),
        lines: ingested.iter().map(|i| i.lines).sum(),
    })
}

/// Events, screens and application versions last seen before `before`, most recently quiet first.
async fn quiet(
    services: &Services,
    tenant_id: i64,
    before: i64,
) -> Result<Vec<QuietItem>, sea_orm::DbErr> {
    let mut out = Vec::new();
    for (kind, sql) in [
        (
            "event",
            "SELECT name, last_seen FROM events WHERE tenant_id = ? AND last_seen < ? ORDER BY last_seen DESC LIMIT 15",
        ),
        (
            "screen",
            "SELECT name, last_seen FROM screens WHERE tenant_id = ? AND last_seen < ? ORDER BY last_seen DESC LIMIT 10",
        ),
        (
            "version",
            "SELECT a.name || ' ' || v.version || ' (' || a.platform || ')' AS name, v.last_seen AS last_seen \
             FROM app_versions v JOIN applications a ON a.id = v.application_id \
             WHERE v.tenant_id = ? AND v.last_seen < ? ORDER BY v.last_seen DESC LIMIT 10",
        ),
    ] {
        for row in fetch::<Named>(
            services.db.conn(),
            sql,
            vec![tenant_id.into(), before.into()],
        )
        .await?
        {
            out.push(QuietItem {
                kind: kind.to_owned(),
                name: row.name,
                last_seen: hour_text(Some(row.last_seen)).unwrap_or_default(),
            });
        }
    }
    out.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// Events whose volume changed most between the last complete day and the day before.
async fn movers(
    services: &Services,
    tenant_id: i64,
    latest: i64,
) -> Result<(Vec<Mover>, Option<(String, String)>), sea_orm::DbErr> {
    let latest_day = latest - latest.rem_euclid(DAY);
    let after = if Hour::from_epoch_seconds(latest).is_some() && (latest - latest_day) / HOUR == 23
    {
        latest_day
    } else {
        latest_day - DAY
    };
    let before = after - DAY;
    // Summed, compared and ranked by the database: ten rows come back.
    let changed: Vec<(i64, (i64, i64))> = fetch::<Moved>(
        services.db.conn(),
        &format!(
            "SELECT id, b, a FROM (SELECT event_id AS id, \
             CAST(SUM(CASE WHEN day = {before} THEN events ELSE 0 END) AS BIGINT) AS b, \
             CAST(SUM(CASE WHEN day = {after} THEN events ELSE 0 END) AS BIGINT) AS a \
             FROM event_days WHERE tenant_id = ? AND day IN ({before}, {after}) GROUP BY event_id) t \
             WHERE b <> a ORDER BY ABS(a - b) DESC, id LIMIT 10"
        ),
        vec![tenant_id.into()],
    )
    .await?
    .into_iter()
    .map(|m| (m.id, (m.b, m.a)))
    .collect();
    let names =
        super::query::names_of(services, "events", changed.iter().map(|(id, _)| *id)).await?;
    let movers = changed
        .into_iter()
        .map(|(id, (before, after))| Mover {
            event: names.get(&id).cloned().unwrap_or_default(),
            before,
            after,
        })
        .collect();
    Ok((movers, Some((day_text(before), day_text(after)))))
}
