//! Hour tasks: one tenant-hour to ingest, and running one.
//!
//! Two rules keep the ledger exact however many workers there are:
//! - a worker ingests an hour only while it holds the hour's claim (`hour_claims`, one row per
//!   tenant-hour; a dead worker's claim is taken over);
//! - once it holds the claim, a task whose hour was ingested successfully by a run that started
//!   after the task was queued (`after_run`) is marked `skipped`: that run already saw everything
//!   the task was queued for, so a queued duplicate is never run twice.
//!
//! Ingesting replaces the hour in one transaction, so a worker killed mid-hour leaves nothing
//! half-written; the task is queued again when its worker is found dead (`workers::recover`).
//!
//! The rest of `jobs` builds on this module (backfills fan out into its tasks, workers hand its
//! tasks back), never the other way round:
//! - `state`: a task's state and origin;
//! - `rows`: the `hour_tasks` rows;
//! - `claims`: the hour's claim, and whether its holder is alive;
//! - `progress`: what a backfill's tasks add up to;
//! - `run`: running one task; `retry`: an admin's retry of one hour.

mod claims;
mod progress;
mod retry;
mod rows;
mod run;
mod state;

pub use claims::is_alive;
pub(crate) use progress::{StateCount, counts, refresh_running};
pub use retry::retry_hour_as;
pub use rows::{NewTask, queue_tasks};
pub(crate) use rows::{cancel_queued, insert_tasks, max_run_id, open_tasks};
pub use run::{TaskOutcome, run_task};
pub use state::{Origin, TaskState};
