//! Watches and the inbox over REST: `POST /api/v1/watches` (DESIGN.md), the caller's watches,
//! removing one, `GET /api/v1/inbox` with filters, and marking items read. Every signed-in user
//! has their own; a tenant they cannot see answers 404. Also each user's email digest choice
//! (`/api/v1/me/mail`) and a tenant's webhooks (its owners and admins).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use blueprint_core::channels::{mail, webhooks};
use blueprint_core::notify::{self, InboxQuery};
use blueprint_types::notify::{
    Inbox, MailPreference, Watch, WatchRequest, Webhook, WebhookRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::error::{ApiError, bad_request};
use super::extract::{JsonBody, Signed, actor, body, id};
use super::reply::{ApiJson, created};
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(watches, add_watch))
        .routes(routes!(remove_watch))
        .routes(routes!(inbox))
        .routes(routes!(mark_read))
        .routes(routes!(mail_preference, set_mail_preference))
        .routes(routes!(webhooks, add_webhook))
        .routes(routes!(remove_webhook))
}

#[utoipa::path(
    post,
    path = "/api/v1/watches",
    tag = "notify",
    request_body = WatchRequest,
    responses(
        (status = 201, description = "The watch", body = Watch),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn add_watch(
    State(state): State<AppState>,
    signed_in: Signed,
    request: JsonBody<WatchRequest>,
) -> Result<(StatusCode, ApiJson<Watch>), ApiError> {
    let actor = actor(signed_in)?;
    let request = body(request)?;
    let watch = notify::watch_as(&state.services, &actor, &request).await?;
    Ok(created(watch))
}

#[utoipa::path(
    get,
    path = "/api/v1/watches",
    tag = "notify",
    responses(
        (status = 200, description = "The caller's watches", body = Vec<Watch>),
        answers::Unauthenticated, answers::Unavailable,
    )
)]
pub async fn watches(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<ApiJson<Vec<Watch>>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(ApiJson(notify::watches_of(&state.services, &actor).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/watches/{id}",
    tag = "notify",
    params(("id" = i64, Path, description = "The watch's id")),
    responses(
        (status = 204, description = "No longer watched"),
        answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn remove_watch(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(signed_in)?;
    notify::unwatch_as(&state.services, &actor, id(&id_text)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// `true`: unread items only.
    unread: Option<String>,
    /// One tenant's items (its slug).
    tenant: Option<String>,
    /// One kind of news.
    kind: Option<String>,
    /// At most this many items, 1 to 500 (default 100).
    limit: Option<String>,
    /// The page of items older than this one (the `older` cursor of a page).
    before: Option<String>,
    /// The page of items newer than this one (the `newer` cursor of a page).
    after: Option<String>,
}

/// A page cursor: a notification id.
fn cursor(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    match value {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad_request(format!("{name}: `{text}` is not a page cursor"))),
    }
}

impl InboxParams {
    fn query(self) -> Result<InboxQuery, ApiError> {
        let unread_only = match self.unread.as_deref() {
            None | Some("" | "false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(bad_request(format!(
                    "unread: `{other}` is not true or false"
                )));
            }
        };
        let limit = match self.limit.as_deref() {
            None | Some("") => 100,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| {
                    bad_request(format!("limit: `{text}` is not a number from 1 to 500"))
                })?,
        };
        Ok(InboxQuery {
            unread_only,
            tenant: self.tenant,
            kind: self.kind,
            limit,
            before: cursor("before", self.before.as_deref())?,
            after: cursor("after", self.after.as_deref())?,
        })
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/inbox",
    tag = "notify",
    params(InboxParams),
    responses(
        (status = 200, description = "A page of the caller's inbox, newest first; `older`/`newer` are the cursors of the next pages (`before=`/`after=`)", body = Inbox),
        answers::BadRequest, answers::Unauthenticated, answers::Unavailable,
    )
)]
pub async fn inbox(
    State(state): State<AppState>,
    signed_in: Signed,
    Query(params): Query<InboxParams>,
) -> Result<ApiJson<Inbox>, ApiError> {
    let actor = actor(signed_in)?;
    let query = params.query()?;
    Ok(ApiJson(
        notify::inbox_of(&state.services, &actor, &query).await?,
    ))
}

