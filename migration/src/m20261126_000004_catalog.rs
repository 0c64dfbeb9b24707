//! The catalog's reading side.
//!
//! - Daily roll-ups become complete: `daily_counts`, `daily_keys` and `daily_sessions` hold every
//!   day, also the days still in hourly detail (refreshed whenever an hour of the day is written),
//!   so charts and lists over days never scan hourly rows. Retention then only drops hourly rows.
//! - `hourly_sessions` and `daily_sessions` also carry the version's `events`, so totals per
//!   version and per tenant come from one small row per version and period.
//! - `tags` on applications, screens and events.
//! - Daily totals by event, by (version, event) and by screen (`event_days`,
//!   `version_event_days`, `screen_days`): what lists, sparklines, movers and the matrix sum over
//!   ranges, each a few rows per day instead of one per combination. Their indexes end with the
//!   summed column, so the sums are read from the index alone.
//!
//! Existing ledgers are completed here: the days in hourly detail are summed into daily rows, and
//! their hourly session sketches merged (HyperLogLog registers: the maximum of each register; the
//! byte format is `blueprint_core::ingest::sketch`'s).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REGISTERS: usize = 4096;

fn registers(bytes: &[u8], into: &mut [u8; REGISTERS]) {
    match bytes.split_first() {
        Some((1, rest)) => {
            for entry in rest.chunks_exact(3) {
                let index = usize::from(u16::from_le_bytes([entry[0], entry[1]]));
                if let Some(slot) = into.get_mut(index) {
                    *slot = std::cmp::max(*slot, entry[2]);
                }
            }
        }
        Some((2, rest)) if rest.len() == REGISTERS => {
            for (slot, value) in into.iter_mut().zip(rest) {
                *slot = std::cmp::max(*slot, *value);
            }
        }
        _ => {}
    }
}

fn encode(registers: &[u8; REGISTERS]) -> Vec<u8> {
    let set = registers.iter().filter(|r| **r != 0).count();
    if set * 3 < REGISTERS {
        let mut out = vec![1];
        for (index, value) in registers.iter().enumerate().filter(|(_, r)| **r != 0) {
            out.extend_from_slice(&(index as u16).to_le_bytes());
            out.push(*value);
        }
        out
    } else {
        let mut out = vec![2];
        out.extend_from_slice(registers);
        out
    }
}

fn estimate(registers: &[u8; REGISTERS]) -> i64 {
    let m = REGISTERS as f64;
    let alpha = 0.7213 / (1.0 + 1.079 / m);
    let sum: f64 = registers.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
    let raw = alpha * m * m / sum;
    let zeros = registers.iter().filter(|r| **r == 0).count();
    let value = if raw <= 2.5 * m && zeros > 0 {
        m * (m / zeros as f64).ln()
    } else {
        raw
    };
    value.round() as i64
}

#[derive(FromQueryResult)]
struct HourSketch {
    tenant_id: i64,
    hour: i64,
    version_id: i64,
    events: i64,
    sketch: Vec<u8>,
}

