//! Who is asking: the session cookie or an `Authorization: Bearer` token becomes the request's
//! [`SignedIn`] actor; pages need a signed-in user (others are sent to `/login`), the REST API
//! answers 401 without one. State-changing requests without a token must not come from another
//! site ([`origin`]): with a session cookie they must name Blueprint's own pages, the sign-in form
//! too (login CSRF), and any other one is refused when it names another site. A session counts
//! only while its epoch is the user's (`accounts::epochs`). The forms that sign in and out are in
//! [`crate::web::account`].

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use blueprint_core::accounts::{ServiceError, SignedIn, tokens, users};
use serde_json::json;
use tower_sessions::Session;

use crate::web::AppState;
use crate::web::origin::{self, Source};
use crate::web::sessions::{ABSOLUTE_SECONDS, EPOCH, SIGNED_IN_AT, USER_ID};

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
    if unsafe_method && token.is_none() && !allowed_source(&state, &headers, &path, has_cookie) {
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
    // Sessions begun before epochs existed are of epoch 0.
    let epoch: i64 = session.get(EPOCH).await.ok().flatten().unwrap_or(0);
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT).await.ok().flatten();
    let (Some(user_id), Some(signed_in_at)) = (user_id, signed_in_at) else {
        return Ok(None);
    };
    if state.services.db.now_seconds() - signed_in_at > ABSOLUTE_SECONDS {
        let _ = session.flush().await;
        return Ok(None);
    }
    let actor = users::actor_for_session(&state.services, user_id, epoch).await?;
    if actor.is_none() {
        let _ = session.flush().await;
    }
    Ok(actor)
}

/// Whether a state-changing request without a token may go on: with the session cookie, or to the
/// sign-in form, only from Blueprint's own pages; otherwise (scripts) unless it names another site.
fn allowed_source(state: &AppState, headers: &HeaderMap, path: &str, has_cookie: bool) -> bool {
    match origin::source(headers, state.public_url.as_ref()) {
        Source::Same => true,
        Source::Foreign => false,
        Source::Unstated => !has_cookie && path != "/login",
    }
}

fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
