//! Static files: the stylesheet and icon compiled into the binary (so pages are styled wherever
//! the binary runs), and the WASM bundle under `/pkg` from the site folder.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::services::ServeDir;

use crate::web::AppState;
use crate::web::site::Site;

const STYLESHEET: &str = include_str!("../../../style/blueprint.css");
const FAVICON: &str = include_str!("../../../style/favicon.svg");

pub fn routes(site: &Site) -> Router<AppState> {
    Router::new()
        .route("/assets/blueprint.css", get(stylesheet))
        .route("/assets/favicon.svg", get(favicon))
        .nest_service("/pkg", ServeDir::new(site.root.join("pkg")))
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
