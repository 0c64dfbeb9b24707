//! Blueprint's domain, with no web types: the database (entities, connection, migrations), the
//! events root in object storage, and the services the pages, API, CLI and jobs call.

pub mod accounts;
pub mod browse;
pub mod channels;
pub mod db;
pub mod entities;
pub mod error;
pub mod events_root;
pub mod hour;
pub mod ingest;
pub mod ingestion;
pub mod jobs;
pub mod ledger;
pub mod mapping;
pub mod mappings;
pub mod notify;
pub mod obsolete;
pub mod pipeline;
pub mod queue;
pub mod rollouts;
pub mod signals;
pub mod sql;
pub mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;

pub use db::{Database, DbError};
pub use error::{ServiceError, error_chain};
pub use events_root::{EventsRoot, EventsRootError};

/// Everything a service needs, built once at start-up and cloned cheaply into handlers and jobs.
#[derive(Clone, Debug)]
pub struct Services {
    pub db: Database,
    pub events: EventsRoot,
    /// The schedule's delay for late files: an hour that ended less than this ago is incomplete,
    /// for the outage check too.
    pub schedule_delay: std::time::Duration,
}

impl Services {
    /// Services over a database and an events root, with the default schedule delay (10 minutes).
    pub fn new(db: Database, events: EventsRoot) -> Self {
        Self {
            db,
            events,
            schedule_delay: std::time::Duration::from_secs(600),
        }
    }

    /// The same, with the schedule's delay for late files: an hour that ended less than this ago
    /// is incomplete for the outage check too.
    pub fn with_schedule_delay(mut self, delay: std::time::Duration) -> Self {
        self.schedule_delay = delay;
        self
    }
}
