//! The JSON REST API under `/api/v1` (DESIGN.md, "Web and API"): session or bearer token; a
//! tenant the caller may not see answers 404 exactly like one that does not exist. Each route is
//! listed in [`ROUTES`] (the OpenAPI document and the permission tests read it).

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use blueprint_core::accounts::{Actor, ServiceError, SignedIn};
use blueprint_core::hour::Hour;
use blueprint_core::ledger::counts;
use blueprint_core::tenants::{self, TenantQuery};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::web::{AppState, auth};

#[path = "api_catalog.rs"]
mod catalog;
#[path = "api_jobs.rs"]
mod jobs;
#[path = "api_notify.rs"]
mod notify;
#[path = "api_rollouts.rs"]
mod rollouts;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Anyone,
    SignedIn,
    TenantViewer,
    TenantOwner,
    Admin,
}

/// (method, path, access, summary) of every REST route.
pub const ROUTES: &[(&str, &str, Access, &str)] = &[
    (
        "POST",
        "/api/v1/session",
        Access::Anyone,
        "Sign in with {\"email\",\"password\"}; sets the session cookie",
    ),
    ("DELETE", "/api/v1/session", Access::Anyone, "Sign out"),
    (
        "GET",
        "/api/v1/openapi.json",
        Access::Anyone,
        "This document",
    ),
    (
        "GET",
        "/api/v1/tenants",
        Access::SignedIn,
        "The tenants the caller can see",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/counts",
        Access::TenantViewer,
        "Hourly counts of [from, to) as JSON, or CSV with format=csv; filters: application, platform, version, screen, event",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/overview",
        Access::TenantViewer,
        "Activity, ingestion health, what is new, what went quiet, the movers (from, to or days)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/applications",
        Access::TenantViewer,
        "Applications per platform with their versions and session shares",
    ),
    (
        "PATCH",
        "/api/v1/tenants/{tenant}/applications/{application}/{platform}",
        Access::TenantOwner,
        "Edit an application's {\"description\",\"owner\",\"status\",\"tags\"} (owners and admins)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/events",
        Access::TenantViewer,
        "Events, searched and filtered (q, status, owner, tag, application, platform, version, screen, new_since, not_seen_since, sort, order, page)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/events/{event}",
        Access::TenantViewer,
        "One event: curation, volume by hour and day (split=version|platform), screens, versions, keys, discoveries",
    ),
    (
        "PATCH",
        "/api/v1/tenants/{tenant}/events/{event}",
        Access::TenantOwner,
        "Edit an event's {\"description\",\"owner\",\"status\",\"tags\"} (owners and admins)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/events/{event}/schema",
        Access::TenantViewer,
        "The JSON Schema of an event's observed keys",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/screens",
        Access::TenantViewer,
        "Screens with their volume in the range",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/screens/{screen}",
        Access::TenantViewer,
        "One screen and the events fired on it",
    ),
    (
        "PATCH",
        "/api/v1/tenants/{tenant}/screens/{screen}",
        Access::TenantOwner,
        "Edit a screen's {\"description\",\"owner\",\"status\",\"tags\"} (owners and admins)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/matrix",
        Access::TenantViewer,
        "Events x versions (by=version, application=NAME (PLATFORM)) or x screens (by=screen)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/catalog",
        Access::TenantViewer,
        "The tracking plan: applications, screens, events and their keys and types, as JSON",
    ),
    (
        "GET",
        "/api/v1/compare",
        Access::SignedIn,
        "One event name (event=NAME) across the caller's tenants, keys and types side by side",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/backfills",
        Access::Admin,
        "Re-ingest the hours [from, to) of a tenant: {\"from\",\"to\"} as YYYY-MM-DDTHH; answers 202 with the backfill",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/backfills",
        Access::Admin,
        "The tenant's newest backfills with their progress",
    ),
    (
        "GET",
        "/api/v1/backfills/{id}",
        Access::Admin,
        "One backfill: status (queued, running, done, failed, cancelled), hours total, done, failed, running, queued, cancelled, events",
    ),
    (
        "POST",
        "/api/v1/backfills/{id}/cancel",
        Access::Admin,
        "Cancel a queued or running backfill (hours not started are dropped); 409 when it has ended",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/hours",
        Access::Admin,
        "The tenant's hours [from, to) (default: the last 48) with state, events, rejected lines and duration",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/hours/{hour}",
        Access::Admin,
        "One hour: state, runs with errors, rejected samples",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/hours/{hour}/retry",
        Access::Admin,
        "Queue one hour again; answers 202",
    ),
    (
        "GET",
        "/api/v1/jobs",
        Access::Admin,
        "The job monitor: live workers and their hours, the queue, recent backfills, every tenant's last 48 hours",
    ),
    (
        "POST",
        "/api/v1/watches",
        Access::SignedIn,
        "Watch {\"tenant\",\"target\":\"tenant|application|screen|event\",\"name\",\"news\":[kinds]} (news optional: every kind); 201 with the watch",
    ),
    (
        "GET",
        "/api/v1/watches",
        Access::SignedIn,
        "The caller's watches",
    ),
    (
        "DELETE",
        "/api/v1/watches/{id}",
        Access::SignedIn,
        "Stop watching (the caller's own watches only); 204",
    ),
    (
        "GET",
        "/api/v1/inbox",
        Access::SignedIn,
        "The caller's notifications, newest first, with the unread count (unread=true, tenant, kind, limit)",
    ),
    (
        "POST",
        "/api/v1/inbox/read",
        Access::SignedIn,
        "Mark notifications read: {\"ids\":[…]} or {\"all\":true}; answers the unread count",
    ),
    (
        "GET",
        "/api/v1/me/mail",
        Access::SignedIn,
        "The caller's email digest: {\"digest\":\"off|hourly|daily\",\"email_enabled\"}",
    ),
    (
        "PUT",
        "/api/v1/me/mail",
        Access::SignedIn,
        "Choose the email digest: {\"digest\":\"off|hourly|daily\"}",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/webhooks",
        Access::TenantOwner,
        "The tenant's webhooks with their secrets and last deliveries (status, attempts, response)",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/webhooks",
        Access::TenantOwner,
        "Add a webhook: {\"url\",\"news\"?} → 201; deliveries are signed (X-Blueprint-Signature)",
    ),
    (
        "DELETE",
        "/api/v1/webhooks/{id}",
        Access::TenantOwner,
        "Remove a webhook and its deliveries; 204",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/rollouts",
        Access::TenantViewer,
        "The tenant's roll-outs, newest first, with their state, stage and verdict",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/rollouts",
        Access::TenantOwner,
        "Open a roll-out by hand: {\"application\",\"platform\",\"version\",\"baseline\"?} → 201 and its report (or the candidate's existing one)",
    ),
    (
        "GET",
        "/api/v1/rollouts/{id}",
        Access::TenantViewer,
        "A roll-out's report: plan, latest evaluation with every check and its interval, verdict history",
    ),
    (
        "PATCH",
        "/api/v1/rollouts/{id}",
        Access::TenantOwner,
        "Pause, resume or close a roll-out, or change its plan: {\"state\"?,\"plan\"?}",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/rollout-plan",
        Access::TenantViewer,
        "The plan new roll-outs start with: {\"stages\",\"tolerance\",\"min_sessions\",\"min_count\",\"top\"}",
    ),
    (
        "PUT",
        "/api/v1/tenants/{tenant}/rollout-plan",
        Access::TenantOwner,
        "Set the plan new roll-outs start with (open ones keep their own)",
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/session",
            post(auth::api_sign_in).delete(auth::api_sign_out),
        )
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/tenants", get(list_tenants))
        .route("/api/v1/tenants/{tenant}/counts", get(tenant_counts))
        .route("/api/v1/tenants/{tenant}/overview", get(catalog::overview))
        .route(
            "/api/v1/tenants/{tenant}/applications",
            get(catalog::applications),
        )
        .route(
            "/api/v1/tenants/{tenant}/applications/{application}/{platform}",
            patch(catalog::edit_application),
        )
        .route("/api/v1/tenants/{tenant}/events", get(catalog::events))
        .route(
            "/api/v1/tenants/{tenant}/events/{event}",
            get(catalog::event).patch(catalog::edit_event),
        )
        .route(
            "/api/v1/tenants/{tenant}/events/{event}/schema",
            get(catalog::event_schema),
        )
        .route("/api/v1/tenants/{tenant}/screens", get(catalog::screens))
        .route(
            "/api/v1/tenants/{tenant}/screens/{screen}",
            get(catalog::screen).patch(catalog::edit_screen),
        )
        .route("/api/v1/tenants/{tenant}/matrix", get(catalog::matrix))
        .route(
            "/api/v1/tenants/{tenant}/catalog",
            get(catalog::tracking_plan),
        )
        .route("/api/v1/compare", get(catalog::compare))
        .route(
            "/api/v1/tenants/{tenant}/backfills",
            get(jobs::tenant_backfills).post(jobs::request_backfill),
        )
        .route("/api/v1/backfills/{id}", get(jobs::backfill))
        .route("/api/v1/backfills/{id}/cancel", post(jobs::cancel_backfill))
        .route("/api/v1/tenants/{tenant}/hours", get(jobs::hours))
        .route(
            "/api/v1/tenants/{tenant}/hours/{hour}",
            get(jobs::hour_detail),
        )
        .route(
            "/api/v1/tenants/{tenant}/hours/{hour}/retry",
            post(jobs::retry_hour),
        )
        .route("/api/v1/jobs", get(jobs::jobs))
        .route(
            "/api/v1/watches",
            get(notify::watches).post(notify::add_watch),
        )
        .route("/api/v1/watches/{id}", delete(notify::remove_watch))
        .route("/api/v1/inbox", get(notify::inbox))
        .route("/api/v1/inbox/read", post(notify::mark_read))
        .route(
            "/api/v1/me/mail",
            get(notify::mail_preference).put(notify::set_mail_preference),
        )
        .route(
            "/api/v1/tenants/{tenant}/webhooks",
            get(notify::webhooks).post(notify::add_webhook),
        )
        .route("/api/v1/webhooks/{id}", delete(notify::remove_webhook))
        .route(
            "/api/v1/tenants/{tenant}/rollouts",
            get(rollouts::list).post(rollouts::open),
        )
        .route(
            "/api/v1/rollouts/{id}",
            get(rollouts::report).patch(rollouts::edit),
        )
        .route(
            "/api/v1/tenants/{tenant}/rollout-plan",
            get(rollouts::default_plan).put(rollouts::set_default_plan),
        )
        .route(
            "/api/v1/{*rest}",
            get(not_found)
                .post(not_found)
                .delete(not_found)
                .put(not_found)
                .patch(not_found),
        )
}

