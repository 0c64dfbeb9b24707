//! One email to one user gathering their unread notifications of a period (hourly or daily).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_digests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// `hourly` or `daily`.
    pub period: String,
    /// The end of the period (exclusive), epoch seconds; unique per user.
    pub period_end: i64,
    /// `pending`, `sending`, `retrying`, `sent`, `failed`.
    pub status: String,
    pub attempts: i32,
    pub notifications: i32,
    pub queued_at: Option<i64>,
    pub claimed_at: Option<i64>,
    /// A failed attempt's row is queued again from this time on.
    pub next_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
