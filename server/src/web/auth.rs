//! Who is asking: the session cookie or an `Authorization: Bearer` token becomes the request's
//! [`SignedIn`] actor; pages need a signed-in user (others are sent to `/login`), the REST API
//! answers 401 without one; state-changing requests made with a session cookie must come from
//! Blueprint's own pages (Origin or Referer matching Host). The sign-in form and sign-out live here
//! too (the API's are in `api::session`).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Form, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use blueprint_core::accounts::{ServiceError, SignedIn, sign_in, tokens, users};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use crate::web::AppState;
use crate::web::sessions::{ABSOLUTE_SECONDS, SIGNED_IN_AT, USER_ID};

/// Paths anyone may request.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/metrics"
        || path == "/api/v1/session"
        || path == "/api/v1/openapi.json"
        || path.starts_with("/assets/")
        || path.starts_with("/pkg/")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Middleware: resolves the actor, checks the request's origin, and keeps anonymous visitors out.
pub async fn authenticate(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let token = bearer(&headers).map(str::to_owned);
    let actor = match &token {
        Some(secret) => tokens::authenticate(&state.services, secret).await,
        None => session_actor(&state, &session).await,
    };
    let actor = match actor {
        Ok(actor) => actor,
        Err(err) => {
            tracing::error!(error = %err, "cannot load the signed-in user");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable; please try again",
            )
                .into_response();
        }
    };
    let path = request.uri().path().to_owned();
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let has_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(&format!("{}=", crate::web::sessions::COOKIE)));
    // Only requests that carry the session cookie can be forged from another site.
    if unsafe_method && token.is_none() && has_cookie && !same_origin(&headers) {
        return (
            StatusCode::FORBIDDEN,
            "this request did not come from Blueprint's own pages",
        )
            .into_response();
    }
    if token.is_some() && actor.is_none() {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "the API token is unknown or revoked",
        );
    }
    match actor {
        Some(actor) => {
            request.extensions_mut().insert(SignedIn(actor));
        }
        None if is_public(&path) => {}
        None if path.starts_with("/api/v1/") => {
            return api_error(StatusCode::UNAUTHORIZED, "please sign in");
        }
        // Server functions check the caller themselves and answer "please sign in".
        None if path.starts_with("/api/") => {}
        None => {
            let next = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let target = format!(
                "/login?next={}",
                blueprint_app::components::urls::encode_query_value(&next)
            );
            return Redirect::to(&target).into_response();
        }
    }
    next.run(request).await
}

async fn session_actor(
    state: &AppState,
    session: &Session,
) -> Result<Option<blueprint_core::accounts::Actor>, ServiceError> {
    let user_id: Option<i64> = session.get(USER_ID).await.ok().flatten();
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT).await.ok().flatten();
    let (Some(user_id), Some(signed_in_at)) = (user_id, signed_in_at) else {
        return Ok(None);
    };
    if state.services.db.now_seconds() - signed_in_at > ABSOLUTE_SECONDS {
        let _ = session.flush().await;
        return Ok(None);
    }
    users::actor_for(&state.services, user_id).await
}

/// Origin (or, without it, Referer) names the host the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    match source {
        Some(source) => source
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
            .is_some_and(|origin_host| origin_host == host),
        None => false,
    }
}

fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

pub(crate) fn client_address(connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>) -> String {
    connect.map_or_else(
        || "unknown".to_owned(),
        |axum::Extension(ConnectInfo(addr))| addr.ip().to_string(),
    )
}

/// Only local paths are followed after sign-in.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") =>
        {
            path
        }
        _ => "/",
    }
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub(crate) async fn start_session(
    session: &Session,
    user_id: i64,
    now: i64,
) -> Result<(), tower_sessions::session::Error> {
    // A new id at sign-in, so a session id planted before cannot be reused.
    session.cycle_id().await?;
    session.insert(USER_ID, user_id).await?;
    session.insert(SIGNED_IN_AT, now).await
}

/// `POST /login` from the sign-in form: to `next` when it worked, back to the form when not.
pub async fn login_form(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    session: Session,
    Form(form): Form<Credentials>,
) -> Response {
    let next = safe_next(form.next.as_deref()).to_owned();
    let encoded_next = blueprint_app::components::urls::encode_query_value(&next);
    match sign_in::sign_in(
        &state.services,
        &form.email,
        &form.password,
        &client_address(connect),
    )
    .await
    {
        Ok(actor) => {
            match start_session(&session, actor.user_id, state.services.db.now_seconds()).await {
                Ok(()) => Redirect::to(&next).into_response(),
                Err(err) => {
                    tracing::error!(error = %err, "cannot start a session");
                    Redirect::to(&format!("/login?error=unavailable&next={encoded_next}"))
                        .into_response()
                }
            }
        }
        Err(ServiceError::Throttled(wait)) => Redirect::to(&format!(
            "/login?error=throttled&wait={wait}&next={encoded_next}"
        ))
        .into_response(),
        Err(ServiceError::BadCredentials) => {
            Redirect::to(&format!("/login?error=credentials&next={encoded_next}")).into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "sign-in failed");
            Redirect::to(&format!("/login?error=unavailable&next={encoded_next}")).into_response()
        }
    }
}

/// `POST /logout`.
pub async fn logout_form(session: Session) -> Response {
    let _ = session.flush().await;
    Redirect::to("/login").into_response()
}
