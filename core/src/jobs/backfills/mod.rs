//! Backfills: re-ingesting a range of hours `[from, to)` of a tenant. Asking queues one job that
//! fans the range out into hour tasks; the backfill's progress is the state of those tasks (kept
//! in Blueprint's tables, visible while it runs), and cancelling it drops the hours not started.
//! The news rule is decided when the backfill is asked for (DESIGN.md, "Ledger semantics").
//!
//! - `request`: asking for one, and fanning it out;
//! - `cancel`: cancelling one;
//! - `view`: one with its progress, the newest ones, how its hours ended.
//!
//! Closing a backfill when its last hour finishes is done by the tasks (`tasks::progress`).

mod cancel;
mod request;
mod view;

pub use blueprint_types::jobs::BackfillStatus;
pub use cancel::{cancel, cancel_as};
pub use request::{NewBackfill, fan_out, request, request_as};
pub(crate) use view::has_open;
pub use view::{HoursOutcome, get_as, hours_outcome, list, view, view_of};
