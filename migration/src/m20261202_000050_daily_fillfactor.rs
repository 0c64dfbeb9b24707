//! Postgres only: the daily roll-ups are updated in place by every hour of their day (the hour's
//! difference is added to each row), so their pages keep half their room free (`fillfactor = 50`).
//! An update then fits beside its row on the same page and touches no index (a heap-only tuple);
//! on a full page every update also writes each of the table's indexes. Measured on the benchmark
//! hour's re-ingestion (680,000 key rows): its daily_keys updates went from 15 s to 2–7.5 s.
//! SQLite updates rows in place and has no such setting.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables every hour of a day updates.
const TABLES: [&str; 5] = [
    "daily_keys",
    "daily_counts",
    "event_days",
    "version_event_days",
    "screen_days",
];

async fn set_fillfactor(manager: &SchemaManager<'_>, percent: u8) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in TABLES {
        db.execute_unprepared(&format!("ALTER TABLE {table} SET (fillfactor = {percent})"))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_fillfactor(manager, 50).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_fillfactor(manager, 100).await
    }
}
