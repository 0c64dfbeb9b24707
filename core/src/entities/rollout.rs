//! A candidate version checked against a baseline version of one application (× platform).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rollouts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub application_id: i64,
    pub candidate_id: i64,
    pub baseline_id: i64,
    /// `open`, `paused` or `closed`.
    pub state: String,
    /// `automatic`, or the email of who opened it.
    pub opened_by: String,
    /// The plan (JSON of `blueprint_types::rollouts::Plan`).
    pub plan: String,
    /// The highest stage reached (percent).
    pub stage: Option<i32>,
    /// `pending`, `pass`, `fail` or `inconclusive`: the latest evaluation's.
    pub verdict: String,
    /// The candidate's share of the two versions' sessions over the last 24 ingested hours.
    pub share: Option<f64>,
    pub latest_hour: Option<i64>,
    /// The latest evaluation (JSON of `blueprint_types::rollouts::Evaluation`).
    pub report: Option<String>,
    pub created_at: i64,
    pub evaluated_at: Option<i64>,
    pub closed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
