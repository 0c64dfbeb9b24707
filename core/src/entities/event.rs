//! An event name of a tenant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub status: String,
    /// Overrides the tenant's quiet period for this event.
    pub quiet_days: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
