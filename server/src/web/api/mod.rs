//! The JSON REST API under `/api/v1` (DESIGN.md, "Web and API"): session or bearer token; a
//! tenant the caller may not see answers 404 exactly like one that does not exist. Each handler
//! carries its own OpenAPI description (`#[utoipa::path]`) and is mounted with `routes!()`, so a
//! route and its documentation are one thing; who may call it is listed in [`ROUTES`].

mod access;
mod answers;
mod catalog;
mod counts;
mod curation;
mod doc;
mod error;
mod extract;
mod incidents;
mod jobs;
mod notify;
mod reply;
mod rollouts;
mod session;
mod tracking_plan;

use std::sync::LazyLock;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::web::AppState;

pub use access::{Access, ROUTES};
pub use error::{ApiError, ErrorBody};

/// The API's routes, as the web server mounts them.
pub fn routes() -> Router<AppState> {
    let (router, _) = documented_routes().split_for_parts();
    router.route(
        "/api/v1/{*rest}",
        get(not_found)
            .post(not_found)
            .delete(not_found)
            .put(not_found)
            .patch(not_found),
    )
}

/// The OpenAPI document of every route [`routes`] mounts, plus `/healthz` and `/metrics`.
pub fn document() -> &'static OpenApi {
    static DOCUMENT: LazyLock<OpenApi> =
        LazyLock::new(|| doc::finish(documented_routes().into_openapi()));
    &DOCUMENT
}

/// Every documented route with its handler; each area lists its own.
fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(doc::base())
        .routes(routes!(session::sign_in, session::sign_out))
        .routes(routes!(openapi))
        .merge(counts::routes())
        .merge(catalog::routes())
        .merge(curation::routes())
        .merge(tracking_plan::routes())
        .merge(jobs::routes())
        .merge(notify::routes())
        .merge(rollouts::routes())
        .merge(incidents::routes())
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object))
)]
async fn openapi() -> Json<&'static OpenApi> {
    Json(document())
}

async fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "no such API route".into())
}
