//! Signing in and out over REST (DESIGN.md): `POST /api/v1/session` with `{"email","password"}`
//! sets the session cookie, `DELETE /api/v1/session` ends the session (`?everywhere=true`: every
//! session of the signed-in user).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use blueprint_core::accounts::{ServiceError, SignedIn, epochs, sign_in};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;

use super::answers;
use super::error::ApiError;
use super::reply::ApiJson;
use crate::web::AppState;
use crate::web::account::{client_address, start_session};

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
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    session: Session,
    Json(body): Json<Credentials>,
) -> Result<ApiJson<SignedInUser>, ApiError> {
    let address = client_address(&state, connect.as_ref(), &headers);
    let actor = match sign_in::sign_in(&state.services, &body.email, &body.password, &address).await
    {
        Ok(actor) => actor,
        Err(err @ ServiceError::Throttled(_)) => {
            return Err(ApiError(StatusCode::TOO_MANY_REQUESTS, err.to_string()));
        }
        Err(err @ ServiceError::BadCredentials) => {
            return Err(ApiError(StatusCode::UNAUTHORIZED, err.to_string()));
        }
        Err(err @ ServiceError::Busy) => {
            return Err(ApiError(StatusCode::SERVICE_UNAVAILABLE, err.to_string()));
        }
        Err(err) => {
            tracing::error!(error = %err, "sign-in failed");
            return Err(ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server could not answer; please try again".into(),
            ));
        }
    };
    start_session(&state, &session, actor.user_id)
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

/// `DELETE /api/v1/session` options.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignOut {
    /// `true`: end every session of the signed-in user (all browsers), not only this one.
    #[serde(default)]
    everywhere: bool,
}

#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    params(SignOut),
    responses(
        (status = 204, description = "Signed out (also when no one was signed in)"),
        answers::Unauthenticated,
        answers::Unavailable,
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    actor: Option<Extension<SignedIn>>,
    Query(options): Query<SignOut>,
    session: Session,
) -> Result<StatusCode, ApiError> {
    if options.everywhere {
        let Some(Extension(SignedIn(actor))) = actor else {
            return Err(ServiceError::Unauthenticated.into());
        };
        epochs::sign_out_everywhere(&state.services, &actor).await?;
    }
    let _ = session.flush().await;
    Ok(StatusCode::NO_CONTENT)
}
