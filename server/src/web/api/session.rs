//! Signing in and out over REST (DESIGN.md): `POST /api/v1/session` with `{"email","password"}`
//! sets the session cookie, `DELETE /api/v1/session` ends the session.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use blueprint_core::accounts::{ServiceError, sign_in};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;

use super::answers;
use super::error::ApiError;
use super::reply::ApiJson;
use crate::web::AppState;
use crate::web::auth::{client_address, start_session};

/// `POST /api/v1/session`.
#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    email: String,
    password: String,
}

/// Who signed in.
#[derive(Serialize, ToSchema)]
pub struct SignedInUser {
    pub admin: bool,
    pub email: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the answer sets the session cookie", body = SignedInUser),
        (status = 422, description = "The body is not `{\"email\",\"password\"}` (plain text)"),
        answers::Unauthenticated,
        answers::Throttled,
        answers::Unavailable,
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    session: Session,
    Json(body): Json<Credentials>,
) -> Result<ApiJson<SignedInUser>, ApiError> {
    let address = client_address(connect);
    let actor = match sign_in::sign_in(&state.services, &body.email, &body.password, &address).await
    {
        Ok(actor) => actor,
        Err(err @ ServiceError::Throttled(_)) => {
            return Err(ApiError(StatusCode::TOO_MANY_REQUESTS, err.to_string()));
        }
        Err(err @ ServiceError::BadCredentials) => {
            return Err(ApiError(StatusCode::UNAUTHORIZED, err.to_string()));
        }
        Err(err) => {
            tracing::error!(error = %err, "sign-in failed");
            return Err(ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server could not answer; please try again".into(),
            ));
        }
    };
    let now = state.services.db.now_seconds();
    start_session(&session, actor.user_id, now)
        .await
        .map_err(|_| {
            ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "cannot start a session".into(),
            )
        })?;
    Ok(ApiJson(SignedInUser {
        admin: actor.is_admin(),
        email: actor.email,
    }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    responses((status = 204, description = "Signed out (also when no one was signed in)"))
)]
pub async fn sign_out(session: Session) -> StatusCode {
    let _ = session.flush().await;
    StatusCode::NO_CONTENT
}
