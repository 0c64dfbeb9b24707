//! The API's JSON answer: a typed value (its schema is in the OpenAPI document) written the way
//! the API always has, through `serde_json::Value`, so object keys come out in alphabetical order.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::unavailable;

/// A JSON answer of type `T`.
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_value(&self.0) {
            Ok(value) => Json(value).into_response(),
            Err(err) => unavailable(err).into_response(),
        }
    }
}

/// `201 Created` with the created thing.
pub fn created<T>(value: T) -> (StatusCode, ApiJson<T>) {
    (StatusCode::CREATED, ApiJson(value))
}

/// `202 Accepted` with what was queued.
pub fn accepted<T>(value: T) -> (StatusCode, ApiJson<T>) {
    (StatusCode::ACCEPTED, ApiJson(value))
}
