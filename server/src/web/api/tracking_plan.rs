//! `GET /api/v1/tenants/{tenant}/catalog`: the tracking plan as observed (the ledger's catalog,
//! as `blueprint catalog` prints it). The answer's types mirror `blueprint_core::ledger::catalog`
//! field for field (each conversion names every field, so a new one does not compile unnoticed).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use blueprint_core::ledger::catalog as plan;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::catalog::open;
use super::error::{ApiError, unavailable};
use super::extract::Signed;
use super::reply::ApiJson;
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(tracking_plan))
}

/// A tenant's tracking plan: every application version, screen and event seen, with the keys
/// of each event and how often each JSON type was seen. Instants are hours,
/// `YYYY-MM-DDTHH:00:00Z`.
#[derive(Serialize, ToSchema)]
pub struct TrackingPlan {
    pub tenant: String,
    pub applications: Vec<PlanApplication>,
    pub screens: Vec<PlanScreen>,
    pub events: Vec<PlanEvent>,
}

/// One version of an application.
#[derive(Serialize, ToSchema)]
pub struct PlanApplication {
    pub name: String,
    pub platform: String,
    pub version: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanScreen {
    pub name: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanEvent {
    pub name: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub owner: Option<String>,
    /// `active`, `deprecated` or `obsolete`.
    pub status: String,
    pub keys: Vec<PlanKey>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanKey {
    pub path: String,
    /// How many lines carried the key with each JSON type.
    pub types: BTreeMap<String, i64>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

impl From<plan::Catalog> for TrackingPlan {
    fn from(catalog: plan::Catalog) -> Self {
        let plan::Catalog {
            tenant,
            applications,
            screens,
            events,
        } = catalog;
        Self {
            tenant,
            applications: applications.into_iter().map(Into::into).collect(),
            screens: screens.into_iter().map(Into::into).collect(),
            events: events.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<plan::ApplicationEntry> for PlanApplication {
    fn from(entry: plan::ApplicationEntry) -> Self {
        let plan::ApplicationEntry {
            name,
            platform,
            version,
            first_seen,
            last_seen,
        } = entry;
        Self {
            name,
            platform,
            version,
            first_seen,
            last_seen,
        }
    }
}

impl From<plan::ScreenEntry> for PlanScreen {
    fn from(entry: plan::ScreenEntry) -> Self {
        let plan::ScreenEntry {
            name,
            first_seen,
            last_seen,
        } = entry;
        Self {
            name,
            first_seen,
            last_seen,
        }
    }
}

impl From<plan::EventEntry> for PlanEvent {
    fn from(entry: plan::EventEntry) -> Self {
        let plan::EventEntry {
            name,
            first_seen,
            last_seen,
            owner,
            status,
            keys,
        } = entry;
        Self {
            name,
            first_seen,
            last_seen,
            owner,
            status,
            keys: keys.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<plan::KeyEntry> for PlanKey {
    fn from(entry: plan::KeyEntry) -> Self {
        let plan::KeyEntry {
            path,
            types,
            first_seen,
            last_seen,
        } = entry;
        Self {
            path,
            types,
            first_seen,
            last_seen,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/catalog",
    tag = "catalog",
    params(("tenant" = String, Path, description = "The tenant's slug")),
    responses(
        (status = 200, description = "The tracking plan", body = TrackingPlan),
        answers::Unauthenticated, answers::NotFound, answers::Unavailable,
    )
)]
pub async fn tracking_plan(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(slug): Path<String>,
) -> Result<ApiJson<TrackingPlan>, ApiError> {
    let (_, tenant) = open(&state, signed_in, &slug).await?;
    let catalog = plan::catalog(&state.services, tenant.id, &tenant.slug)
        .await
        .map_err(unavailable)?;
    Ok(ApiJson(catalog.into()))
}
