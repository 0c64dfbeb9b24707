//! The catalog's REST reads: the same data as the pages, as JSON (the shapes of
//! `blueprint_types::catalog`). Ranges are `from`/`to` days (`to` exclusive) or `days=N` up to the
//! tenant's latest data; the default is the 7 days up to it.

use axum::extract::{Path, Query, State};
use blueprint_core::accounts::{Actor, ServiceError};
use blueprint_core::browse::{
    self, Range, TenantRef, applications as apps, compare as cmp, events as ev, export,
    matrix as mx, overview as ov, screens as sc,
};
use blueprint_types::catalog::{
    Applications, Comparison, EventDetail, EventFilter, EventList, Matrix, Overview, ScreenDetail,
    ScreenList,
};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::error::ApiError;
use super::extract::{Signed, actor};
use super::reply::ApiJson;
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview))
        .routes(routes!(applications))
        .routes(routes!(events))
        .routes(routes!(event))
        .routes(routes!(event_schema))
        .routes(routes!(screens))
        .routes(routes!(screen))
        .routes(routes!(matrix))
        .routes(routes!(compare))
}

/// The query of every catalog read: the range, and what some of them also take (documented
/// with the route that reads it).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// The first day, `YYYY-MM-DD` (default: 7 days before `to`).
    from: Option<String>,
    /// The day after the last one (exclusive), `YYYY-MM-DD` (default: the day after the
    /// tenant's latest data).
    to: Option<String>,
    /// Instead of `from`/`to`: this many days up to the tenant's latest data.
    days: Option<String>,
    #[param(ignore)]
    split: Option<String>,
    #[param(ignore)]
    by: Option<String>,
    #[param(ignore)]
    application: Option<String>,
    #[param(ignore)]
    q: Option<String>,
    #[param(ignore)]
    event: Option<String>,
}

/// The caller and the tenant, once the caller may see it (else 404).
pub(super) async fn open(
    state: &AppState,
    signed_in: Signed,
    slug: &str,
) -> Result<(Actor, TenantRef), ApiError> {
    let actor = actor(signed_in)?;
    let tenant = browse::open_tenant(&state.services, &actor, slug).await?;
    Ok((actor, tenant))
}

fn range(tenant: &TenantRef, query: &RangeQuery) -> Result<Range, ApiError> {
    Ok(match &query.days {
        Some(days) => browse::resolve_days(tenant, days),
        None => browse::resolve_range(tenant, query.from.as_deref(), query.to.as_deref()),
    }?)
}

/// A service's answer as the API's.
pub(super) fn reply<T>(value: Result<T, ServiceError>) -> Result<ApiJson<T>, ApiError> {
    value.map(ApiJson).map_err(ApiError::from)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/overview",
    tag = "catalog",
    params(("tenant" = String, Path, description = "The tenant's slug"), RangeQuery),
    responses(
        (status = 200, description = "The tenant's overview", body = Overview),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn overview(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<Overview>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    reply(ov::overview(&state.services, &tenant, range).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/applications",
    tag = "catalog",
    params(("tenant" = String, Path, description = "The tenant's slug"), RangeQuery),
    responses(
        (status = 200, description = "The applications", body = Applications),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn applications(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<Applications>, ApiError> {
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    reply(apps::applications(&state.services, &actor, &tenant, range).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/events",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        EventFilter,
        ("days" = Option<String>, Query, description = "Instead of `from`/`to`: this many days up to the tenant's latest data"),
    ),
    responses(
        (status = 200, description = "One page of the events that pass the filters", body = EventList),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn events(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(filter): Query<EventFilter>,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<EventList>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    reply(ev::list(&state.services, &tenant, range, &filter).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/events/{event}",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("event" = String, Path, description = "The event's name"),
        RangeQuery,
        ("split" = Option<String>, Query, description = "Split the volume by `version` (the default) or `platform`"),
    ),
    responses(
        (status = 200, description = "The event", body = EventDetail),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn event(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<EventDetail>, ApiError> {
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    let split = ev::Split::parse(query.split.as_deref())?;
    reply(ev::detail(&state.services, &actor, &tenant, &name, range, split).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/events/{event}/schema",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("event" = String, Path, description = "The event's name"),
    ),
    responses(
        (status = 200, description = "A JSON Schema (draft 2020-12) of the event's lines", body = Object),
        answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn event_schema(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
) -> Result<ApiJson<Value>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    reply(export::event_schema(&state.services, &tenant, &name).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/screens",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        RangeQuery,
        ("q" = Option<String>, Query, description = "Part of the screen's name, any case"),
    ),
    responses(
        (status = 200, description = "The screens", body = ScreenList),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn screens(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<ScreenList>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    reply(sc::list(&state.services, &tenant, range, query.q.as_deref()).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/screens/{screen}",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("screen" = String, Path, description = "The screen's name"),
        RangeQuery,
    ),
    responses(
        (status = 200, description = "The screen", body = ScreenDetail),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn screen(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<ScreenDetail>, ApiError> {
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    reply(sc::detail(&state.services, &actor, &tenant, &name, range).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/matrix",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        RangeQuery,
        ("by" = Option<String>, Query, description = "Columns: `version` (the default) or `screen`"),
        ("application" = Option<String>, Query, description = "`NAME (PLATFORM)`; by default the application with the most events"),
    ),
    responses(
        (status = 200, description = "The matrix", body = Matrix),
        answers::BadRequest, answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn matrix(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<Matrix>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    let (by, application) = (query.by.as_deref(), query.application.as_deref());
    reply(mx::matrix(&state.services, &tenant, range, by, application).await)
}

#[utoipa::path(
    get,
    path = "/api/v1/compare",
    tag = "catalog",
    params(("event" = Option<String>, Query, description = "The event's name")),
    responses(
        (status = 200, description = "The event in each of the caller's tenants that has it", body = Comparison),
        answers::BadRequest, answers::Unauthenticated, answers::Unavailable,
    )
)]
pub async fn compare(
    State(state): State<AppState>,
    signed_in: Signed,
    Query(query): Query<RangeQuery>,
) -> Result<ApiJson<Comparison>, ApiError> {
    let actor = actor(signed_in)?;
    let event = query.event.as_deref().unwrap_or("");
    reply(cmp::compare(&state.services, &actor, event).await)
}
