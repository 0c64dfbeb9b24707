//! The catalog's REST routes: the same data as the pages, as JSON (the shapes of
//! `blueprint_types::catalog`). Ranges are `from`/`to` days (`to` exclusive) or `days=N` up to the
//! tenant's latest data; the default is the 7 days up to it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use blueprint_core::accounts::{Actor, ServiceError, SignedIn};
use blueprint_core::browse::{
    self, Range, TenantRef, applications as apps, compare as cmp, curate, events as ev, export,
    matrix as mx, overview as ov, screens as sc,
};
use blueprint_core::ledger::catalog as plan;
use blueprint_types::catalog::{CurationEdit, EventFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, actor, unavailable};
use crate::web::AppState;

type Signed = Option<axum::Extension<SignedIn>>;

#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
    days: Option<String>,
    split: Option<String>,
    by: Option<String>,
    application: Option<String>,
    q: Option<String>,
    event: Option<String>,
}

fn api_error(err: ServiceError) -> ApiError {
    ApiError::from(err)
}

async fn open(
    state: &AppState,
    signed_in: Signed,
    slug: &str,
) -> Result<(Actor, TenantRef), ApiError> {
    let actor = actor(signed_in)?;
    let tenant = browse::open_tenant(&state.services, &actor, slug)
        .await
        .map_err(api_error)?;
    Ok((actor, tenant))
}

fn range(tenant: &TenantRef, query: &RangeQuery) -> Result<Range, ApiError> {
    match &query.days {
        Some(days) => browse::resolve_days(tenant, days),
        None => browse::resolve_range(tenant, query.from.as_deref(), query.to.as_deref()),
    }
    .map_err(api_error)
}

fn to_json<T: serde::Serialize>(value: Result<T, ServiceError>) -> Result<Json<Value>, ApiError> {
    value.map(|v| Json(json!(v))).map_err(api_error)
}

pub async fn overview(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    to_json(ov::overview(&state.services, &tenant, range).await)
}

pub async fn applications(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    to_json(apps::applications(&state.services, &actor, &tenant, range).await)
}

pub async fn events(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(filter): Query<EventFilter>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    to_json(ev::list(&state.services, &tenant, range, &filter).await)
}

pub async fn event(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    let split = ev::Split::parse(query.split.as_deref()).map_err(api_error)?;
    to_json(ev::detail(&state.services, &actor, &tenant, &name, range, split).await)
}

async fn edit(
    state: AppState,
    signed_in: Signed,
    slug: String,
    subject: curate::Subject,
    body: Result<Json<CurationEdit>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(edit) = body.map_err(|err| ApiError(StatusCode::BAD_REQUEST, err.body_text()))?;
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    to_json(curate::update(&state.services, &actor, &tenant, &subject, &edit).await)
}

pub async fn edit_event(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    body: Result<Json<CurationEdit>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    edit(state, signed_in, slug, curate::Subject::Event(name), body).await
}

pub async fn edit_application(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name, platform)): Path<(String, String, String)>,
    body: Result<Json<CurationEdit>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let subject = curate::Subject::Application { name, platform };
    edit(state, signed_in, slug, subject, body).await
}

pub async fn edit_screen(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    body: Result<Json<CurationEdit>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    edit(state, signed_in, slug, curate::Subject::Screen(name), body).await
}

pub async fn event_schema(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    export::event_schema(&state.services, &tenant, &name)
        .await
        .map(Json)
        .map_err(api_error)
}

pub async fn screens(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    to_json(sc::list(&state.services, &tenant, range, query.q.as_deref()).await)
}

pub async fn screen(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    to_json(sc::detail(&state.services, &actor, &tenant, &name, range).await)
}

pub async fn matrix(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let range = range(&tenant, &query)?;
    to_json(
        mx::matrix(
            &state.services,
            &tenant,
            range,
            query.by.as_deref(),
            query.application.as_deref(),
        )
        .await,
    )
}

pub async fn tracking_plan(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let catalog = plan::catalog(&state.services, tenant.id, &tenant.slug)
        .await
        .map_err(unavailable)?;
    Ok(Json(json!(catalog)))
}

pub async fn compare(
    State(state): State<AppState>,
    signed_in: Signed,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(signed_in)?;
    to_json(
        cmp::compare(
            &state.services,
            &actor,
            query.event.as_deref().unwrap_or(""),
        )
        .await,
    )
}
