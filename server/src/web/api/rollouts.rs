//! Roll-outs over REST (DESIGN.md): `GET /api/v1/tenants/{tenant}/rollouts`, `GET
//! /api/v1/rollouts/{id}` (the report a release pipeline reads), opening one by hand and
//! pausing, resuming, closing or re-planning one (owners and admins).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use blueprint_core::rollouts;
use blueprint_types::rollouts::{OpenRollout, Plan, RolloutEdit, RolloutReport, RolloutSummary};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::error::ApiError;
use super::extract::{JsonBody, Signed, actor, body, id};
use super::reply::{ApiJson, created};
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rollouts, open_rollout))
        .routes(routes!(rollout_report, edit_rollout))
        .routes(routes!(default_plan, set_default_plan))
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/rollouts",
    tag = "rollouts",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    responses(
        (status = 200, description = "The roll-outs, newest first", body = Vec<RolloutSummary>),
        answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn list_rollouts(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
) -> Result<ApiJson<Vec<RolloutSummary>>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(ApiJson(
        rollouts::list_as(&state.services, &actor, &tenant).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/tenants/{tenant}/rollouts",
    tag = "rollouts",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    request_body = OpenRollout,
    responses(
        (status = 201, description = "The roll-out's report (the candidate's open one if it has one)", body = RolloutReport),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Conflict, answers::Unavailable,
    )
)]
pub async fn open_rollout(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    request: JsonBody<OpenRollout>,
) -> Result<(StatusCode, ApiJson<RolloutReport>), ApiError> {
    let actor = actor(signed_in)?;
    let request = body(request)?;
    let report = rollouts::open(&state.services, Some(&actor), &tenant, &request).await?;
    Ok(created(report))
}

#[utoipa::path(
    get,
    path = "/api/v1/rollouts/{id}",
    tag = "rollouts",
    params(("id" = i64, Path, description = "The roll-out's id")),
    responses(
        (status = 200, description = "The roll-out's report", body = RolloutReport),
        answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn rollout_report(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
) -> Result<ApiJson<RolloutReport>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id(&id_text)?;
    Ok(ApiJson(
        rollouts::report_as(&state.services, &actor, id).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/api/v1/rollouts/{id}",
    tag = "rollouts",
    params(("id" = i64, Path, description = "The roll-out's id")),
    request_body = RolloutEdit,
    responses(
        (status = 200, description = "The roll-out's report after the change", body = RolloutReport),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn edit_rollout(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
    request: JsonBody<RolloutEdit>,
) -> Result<ApiJson<RolloutReport>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id(&id_text)?;
    let edit = body(request)?;
    Ok(ApiJson(
        rollouts::edit_as(&state.services, &actor, id, &edit).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/rollout-plan",
    tag = "rollouts",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    responses(
        (status = 200, description = "The plan new roll-outs start with", body = Plan),
        answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn default_plan(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
) -> Result<ApiJson<Plan>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(ApiJson(
        rollouts::default_plan_as(&state.services, &actor, &tenant).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/tenants/{tenant}/rollout-plan",
    tag = "rollouts",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    request_body = Plan,
    responses(
        (status = 200, description = "The plan, as saved", body = Plan),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn set_default_plan(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    request: JsonBody<Plan>,
) -> Result<ApiJson<Plan>, ApiError> {
    let actor = actor(signed_in)?;
    let plan = body(request)?;
    Ok(ApiJson(
        rollouts::set_default_plan_as(&state.services, &actor, &tenant, &plan).await?,
    ))
}