/// An error in the API's shape: `{"error": "..."}` with the matching status.
pub struct ApiError(pub(crate) StatusCode, pub(crate) String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Unauthenticated => Self(StatusCode::UNAUTHORIZED, err.to_string()),
            ServiceError::Forbidden => Self(StatusCode::FORBIDDEN, err.to_string()),
            ServiceError::NotFound => Self(StatusCode::NOT_FOUND, "not found".into()),
            ServiceError::Invalid(message) => Self(StatusCode::BAD_REQUEST, message),
            other => {
                tracing::error!(error = %other, "API request failed");
                Self(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server could not answer; please try again".into(),
                )
            }
        }
    }
}

pub(crate) fn unavailable(err: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "API request failed");
    ApiError(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server could not answer; please try again".into(),
    )
}

pub(crate) fn actor(signed_in: Option<axum::Extension<SignedIn>>) -> Result<Actor, ApiError> {
    signed_in
        .map(|axum::Extension(SignedIn(actor))| actor)
        .ok_or_else(|| ApiError(StatusCode::UNAUTHORIZED, "please sign in".into()))
}

async fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "no such API route".into())
}

async fn list_tenants(
    State(state): State<AppState>,
    signed_in: Option<axum::Extension<SignedIn>>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    let list = tenants::list_tenants(&state.services, &actor, &TenantQuery::default())
        .await
        .map_err(unavailable)?;
    Ok(Json(json!(list)))
}

