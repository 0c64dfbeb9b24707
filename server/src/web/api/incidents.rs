//! Incidents over REST (DESIGN.md, "Web and API"): `GET /api/v1/tenants/{tenant}/incidents`
//! (the array `blueprint incidents --format json` prints), `GET /api/v1/incidents/{id}` (one
//! incident with its series against their bands), `PATCH /api/v1/incidents/{id}` (acknowledge,
//! snooze, resolve, reopen; owners and admins) and muting a series (`PUT`/`DELETE
//! /api/v1/tenants/{tenant}/mutes`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use blueprint_core::signals::{store, views};
use blueprint_types::signals::{
    Incident, IncidentChange, IncidentDetail, IncidentReport, SeriesName,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::error::ApiError;
use super::extract::{JsonBody, Signed, actor, body, id};
use super::reply::ApiJson;
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_incidents))
        .routes(routes!(incident_report, change_incident))
        .routes(routes!(mute_series, unmute_series))
}

/// The range and filters of the incidents list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentsQuery {
    /// The first hour, `YYYY-MM-DDTHH` (default: 7 days before `to`).
    from: Option<String>,
    /// The hour after the last one (exclusive), `YYYY-MM-DDTHH` (default: the hour after the
    /// tenant's latest data).
    to: Option<String>,
    /// Only incidents in this state: `open`, `acknowledged`, `snoozed` or `resolved`.
    state: Option<String>,
    /// Only incidents of this kind: `stopped`, `drop`, `spike` or `outage`.
    kind: Option<String>,
    /// Only incidents with a series of this event.
    event: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/incidents",
    tag = "incidents",
    params(("tenant" = String, Path, description = "The tenant's slug"), IncidentsQuery),
    responses(
        (status = 200, description = "The incidents overlapping [from, to), newest first", body = Vec<Incident>),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn list_incidents(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    Query(query): Query<IncidentsQuery>,
) -> Result<ApiJson<Vec<Incident>>, ApiError> {
    let actor = actor(signed_in)?;
    let filter = views::parse_filter(
        query.state.as_deref(),
        query.kind.as_deref(),
        query.event.as_deref(),
    )?;
    let list = views::list_as(
        &state.services,
        &actor,
        &tenant,
        query.from.as_deref(),
        query.to.as_deref(),
        &filter,
    )
    .await?;
    Ok(ApiJson(list.incidents))
}

#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}",
    tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    responses(
        (status = 200, description = "The incident, who acted on it, and each series with its anomalous hours", body = IncidentReport),
        answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn incident_report(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
) -> Result<ApiJson<IncidentReport>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id(&id_text)?;
    Ok(ApiJson(
        views::report_as(&state.services, &actor, id).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/api/v1/incidents/{id}",
    tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentChange,
    responses(
        (status = 200, description = "The incident after the change", body = IncidentDetail),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn change_incident(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(id_text): Path<String>,
    request: JsonBody<IncidentChange>,
) -> Result<ApiJson<IncidentDetail>, ApiError> {
    let actor = actor(signed_in)?;
    let id = id(&id_text)?;
    let change = body(request)?;
    Ok(ApiJson(
        store::change_as(&state.services, &actor, id, &change).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/tenants/{tenant}/mutes",
    tag = "incidents",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    request_body = SeriesName,
    responses(
        (status = 204, description = "The series is muted: its anomalies raise no incident"),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn mute_series(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    request: JsonBody<SeriesName>,
) -> Result<StatusCode, ApiError> {
    set_muted(state, signed_in, tenant, request, true).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/tenants/{tenant}/mutes",
    tag = "incidents",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    request_body = SeriesName,
    responses(
        (status = 204, description = "The series is no longer muted"),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn unmute_series(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    request: JsonBody<SeriesName>,
) -> Result<StatusCode, ApiError> {
    set_muted(state, signed_in, tenant, request, false).await
}

async fn set_muted(
    state: AppState,
    signed_in: Signed,
    tenant: String,
    request: JsonBody<SeriesName>,
    muted: bool,
) -> Result<StatusCode, ApiError> {
    let actor = actor(signed_in)?;
    let name = body(request)?;
    views::mute_as(&state.services, &actor, &tenant, &name, muted).await?;
    Ok(StatusCode::NO_CONTENT)
}
