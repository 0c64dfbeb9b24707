//! An open (or lifted) "not seen since" mark on an event, screen, application or version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quiet_marks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// `event`, `screen`, `application` or `version`.
    pub kind: String,
    pub subject_id: i64,
    pub label: String,
    /// `gone` or `retired`.
    pub scope: String,
    pub last_seen: Option<i64>,
    pub marked_at: i64,
    pub lifted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
