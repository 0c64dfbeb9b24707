//! The data commands of the CLI (DESIGN.md, "Command line"): each opens the database and events
//! root, calls one `blueprint-core` service and prints its result.

pub mod data;
pub mod demo;
pub mod incidents;
pub mod progress;
pub mod rollout;
pub mod users;

use anyhow::Context;
use blueprint_core::Services;
use blueprint_core::db::{Database, PoolSettings};
use blueprint_core::events_root::EventsRoot;

use crate::config::Config;

/// Opens the (migrated) database and the events root.
pub async fn open_services(config: &Config) -> anyhow::Result<Services> {
    let db = Database::open(&config.database_url, &PoolSettings::default()).await?;
    let events = EventsRoot::open(&config.events).context("events root")?;
    Ok(Services::new(db, events).with_schedule_delay(config.jobs.schedule_delay))
}
