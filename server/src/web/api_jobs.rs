//! The jobs' REST routes, for admins: re-ingest a range (`POST .../backfills`), follow or cancel a
//! backfill, a tenant's hour timeline and one hour in detail, retry an hour, and the job monitor.
//! A tenant the caller cannot see answers 404; one they can see but do not administer, 403.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use blueprint_core::accounts::{Actor, ServiceError, SignedIn};
use blueprint_core::hour::Hour;
use blueprint_core::jobs::{backfills, monitor, tasks};
use blueprint_core::tenants;
use blueprint_types::jobs::BackfillRequest;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, actor};
use crate::web::AppState;

type Signed = Option<axum::Extension<SignedIn>>;

fn hour(text: &str, name: &str) -> Result<Hour, ApiError> {
    text.parse::<Hour>()
        .map_err(|err| ApiError(StatusCode::BAD_REQUEST, format!("{name}: {err}")))
}

/// A backfill id from the path; anything else names no backfill.
fn backfill_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .map_err(|_| ServiceError::NotFound.into())
}

/// The caller, once the tenant is known to be visible to them (else 404).
async fn visible(state: &AppState, signed_in: Signed, slug: &str) -> Result<Actor, ApiError> {
    let actor = actor(signed_in)?;
    tenants::visible_tenant(&state.services, &actor, slug).await?;
    Ok(actor)
}

pub async fn request_backfill(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    body: Result<Json<BackfillRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    actor.require_admin()?;
    let Json(request) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    let (from, to) = (hour(&request.from, "from")?, hour(&request.to, "to")?);
    let view = backfills::request_as(&state.services, &actor, &slug, from, to, "api").await?;
    Ok((StatusCode::ACCEPTED, Json(json!(view))).into_response())
}

pub async fn tenant_backfills(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    actor.require_admin()?;
    let tenant_id = tenants::visible_tenant(&state.services, &actor, &slug).await?;
    let list = backfills::list(state.services.db.conn(), Some(tenant_id), 50)
        .await
        .map_err(ServiceError::from)?;
    Ok(Json(json!(list)))
}

pub async fn backfill(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let id = backfill_id(&id)?;
    Ok(Json(json!(
        backfills::get_as(&state.services, &actor, id).await?
    )))
}

pub async fn cancel_backfill(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let id = backfill_id(&id)?;
    match backfills::cancel_as(&state.services, &actor, id).await {
        Ok(view) => Ok(Json(json!(view))),
        // A finished backfill cannot be cancelled: that is a conflict, not bad input.
        Err(ServiceError::Invalid(message)) => Err(ApiError(StatusCode::CONFLICT, message)),
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct HoursQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn hours(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<HoursQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    let to = match &query.to {
        Some(text) => hour(text, "to")?,
        None => Hour::containing(chrono::Utc::now()).plus(1),
    };
    let from = match &query.from {
        Some(text) => hour(text, "from")?,
        None => to.plus(-monitor::TIMELINE_HOURS),
    };
    Ok(Json(json!(
        monitor::timeline_as(&state.services, &actor, &slug, from, to).await?
    )))
}

pub async fn hour_detail(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, text)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    let at = hour(&text, "hour")?;
    Ok(Json(json!(
        monitor::hour_detail_as(&state.services, &actor, &slug, at).await?
    )))
}

pub async fn retry_hour(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, text)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    actor.require_admin()?;
    let at = hour(&text, "hour")?;
    let task = tasks::retry_hour_as(&state.services, &actor, &slug, at).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"task": task, "tenant": slug, "hour": at.to_string()})),
    )
        .into_response())
}

pub async fn jobs(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(Json(json!(
        monitor::ingestion_as(&state.services, &actor, &state.jobs).await?
    )))
}
