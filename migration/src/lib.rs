//! The only source of Blueprint's schema: ordered migrations, each written once for SQLite and
//! Postgres through SeaQuery. Tests build their databases by running them.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_tenants_users;
mod m20261126_000002_ledger;
mod m20261126_000003_accounts;
mod m20261126_000004_catalog;
mod m20261126_000005_jobs;
mod m20261126_000006_notifications;
mod m20261126_000007_quiet_marks;
mod m20261126_000008_channels;
mod m20261126_000009_rollouts;
mod m20261201_000010_run_limits;
mod m20261201_000020_session_epochs;
mod m20261201_000030_incidents;
mod m20261201_000040_grouped_news;
mod m20261202_000050_daily_fillfactor;

pub use m20261126_000002_ledger::TYPE_COLUMNS;
pub use m20261126_000004_catalog::{DAY_TOTALS, day_totals_sql};

/// Applies Blueprint's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_tenants_users::Migration),
            Box::new(m20261126_000002_ledger::Migration),
            Box::new(m20261126_000003_accounts::Migration),
            Box::new(m20261126_000004_catalog::Migration),
            Box::new(m20261126_000005_jobs::Migration),
            Box::new(m20261126_000006_notifications::Migration),
            Box::new(m20261126_000007_quiet_marks::Migration),
            Box::new(m20261126_000008_channels::Migration),
            Box::new(m20261126_000009_rollouts::Migration),
            Box::new(m20261201_000010_run_limits::Migration),
            Box::new(m20261201_000020_session_epochs::Migration),
            Box::new(m20261201_000030_incidents::Migration),
            Box::new(m20261201_000040_grouped_news::Migration),
            Box::new(m20261202_000050_daily_fillfactor::Migration),
        ]
    }
}
