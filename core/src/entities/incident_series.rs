//! One series of an incident with its sums over the incident's hours. Absent dimensions are `''`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_series")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub tenant_id: i64,
    pub event: String,
    pub application: String,
    pub version: String,
    pub platform: String,
    /// The series' own kind (`drop`, `spike`, `stopped`, `outage`).
    pub kind: String,
    pub observed: i64,
    pub expected: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
