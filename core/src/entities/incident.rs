//! An incident: anomalous hours of one series, or of the series of one release or application,
//! grouped; or a tenant outage. Hours and times are epoch seconds; `end_hour` is exclusive.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// `drop`, `spike`, `stopped` or `outage` (`blueprint_types::signals::IncidentKind`).
    pub kind: String,
    /// The grouping that made it: `series`, `release`, `application` or `tenant`.
    pub scope: String,
    /// The dimensions its series share; null where they differ.
    pub event: Option<String>,
    pub application: Option<String>,
    pub version: Option<String>,
    pub platform: Option<String>,
    pub start_hour: i64,
    pub end_hour: i64,
    pub observed: i64,
    pub expected: f64,
    /// `open`, `resolved`, `acknowledged` or `snoozed`.
    pub state: String,
    pub comment: Option<String>,
    pub snoozed_until: Option<i64>,
    pub acted_by: Option<i64>,
    pub acted_at: Option<i64>,
    /// Found in hours that were news, so it is told; history is only shown.
    pub news: bool,
    pub told_at: Option<i64>,
    /// For an outage: when the return of the tenant's data was told.
    pub returned_told_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
