//! Static files: the stylesheet and icon compiled into the binary (so pages are styled wherever
//! the binary runs), and the WASM bundle under `/pkg` from the site folder. Bundle files are
//! sent precompressed (the `.br` or `.gz` copy beside each, chosen by `Accept-Encoding`; the
//! file itself when the browser accepts neither). Content-named files are cached for a year
//! and never revalidated; the plain names are revalidated on every use (`no-cache`).

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;

use crate::web::AppState;
use crate::web::site::{Site, is_content_named};

const STYLESHEET: &str = include_str!("../../../style/blueprint.css");
const FAVICON: &str = include_str!("../../../style/favicon.svg");

/// Caching of a content-named bundle file: its name changes whenever its content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Caching of a plainly named bundle file: kept, but asked about (304) before each use.
pub const REVALIDATE: &str = "no-cache";

pub fn routes(site: &Site) -> Router<AppState> {
    let bundle = ServeDir::new(site.root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .route("/assets/blueprint.css", get(stylesheet))
        .route("/assets/favicon.svg", get(favicon))
        .nest_service(
            "/pkg",
            ServiceBuilder::new()
                .layer(middleware::from_fn(bundle_caching))
                .service(bundle),
        )
}

/// Sets `Cache-Control` and `Vary: Accept-Encoding` on the bundle files served.
async fn bundle_caching(request: Request, next: Next) -> Response {
    let content_named = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .is_some_and(is_content_named);
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if content_named { IMMUTABLE } else { REVALIDATE }),
        );
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}
