//! The ledger in the database (DESIGN.md, "Ledger semantics"): writing an hour (replacing it in one
//! transaction, keeping first/last seen exact, recording discoveries) and reading it back for the
//! counts and catalog outputs.

pub mod catalog;
pub mod counts;
mod resolve;
pub mod rollup;
mod seen;
pub mod write;

use chrono::Utc;

/// Why the ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("the {0} just written cannot be read back")]
    Missing(&'static str),
}

/// Hours as epoch seconds; `None` stays `None`.
pub(crate) fn hour_text(seconds: Option<i64>) -> Option<String> {
    seconds
        .and_then(crate::hour::Hour::from_epoch_seconds)
        .map(|hour| hour.to_string())
}

pub(crate) fn now_seconds() -> i64 {
    Utc::now().timestamp()
}

/// Comma-separated ids for an `IN (…)` list; ids are integers the ledger produced itself.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
