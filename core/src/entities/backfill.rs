//! A re-ingestion of a range of hours `[from_hour, to_hour)`, with the news rule decided when it
//! was asked for; its progress is the state of its hour tasks.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backfills")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub from_hour: i64,
    pub to_hour: i64,
    pub origin: String,
    pub requested_by: Option<String>,
    pub status: String,
    pub hours_total: i32,
    pub previous_latest: Option<i64>,
    pub long_forward: bool,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
