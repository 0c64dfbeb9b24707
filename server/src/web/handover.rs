//! The one-time hand-over of a new API token's secret to `/admin/tokens` after a form posted
//! without JavaScript created it (`blueprint_app::pages::admin::tokens`): the create server
//! function sealed it into the session; here, before the page is drawn, it is taken out of the
//! session and given to this one view as a request extension. A reload, or any later view, no
//! longer has it, and it never travels in an address. Taking it here rather than while the page
//! renders makes sure the session is saved without it before the answer leaves.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use blueprint_app::pages::admin::tokens::{HandedTokenSecret, NEW_TOKEN_KEY, TOKENS_PATH};
use blueprint_core::accounts::SignedIn;
use blueprint_core::accounts::sealed::Sealed;
use tower_sessions::Session;

use crate::web::AppState;

/// Middleware (inside the sign-in check): hands a waiting secret to a signed-in user's view of
/// the tokens page.
pub async fn hand_over(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let tokens_page = request.method() == Method::GET
        && request.uri().path() == TOKENS_PATH
        && request.extensions().get::<SignedIn>().is_some();
    if tokens_page {
        match session.remove::<Sealed>(NEW_TOKEN_KEY).await {
            Ok(Some(sealed)) => {
                let now = state.services.db.now_seconds();
                match session
                    .id()
                    .and_then(|id| sealed.open(&id.to_string(), now))
                {
                    Some(secret) => {
                        request.extensions_mut().insert(HandedTokenSecret(secret));
                    }
                    None => tracing::warn!("a sealed token secret did not open; dropped"),
                }
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "cannot read the session's token secret"),
        }
    }
    next.run(request).await
}
