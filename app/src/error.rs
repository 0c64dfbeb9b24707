//! The error server functions return: the stable client error of `blueprint-types`, or a transport
//! failure of the server-function machinery itself.
//!
//! This is the one place a server function's error becomes an HTTP answer: the caller's mistakes
//! are 4xx with their message ([`ClientError::status`]: 400 invalid, 401, 403, 404, 409 in
//! conflict with what exists), a form that cannot be read (a missing field, a number that is not
//! one) is 400, and only a failure on the server is 5xx. A form posted without JavaScript is
//! redirected back as Leptos does (303/302 with the error in the address), so the page shows it
//! beside the form.

use blueprint_types::ClientError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("the server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status of this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Client(err) => err.status(),
            Self::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these mean the request's form or body could not be read: the
            // caller's mistake (in the browser they are answers that could not be read).
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::MissingArg(message)
            | ServerFnErrorErr::Deserialization(message) => Self::Client(ClientError::Invalid(
                format!("the form could not be read: {message}"),
            )),
            other => Self::Transport(other.to_string()),
        }
    }

    /// Encodes the error for the answer and, on the server, sets the answer's status from it
    /// (server functions would otherwise answer every error with 500). A plain form post (one that
    /// accepts HTML) keeps the redirect back to its page.
    fn ser(&self) -> leptos::server_fn::Bytes {
        use leptos::server_fn::Encodes;
        #[cfg(feature = "ssr")]
        set_error_status(self);
        JsonEncoding::encode(self).unwrap_or_else(|err| {
            leptos::server_fn::Bytes::from(format!(
                "{{\"Transport\":\"the error could not be encoded: {}\"}}",
                err.to_string().replace(['"', '\\'], "'")
            ))
        })
    }
}

/// Whether this request is a form posted without JavaScript (it accepts HTML): Leptos answers
/// it with a redirect back to its page, so what a server function returns is not shown.
#[cfg(feature = "ssr")]
pub fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Sets the status of the server function's answer to `error`'s, unless the request is a plain
/// form post that Leptos redirects back to its page.
#[cfg(feature = "ssr")]
fn set_error_status(error: &AppError) {
    if plain_form_post() {
        return;
    }
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(error.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
}

/// Logs a service error once, with its detail, and hands the page a calm message.
#[cfg(feature = "ssr")]
pub fn unavailable(context: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{context}");
    AppError::Client(ClientError::Unavailable(format!(
        "{context}: the server could not answer; please try again"
    )))
}

/// The signed-in actor of this request, or "please sign in".
#[cfg(feature = "ssr")]
pub fn actor() -> Result<blueprint_core::accounts::Actor, AppError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<blueprint_core::accounts::SignedIn>()
                .cloned()
        })
        .map(|signed_in| signed_in.0)
        .ok_or(AppError::Client(ClientError::Unauthenticated))
}

/// An account error as the page shows it (details of unexpected ones are logged).
#[cfg(feature = "ssr")]
pub fn from_account(context: &str, err: blueprint_core::accounts::ServiceError) -> AppError {
    use blueprint_core::accounts::ServiceError as E;
    match err {
        E::Unauthenticated => AppError::Client(ClientError::Unauthenticated),
        E::Forbidden => AppError::Client(ClientError::Forbidden),
        E::NotFound => AppError::Client(ClientError::NotFound),
        E::Invalid(message) => AppError::Client(ClientError::Invalid(message)),
        E::Conflict(message) => AppError::Client(ClientError::Conflict(message)),
        other => unavailable(context, other),
    }
}

/// The services the server provides to every request.
#[cfg(feature = "ssr")]
pub fn services() -> Result<blueprint_core::Services, AppError> {
    leptos::prelude::use_context::<blueprint_core::Services>()
        .ok_or_else(|| unavailable("server set-up", "Services missing from the request context"))
}

/// The internal hosts webhooks may be added for (`webhook_allowed_hosts`; none if missing).
#[cfg(feature = "ssr")]
pub fn webhook_hosts() -> blueprint_core::channels::webhooks::AllowedHosts {
    leptos::prelude::use_context().unwrap_or_default()
}

/// The services, the signed-in actor and the tenant `slug` if the actor may read it (a tenant
/// they may not see is "not found", exactly like a missing one).
#[cfg(feature = "ssr")]
pub async fn open_tenant(
    slug: &str,
) -> Result<
    (
        blueprint_core::Services,
        blueprint_core::accounts::Actor,
        blueprint_core::browse::TenantRef,
    ),
    AppError,
> {
    let services = services()?;
    let actor = actor()?;
    let tenant = blueprint_core::browse::open_tenant(&services, &actor, slug)
        .await
        .map_err(|err| from_account("Opening the tenant", err))?;
    Ok((services, actor, tenant))
}

/// The range of days a page asked for; `from` is `days:N` for the N days up to the latest data
/// (see `components::tenant::range_query`).
#[cfg(feature = "ssr")]
pub fn range_of(
    tenant: &blueprint_core::browse::TenantRef,
    from: &str,
    to: &str,
) -> Result<blueprint_core::browse::Range, AppError> {
    use blueprint_core::browse::{resolve_days, resolve_range};
    match from.strip_prefix("days:") {
        Some(days) => resolve_days(tenant, days),
        None => resolve_range(tenant, Some(from), Some(to)),
    }
    .map_err(|err| from_account("Reading the range", err))
}
