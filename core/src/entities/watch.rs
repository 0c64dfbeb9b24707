//! A member's wish to hear about a tenant, an application, a screen or an event.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "watches")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub tenant_id: i64,
    /// `tenant`, `application`, `screen` or `event`.
    pub target: String,
    /// The application, screen or event name (empty for a tenant).
    pub name: String,
    /// Comma-separated kinds of news; empty for every kind.
    pub news: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
