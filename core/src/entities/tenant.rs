//! A tenant (brand): one top-level folder under the events root.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub discovered_at: DateTimeUtc,
    /// Days of hourly detail kept before daily roll-ups (DESIGN.md, "Ledger semantics").
    pub retention_days: i32,
    /// Days without a sighting before something is marked obsolete; `None`: the default.
    pub quiet_days: Option<i32>,
    /// The tenant's default roll-out plan (JSON); `None`: the built-in one.
    pub rollout_plan: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
