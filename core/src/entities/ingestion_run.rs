//! One attempt at ingesting a tenant-hour, with its figures or error.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ingestion_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub hour: i64,
    pub status: String,
    pub trigger: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub files: i64,
    pub bytes: i64,
    pub lines: i64,
    pub events: i64,
    pub rejected: i64,
    pub skewed: i64,
    pub untimed: i64,
    pub duplicates: i64,
    /// Time spent reading and parsing the files, and writing the ledger.
    pub read_ms: i64,
    pub write_ms: i64,
    pub rejected_samples: Option<String>,
    pub error: Option<String>,
    /// The job worker that ran it (none for CLI runs).
    pub worker_id: Option<String>,
    /// Key paths left out of the hour's lines (too long, or past the per-line limit).
    pub keys_cut: i64,
    /// The hour's news is written and not yet told (told again until it is).
    pub news_pending: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