/// `{"ids":[…]}` marks those read; `{"all":true}` marks everything read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReadRequest {
    #[serde(default)]
    ids: Option<Vec<i64>>,
    #[serde(default)]
    all: bool,
}

/// How many notifications are still unread.
#[derive(Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/inbox/read",
    tag = "notify",
    request_body = ReadRequest,
    responses(
        (status = 200, description = "The unread count after marking", body = UnreadCount),
        answers::BadRequest, answers::Unauthenticated, answers::Unavailable,
    )
)]
pub async fn mark_read(
    State(state): State<AppState>,
    signed_in: Signed,
    request: JsonBody<ReadRequest>,
) -> Result<ApiJson<UnreadCount>, ApiError> {
    let actor = actor(signed_in)?;
    let request = body(request)?;
    let ids = match (request.ids, request.all) {
        (Some(ids), false) => Some(ids),
        (None, true) => None,
        _ => return Err(bad_request("give either {\"ids\":[…]} or {\"all\":true}")),
    };
    let unread = notify::mark_read_as(&state.services, &actor, ids).await?;
    Ok(ApiJson(UnreadCount { unread }))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/mail",
    tag = "notify",
    responses(
        (status = 200, description = "The caller's email digest choice", body = MailPreference),
        answers::Unauthenticated, answers::Unavailable,
    )
)]
pub async fn mail_preference(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<ApiJson<MailPreference>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(ApiJson(
        mail::preference_of(&state.services, &actor, state.email).await?,
    ))
}

/// `PUT /api/v1/me/mail`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MailPreferenceRequest {
    /// `off`, `hourly` or `daily`.
    digest: String,
}

#[utoipa::path(
    put,
    path = "/api/v1/me/mail",
    tag = "notify",
    request_body = MailPreferenceRequest,
    responses(
        (status = 200, description = "The caller's email digest choice, as saved", body = MailPreference),
        answers::BadRequest, answers::Unauthenticated, answers::Unavailable,
    )
)]
pub async fn set_mail_preference(
    State(state): State<AppState>,
    signed_in: Signed,
    request: JsonBody<MailPreferenceRequest>,
) -> Result<ApiJson<MailPreference>, ApiError> {
    let actor = actor(signed_in)?;
    let request = body(request)?;
    let saved =
        mail::set_preference_as(&state.services, &actor, &request.digest, state.email).await?;
    Ok(ApiJson(saved))
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/webhooks",
    tag = "notify",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    responses(
        (status = 200, description = "The tenant's webhooks and their last deliveries", body = Vec<Webhook>),
        answers::Unauthenticated, answers::Forbidden, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn webhooks(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
) -> Result<ApiJson<Vec<Webhook>>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(ApiJson(
        webhooks::list_as(&state.services, &actor, &tenant).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/tenants/{tenant}/webhooks",
    tag = "notify",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    request_body = WebhookRequest,
    responses(
        (status = 201, description = "The webhook, with the secret its signatures are made with", body = Webhook),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Conflict, answers::Unavailable,
    )
)]
pub async fn add_webhook(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    request: JsonBody<WebhookRequest>,
) -> Result<(StatusCode, ApiJson<Webhook>), ApiError> {
    let actor = actor(signed_in)?;
    let request = body(request)?;
    let hook = webhooks::create_as(
        &state.services,
        &state.webhook_hosts,
        &actor,
        &tenant,
        &request,
    )
    .await?;
    Ok(created(hook))
}

#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "notify",
    params(("id" = i64, Path, description = "The webhook's id")),
    responses(
        (status = 204, description = "Removed, with its deliveries"),
        answers::Unauthenticated, answers::Forbidden, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn remove_webhook(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(signed_in)?;
    webhooks::delete_as(&state.services, &actor, id(&id_text)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
