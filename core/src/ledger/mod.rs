//! The ledger in the database (DESIGN.md, "Ledger semantics"): writing an hour (replacing it in one
//! transaction, keeping first/last seen exact, recording discoveries) and reading it back for the
//! counts and catalog outputs.

pub mod catalog;
pub mod counts;
mod resolve;
pub mod rollup;
mod seen;
pub(crate) mod totals;
pub mod write;

/// Why the ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("the {0} just written cannot be read back")]
    Missing(&'static str),
}

pub(crate) use crate::time::optional_hour_text as hour_text;

/// The state of an ingestion run, as stored in `ingestion_runs.status`; an ingested hour's
/// status (`ingested_hours.status`) is the state of the run that wrote it, `ok` or `no_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunState {
    Running,
    /// Written, with events.
    Ok,
    /// Written: the hour had no files.
    NoData,
    Failed,
}

impl RunState {
    pub const ALL: [RunState; 4] = [
        RunState::Running,
        RunState::Ok,
        RunState::NoData,
        RunState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Ok => "ok",
            RunState::NoData => "no_data",
            RunState::Failed => "failed",
        }
    }

    /// The state a stored text names (`None` for anything else).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }
}

impl std::fmt::Display for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Comma-separated ids for an `IN (…)` list; ids are integers the ledger produced itself.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
