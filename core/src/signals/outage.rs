//! Tenant outages (DESIGN.md, "Ledger semantics" and "Signals"): hours ingested without data after
//! the tenant's latest hour with data are a gap in its data. When the gap is long enough that,
//! from the same hours of the week in past weeks, seeing no event at all in it is very unlikely,
//! it is one incident of kind `outage` (scope `tenant`, every dimension absent), told once when
//! found ("acme: no events since 09:00") and once when data returns ("acme: events arriving again
//! since 15:00 (6 hours without data)").
//!
//! The method: the expected count of each empty hour is the mean of the tenant's events in the
//! same hour of the week over the past [`Outage::weeks`] weeks, counting only weeks where that hour
//! had data; the counts are Poisson, so the chance of no event in all the empty hours is
//! `exp(-Σλ)`. Below [`Outage::alpha`] (default 1e-6, so `Σλ` above about 14) the gap is an outage:
//! a quiet night of a small tenant is not. A tenant with less than a week of data before the gap
//! is not judged. An hour that ended less than the schedule's delay ago is incomplete and counts
//! for nothing.
//!
//! Growing and resolving are idempotent: re-ingesting the hours finds the same incident (keyed by
//! its first empty hour) and tells nothing again (`told_at`, `returned_told_at`, and the
//! notifications' unique `dedupe` keys).

mod tell;

use std::collections::HashMap;

use blueprint_types::signals::{IncidentKind, IncidentState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entities::{incident, incident_series, ingested_hour, ingestion_run, tenant};
use crate::hour::Hour;
use tell::{tell_found, tell_returned};

/// One week in hours.
const WEEK: i64 = 168;

/// How outages are judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outage {
    /// The largest chance of seeing no event in the empty hours that still is no outage.
    pub alpha: f64,
    /// How many past weeks give the expected volume of an hour.
    pub weeks: i64,
    /// Hours that ended less than this many seconds ago are incomplete (the schedule's delay).
    pub delay_seconds: i64,
}

impl Default for Outage {
    fn default() -> Self {
        Self {
            alpha: 1e-6,
            weeks: 4,
            delay_seconds: 600,
        }
    }
}

/// What one check did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// An outage was opened (or grew) in this check.
    pub open: bool,
    /// Outages resolved because data returned.
    pub resolved: usize,
    /// Notifications written.
    pub told: u64,
}

/// Looks at the tenant's gap after an ingested hour or in the hourly planning: opens or grows its
/// outage, resolves it when data returned, and tells what is news. `news`: whether the hours
/// looked at are news (a backfill of old hours, a baseline, are history: shown, never pushed).
pub async fn check(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    news: bool,
    settings: Outage,
    now: i64,
) -> Result<Checked, DbErr> {
    let mut done = Checked::default();
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
        return Ok(done);
    };
    let latest = crate::tenants::latest_hour(conn, tenant_id).await?;
    if let Some(latest) = latest {
        let (resolved, told) = resolve_returned(conn, &tenant, latest, now).await?;
        done.resolved = resolved;
        done.told += told;
    }
    let Some(latest) = latest else {
        return Ok(done);
    };
    let empty = empty_hours(conn, tenant_id, latest, now - settings.delay_seconds).await?;
    let Some((&first, &last)) = empty.first().zip(empty.last()) else {
        return Ok(done);
    };
    if !has_a_week(conn, tenant_id, first).await? {
        return Ok(done);
    }
    let expected = expected_volume(conn, tenant_id, &empty, settings.weeks).await?;
    if (-expected).exp() >= settings.alpha {
        return Ok(done);
    }
    let row = open_or_grow(
        conn,
        &tenant,
        first,
        last + Hour::SECONDS,
        expected,
        news,
        now,
    )
    .await?;
    done.open = true;
    if row.news && row.told_at.is_none() {
        done.told += tell_found(conn, &tenant, &row, now).await?;
    }
    Ok(done)
}

