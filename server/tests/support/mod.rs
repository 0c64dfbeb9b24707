//! Builds the real router over a test database and a scratch events root, with users of every
//! role, and signs them in through the API.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

pub mod incidents;
pub mod smtp;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use blueprint_core::accounts::Role;
use blueprint_core::testing::{TEST_PASSWORD, TestDb, actor, test_databases};
use blueprint_server::web::metrics::Metrics;
use blueprint_server::web::site::Site;
use blueprint_server::web::{AppState, build_router, leptos_options};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const FAKE_BUNDLE_JS: &str = "export default function init() {}";
pub const ADMIN: &str = "admin@example.com";
pub const OWNER: &str = "owner@example.com";
pub const VIEWER: &str = "viewer@example.com";
/// A member of another tenant only (`acme`), for "foreign tenant" checks.
pub const STRANGER: &str = "stranger@example.com";

pub struct TestServer {
    pub router: Router,
    pub label: &'static str,
    pub state: AppState,
    // Kept alive for the router's lifetime.
    pub test_db: TestDb,
    _site: tempfile::TempDir,
}

impl TestServer {
    /// One server per test database, with these tenant folders discovered and no users.
    pub async fn all(tenants: &[&str]) -> Vec<TestServer> {
        let mut servers = Vec::new();
        for test_db in test_databases().await {
            servers.push(Self::build(test_db, tenants, false).await);
        }
        servers
    }

    /// A server on SQLite whose site folder holds a (fake) WASM bundle.
    pub async fn with_bundle() -> TestServer {
        let test_db = test_databases().await.remove(0);
        Self::build(test_db, &[], true).await
    }

    /// Tenants `shop` and `acme` (each with event `open` in 2026-11-01T00, ingested), and users:
    /// ADMIN, OWNER and VIEWER of `shop`, STRANGER of `acme`.
    pub async fn with_users() -> Vec<TestServer> {
        let mut servers = Self::all(&["acme", "shop"]).await;
        for server in &servers {
            let services = &server.state.services;
            actor(services, ADMIN, true, &[]).await;
            actor(services, OWNER, false, &[("shop", Role::Owner)]).await;
            actor(services, VIEWER, false, &[("shop", Role::Viewer)]).await;
            actor(services, STRANGER, false, &[("acme", Role::Viewer)]).await;
            for tenant in ["acme", "shop"] {
                blueprint_core::pipeline::ingest_hour(
                    services,
                    tenant,
                    "2026-11-01T00".parse().unwrap(),
                    blueprint_core::ingestion::Trigger::Cli,
                    None,
                    1,
                )
                .await
                .unwrap();
            }
        }
        servers.shrink_to_fit();
        servers
    }

    pub async fn build(test_db: TestDb, tenants: &[&str], bundle: bool) -> TestServer {
        let events = test_db.scratch_dir().join("events");
        for tenant in tenants {
            let hour = events.join(tenant).join("dt=2026-11-01/hr=00");
            std::fs::create_dir_all(&hour).unwrap();
            std::fs::write(hour.join("part-0.jsonl"), "{\"event\":\"open\"}\n").unwrap();
        }
        let services = test_db.services(&events);
        blueprint_core::tenants::discover_tenants(&services)
            .await
            .unwrap();
        let site_dir = tempfile::tempdir().unwrap();
        if bundle {
            let pkg = site_dir.path().join("pkg");
            std::fs::create_dir_all(&pkg).unwrap();
            std::fs::write(pkg.join("blueprint.js"), FAKE_BUNDLE_JS).unwrap();
            std::fs::write(pkg.join("blueprint_bg.wasm"), b"\0asm").unwrap();
        }
        let site = Site::locate(Some(site_dir.path()));
        assert_eq!(site.hydrate, bundle);
        let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let state = AppState {
            leptos: leptos_options(&site, listen),
            services,
            metrics: Arc::new(Metrics::new()),
            site,
            secure_cookies: false,
            public_url: None,
            trusted_proxies: Vec::new().into(),
            jobs: blueprint_core::jobs::JobSettings::default(),
            email: false,
            webhook_hosts: Default::default(),
            max_counts_hours: blueprint_server::config::DEFAULT_MAX_COUNTS_HOURS,
        };
        TestServer {
            router: build_router(state.clone()),
            label: test_db.label,
            state,
            test_db,
            _site: site_dir,
        }
    }

