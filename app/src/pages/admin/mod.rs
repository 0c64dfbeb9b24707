//! Admin pages: users, API tokens, the audit log, ingestion, notifications. Their server functions check the caller in
//! `blueprint-core`; a page that refuses shows why, with HTTP 403.

pub mod audit;
pub mod ingestion;
pub mod notifications;
pub mod tokens;
pub mod users;

use blueprint_types::ClientError;
use leptos::prelude::*;

use crate::error::AppError;

/// The calm message for an error, setting the HTTP status on the server.
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    let status = error.status();
    let text = match &error {
        AppError::Client(ClientError::Forbidden) => {
            "You are not allowed to see this page.".to_owned()
        }
        AppError::Client(ClientError::Unauthenticated) => "Please sign in.".to_owned(),
        AppError::Client(ClientError::NotFound) => "There is nothing here.".to_owned(),
        other => other.to_string(),
    };
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
    view! { <p class="error" role="alert" data-testid="refusal">{text}</p> }
}
