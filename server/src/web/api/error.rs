//! The API's error answer: `{"error": "..."}` with the matching status, and how a service's
//! error becomes one (the detail of a failure is logged once, the caller gets a safe sentence).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use blueprint_core::accounts::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error in the API's shape: `{"error": "..."}` with the matching status.
pub struct ApiError(pub(crate) StatusCode, pub(crate) String);

/// What every error answer carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in a sentence (for invalid input: what to fix).
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorBody { error: self.1 })).into_response()
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Unauthenticated => Self(StatusCode::UNAUTHORIZED, err.to_string()),
            ServiceError::Forbidden => Self(StatusCode::FORBIDDEN, err.to_string()),
            ServiceError::NotFound => Self(StatusCode::NOT_FOUND, "not found".into()),
            ServiceError::Invalid(message) => Self(StatusCode::BAD_REQUEST, message),
            ServiceError::Conflict(message) => Self(StatusCode::CONFLICT, message),
            other => unavailable(other),
        }
    }
}

/// A failure the caller cannot fix: logged here, answered with 503.
pub(crate) fn unavailable(err: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "API request failed");
    ApiError(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server could not answer; please try again".into(),
    )
}

/// A request that does not parse: 400 with what is wrong.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}
