//! Background jobs as the ingestion page and the API show them: backfills with their progress,
//! the hour timeline of a tenant, and the job monitor. Hours are `YYYY-MM-DDTHH:00:00Z`, instants
//! RFC 3339 UTC.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A stored or sent state name that is not one of its set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {kind}")]
pub struct UnknownState {
    pub kind: &'static str,
    pub value: String,
}

/// Where a backfill is (`backfills.status`, [`Backfill::status`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackfillStatus {
    /// Asked for; not fanned out into hour tasks yet.
    Queued,
    Running,
    Done,
    /// Closed with at least one hour that failed for good.
    Failed,
    Cancelled,
}

impl BackfillStatus {
    pub const ALL: [BackfillStatus; 5] = [
        BackfillStatus::Queued,
        BackfillStatus::Running,
        BackfillStatus::Done,
        BackfillStatus::Failed,
        BackfillStatus::Cancelled,
    ];
    /// The statuses a backfill may still leave.
    pub const OPEN: [BackfillStatus; 2] = [BackfillStatus::Queued, BackfillStatus::Running];
    /// The statuses it ends in.
    pub const FINISHED: [BackfillStatus; 3] = [
        BackfillStatus::Done,
        BackfillStatus::Failed,
        BackfillStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BackfillStatus::Queued => "queued",
            BackfillStatus::Running => "running",
            BackfillStatus::Done => "done",
            BackfillStatus::Failed => "failed",
            BackfillStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

impl fmt::Display for BackfillStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BackfillStatus {
    type Err = UnknownState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| UnknownState {
                kind: "backfill status",
                value: text.to_owned(),
            })
    }
}

/// An hour of a tenant's timeline ([`HourCell::state`]), most telling first: a task is open
/// (`running`, `queued`), its latest run failed, it is in the ledger (`ingested`, `no_data`),
/// it is not due yet (`not_due`: its end plus the schedule's delay has not passed, so the
/// schedule has not asked for it), or it is `missing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HourState {
    Running,
    Queued,
    Failed,
    Ingested,
    NoData,
    NotDue,
    Missing,
}

impl HourState {
    pub const ALL: [HourState; 7] = [
        HourState::Running,
        HourState::Queued,
        HourState::Failed,
        HourState::Ingested,
        HourState::NoData,
        HourState::NotDue,
        HourState::Missing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HourState::Running => "running",
            HourState::Queued => "queued",
            HourState::Failed => "failed",
            HourState::Ingested => "ingested",
            HourState::NoData => "no_data",
            HourState::NotDue => "not_due",
            HourState::Missing => "missing",
        }
    }
}

impl fmt::Display for HourState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HourState {
    type Err = UnknownState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownState {
                kind: "hour state",
                value: text.to_owned(),
            })
    }
}

/// A re-ingestion of `[from, to)` and its progress (`GET /api/v1/backfills/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Backfill {
    pub id: i64,
    pub tenant: String,
    pub from: String,
    pub to: String,
    /// A [`BackfillStatus`]: `queued`, `running`, `done`, `failed` or `cancelled`.
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
        self.status
            .parse::<BackfillStatus>()
            .is_ok_and(BackfillStatus::is_open)
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
    /// An [`HourState`]: `ingested`, `no_data`, `running`, `queued`, `failed`, `not_due` or
    /// `missing`.
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
    /// The latest hour with data.
    pub latest: Option<String>,
    /// The first hour of the gap after it (hours ingested without data): "no data since …".
    #[serde(default)]
    pub no_data_since: Option<String>,
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
    /// Key paths left out of the hour's lines: longer than the tenant's mapping allows, or past
    /// its limit of key paths per line.
    #[serde(default)]
    pub keys_cut: i64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_from_their_names() {
        for status in BackfillStatus::ALL {
            assert_eq!(status.as_str().parse::<BackfillStatus>(), Ok(status));
        }
        for state in HourState::ALL {
            assert_eq!(state.as_str().parse::<HourState>(), Ok(state));
        }
        assert_eq!(HourState::NoData.to_string(), "no_data");
        assert!("paused".parse::<BackfillStatus>().is_err());
    }
}
