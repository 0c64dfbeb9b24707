//! What every answer carries and every request may weigh: security headers on all responses
//! (pages, API, assets, errors) and one body limit for every route, server functions included
//! (leptos_axum reads their bodies itself, without axum's extractor limit).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body accepted, in bytes (1 MiB): forms and JSON edits are far smaller.
pub const MAX_BODY: usize = 1 << 20;

/// Headers set on every answer unless the handler set its own.
const HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    // Only framing: the Leptos shell hydrates with inline scripts, so no script-src here.
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
    (header::REFERRER_POLICY, "same-origin"),
];

/// Adds [`HEADERS`], and `Cache-Control: no-store` to every answer outside the static assets
/// (`/assets`, `/pkg`) that has no caching policy of its own: pages and API answers carry
/// tenant data.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let asset = path.starts_with("/assets/") || path.starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if !asset {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses a body over [`MAX_BODY`] with 413, by its `Content-Length` before reading it, or
/// once reading passes the limit (chunked bodies); the handler gets the body already read.
pub async fn limit_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(err) if over_limit(&err) => too_large(),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            "the request body could not be read\n",
        )
            .into_response(),
    }
}

/// Reading stopped at the limit (not a broken connection).
fn over_limit(err: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than the {MAX_BODY} bytes (1 MiB) allowed\n"),
    )
        .into_response()
}