fn events_column() -> ColumnDef {
    ColumnDef::new(Alias::new("events"))
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

/// (table, key columns from `combinations`, the columns of its range index). The range indexes
/// lead with what the pages filter on and end with the summed column.
pub const DAY_TOTALS: [(&str, &[&str], &[&str]); 3] = [
    (
        "event_days",
        &["event_id"],
        &["tenant_id", "day", "event_id", "events"],
    ),
    (
        "version_event_days",
        &["version_id", "event_id"],
        &["version_id", "day", "event_id", "events"],
    ),
    (
        "screen_days",
        &["screen_id"],
        &["tenant_id", "day", "screen_id", "events"],
    ),
];

/// Fills a day-totals table from `daily_counts` rows matching `condition` (on `d`).
pub fn day_totals_sql(table: &str, key: &[&str], condition: &str) -> String {
    let keys = key.join(", ");
    let selected = key
        .iter()
        .map(|k| format!("c.{k}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {table} (tenant_id, day, {keys}, events) \
         SELECT d.tenant_id, d.day, {selected}, SUM(d.events) FROM daily_counts d \
         JOIN combinations c ON c.id = d.combination_id WHERE {condition} \
         GROUP BY d.tenant_id, d.day, {selected} ORDER BY d.day"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["hourly_sessions", "daily_sessions"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(name))
                        .add_column(events_column())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("tags"))
                    .col(
                        ColumnDef::new(Alias::new("tenant_id"))
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Alias::new("kind")).string().not_null())
                    .col(
                        ColumnDef::new(Alias::new("subject_id"))
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Alias::new("tag")).string().not_null())
                    .primary_key(
                        Index::create()
                            .col(Alias::new("kind"))
                            .col(Alias::new("subject_id"))
                            .col(Alias::new("tag")),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in [
            ("ix_tags_tenant", "tags", &["tenant_id", "tag"][..]),
            ("ix_combinations_screen", "combinations", &["screen_id"][..]),
            ("ix_discoveries_subject", "discoveries", &["subject_id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index.to_owned()).await?;
        }

        for (name, key, range_index) in DAY_TOTALS {
            let mut table = Table::create();
            table.table(Alias::new(name));
            for column in ["tenant_id", "day"]
                .iter()
                .chain(key.iter())
                .chain(["events"].iter())
            {
                table.col(ColumnDef::new(Alias::new(*column)).big_integer().not_null());
            }
            let mut primary = Index::create();
            for column in key.iter().chain(["day"].iter()) {
                primary.col(Alias::new(*column));
            }
            table.primary_key(&mut primary);
            manager.create_table(table.to_owned()).await?;
            let mut by_day = Index::create();
            by_day
                .name(format!("ix_{name}_day"))
                .table(Alias::new(name));
            for column in range_index {
                by_day.col(Alias::new(*column));
            }
            manager.create_index(by_day.to_owned()).await?;
        }

        // Complete the existing ledger.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE hourly_sessions SET events = COALESCE((SELECT SUM(h.events) FROM hourly_counts h \
             JOIN combinations c ON c.id = h.combination_id \
             WHERE h.hour = hourly_sessions.hour AND c.version_id = hourly_sessions.version_id), 0)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE daily_sessions SET events = COALESCE((SELECT SUM(d.events) FROM daily_counts d \
             JOIN combinations c ON c.id = d.combination_id \
             WHERE d.day = daily_sessions.day AND c.version_id = daily_sessions.version_id), 0)",
        )
        .await?;
        let day = "(hour - (hour % 86400))";
        db.execute_unprepared(&format!(
            "INSERT INTO daily_counts (tenant_id, day, combination_id, events, sessions) \
             SELECT tenant_id, {day}, combination_id, SUM(events), MAX(sessions) FROM hourly_counts \
             GROUP BY tenant_id, {day}, combination_id"
        ))
        .await?;
        let columns = crate::TYPE_COLUMNS;
        let sums = columns.map(|c| format!("SUM({c})")).join(", ");
        db.execute_unprepared(&format!(
            "INSERT INTO daily_keys (tenant_id, day, version_id, key_id, {}) \
             SELECT tenant_id, {day}, version_id, key_id, {sums} FROM hourly_keys \
             GROUP BY tenant_id, {day}, version_id, key_id",
            columns.join(", ")
        ))
        .await?;
        for (name, key, _) in DAY_TOTALS {
            db.execute_unprepared(&day_totals_sql(name, key, "1 = 1"))
                .await?;
        }
        let backend = db.get_database_backend();
        let rows = HourSketch::find_by_statement(Statement::from_string(
            backend,
            "SELECT tenant_id, hour, version_id, events, sketch FROM hourly_sessions ORDER BY version_id, hour",
        ))
        .all(db)
        .await?;
        let mut days: std::collections::BTreeMap<(i64, i64), (i64, i64, Box<[u8; REGISTERS]>)> =
            Default::default();
        for row in rows {
            let entry = days
                .entry((row.version_id, row.hour - row.hour % 86_400))
                .or_insert_with(|| (row.tenant_id, 0, Box::new([0; REGISTERS])));
            entry.1 += row.events;
            registers(&row.sketch, &mut entry.2);
        }
        let insert = match backend {
            sea_orm_migration::sea_orm::DbBackend::Postgres => {
                "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch, events) VALUES ($1, $2, $3, $4, $5, $6)"
            }
            _ => {
                "INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch, events) VALUES (?, ?, ?, ?, ?, ?)"
            }
        };
        for ((version_id, day), (tenant_id, events, registers)) in days {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                insert,
                [
                    tenant_id.into(),
                    day.into(),
                    version_id.into(),
                    estimate(&registers).into(),
                    encode(&registers).into(),
                    events.into(),
                ],
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["tags", "event_days", "version_event_days", "screen_days"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