/// The hours ingested without data right after `latest`, consecutive, that ended before
/// `complete_before` (epoch seconds).
async fn empty_hours(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    latest: i64,
    complete_before: i64,
) -> Result<Vec<i64>, DbErr> {
    let hours: Vec<i64> = ingested_hour::Entity::find()
        .select_only()
        .column(ingested_hour::Column::Hour)
        .filter(ingested_hour::Column::TenantId.eq(tenant_id))
        .filter(ingested_hour::Column::Hour.gt(latest))
        .order_by_asc(ingested_hour::Column::Hour)
        .into_tuple()
        .all(conn)
        .await?;
    let mut run = Vec::new();
    let mut next = latest + Hour::SECONDS;
    for hour in hours {
        if hour != next || hour + Hour::SECONDS > complete_before {
            break;
        }
        run.push(hour);
        next += Hour::SECONDS;
    }
    Ok(run)
}

/// Whether the tenant had data at least a week before `first`.
async fn has_a_week(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    first: i64,
) -> Result<bool, DbErr> {
    let first_data: Option<Option<i64>> = crate::tenants::hours_with_data(tenant_id)
        .select_only()
        .column_as(ingested_hour::Column::Hour.min(), "first")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(first_data
        .flatten()
        .is_some_and(|data| data <= first - WEEK * Hour::SECONDS))
}

/// Σλ over the empty hours: each hour's mean count in the same hour of the week over the past
/// `weeks` weeks, over the weeks where that hour had data.
async fn expected_volume(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    empty: &[i64],
    weeks: i64,
) -> Result<f64, DbErr> {
    let (Some(first), Some(last)) = (empty.first(), empty.last()) else {
        return Ok(0.0);
    };
    let from = first - weeks * WEEK * Hour::SECONDS;
    let rows: Vec<(i64, i64)> = crate::tenants::hours_with_data(tenant_id)
        .select_only()
        .column(ingested_hour::Column::Hour)
        .column(ingested_hour::Column::RunId)
        .filter(ingested_hour::Column::Hour.gte(from))
        .filter(ingested_hour::Column::Hour.lt(*last))
        .into_tuple()
        .all(conn)
        .await?;
    let run_ids: Vec<i64> = rows.iter().map(|(_, run)| *run).collect();
    let mut events: HashMap<i64, i64> = HashMap::new();
    for chunk in run_ids.chunks(crate::sql::IN_LIST) {
        let found: Vec<(i64, i64)> = ingestion_run::Entity::find()
            .select_only()
            .column(ingestion_run::Column::Id)
            .column(ingestion_run::Column::Events)
            .filter(ingestion_run::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        events.extend(found);
    }
    let by_hour: HashMap<i64, i64> = rows
        .iter()
        .map(|(hour, run)| (*hour, events.get(run).copied().unwrap_or(0)))
        .collect();
    Ok(empty
        .iter()
        .map(|hour| {
            let seen: Vec<i64> = (1..=weeks)
                .filter_map(|k| by_hour.get(&(hour - k * WEEK * Hour::SECONDS)).copied())
                .collect();
            if seen.is_empty() {
                0.0
            } else {
                seen.iter().sum::<i64>() as f64 / seen.len() as f64
            }
        })
        .sum())
}

/// The tenant's outages not yet resolved.
fn unresolved(tenant_id: i64) -> sea_orm::Select<incident::Entity> {
    incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant_id))
        .filter(incident::Column::Kind.eq(IncidentKind::Outage.as_str()))
        .filter(incident::Column::State.ne(IncidentState::Resolved.as_str()))
}

