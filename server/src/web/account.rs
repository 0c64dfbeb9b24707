//! The plain forms (they work without JavaScript) that begin and end sessions: `POST /login`,
//! `POST /logout`, `POST /logout/everywhere` (every session of the user) and
//! `POST /account/password` (a new password ends every other session; this one begins again
//! under a new id). The API's sign-in and sign-out are in `api::session`.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use blueprint_core::accounts::{ServiceError, SignedIn, epochs, sign_in};
use serde::Deserialize;
use tower_sessions::Session;

use crate::web::AppState;
use crate::web::next_path::safe_next;
use crate::web::sessions::{EPOCH, SIGNED_IN_AT, USER_ID};

/// The address sign-in attempts are counted against (see [`crate::web::client`]).
pub(crate) fn client_address(
    state: &AppState,
    connect: Option<&Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> String {
    crate::web::client::client_address(connect.map(|c| &c.0), headers, &state.trusted_proxies)
}

/// Begins a session for `user_id` under a new id (so an id planted before cannot be reused), in
/// the user's current epoch.
pub(crate) async fn start_session(
    state: &AppState,
    session: &Session,
    user_id: i64,
) -> Result<(), String> {
    let epoch = epochs::current_epoch(&state.services, user_id)
        .await
        .map_err(|err| err.to_string())?;
    let now = state.services.db.now_seconds();
    let begin = async {
        session.cycle_id().await?;
        session.insert(USER_ID, user_id).await?;
        session.insert(SIGNED_IN_AT, now).await?;
        session.insert(EPOCH, epoch).await
    };
    begin
        .await
        .map_err(|err: tower_sessions::session::Error| err.to_string())
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login` from the sign-in form: to `next` when it worked, back to the form when not.
pub async fn login_form(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<Credentials>,
) -> Response {
    let next = safe_next(form.next.as_deref(), state.public_url.as_ref());
    let back = |error: &str| {
        let next = blueprint_app::components::urls::encode_query_value(&next);
        Redirect::to(&format!("/login?error={error}&next={next}")).into_response()
    };
    let address = client_address(&state, connect.as_ref(), &headers);
    match sign_in::sign_in(&state.services, &form.email, &form.password, &address).await {
        Ok(actor) => match start_session(&state, &session, actor.user_id).await {
            Ok(()) => Redirect::to(&next).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "cannot start a session");
                back("unavailable")
            }
        },
        Err(ServiceError::Throttled(wait)) => back(&format!("throttled&wait={wait}")),
        Err(ServiceError::BadCredentials) => back("credentials"),
        Err(ServiceError::Busy) => back("busy"),
        Err(err) => {
            tracing::error!(error = %err, "sign-in failed");
            back("unavailable")
        }
    }
}

/// `POST /logout`.
pub async fn logout_form(session: Session) -> Response {
    let _ = session.flush().await;
    Redirect::to("/login").into_response()
}

/// `POST /logout/everywhere`: ends every session of the signed-in user, this one included.
pub async fn logout_everywhere_form(
    State(state): State<AppState>,
    Extension(SignedIn(actor)): Extension<SignedIn>,
    session: Session,
) -> Response {
    match epochs::sign_out_everywhere(&state.services, &actor).await {
        Ok(()) => {
            let _ = session.flush().await;
            Redirect::to("/login").into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot sign out everywhere");
            Redirect::to("/account?error=unavailable").into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct NewPassword {
    current: String,
    password: String,
}

/// `POST /account/password`: the signed-in user's new password; other sessions end, this one
/// goes on under a new id.
pub async fn password_form(
    State(state): State<AppState>,
    Extension(SignedIn(actor)): Extension<SignedIn>,
    session: Session,
    Form(form): Form<NewPassword>,
) -> Response {
    let changed =
        epochs::change_own_password(&state.services, &actor, &form.current, &form.password).await;
    let error = match changed {
        Ok(_) => match start_session(&state, &session, actor.user_id).await {
            Ok(()) => return Redirect::to("/account?changed=1").into_response(),
            Err(err) => {
                tracing::error!(error = %err, "cannot start a session");
                "unavailable"
            }
        },
        Err(ServiceError::Invalid(message)) if message.contains("current password") => "current",
        Err(ServiceError::Invalid(_)) => "short",
        Err(ServiceError::Busy) => "busy",
        Err(err) => {
            tracing::error!(error = %err, "cannot change a password");
            "unavailable"
        }
    };
    Redirect::to(&format!("/account?error={error}")).into_response()
}
