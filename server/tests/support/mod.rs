//! Builds the real router over a test database and a scratch events root.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use blueprint_core::testing::{TestDb, test_databases};
use blueprint_server::web::metrics::Metrics;
use blueprint_server::web::site::Site;
use blueprint_server::web::{AppState, build_router, leptos_options};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const FAKE_BUNDLE_JS: &str = "export default function init() {}";

pub struct TestServer {
    pub router: Router,
    pub label: &'static str,
    pub state: AppState,
    // Kept alive for the router's lifetime.
    pub test_db: TestDb,
    _site: tempfile::TempDir,
}

impl TestServer {
    /// One server per test database, with these tenant folders discovered.
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

    pub async fn build(test_db: TestDb, tenants: &[&str], bundle: bool) -> TestServer {
        let events = test_db.scratch_dir().join("events");
        for tenant in tenants {
            let hour = events.join(tenant).join("dt=2026-11-01/hr=00");
            std::fs::create_dir_all(&hour).unwrap();
            std::fs::write(hour.join("part-0.jsonl"), "{}\n").unwrap();
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
        };
        TestServer {
            router: build_router(state.clone()),
            label: test_db.label,
            state,
            test_db,
            _site: site_dir,
        }
    }
}

/// GET a path; returns the status and the body as text.
pub async fn get(router: &Router, path: &str) -> (StatusCode, String) {
    let request = Request::builder().uri(path).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}
