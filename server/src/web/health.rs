//! `/healthz`: 200 when the database answers within two seconds, 503 otherwise. No sign-in.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::web::AppState;

const PING_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn healthz(State(state): State<AppState>) -> Response {
    let database = match tokio::time::timeout(PING_TIMEOUT, state.services.db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err(format!("no answer within {} s", PING_TIMEOUT.as_secs())),
    };
    state.metrics.set_database_up(database.is_ok());
    match database {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "version": blueprint_app::VERSION, "database": "ok"})),
        )
            .into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "unavailable",
                    "version": blueprint_app::VERSION,
                    "database": reason,
                })),
            )
                .into_response()
        }
    }
}
