//! The ledger in the database (DESIGN.md, "Ledger semantics"): writing an hour (replacing it in one
//! transaction, keeping first/last seen exact, recording discoveries) and reading it back for the
//! counts and catalog outputs.

pub mod catalog;
pub mod counts;
mod resolve;
pub mod rollup;
mod seen;
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

#[derive(sea_orm::FromQueryResult)]
struct KeyTotals {
    key_id: i64,
    string_count: i64,
    integer_count: i64,
    number_count: i64,
    boolean_count: i64,
    object_count: i64,
    array_count: i64,
    null_count: i64,
}

/// The count of each JSON type (in `JsonType::ALL` order) per key, summed over the `daily_keys`
/// rows that match `condition` (SQL with `?` placeholders for `values`).
pub(crate) async fn key_type_totals(
    conn: &impl sea_orm::ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<std::collections::HashMap<i64, [i64; 7]>, sea_orm::DbErr> {
    use sea_orm::FromQueryResult;
    let sums = rollup::KEY_COLUMNS
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .join(", ");
    let sql = format!("SELECT key_id, {sums} FROM daily_keys WHERE {condition} GROUP BY key_id");
    Ok(KeyTotals::find_by_statement(crate::sql::statement(
        conn.get_database_backend(),
        &sql,
        values,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|t| {
        (
            t.key_id,
            [
                t.string_count,
                t.integer_count,
                t.number_count,
                t.boolean_count,
                t.object_count,
                t.array_count,
                t.null_count,
            ],
        )
    })
    .collect())
}
