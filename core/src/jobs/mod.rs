//! Background jobs (DESIGN.md, "Running it"; issue: jobs). apalis carries the work between
//! processes; Blueprint keeps what people need to see in its own tables, because apalis has no
//! progress field and cannot update a queued task (STACK.md, trap 3):
//!
//! - [`queue`]: the named apalis queues in Blueprint's database and pushing onto them;
//! - [`tasks`]: one tenant-hour to ingest — claimed so that no two workers ingest it at once, and
//!   skipped when a later run already did its work (a queued duplicate never runs twice);
//! - [`backfills`]: re-ingestion of a range, fanned out into hour tasks, with progress and cancel;
//! - [`workers`]: the processes running jobs, their heartbeats, and taking over a dead one's work;
//! - [`schedule`]: every hour, every tenant's new hour, the missing hours of the look-back window,
//!   hours whose files changed, and a new tenant's baseline;
//! - [`monitor`]: the admin's views (the hour timeline of a tenant, workers and queues);
//! - [`prune`]: deleting finished job history older than the retention window.
//!
//! The apalis workers themselves run in the `blueprint` binary (`serve`, `worker`, a waiting
//! `backfill --wait`); everything they do is a call into this module.

pub mod backfills;
pub mod monitor;
pub mod prune;
pub use crate::queue;
pub mod schedule;
pub mod tasks;
pub mod workers;

use std::time::Duration;

use crate::accounts::ServiceError;
use crate::ingestion::IngestionError;

/// Why a job operation failed. Messages are for people: they name the backfill, hour or range.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("database query failed: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("cannot queue the job: {0}")]
    Queue(String),
    #[error("{0}")]
    Invalid(String),
    /// The request collides with the job's state (cancelling a backfill that has ended).
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Ingestion(#[from] IngestionError),
    #[error(transparent)]
    Account(#[from] ServiceError),
    #[error(transparent)]
    Tenants(#[from] crate::tenants::TenantError),
    #[error(transparent)]
    Events(#[from] crate::EventsRootError),
    #[error(transparent)]
    Read(#[from] crate::ingest::IngestError),
}

impl From<crate::queue::QueueError> for JobError {
    fn from(err: crate::queue::QueueError) -> Self {
        match err {
            crate::queue::QueueError::Db(err) => JobError::Db(err),
            other => JobError::Queue(other.to_string()),
        }
    }
}

impl From<JobError> for ServiceError {
    fn from(err: JobError) -> Self {
        match err {
            JobError::Account(err) => err,
            JobError::Invalid(message) => ServiceError::Invalid(message),
            JobError::Conflict(message) => ServiceError::Conflict(message),
            JobError::NotFound => ServiceError::NotFound,
            JobError::Db(err) => ServiceError::from(err),
            JobError::Ingestion(IngestionError::UnknownTenant(_)) => ServiceError::NotFound,
            JobError::Ingestion(
                err @ (IngestionError::BeyondRetention { .. } | IngestionError::EmptyRange { .. }),
            ) => ServiceError::Invalid(err.to_string()),
            other => ServiceError::failed(other),
        }
    }
}

/// How the jobs run: set from `BLUEPRINT_JOB_*` settings (README, "Settings").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSettings {
    /// Tenant-hours one process ingests at once.
    pub concurrency: usize,
    /// Parser threads per ingested hour.
    pub ingest_workers: usize,
    /// The limits of reading an hour: line length, inflation, decompressed bytes per hour.
    pub read_limits: crate::ingest::ReadLimits,
    /// Further attempts after an hour fails to read, with a doubling back-off.
    pub retries: u32,
    pub retry_backoff: Duration,
    /// How long after an hour ends the schedule waits for late files before queueing it.
    pub schedule_delay: Duration,
    /// Missing hours up to this many hours back are queued at start-up and at every tick.
    pub lookback_hours: i64,
    /// How often a worker says it is alive; three missed heartbeats make it dead.
    pub heartbeat: Duration,
    /// How often an idle worker looks for work and the schedule reads the clock.
    pub poll: Duration,
    /// Whether this process runs the hourly schedule (off for workers that only take work).
    pub schedule: bool,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            concurrency: 2,
            ingest_workers: std::thread::available_parallelism().map_or(2, usize::from),
            read_limits: crate::ingest::ReadLimits::default(),
            retries: 2,
            retry_backoff: Duration::from_secs(30),
            schedule_delay: Duration::from_secs(600),
            lookback_hours: 48,
            heartbeat: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            schedule: true,
        }
    }
}

impl JobSettings {
    /// Seconds without a heartbeat after which a worker is dead.
    pub fn dead_after(&self) -> i64 {
        (self.heartbeat.as_secs_f64() * 3.0).ceil().max(3.0) as i64
    }
}

pub use crate::time::{Clock, ManualClock, SystemClock};
