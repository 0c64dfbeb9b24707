//! The jobs' REST routes, for admins: re-ingest a range (`POST .../backfills`), follow or cancel a
//! backfill, a tenant's hour timeline and one hour in detail, retry an hour, and the job monitor.
//! A tenant the caller cannot see answers 404; one they can see but do not administer, 403.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use blueprint_core::accounts::{Actor, ServiceError};
use blueprint_core::hour::Hour;
use blueprint_core::jobs::{backfills, monitor, tasks};
use blueprint_core::tenants;
use blueprint_types::jobs::{Backfill, BackfillRequest, HourCell, HourDetail, Ingestion};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::error::{ApiError, bad_request};
use super::extract::{JsonBody, Signed, actor, body, id};
use super::reply::{ApiJson, accepted};
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenant_backfills, request_backfill))
        .routes(routes!(backfill))
        .routes(routes!(cancel_backfill))
        .routes(routes!(hours))
        .routes(routes!(hour_detail))
        .routes(routes!(retry_hour))
        .routes(routes!(jobs))
}

fn hour(text: &str, name: &str) -> Result<Hour, ApiError> {
    text.parse::<Hour>()
        .map_err(|err| bad_request(format!("{name}: {err}")))
}

/// The caller, once the tenant is known to be visible to them (else 404).
async fn visible(state: &AppState, signed_in: Signed, slug: &str) -> Result<Actor, ApiError> {
    let actor = actor(signed_in)?;
    tenants::visible_tenant(&state.services, &actor, slug).await?;
    Ok(actor)
}

#[utoipa::path(
    post,
    path = "/api/v1/tenants/{tenant}/backfills",
    tag = "jobs",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    request_body = BackfillRequest,
    responses(
        (status = 202, description = "The backfill, queued", body = Backfill),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn request_backfill(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    request: JsonBody<BackfillRequest>,
) -> Result<(StatusCode, ApiJson<Backfill>), ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    actor.require_admin()?;
    let request = body(request)?;
    let (from, to) = (hour(&request.from, "from")?, hour(&request.to, "to")?);
    let view = backfills::request_as(&state.services, &actor, &slug, from, to, "api").await?;
    Ok(accepted(view))
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/backfills",
    tag = "jobs",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    responses(
        (status = 200, description = "The tenant's 50 newest backfills", body = Vec<Backfill>),
        answers::Unauthenticated, answers::Forbidden, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn tenant_backfills(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
) -> Result<ApiJson<Vec<Backfill>>, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    actor.require_admin()?;
    let tenant_id = tenants::visible_tenant(&state.services, &actor, &slug).await?;
    let list = backfills::list(state.services.db.conn(), Some(tenant_id), 50)
        .await
        .map_err(ServiceError::from)?;
    Ok(ApiJson(list))
}

#[utoipa::path(
    get,
    path = "/api/v1/backfills/{id}",
    tag = "jobs",
    params(("id" = i64, Path, description = "The backfill's id")),
    responses(
        (status = 200, description = "The backfill and its progress", body = Backfill),
        answers::Unauthenticated, answers::Forbidden, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn backfill(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
) -> Result<ApiJson<Backfill>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id(&id_text)?;
    Ok(ApiJson(
        backfills::get_as(&state.services, &actor, id).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/backfills/{id}/cancel",
    tag = "jobs",
    params(("id" = i64, Path, description = "The backfill's id")),
    responses(
        (status = 200, description = "The backfill, cancelled", body = Backfill),
        answers::Unauthenticated, answers::Forbidden, answers::NotFound, answers::Conflict,
        answers::Unavailable,
    )
)]
pub async fn cancel_backfill(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
) -> Result<ApiJson<Backfill>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id(&id_text)?;
    // A backfill that has ended cannot be cancelled: 409, as the service says.
    Ok(ApiJson(
        backfills::cancel_as(&state.services, &actor, id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoursQuery {
    /// The first hour, `YYYY-MM-DDTHH` (default: 48 hours before `to`).
    from: Option<String>,
    /// The hour after the last one (exclusive), `YYYY-MM-DDTHH` (default: the next hour).
    to: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/hours",
    tag = "jobs",
    params(("tenant" = String, Path, description = "The tenant's slug"), HoursQuery),
    responses(
        (status = 200, description = "The hours, oldest first", body = Vec<HourCell>),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn hours(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<HoursQuery>,
) -> Result<ApiJson<Vec<HourCell>>, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    let to = match &query.to {
        Some(text) => hour(text, "to")?,
        None => state.services.db.clock().hour().plus(1),
    };
    let from = match &query.from {
        Some(text) => hour(text, "from")?,
        None => to.plus(-monitor::TIMELINE_HOURS),
    };
    Ok(ApiJson(
        monitor::timeline_as(
            &state.services,
            &actor,
            &slug,
            from,
            to,
            state.jobs.schedule_delay,
        )
        .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/hours/{hour}",
    tag = "jobs",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("hour" = String, Path, description = "The hour, `YYYY-MM-DDTHH`"),
    ),
    responses(
        (status = 200, description = "The hour, its runs and rejected samples", body = HourDetail),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn hour_detail(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, text)): Path<(String, String)>,
) -> Result<ApiJson<HourDetail>, ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    let at = hour(&text, "hour")?;
    Ok(ApiJson(
        monitor::hour_detail_as(
            &state.services,
            &actor,
            &slug,
            at,
            state.jobs.schedule_delay,
        )
        .await?,
    ))
}

/// The hour queued again.
#[derive(Serialize, ToSchema)]
pub struct RetriedHour {
    /// `YYYY-MM-DDTHH:00:00Z`.
    pub hour: String,
    /// The queued task's id.
    pub task: i64,
    pub tenant: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/tenants/{tenant}/hours/{hour}/retry",
    tag = "jobs",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("hour" = String, Path, description = "The hour, `YYYY-MM-DDTHH`"),
    ),
    responses(
        (status = 202, description = "The hour, queued", body = RetriedHour),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn retry_hour(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, text)): Path<(String, String)>,
) -> Result<(StatusCode, ApiJson<RetriedHour>), ApiError> {
    let actor = visible(&state, signed_in, &slug).await?;
    actor.require_admin()?;
    let at = hour(&text, "hour")?;
    let task = tasks::retry_hour_as(&state.services, &actor, &slug, at).await?;
    Ok(accepted(RetriedHour {
        hour: at.to_string(),
        task,
        tenant: slug,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    tag = "jobs",
    responses(
        (status = 200, description = "The job monitor", body = Ingestion),
        answers::Unauthenticated, answers::Forbidden, answers::Unavailable,
    )
)]
pub async fn jobs(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<ApiJson<Ingestion>, ApiError> {
    let actor = actor(signed_in)?;
    Ok(ApiJson(
        monitor::ingestion_as(&state.services, &actor, &state.jobs).await?,
    ))
}
