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
    /// How tenant outages are judged; its delay is the schedule's (an hour still inside it is
    /// incomplete and raises nothing).
    pub outage: signals::outage::Outage,
}

impl Services {
    /// Services over a database and an events root, with the default outage settings.
    pub fn new(db: Database, events: EventsRoot) -> Self {
        Self {
            db,
            events,
            outage: signals::outage::Outage::default(),
        }
    }

    /// The same, with the schedule's delay for late files: an hour that ended less than this ago
    /// is incomplete for the outage check too.
    pub fn with_schedule_delay(mut self, delay: std::time::Duration) -> Self {
        self.outage.delay_seconds = i64::try_from(delay.as_secs()).unwrap_or(i64::MAX);
        self
    }
}
