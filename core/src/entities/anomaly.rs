//! One anomalous hour of one series: the observed count against the expected interval. Absent
//! dimensions are `''`; judging an hour again replaces its rows.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "anomalies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub hour: i64,
    pub event: String,
    pub application: String,
    pub version: String,
    pub platform: String,
    /// `drop`, `spike`, `stopped` or `outage`.
    pub kind: String,
    pub observed: i64,
    pub expected: f64,
    pub low: f64,
    pub high: f64,
    pub incident_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
