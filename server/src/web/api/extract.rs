//! What handlers take from a request: the signed-in caller (401 without one), a JSON body whose
//! rejection becomes a 400 answer when the handler gets to it, and ids from the path.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use blueprint_core::accounts::{Actor, ServiceError, SignedIn};

use super::error::{ApiError, bad_request};

/// The caller the authentication middleware found, if any.
pub type Signed = Option<axum::Extension<SignedIn>>;

/// A JSON body, read by the handler in its own order (permission checks may come first).
pub type JsonBody<T> = Result<Json<T>, JsonRejection>;

/// The signed-in caller, or 401.
pub(crate) fn actor(signed_in: Signed) -> Result<Actor, ApiError> {
    signed_in
        .map(|axum::Extension(SignedIn(actor))| actor)
        .ok_or_else(|| ApiError(StatusCode::UNAUTHORIZED, "please sign in".into()))
}

/// The body, or 400 with why it does not parse.
pub(crate) fn body<T>(body: JsonBody<T>) -> Result<T, ApiError> {
    body.map(|Json(value)| value)
        .map_err(|err| bad_request(err.body_text()))
}

/// A numeric id from the path; anything else names nothing (404).
pub(crate) fn id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .map_err(|_| ServiceError::NotFound.into())
}
