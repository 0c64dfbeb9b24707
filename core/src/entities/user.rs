//! A person who signs in to Blueprint.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: DateTimeUtc,
    /// Email digest: `off`, `hourly` or `daily`.
    pub mail_digest: String,
    /// Notifications older than this (epoch seconds) are never mailed; `None`: since the account
    /// was created.
    pub mail_since: Option<i64>,
    /// Raised to end every session of the user; a session carries the epoch it began in.
    pub session_epoch: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
