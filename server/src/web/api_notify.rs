//! Watches and the inbox over REST: `POST /api/v1/watches` (DESIGN.md), the caller's watches,
//! removing one, `GET /api/v1/inbox` with filters, and marking items read. Every signed-in user
//! has their own; a tenant they cannot see answers 404. Also each user's email digest choice
//! (`/api/v1/me/mail`) and a tenant's webhooks (its owners and admins).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use blueprint_core::accounts::{ServiceError, SignedIn};
use blueprint_core::channels::{mail, webhooks};
use blueprint_core::notify::{self, InboxQuery};
use blueprint_types::notify::{WatchRequest, WebhookRequest};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, actor};
use crate::web::AppState;

type Signed = Option<axum::Extension<SignedIn>>;

pub async fn add_watch(
    State(state): State<AppState>,
    signed_in: Signed,
    body: Result<Json<WatchRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let actor = actor(signed_in)?;
    let Json(request) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    let watch = notify::watch_as(&state.services, &actor, &request).await?;
    Ok((StatusCode::CREATED, Json(json!(watch))).into_response())
}

pub async fn watches(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(Json(json!(
        notify::watches_of(&state.services, &actor).await?
    )))
}

pub async fn remove_watch(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(signed_in)?;
    let id = id.parse::<i64>().map_err(|_| ServiceError::NotFound)?;
    notify::unwatch_as(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    unread: Option<String>,
    tenant: Option<String>,
    kind: Option<String>,
    limit: Option<String>,
}

pub async fn inbox(
    State(state): State<AppState>,
    signed_in: Signed,
    Query(params): Query<InboxParams>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let unread_only = match params.unread.as_deref() {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                format!("unread: `{other}` is not true or false"),
            ));
        }
    };
    let limit = match params.limit.as_deref() {
        None | Some("") => 100,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| {
                ApiError(
                    StatusCode::BAD_REQUEST,
                    format!("limit: `{text}` is not a number from 1 to 500"),
                )
            })?,
    };
    let query = InboxQuery {
        unread_only,
        tenant: params.tenant,
        kind: params.kind,
        limit,
    };
    Ok(Json(json!(
        notify::inbox_of(&state.services, &actor, &query).await?
    )))
}

/// `{"ids":[…]}` marks those read; `{"all":true}` marks everything read.
#[derive(Debug, Deserialize)]
pub struct ReadRequest {
    #[serde(default)]
    ids: Option<Vec<i64>>,
    #[serde(default)]
    all: bool,
}

pub async fn mark_read(
    State(state): State<AppState>,
    signed_in: Signed,
    body: Result<Json<ReadRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let Json(request) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    let ids = match (request.ids, request.all) {
        (Some(ids), false) => Some(ids),
        (None, true) => None,
        _ => {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                "give either {\"ids\":[…]} or {\"all\":true}".into(),
            ));
        }
    };
    let unread = notify::mark_read_as(&state.services, &actor, ids).await?;
    Ok(Json(json!({ "unread": unread })))
}

/// `GET /api/v1/me/mail`: the caller's email digest choice.
pub async fn mail_preference(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(Json(json!(
        mail::preference_of(&state.services, &actor, state.email).await?
    )))
}

/// `PUT /api/v1/me/mail` with `{"digest":"off|hourly|daily"}`.
pub async fn set_mail_preference(
    State(state): State<AppState>,
    signed_in: Signed,
    body: Result<Json<MailPreferenceRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let Json(request) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    Ok(Json(json!(
        mail::set_preference_as(&state.services, &actor, &request.digest, state.email).await?
    )))
}

#[derive(Debug, Deserialize)]
pub struct MailPreferenceRequest {
    digest: String,
}

/// `GET /api/v1/tenants/{tenant}/webhooks`: the tenant's webhooks and their last deliveries.
pub async fn webhooks(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(Json(json!(
        webhooks::list_as(&state.services, &actor, &tenant).await?
    )))
}

/// `POST /api/v1/tenants/{tenant}/webhooks` with `{"url","news"?}` → 201 and the webhook,
/// with the secret its signatures are made with.
pub async fn add_webhook(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    body: Result<Json<WebhookRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let actor = actor(signed_in)?;
    let Json(request) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    let hook = webhooks::create_as(&state.services, &actor, &tenant, &request).await?;
    Ok((StatusCode::CREATED, Json(json!(hook))).into_response())
}

/// `DELETE /api/v1/webhooks/{id}`.
pub async fn remove_webhook(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(signed_in)?;
    let id = id.parse::<i64>().map_err(|_| ServiceError::NotFound)?;
    webhooks::delete_as(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
