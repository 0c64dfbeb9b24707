//! Editing what people curate over REST: an application's, event's or screen's description,
//! owner, status and tags (owners of the tenant and admins; the service checks).

use axum::extract::{Path, State};
use blueprint_core::browse::curate;
use blueprint_types::catalog::{Curation, CurationEdit};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::catalog::{open, reply};
use super::error::ApiError;
use super::extract::{JsonBody, Signed, body};
use super::reply::ApiJson;
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(edit_application))
        .routes(routes!(edit_event))
        .routes(routes!(edit_screen))
}

async fn edit(
    state: AppState,
    signed_in: Signed,
    slug: String,
    subject: curate::Subject,
    edit: JsonBody<CurationEdit>,
) -> Result<ApiJson<Curation>, ApiError> {
    let edit = body(edit)?;
    let (actor, tenant) = open(&state, signed_in, &slug).await?;
    reply(curate::update(&state.services, &actor, &tenant, &subject, &edit).await)
}

#[utoipa::path(
    patch,
    path = "/api/v1/tenants/{tenant}/events/{event}",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("event" = String, Path, description = "The event's name"),
    ),
    request_body(content = CurationEdit, description = "The fields to change; absent ones stay"),
    responses(
        (status = 200, description = "The event's curation as it is now", body = Curation),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn edit_event(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    request: JsonBody<CurationEdit>,
) -> Result<ApiJson<Curation>, ApiError> {
    edit(
        state,
        signed_in,
        slug,
        curate::Subject::Event(name),
        request,
    )
    .await
}

#[utoipa::path(
    patch,
    path = "/api/v1/tenants/{tenant}/applications/{application}/{platform}",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("application" = String, Path, description = "The application's name"),
        ("platform" = String, Path, description = "The application's platform"),
    ),
    request_body(content = CurationEdit, description = "The fields to change; absent ones stay"),
    responses(
        (status = 200, description = "The application's curation as it is now", body = Curation),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn edit_application(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name, platform)): Path<(String, String, String)>,
    request: JsonBody<CurationEdit>,
) -> Result<ApiJson<Curation>, ApiError> {
    let subject = curate::Subject::Application { name, platform };
    edit(state, signed_in, slug, subject, request).await
}

#[utoipa::path(
    patch,
    path = "/api/v1/tenants/{tenant}/screens/{screen}",
    tag = "catalog",
    params(
        ("tenant" = String, Path, description = "The tenant's slug"),
        ("screen" = String, Path, description = "The screen's name"),
    ),
    request_body(content = CurationEdit, description = "The fields to change; absent ones stay"),
    responses(
        (status = 200, description = "The screen's curation as it is now", body = Curation),
        answers::BadRequest, answers::Unauthenticated, answers::Forbidden, answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn edit_screen(
    State(state): State<AppState>,
    signed_in: Signed,
    Path((slug, name)): Path<(String, String)>,
    request: JsonBody<CurationEdit>,
) -> Result<ApiJson<Curation>, ApiError> {
    edit(
        state,
        signed_in,
        slug,
        curate::Subject::Screen(name),
        request,
    )
    .await
}
