//! `/healthz`: 200 when the database answers within two seconds, 503 otherwise. No sign-in.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::AppState;

const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/healthz` answers (fields in alphabetical order, as the answer has always had them).
#[derive(Serialize, ToSchema)]
pub struct HealthReport {
    /// `ok`, or why the database did not answer.
    pub database: String,
    /// `ok` or `unavailable`.
    pub status: String,
    pub version: String,
}

impl HealthReport {
    fn new(status: &str, database: String) -> Self {
        Self {
            database,
            status: status.to_owned(),
            version: blueprint_app::VERSION.to_owned(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    responses(
        (status = 200, description = "The database answers", body = HealthReport),
        (status = 503, description = "The database did not answer in time", body = HealthReport),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Response {
    let database = match tokio::time::timeout(PING_TIMEOUT, state.services.db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err(format!("no answer within {} s", PING_TIMEOUT.as_secs())),
    };
    state.metrics.set_database_up(database.is_ok());
    match database {
        Ok(()) => (StatusCode::OK, Json(HealthReport::new("ok", "ok".into()))).into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "health check: database unavailable");
            let report = HealthReport::new("unavailable", reason);
            (StatusCode::SERVICE_UNAVAILABLE, Json(report)).into_response()
        }
    }
}
