//! `/t/{tenant}/rollouts`: the tenant's roll-outs with their state, stage and verdict, and a form
//! to open one by hand; `/t/{tenant}/rollouts/{id}`: one roll-out's report — the stage timeline
//! with its verdicts, every check with candidate against baseline, the intervals drawn against the
//! tolerance, the per-hour series of each rate, and the method in plain words. Owners pause,
//! resume or close it.
//!
//! This file holds the pages' server functions; they stay in this module because a server
//! function's URL is its name plus a hash of the module path. The pages and their parts are the
//! children below, and import from here (nothing here imports from them).

pub mod failing;
pub mod list;
pub mod report;

mod evaluation;
mod interval_chart;
mod method;
mod plan;
mod series;
mod stages;
mod text;
mod verdict;

use blueprint_types::rollouts::{Plan, RolloutReport, RolloutSummary, TenantPlan};
use leptos::prelude::*;

use crate::error::AppError;

#[server]
pub async fn list_rollouts(tenant: String) -> Result<Vec<RolloutSummary>, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::rollouts::list_as(&services()?, &actor()?, &tenant)
        .await
        .map_err(|err| from_account("Reading the roll-outs", err))
}

#[server]
pub async fn get_rollout(id: i64) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::rollouts::report_as(&services()?, &actor()?, id)
        .await
        .map_err(|err| from_account("Reading the roll-out", err))
}

/// Opens a roll-out by hand; an empty baseline picks the busiest other version.
#[server]
pub async fn open_rollout(
    tenant: String,
    application: String,
    platform: String,
    version: String,
    baseline: String,
) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    let request = blueprint_types::rollouts::OpenRollout {
        application: application.trim().to_owned(),
        platform: platform.trim().to_owned(),
        version: version.trim().to_owned(),
        baseline: Some(baseline.trim().to_owned()).filter(|b| !b.is_empty()),
    };
    blueprint_core::rollouts::open(&services()?, Some(&actor()?), &tenant, &request)
        .await
        .map_err(|err| from_account("Opening the roll-out", err))
}

/// The applications, platforms and versions of the tenant's catalog: what a roll-out opened by
/// hand can name.
#[server]
pub async fn get_version_choices(
    tenant: String,
) -> Result<blueprint_types::catalog::FilterOptions, AppError> {
    let (services, _, tenant) = crate::error::open_tenant(&tenant).await?;
    blueprint_core::browse::events::options(&services, &tenant)
        .await
        .map_err(|err| crate::error::unavailable("Reading the versions", err))
}

/// Pauses, resumes or closes a roll-out.
#[server]
pub async fn set_rollout_state(id: i64, state: String) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    let edit = blueprint_types::rollouts::RolloutEdit {
        state: Some(state),
        plan: None,
    };
    blueprint_core::rollouts::edit_as(&services()?, &actor()?, id, &edit)
        .await
        .map_err(|err| from_account("Changing the roll-out", err))
}

/// A plan typed into the form, or what to fix in it.
#[cfg(feature = "ssr")]
fn plan_from_form(
    stages: &str,
    tolerance: &str,
    min_sessions: &str,
    min_count: &str,
    top: &str,
) -> Result<Plan, AppError> {
    Plan::from_form(stages, tolerance, min_sessions, min_count, top)
        .map_err(|message| AppError::Client(blueprint_types::ClientError::Invalid(message)))
}

/// Changes a roll-out's plan (owners and admins); the form's fields, read by [`Plan::from_form`].
#[server]
pub async fn set_rollout_plan(
    id: i64,
    stages: String,
    tolerance: String,
    min_sessions: String,
    min_count: String,
    top: String,
) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    let (services, actor) = (services()?, actor()?);
    let edit = blueprint_types::rollouts::RolloutEdit {
        state: None,
        plan: Some(plan_from_form(
            &stages,
            &tolerance,
            &min_sessions,
            &min_count,
            &top,
        )?),
    };
    blueprint_core::rollouts::edit_as(&services, &actor, id, &edit)
        .await
        .map_err(|err| from_account("Changing the plan", err))
}

#[server]
pub async fn get_tenant_plan(tenant: String) -> Result<TenantPlan, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::rollouts::tenant_plan_as(&services()?, &actor()?, &tenant)
        .await
        .map_err(|err| from_account("Reading the plan", err))
}

/// Sets the plan the tenant's new roll-outs start with (owners and admins).
#[server]
pub async fn set_tenant_plan(
    tenant: String,
    stages: String,
    tolerance: String,
    min_sessions: String,
    min_count: String,
    top: String,
) -> Result<Plan, AppError> {
    use crate::error::{actor, from_account, services};
    let (services, actor) = (services()?, actor()?);
    let plan = plan_from_form(&stages, &tolerance, &min_sessions, &min_count, &top)?;
    blueprint_core::rollouts::set_default_plan_as(&services, &actor, &tenant, &plan)
        .await
        .map_err(|err| from_account("Changing the plan", err))
}
