//! One piece of news for one webhook; `(webhook_id, dedupe)` is unique.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub webhook_id: i64,
    pub tenant_id: i64,
    pub dedupe: String,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub hour: Option<i64>,
    /// `pending`, `sending`, `retrying`, `sent`, `failed`.
    pub status: String,
    pub attempts: i32,
    pub queued_at: Option<i64>,
    pub claimed_at: Option<i64>,
    /// A failed attempt's row is queued again from this time on.
    pub next_at: Option<i64>,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    /// The items of grouped news, a JSON array; null for news of one thing.
    pub items: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