/// The outage that starts at `start` (the first empty hour), grown to `end`; opened if new.
async fn open_or_grow(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    start: i64,
    end: i64,
    expected: f64,
    news: bool,
    now: i64,
) -> Result<incident::Model, DbErr> {
    let existing = incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant.id))
        .filter(incident::Column::Kind.eq(IncidentKind::Outage.as_str()))
        .filter(incident::Column::StartHour.eq(start))
        .one(conn)
        .await?;
    let row = match existing {
        Some(row) if row.end_hour == end && (row.expected - expected).abs() < 1e-9 => row,
        Some(row) => {
            let mut active: incident::ActiveModel = row.into();
            active.end_hour = Set(end.max(*active.end_hour.as_ref()));
            active.expected = Set(expected);
            active.updated_at = Set(now);
            active.update(conn).await?
        }
        None => {
            incident::ActiveModel {
                tenant_id: Set(tenant.id),
                kind: Set(IncidentKind::Outage.as_str().to_owned()),
                scope: Set("tenant".to_owned()),
                event: Set(None),
                application: Set(None),
                version: Set(None),
                platform: Set(None),
                start_hour: Set(start),
                end_hour: Set(end),
                observed: Set(0),
                expected: Set(expected),
                state: Set(IncidentState::Open.as_str().to_owned()),
                news: Set(news),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?
        }
    };
    write_series(conn, &row).await?;
    Ok(row)
}

/// The outage's one series: the whole tenant (every dimension `''`), observed 0.
async fn write_series(conn: &impl ConnectionTrait, row: &incident::Model) -> Result<(), DbErr> {
    let existing = incident_series::Entity::find()
        .filter(incident_series::Column::IncidentId.eq(row.id))
        .one(conn)
        .await?;
    match existing {
        Some(series) if (series.expected - row.expected).abs() < 1e-9 => {}
        Some(series) => {
            let mut active: incident_series::ActiveModel = series.into();
            active.expected = Set(row.expected);
            active.update(conn).await?;
        }
        None => {
            incident_series::ActiveModel {
                incident_id: Set(row.id),
                tenant_id: Set(row.tenant_id),
                event: Set(String::new()),
                application: Set(String::new()),
                version: Set(String::new()),
                platform: Set(String::new()),
                kind: Set(IncidentKind::Outage.as_str().to_owned()),
                observed: Set(0),
                expected: Set(row.expected),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(())
}

/// Resolves every outage that data came back after (an hour with data from its start on), and
/// tells the return of those whose finding was told. Returns (resolved, notifications).
async fn resolve_returned(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    latest: i64,
    now: i64,
) -> Result<(usize, u64), DbErr> {
    let mut resolved = 0;
    let mut told = 0;
    let open = unresolved(tenant.id)
        .filter(incident::Column::StartHour.lte(latest))
        .all(conn)
        .await?;
    let returned_untold = incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant.id))
        .filter(incident::Column::Kind.eq(IncidentKind::Outage.as_str()))
        .filter(incident::Column::State.eq(IncidentState::Resolved.as_str()))
        .filter(incident::Column::ToldAt.is_not_null())
        .filter(incident::Column::ReturnedToldAt.is_null())
        .all(conn)
        .await?;
    for row in open {
        let mut active: incident::ActiveModel = row.clone().into();
        active.state = Set(IncidentState::Resolved.as_str().to_owned());
        active.resolved_at = Set(Some(now));
        active.updated_at = Set(now);
        let row = active.update(conn).await?;
        resolved += 1;
        if row.told_at.is_some() && row.returned_told_at.is_none() {
            told += tell_returned(conn, tenant, &row, now).await?;
        }
    }
    for row in returned_untold {
        told += tell_returned(conn, tenant, &row, now).await?;
    }
    Ok((resolved, told))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quiet_night_is_no_outage_and_a_busy_gap_is() {
        let alpha: f64 = super::Outage::default().alpha;
        // Twelve hours of a tenant of half an event an hour: seeing none is quite likely.
        assert!((-(12.0 * 0.5_f64)).exp() >= alpha);
        // Three hours of a tenant of ten events an hour: seeing none is not.
        assert!((-(3.0 * 10.0_f64)).exp() < alpha);
    }
}
