//! One piece of news in a user's inbox; `dedupe` is unique per user.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub tenant_id: i64,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub hour: Option<i64>,
    pub dedupe: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// The email digest this notification went out in (at most one).
    pub digest_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
