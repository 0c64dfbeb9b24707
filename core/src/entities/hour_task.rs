//! One tenant-hour to ingest, whoever asked for it (the schedule, a backfill, a retry).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hour_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub hour: i64,
    pub backfill_id: Option<i64>,
    pub origin: String,
    pub state: String,
    /// The highest ingestion run id when the task was queued.
    pub after_run: i64,
    pub previous_latest: Option<i64>,
    pub long_forward: bool,
    pub attempts: i32,
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub worker_id: Option<String>,
    pub run_id: Option<i64>,
    pub events: i64,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
