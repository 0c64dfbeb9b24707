//! Distinct sessions of an application version in an hour, with its sketch.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hourly_sessions")]
pub struct Model {
    pub tenant_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version_id: i64,
    pub sessions: i64,
    pub sketch: Vec<u8>,
    /// The version's events in the hour (the sum of its count rows).
    pub events: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
