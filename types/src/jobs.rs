//! Background jobs as the ingestion page and the API show them: backfills with their progress,
//! the hour timeline of a tenant, and the job monitor. Hours are `YYYY-MM-DDTHH:00:00Z`, instants
//! RFC 3339 UTC.

use serde::{Deserialize, Serialize};

/// A re-ingestion of `[from, to)` and its progress (`GET /api/v1/backfills/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Backfill {
    pub id: i64,
    pub tenant: String,
    pub from: String,
    pub to: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub status: String,
    /// Who asked: `admin` (the ingestion page), `api`, `cli`, `baseline` (a new tenant's first
    /// catch-up) or `catch-up` (a long gap after downtime).
    pub origin: String,
    pub requested_by: Option<String>,
    pub hours_total: i64,
    /// Ingested, or already done by a later run.
    pub hours_done: i64,
    pub hours_failed: i64,
    pub hours_running: i64,
    pub hours_queued: i64,
    pub hours_cancelled: i64,
    /// Events read so far.
    pub events: i64,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl Backfill {
    /// Whether it may still change.
    pub fn is_open(&self) -> bool {
        self.status == "queued" || self.status == "running"
    }

    /// Hours finished one way or another, for a progress bar.
    pub fn hours_finished(&self) -> i64 {
        self.hours_done + self.hours_failed + self.hours_cancelled
    }
}

/// `POST /api/v1/tenants/{tenant}/backfills`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackfillRequest {
    pub from: String,
    /// Exclusive.
    pub to: String,
}

/// One hour of a tenant's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourCell {
    pub hour: String,
    /// `ingested`, `no_data`, `running`, `queued`, `failed` or `missing`.
    pub state: String,
    pub events: i64,
    pub rejected: i64,
    pub files: i64,
    /// Read and write time of the latest run, in milliseconds.
    pub duration_ms: Option<i64>,
    /// The latest run's error (failed hours).
    pub error: Option<String>,
}

/// A tenant's recent hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantTimeline {
    pub tenant: String,
    pub name: String,
    pub latest: Option<String>,
    pub hours: Vec<HourCell>,
}

/// One ingestion run of an hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunRow {
    pub id: i64,
    pub status: String,
    pub trigger: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub files: i64,
    pub bytes: i64,
    pub events: i64,
    pub rejected: i64,
    pub read_ms: i64,
    pub write_ms: i64,
    pub error: Option<String>,
    pub worker: Option<String>,
}

/// A rejected line kept for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedLine {
    pub file: String,
    pub offset: u64,
    pub reason: String,
    pub text: String,
}

/// One hour in detail: its state, runs (newest first) and the latest run's rejected samples.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourDetail {
    pub tenant: String,
    pub cell: HourCell,
    pub runs: Vec<RunRow>,
    pub rejected: Vec<RejectedLine>,
}

/// A process running jobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerRow {
    pub id: String,
    /// `serve`, `worker` or `cli`.
    pub kind: String,
    pub host: String,
    pub pid: i64,
    pub concurrency: i64,
    pub started_at: String,
    pub heartbeat_at: String,
    /// The hours it is ingesting now.
    pub running: Vec<String>,
}

/// The job monitor: live workers, the queue, recent backfills and the tenants' timelines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ingestion {
    pub workers: Vec<WorkerRow>,
    pub hours_queued: i64,
    pub hours_running: i64,
    /// Hours that failed for good in the last 24 hours.
    pub hours_failed_recently: i64,
    pub backfills: Vec<Backfill>,
    pub tenants: Vec<TenantTimeline>,
}
