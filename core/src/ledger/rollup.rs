//! Retention: hourly detail is kept for the tenant's window (default 35 days, counted back from
//! its latest ingested hour, so a paused pipeline loses nothing); older whole days are rolled up
//! into daily rows — events and key counts summed exactly, sessions merged as sketches (an
//! estimate, shown as approximate) — and their hourly rows removed.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    TransactionTrait,
};

use crate::entities::hourly_session;
use crate::hour::Hour;
use crate::ingest::sketch::Sketch;
use crate::ledger::LedgerError;

const DAY: i64 = 86_400;

#[derive(FromQueryResult)]
struct SketchRow {
    sketch: Vec<u8>,
}

/// The first hour kept in hourly detail: the start of the UTC day `retention_days` before `latest`.
pub fn window_start(latest: Hour, retention_days: i32) -> Hour {
    let seconds = latest.epoch_seconds() - i64::from(retention_days.max(1)) * DAY;
    Hour::from_epoch_seconds(seconds.div_euclid(DAY) * DAY).unwrap_or(latest)
}

/// Rolls every hour before `window` into daily rows; returns how many hourly count rows went.
pub async fn roll_up(
    db: &DatabaseConnection,
    tenant_id: i64,
    window: Hour,
) -> Result<u64, LedgerError> {
    let w = window.epoch_seconds();
    let txn = db.begin().await?;
    let day = "(hour - (hour % 86400))";
    txn.execute_unprepared(&format!(
        "INSERT INTO daily_counts (tenant_id, day, combination_id, events, sessions) \
         SELECT tenant_id, {day}, combination_id, SUM(events), MAX(sessions) FROM hourly_counts \
         WHERE tenant_id = {tenant_id} AND hour < {w} GROUP BY tenant_id, {day}, combination_id \
         ON CONFLICT (combination_id, day) DO UPDATE SET events = daily_counts.events + excluded.events, \
         sessions = CASE WHEN excluded.sessions > daily_counts.sessions THEN excluded.sessions ELSE daily_counts.sessions END"
    ))
    .await?;
    let columns = [
        "string_count",
        "integer_count",
        "number_count",
        "boolean_count",
        "object_count",
        "array_count",
        "null_count",
    ];
    let sums = columns.map(|c| format!("SUM({c})")).join(", ");
    let updates = columns
        .map(|c| format!("{c} = daily_keys.{c} + excluded.{c}"))
        .join(", ");
    txn.execute_unprepared(&format!(
        "INSERT INTO daily_keys (tenant_id, day, version_id, key_id, {}) \
         SELECT tenant_id, {day}, version_id, key_id, {sums} FROM hourly_keys \
         WHERE tenant_id = {tenant_id} AND hour < {w} GROUP BY tenant_id, {day}, version_id, key_id \
         ON CONFLICT (version_id, key_id, day) DO UPDATE SET {updates}",
        columns.join(", ")
    ))
    .await?;

    // Sessions: merge the hours' sketches per version and day, with any earlier daily sketch.
    let hourly = hourly_session::Entity::find()
        .filter(hourly_session::Column::TenantId.eq(tenant_id))
        .filter(hourly_session::Column::Hour.lt(w))
        .all(&txn)
        .await?;
    let mut days: BTreeMap<(i64, i64), Sketch> = BTreeMap::new();
    for row in &hourly {
        let sketch = days
            .entry((row.version_id, row.hour - row.hour % DAY))
            .or_default();
        if let Some(part) = Sketch::from_bytes(&row.sketch) {
            sketch.merge(&part);
        }
    }
    for ((version_id, day_start), mut sketch) in days {
        let existing = SketchRow::find_by_statement(sea_orm::Statement::from_string(
            txn.get_database_backend(),
            format!("SELECT sketch FROM daily_sessions WHERE version_id = {version_id} AND day = {day_start}"),
        ))
        .one(&txn)
        .await?;
        if let Some(previous) = existing.and_then(|row| Sketch::from_bytes(&row.sketch)) {
            sketch.merge(&previous);
        }
        txn.execute_unprepared(&format!(
            "DELETE FROM daily_sessions WHERE version_id = {version_id} AND day = {day_start}"
        ))
        .await?;
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            txn.get_database_backend(),
            match txn.get_database_backend() {
                sea_orm::DbBackend::Postgres => {
                    "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch) VALUES ($1, $2, $3, $4, $5)"
                }
                _ => "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch) VALUES (?, ?, ?, ?, ?)",
            },
            [
                tenant_id.into(),
                day_start.into(),
                version_id.into(),
                (sketch.estimate() as i64).into(),
                sketch.to_bytes().into(),
            ],
        ))
        .await?;
    }
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
