//! Daily roll-ups and retention. The daily tables hold every day, complete: whenever an hour is
//! written, its day changes by the difference the hour makes (events and key counts exactly: the
//! replaced hour taken away, the new one added), and the day's sessions of the versions it touched
//! are the merged sketch of the day's hours again (an estimate, shown as approximate), so charts
//! and lists over days never scan hourly rows. Hourly detail is kept for the tenant's window (default
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

/// Whether an hour's rows go into their day's roll-ups or come out of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sign {
    Add,
    Remove,
}

impl Sign {
    fn factor(self) -> i64 {
        match self {
            Sign::Add => 1,
            Sign::Remove => -1,
        }
    }
}

/// Adds the hour's hourly count rows, as they stand, to the summed columns of its day's count
/// tables (`Sign::Add`), or takes them away (`Sign::Remove`, before the hour is replaced): one
/// upsert per table, so a day costs what its new hour holds, not what its 24 hours hold. A day's
/// most sessions in an hour (`daily_counts.sessions`) only grows here; [`tidy_day`] recomputes it
/// after a removal.
pub(crate) async fn apply_counts(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    hour: i64,
    sign: Sign,
) -> Result<(), LedgerError> {
    let day = day_of(hour);
    let factor = sign.factor();
    let this_hour = format!("h.tenant_id = {tenant_id} AND h.hour = {hour}");
    txn.execute_unprepared(&format!(
        "INSERT INTO daily_counts (tenant_id, day, combination_id, events, sessions) \
         SELECT h.tenant_id, {day}, h.combination_id, {factor} * h.events, h.sessions \
         FROM hourly_counts h WHERE {this_hour} \
         ON CONFLICT (combination_id, day) DO UPDATE SET \
         events = daily_counts.events + excluded.events, \
         sessions = CASE WHEN excluded.sessions > daily_counts.sessions \
         THEN excluded.sessions ELSE daily_counts.sessions END"
    ))
    .await?;
    for (table, key, _) in blueprint_migration::DAY_TOTALS {
        let keys = key.join(", ");
        let selected = key
            .iter()
            .map(|k| format!("c.{k}"))
            .collect::<Vec<_>>()
            .join(", ");
        txn.execute_unprepared(&format!(
            "INSERT INTO {table} (tenant_id, day, {keys}, events) \
             SELECT h.tenant_id, {day}, {selected}, {factor} * SUM(h.events) \
             FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id \
             WHERE {this_hour} GROUP BY h.tenant_id, {selected} \
             ON CONFLICT ({keys}, day) DO UPDATE SET events = {table}.events + excluded.events"
        ))
        .await?;
    }
    Ok(())
}

/// The start of the UTC day of `hour` (epoch seconds).
pub(crate) fn day_of(hour: i64) -> i64 {
    hour - hour.rem_euclid(DAY)
}

/// `ON CONFLICT` clause of an upsert into `daily_keys` that adds each type's count to the row's.
pub(crate) fn daily_keys_added() -> String {
    let added = KEY_COLUMNS
        .map(|c| format!("{c} = daily_keys.{c} + excluded.{c}"))
        .join(", ");
    format!("ON CONFLICT (version_id, key_id, day) DO UPDATE SET {added}")
}

/// Adds the hour's hourly key rows, as they stand, to its day's `daily_keys` (an hour written
/// where none was: a replaced hour's keys change the day by their difference instead,
/// `write::replace`).
pub(crate) async fn add_keys(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    hour: i64,
) -> Result<(), LedgerError> {
    let day = day_of(hour);
    let selected = KEY_COLUMNS.map(|c| format!("h.{c}")).join(", ");
    txn.execute_unprepared(&format!(
        "INSERT INTO daily_keys (tenant_id, day, version_id, key_id, {}) \
         SELECT h.tenant_id, {day}, h.version_id, h.key_id, {selected} \
         FROM hourly_keys h WHERE h.tenant_id = {tenant_id} AND h.hour = {hour} {}",
        KEY_COLUMNS.join(", "),
        daily_keys_added()
    ))
    .await?;
    Ok(())
}

/// After an hour was replaced: the day's count rows left at zero go (a day holds a row only for
/// what it saw), and the day's most sessions in an hour is taken again from the hours that remain.
pub(crate) async fn tidy_day(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    hour: i64,
) -> Result<(), LedgerError> {
    let day = day_of(hour);
    let this_day = format!("tenant_id = {tenant_id} AND day = {day}");
    txn.execute_unprepared(&format!(
        "DELETE FROM daily_counts WHERE {this_day} AND events = 0"
    ))
    .await?;
    for (table, _, _) in blueprint_migration::DAY_TOTALS {
        txn.execute_unprepared(&format!(
            "DELETE FROM {table} WHERE {this_day} AND events = 0"
        ))
        .await?;
    }
    txn.execute_unprepared(&format!(
        "UPDATE daily_counts SET sessions = COALESCE((SELECT MAX(h.sessions) FROM hourly_counts h \
         WHERE h.combination_id = daily_counts.combination_id AND h.hour >= {day} \
         AND h.hour < {}), 0) WHERE {this_day}",
        day + DAY
    ))
    .await?;
    Ok(())
}

/// The day's `daily_keys` rows of `keys` (version, key) that a replaced hour left at zero go.
pub(crate) async fn tidy_keys(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    hour: i64,
    keys: &[[i64; 2]],
) -> Result<(), LedgerError> {
    let zero = KEY_COLUMNS.map(|c| format!("{c} = 0")).join(" AND ");
    let filter = format!(
        "tenant_id = {tenant_id} AND day = {} AND {zero}",
        day_of(hour)
    );
    crate::sql::delete_keys(txn, "daily_keys", &filter, ["version_id", "key_id"], keys).await?;
    Ok(())
}

/// The day's sessions of each of `versions`, merged again from the day's hourly sketches (distinct
/// sessions cannot be subtracted); the other versions' days are unchanged.
pub(crate) async fn merge_day_sessions(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    hour: i64,
    versions: &[i64],
) -> Result<(), LedgerError> {
    let day = day_of(hour);
    let end = day + DAY;
    let mut merged: BTreeMap<i64, (Sketch, i64)> = BTreeMap::new();
    for chunk in versions.chunks(crate::sql::IN_LIST) {
        let list = crate::ledger::id_list(chunk);
        txn.execute_unprepared(&format!(
            "DELETE FROM daily_sessions WHERE tenant_id = {tenant_id} AND day = {day} \
             AND version_id IN ({list})"
        ))
        .await?;
        let hourly = hourly_session::Entity::find()
            .filter(hourly_session::Column::TenantId.eq(tenant_id))
            .filter(hourly_session::Column::Hour.gte(day))
            .filter(hourly_session::Column::Hour.lt(end))
            .filter(hourly_session::Column::VersionId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        for row in &hourly {
            let (sketch, events) = merged.entry(row.version_id).or_default();
            if let Some(part) = Sketch::from_bytes(&row.sketch) {
                sketch.merge(&part);
            }
            *events += row.events;
        }
    }
    let insert = match txn.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch, events) VALUES ($1, $2, $3, $4, $5, $6)"
        }
        _ => {
            "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch, events) VALUES (?, ?, ?, ?, ?, ?)"
        }
    };
    for (version_id, (sketch, events)) in merged {
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