#[derive(Deserialize)]
struct CountsQuery {
    from: String,
    to: String,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    application: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    screen: Option<String>,
    #[serde(default)]
    event: Option<String>,
}

async fn tenant_counts(
    State(state): State<AppState>,
    signed_in: Option<axum::Extension<SignedIn>>,
    Path(tenant): Path<String>,
    Query(query): Query<CountsQuery>,
) -> Result<Response, ApiError> {
    let actor = actor(signed_in)?;
    let tenant_id = tenants::visible_tenant(&state.services, &actor, &tenant).await?;
    let parse = |text: &str| {
        text.parse::<Hour>()
            .map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.to_string()))
    };
    let (from, to) = (parse(&query.from)?, parse(&query.to)?);
    if to <= from {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!("the range {from} to {to} is empty: `to` is exclusive"),
        ));
    }
    let filter = counts::CountsFilter {
        application: query.application,
        platform: query.platform,
        version: query.version,
        screen: query.screen,
        event: query.event,
    };
    let rows = counts::filtered_counts(&state.services, tenant_id, from, to, &filter)
        .await
        .map_err(unavailable)?;
    Ok(match query.format.as_deref() {
        Some("csv") => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            counts::to_csv(&rows),
        )
            .into_response(),
        None | Some("json") => Json(json!(rows)).into_response(),
        Some(other) => {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                format!("format `{other}` is not csv or json"),
            ));
        }
    })
}

async fn openapi() -> Json<Value> {
    let mut paths = serde_json::Map::new();
    for (method, path, access, summary) in ROUTES {
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        let security = match access {
            Access::Anyone => json!([]),
            _ => json!([{"session": []}, {"bearer": []}]),
        };
        entry[method.to_lowercase()] = json!({"summary": summary, "security": security,
            "responses": {"200": {"description": "OK"}, "401": {"description": "Not signed in"},
                          "404": {"description": "Not found, or not visible to the caller"}}});
    }
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "Blueprint API", "version": blueprint_app::VERSION},
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": crate::web::sessions::COOKIE},
            "bearer": {"type": "http", "scheme": "bearer"}
        }},
        "paths": paths,
    }))
}
