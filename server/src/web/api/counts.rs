//! The tenants the caller can see, and a tenant's hourly counts over `[from, to)` as JSON rows or
//! CSV (`format=csv`), optionally narrowed to one application, platform, version, screen or event.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use blueprint_core::hour::Hour;
use blueprint_core::ledger::counts;
use blueprint_core::tenants::{self, TenantQuery};
use blueprint_types::TenantSummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::error::{ApiError, bad_request, unavailable};
use super::extract::{Signed, actor};
use super::reply::ApiJson;
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tenants))
        .routes(routes!(tenant_counts))
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants",
    tag = "tenants",
    responses(
        (status = 200, description = "The tenants, by slug", body = Vec<TenantSummary>),
        answers::Unauthenticated,
        answers::Unavailable,
    )
)]
pub async fn list_tenants(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<ApiJson<Vec<TenantSummary>>, ApiError> {
    let actor = actor(signed_in)?;
    let list = tenants::list_tenants(&state.services, &actor, &TenantQuery::default())
        .await
        .map_err(unavailable)?;
    Ok(ApiJson(list))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountsQuery {
    /// The first hour, `YYYY-MM-DDTHH`.
    from: String,
    /// The hour after the last one (exclusive), `YYYY-MM-DDTHH`.
    to: String,
    /// `json` (the default) or `csv`.
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

/// One hour of one event on one screen of one application version (`format=json`); CSV has the
/// same columns.
#[derive(Serialize, ToSchema)]
pub struct CountRow {
    /// `YYYY-MM-DDTHH:00:00Z`.
    pub hour: String,
    pub application: String,
    pub version: String,
    pub platform: String,
    pub screen: String,
    pub event: String,
    pub events: i64,
    /// Distinct sessions in the hour.
    pub sessions: i64,
}

impl From<counts::CountRow> for CountRow {
    fn from(row: counts::CountRow) -> Self {
        let counts::CountRow {
            hour,
            application,
            version,
            platform,
            screen,
            event,
            events,
            sessions,
        } = row;
        Self {
            hour,
            application,
            version,
            platform,
            screen,
            event,
            events,
            sessions,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/counts",
    tag = "tenants",
    params(("tenant" = String, Path, description = "The tenant's slug"), CountsQuery),
    responses(
        (status = 200, description = "The counts, by hour, application, version, platform, screen and event", content(
            (Vec<CountRow> = "application/json"),
            (String = "text/csv"),
        )),
        answers::BadRequest,
        answers::Unauthenticated,
        answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn tenant_counts(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    Query(query): Query<CountsQuery>,
) -> Result<Response, ApiError> {
    let actor = actor(signed_in)?;
    let tenant_id = tenants::visible_tenant(&state.services, &actor, &tenant).await?;
    let parse = |text: &str| {
        text.parse::<Hour>()
            .map_err(|err| bad_request(err.to_string()))
    };
    let (from, to) = (parse(&query.from)?, parse(&query.to)?);
    if to <= from {
        return Err(bad_request(format!(
            "the range {from} to {to} is empty: `to` is exclusive"
        )));
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
        None | Some("json") => {
            ApiJson(rows.into_iter().map(CountRow::from).collect::<Vec<_>>()).into_response()
        }
        Some(other) => return Err(bad_request(format!("format `{other}` is not csv or json"))),
    })
}
