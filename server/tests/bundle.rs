//! The WASM bundle over HTTP, as `cargo xtask` writes it (content-named copies with `.br` and
//! `.gz` beside them, named in `pkg/bundle.txt`): pages ask for the content-named files, which are
//! sent in the encoding the browser accepts and cached for good; plain names and pages are not.

mod support;

use axum::http::{HeaderMap, Request, StatusCode, header};
use blueprint_server::web::leptos_options;
use blueprint_server::web::site::Site;
use http_body_util::BodyExt;
use support::{FAKE_BUNDLE_JS, TestServer};
use tower::ServiceExt;

const NAME: &str = "blueprint-0123456789abcdef";
const WASM: &[u8] = b"\0asm\x01\0\0\0 the plain bundle";
const WASM_BR: &[u8] = b"brotli bytes";
const WASM_GZ: &[u8] = b"gzip bytes";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A server whose site holds the plain bundle and its content-named, compressed copies.
async fn server_with_hashed_bundle() -> TestServer {
    let server = TestServer::with_bundle().await;
    let root = server.state.site.root.clone();
    let pkg = root.join("pkg");
    for (file, bytes) in [
        (format!("{NAME}.js"), FAKE_BUNDLE_JS.as_bytes()),
        (format!("{NAME}.js.br"), b"js brotli".as_slice()),
        (format!("{NAME}.js.gz"), b"js gzip".as_slice()),
        (format!("{NAME}_bg.wasm"), WASM),
        (format!("{NAME}_bg.wasm.br"), WASM_BR),
        (format!("{NAME}_bg.wasm.gz"), WASM_GZ),
        ("bundle.txt".to_owned(), format!("{NAME}\n").as_bytes()),
    ] {
        std::fs::write(pkg.join(file), bytes).unwrap();
    }
    server.rebuilt(|state| {
        state.site = Site::locate(Some(&root));
        state.leptos = leptos_options(&state.site, "127.0.0.1:0".parse().unwrap());
    })
}

/// GET `path` with an optional `Accept-Encoding`: status, headers and the raw body.
async fn fetch(
    server: &TestServer,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path).header(header::HOST, "blueprint.test");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT_ENCODING, accept);
    }
    let request = request.body(axum::body::Body::empty()).unwrap();
    let response = server.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

fn text<'a>(headers: &'a HeaderMap, name: &header::HeaderName) -> Option<&'a str> {
    headers.get(name).map(|value| value.to_str().unwrap())
}

#[tokio::test]
async fn pages_ask_for_the_content_named_bundle_and_are_never_kept() {
    let server = server_with_hashed_bundle().await;
    assert_eq!(server.state.site.output_name, NAME);
    let (status, headers, body) = fetch(&server, "/login", Some("br, gzip")).await;
    assert_eq!(status, StatusCode::OK);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains(&format!("/pkg/{NAME}.js")), "{body}");
    assert!(body.contains(&format!("/pkg/{NAME}_bg.wasm")), "{body}");
    assert!(!body.contains("/pkg/blueprint.js"), "{body}");
    assert_eq!(text(&headers, &header::CACHE_CONTROL), Some("no-store"));
}

#[tokio::test]
async fn the_wasm_comes_in_the_encoding_the_browser_accepts() {
    let server = server_with_hashed_bundle().await;
    let path = format!("/pkg/{NAME}_bg.wasm");
    for (accept, encoding, body) in [
        (Some("br"), Some("br"), WASM_BR),
        (Some("gzip, deflate, br, zstd"), Some("br"), WASM_BR),
        (Some("gzip"), Some("gzip"), WASM_GZ),
        (None, None, WASM),
        (Some("identity"), None, WASM),
    ] {
        let (status, headers, bytes) = fetch(&server, &path, accept).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert_eq!(
            text(&headers, &header::CONTENT_ENCODING),
            encoding,
            "{accept:?}"
        );
        assert_eq!(bytes, body, "{accept:?}");
        assert_eq!(
            text(&headers, &header::CONTENT_TYPE),
            Some("application/wasm")
        );
        assert_eq!(
            text(&headers, &header::CACHE_CONTROL),
            Some(IMMUTABLE),
            "{accept:?}"
        );
        assert_eq!(text(&headers, &header::VARY), Some("accept-encoding"));
    }
}

#[tokio::test]
async fn only_content_named_files_are_cached_for_good() {
    let server = server_with_hashed_bundle().await;
    let (status, headers, _) = fetch(&server, &format!("/pkg/{NAME}.js"), Some("gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&headers, &header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(text(&headers, &header::CACHE_CONTROL), Some(IMMUTABLE));
    for plain in [
        "/pkg/blueprint.js",
        "/pkg/blueprint_bg.wasm",
        "/pkg/bundle.txt",
    ] {
        let (status, headers, _) = fetch(&server, plain, Some("br")).await;
        assert_eq!(status, StatusCode::OK, "{plain}");
        assert_eq!(
            text(&headers, &header::CACHE_CONTROL),
            Some("no-cache"),
            "{plain}"
        );
    }
    let (status, headers, _) = fetch(&server, "/pkg/blueprint-ffffffffffffffff.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(text(&headers, &header::CACHE_CONTROL), Some(IMMUTABLE));
}

#[tokio::test]
async fn without_the_named_copies_pages_ask_for_the_plain_names() {
    let server = TestServer::with_bundle().await;
    assert_eq!(server.state.site.output_name, "blueprint");
    std::fs::write(
        server.state.site.root.join("pkg").join("bundle.txt"),
        format!("{NAME}\n"),
    )
    .unwrap();
    // bundle.txt names files that are not there: the plain names stay.
    let root = server.state.site.root.clone();
    assert_eq!(Site::locate(Some(&root)).output_name, "blueprint");
    let (_, _, body) = fetch(&server, "/login", None).await;
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("/pkg/blueprint.js"), "{body}");
    assert!(body.contains("/pkg/blueprint_bg.wasm"), "{body}");
}
