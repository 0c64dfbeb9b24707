//! Roll-outs over REST (DESIGN.md): `GET /api/v1/tenants/{tenant}/rollouts`, `GET
//! /api/v1/rollouts/{id}` (the report a release pipeline reads), opening one by hand and
//! pausing, resuming, closing or re-planning one (owners and admins).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use blueprint_core::accounts::{ServiceError, SignedIn};
use blueprint_core::rollouts;
use blueprint_types::rollouts::{OpenRollout, Plan, RolloutEdit};
use serde_json::{Value, json};

use super::{ApiError, actor};
use crate::web::AppState;

type Signed = Option<axum::Extension<SignedIn>>;

pub async fn list(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(Json(json!(
        rollouts::list_as(&state.services, &actor, &tenant).await?
    )))
}

pub async fn open(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    body: Result<Json<OpenRollout>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let actor = actor(signed_in)?;
    let Json(request) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    let report = rollouts::open(&state.services, Some(&actor), &tenant, &request).await?;
    Ok((StatusCode::CREATED, Json(json!(report))).into_response())
}

pub async fn report(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id.parse::<i64>().map_err(|_| ServiceError::NotFound)?;
    Ok(Json(json!(
        rollouts::report_as(&state.services, &actor, id).await?
    )))
}

pub async fn edit(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id): Path<String>,
    body: Result<Json<RolloutEdit>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id.parse::<i64>().map_err(|_| ServiceError::NotFound)?;
    let Json(edit) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    Ok(Json(json!(
        rollouts::edit_as(&state.services, &actor, id, &edit).await?
    )))
}

pub async fn default_plan(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(Json(json!(
        rollouts::default_plan_as(&state.services, &actor, &tenant).await?
    )))
}

pub async fn set_default_plan(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    body: Result<Json<Plan>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let Json(plan) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    Ok(Json(json!(
        rollouts::set_default_plan_as(&state.services, &actor, &tenant, &plan).await?
    )))
}