    /// The same server with its state changed (a clock, trusted proxies, a public URL).
    pub fn rebuilt(mut self, change: impl FnOnce(&mut AppState)) -> TestServer {
        change(&mut self.state);
        self.router = build_router(self.state.clone());
        self
    }

    /// Ingests 2026-11-01T01 of `shop` with application `Shop` on `iOS` in versions 1.0, 2.0 and
    /// 3.0, and opens a roll-out of 2.0 against 1.0 by hand (as the command line); its id.
    pub async fn with_rollout(&self) -> i64 {
        let services = &self.state.services;
        let hour = self
            .test_db
            .scratch_dir()
            .join("events/shop/dt=2026-11-01/hr=01");
        std::fs::create_dir_all(&hour).unwrap();
        let lines: String = ["1.0", "2.0", "3.0"]
            .iter()
            .enumerate()
            .map(|(n, version)| {
                format!(
                    "{{\"event\":\"open\",\"context\":{{\"app\":{{\"name\":\"Shop\",\"version\":\"{version}\"}},\"os\":{{\"name\":\"iOS\"}},\"sessionId\":\"s{n}\"}}}}\n"
                )
            })
            .collect();
        std::fs::write(hour.join("part-0.jsonl"), lines).unwrap();
        blueprint_core::pipeline::ingest_hour(
            services,
            "shop",
            "2026-11-01T01".parse().unwrap(),
            blueprint_core::ingestion::Trigger::Cli,
            None,
            1,
        )
        .await
        .unwrap();
        let request = blueprint_types::rollouts::OpenRollout {
            application: "Shop".into(),
            platform: "iOS".into(),
            version: "2.0".into(),
            baseline: Some("1.0".into()),
        };
        blueprint_core::rollouts::open(services, None, "shop", &request)
            .await
            .unwrap()
            .rollout
            .id
    }

    /// Signs in through `POST /api/v1/session`; returns the session cookie (`name=value`).
    pub async fn sign_in(&self, email: &str) -> String {
        let body = serde_json::json!({"email": email, "password": TEST_PASSWORD}).to_string();
        let request = Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "sign in as {email}");
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .expect("a session cookie")
            .to_str()
            .unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }
}

/// A response's status, headers and body text.
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    /// The `Set-Cookie` header, if the answer sets one.
    pub set_cookie: Option<String>,
    /// Every header of the answer.
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

/// A request as a same-origin browser would send it, with an optional cookie and body.
pub fn request(
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<(&str, String)>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "blueprint.test")
        .header(header::ORIGIN, "http://blueprint.test");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    match body {
        Some((content_type, text)) => builder
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(text)),
        None => builder.body(Body::empty()),
    }
    .unwrap()
}

/// Sends a request with an optional cookie (as a same-origin browser would).
pub async fn send(
    router: &Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<(&str, String)>,
) -> Answer {
    answer(router, request(method, path, cookie, body)).await
}

/// Sends `request` and reads the whole answer.
pub async fn answer(router: &Router, request: Request<Body>) -> Answer {
    let what = format!("{} {}", request.method(), request.uri());
    // A request that never answers fails the test by name instead of hanging the run.
    let answer = async {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = header_text(&response, header::LOCATION);
        let set_cookie = header_text(&response, header::SET_COOKIE);
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, location, set_cookie, headers, bytes)
    };
    let (status, location, set_cookie, headers, bytes) =
        tokio::time::timeout(std::time::Duration::from_secs(60), answer)
            .await
            .unwrap_or_else(|_| panic!("{what} did not answer within 60 s"));
    Answer {
        status,
        location,
        set_cookie,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn header_text<B>(response: &axum::http::Response<B>, name: header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// GET a path without signing in; returns the status and the body as text.
pub async fn get(router: &Router, path: &str) -> (StatusCode, String) {
    let answer = send(router, "GET", path, None, None).await;
    (answer.status, answer.body)
}

/// GET a path as a signed-in user.
pub async fn get_as(router: &Router, path: &str, cookie: &str) -> (StatusCode, String) {
    let answer = send(router, "GET", path, Some(cookie), None).await;
    (answer.status, answer.body)
}
