//! Daily roll-ups and retention. The daily tables hold every day, complete: whenever an hour is
//! written, its day is summed again from the hourly rows (events and key counts exactly, sessions
//! as the merged sketch of the day's hours — an estimate, shown as approximate), so charts and
//! lists over days never scan hourly rows. Hourly detail is kept for the tenant's window (default
//! 35 days, counted back from its latest ingested hour, so a paused pipeline loses nothing); older
//! hourly rows are then dropped, their days already rolled up.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
};

use crate::entities::hourly_session;
use crate::hour::Hour;
use crate::ingest::sketch::Sketch;
use crate::ledger::LedgerError;

pub const DAY: i64 = 86_400;

pub(crate) const KEY_COLUMNS: [&str; 7] = blueprint_migration::TYPE_COLUMNS;

/// The first hour kept in hourly detail: the start of the UTC day `retention_days` before `latest`.
pub fn window_start(latest: Hour, retention_days: i32) -> Hour {
    let seconds = latest.epoch_seconds() - i64::from(retention_days.max(1)) * DAY;
    Hour::from_epoch_seconds(seconds.div_euclid(DAY) * DAY).unwrap_or(latest)
}

/// Sums the day of `hour` again from its hourly rows into the daily tables (inside the
/// transaction that wrote the hour). The whole day is in hourly detail: hours older than the
/// window are refused before they get here.
pub async fn refresh_day(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    hour: i64,
) -> Result<(), LedgerError> {
    let day = hour - hour.rem_euclid(DAY);
    let end = day + DAY;
    let span = format!("tenant_id = {tenant_id} AND hour >= {day} AND hour < {end}");
    for table in [
        "daily_counts",
        "daily_keys",
        "daily_sessions",
        "event_days",
        "version_event_days",
        "screen_days",
    ] {
        txn.execute_unprepared(&format!(
            "DELETE FROM {table} WHERE tenant_id = {tenant_id} AND day = {day}"
        ))
        .await?;
    }
    txn.execute_unprepared(&format!(
        "INSERT INTO daily_counts (tenant_id, day, combination_id, events, sessions) \
         SELECT tenant_id, {day}, combination_id, SUM(events), MAX(sessions) FROM hourly_counts \
         WHERE {span} GROUP BY tenant_id, combination_id"
    ))
    .await?;
    for (table, key, _) in blueprint_migration::DAY_TOTALS {
        txn.execute_unprepared(&blueprint_migration::day_totals_sql(
            table,
            key,
            &format!("d.tenant_id = {tenant_id} AND d.day = {day}"),
        ))
        .await?;
    }
    let sums = KEY_COLUMNS.map(|c| format!("SUM({c})")).join(", ");
    txn.execute_unprepared(&format!(
        "INSERT INTO daily_keys (tenant_id, day, version_id, key_id, {}) \
         SELECT tenant_id, {day}, version_id, key_id, {sums} FROM hourly_keys \
         WHERE {span} GROUP BY tenant_id, version_id, key_id",
        KEY_COLUMNS.join(", ")
    ))
    .await?;

    let hourly = hourly_session::Entity::find()
        .filter(hourly_session::Column::TenantId.eq(tenant_id))
        .filter(hourly_session::Column::Hour.gte(day))
        .filter(hourly_session::Column::Hour.lt(end))
        .all(txn)
        .await?;
    let mut versions: BTreeMap<i64, (Sketch, i64)> = BTreeMap::new();
    for row in &hourly {
        let (sketch, events) = versions.entry(row.version_id).or_default();
        if let Some(part) = Sketch::from_bytes(&row.sketch) {
            sketch.merge(&part);
        }
        *events += row.events;
    }
    let insert = match txn.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch, events) VALUES ($1, $2, $3, $4, $5, $6)"
        }
        _ => {
            "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch, events) VALUES (?, ?, ?, ?, ?, ?)"
        }
    };
    for (version_id, (sketch, events)) in versions {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            txn.get_database_backend(),
            insert,
            [
                tenant_id.into(),
                day.into(),
                version_id.into(),
                (sketch.estimate() as i64).into(),
                sketch.to_bytes().into(),
                events.into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// Drops the hourly rows before `window` (their days are already in the daily tables); returns
/// how many hourly count rows went.
pub async fn roll_up(
    db: &DatabaseConnection,
    tenant_id: i64,
    window: Hour,
) -> Result<u64, LedgerError> {
    let w = window.epoch_seconds();
    let txn = crate::db::begin_write(db).await?;
    let mut removed = 0;
    for table in ["hourly_counts", "hourly_keys", "hourly_sessions"] {
        let result = txn
            .execute_unprepared(&format!(
                "DELETE FROM {table} WHERE tenant_id = {tenant_id} AND hour < {w}"
            ))
            .await?;
        if table == "hourly_counts" {
            removed = result.rows_affected();
        }
    }
    txn.commit().await?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_starts_at_a_day_boundary() {
        let latest: Hour = "2026-11-20T15".parse().unwrap();
        assert_eq!(window_start(latest, 35).to_string(), "2026-10-16T00:00:00Z");
        assert_eq!(window_start(latest, 1).to_string(), "2026-11-19T00:00:00Z");
    }
}
