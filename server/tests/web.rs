//! The real router, answering real requests on every test database: pages, 404, health, metrics.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::StatusCode;
use blueprint_core::accounts::Role;
use blueprint_core::testing::actor;
use support::{ADMIN, TestServer, get, get_as, send};

#[tokio::test]
async fn tenants_page_lists_discovered_tenants_server_side() {
    for server in TestServer::all(&["acme", "shop"]).await {
        actor(&server.state.services, ADMIN, true, &[]).await;
        let cookie = server.sign_in(ADMIN).await;
        let (status, body) = get_as(&server.router, "/", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{}", server.label);
        assert!(
            body.contains("<title>Tenants · Blueprint</title>"),
            "{body}"
        );
        for slug in ["acme", "shop"] {
            assert!(
                body.contains(&format!("<a href=\"/t/{slug}\">{slug}</a>")),
                "{slug}: {body}"
            );
        }
        assert!(body.contains("2 tenants"), "{}: {body}", server.label);
        assert!(
            body.contains("Blueprint <!>0.1.0"),
            "footer with version: {body}"
        );
        // No bundle installed in tests: the page must not ask for one.
        assert!(!body.contains("/pkg/blueprint.js"), "{body}");

        let (status, body) = get_as(&server.router, "/?q=ACM", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("1 tenant<"), "{body}");
        assert!(!body.contains(">shop<"), "{body}");

        let (_, body) = get_as(&server.router, "/?q=zzz", &cookie).await;
        assert!(body.contains("No tenant matches this filter."), "{body}");
    }
}

#[tokio::test]
async fn an_empty_catalog_says_where_tenants_come_from() {
    for server in TestServer::all(&[]).await {
        actor(&server.state.services, ADMIN, true, &[]).await;
        let cookie = server.sign_in(ADMIN).await;
        let (status, body) = get_as(&server.router, "/", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("No tenants yet."), "{}: {body}", server.label);
    }
}

#[tokio::test]
async fn unknown_paths_get_the_not_found_page_with_status_404() {
    for server in TestServer::all(&[]).await {
        actor(&server.state.services, ADMIN, true, &[]).await;
        let cookie = server.sign_in(ADMIN).await;
        for path in ["/nope", "/t/unknown/deeper/still", "/pkg/missing.wasm"] {
            let (status, body) = get_as(&server.router, path, &cookie).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            if !path.starts_with("/pkg") {
                assert!(body.contains("Page not found"), "{path}: {body}");
                assert!(
                    body.contains("class=\"site-header\""),
                    "inside the shell: {body}"
                );
            }
        }
    }
}

#[tokio::test]
async fn healthz_metrics_and_assets_need_no_sign_in() {
    for server in TestServer::all(&[]).await {
        let (status, body) = get(&server.router, "/healthz").await;
        assert_eq!(status, StatusCode::OK, "{}", server.label);
        let health: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["database"], "ok");

        let _ = get(&server.router, "/login").await;
        let (status, metrics) = get(&server.router, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            metrics.contains("blueprint_build_info{version=\"0.1.0\"} 1"),
            "{metrics}"
        );
        assert!(metrics.contains("blueprint_database_up 1"), "{metrics}");
        assert!(
            metrics.contains("blueprint_http_requests_total{method=\"GET\",status=\"200\"}"),
            "{metrics}"
        );

        let (status, css) = get(&server.router, "/assets/blueprint.css").await;
        assert_eq!(status, StatusCode::OK);
        assert!(css.contains(".data-table"));
    }
}

#[tokio::test]
async fn unknown_methods_are_counted_as_other() {
    for server in TestServer::all(&[]).await {
        let odd = send(&server.router, "FOOBAR123", "/healthz", None, None).await;
        assert_ne!(odd.status, StatusCode::OK);
        let (_, metrics) = get(&server.router, "/metrics").await;
        assert!(!metrics.contains("FOOBAR123"), "{metrics}");
        assert!(
            metrics.contains(&format!(
                "blueprint_http_requests_total{{method=\"other\",status=\"{}\"}} 1",
                odd.status.as_u16()
            )),
            "{metrics}"
        );
        assert!(
            !metrics.contains("path="),
            "no raw paths as labels: {metrics}"
        );
    }
}

#[tokio::test]
async fn serves_the_bundle_and_asks_for_it_when_it_is_installed() {
    let server = TestServer::with_bundle().await;
    let (status, body) = get(&server.router, "/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("/pkg/blueprint.js"), "{body}");
    let (status, js) = get(&server.router, "/pkg/blueprint.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(js, support::FAKE_BUNDLE_JS);
}

#[tokio::test]
async fn a_member_sees_only_their_tenants_and_anonymous_visitors_go_to_sign_in() {
    for server in TestServer::all(&["acme", "shop"]).await {
        let (status, _) = get(&server.router, "/").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}", server.label);
        let answer = support::send(&server.router, "GET", "/?q=sh", None, None).await;
        assert_eq!(answer.location.as_deref(), Some("/login?next=%2F%3Fq%3Dsh"));
        actor(
            &server.state.services,
            "v@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let cookie = server.sign_in("v@example.com").await;
        let (_, body) = get_as(&server.router, "/", &cookie).await;
        assert!(
            body.contains(">shop<") && !body.contains(">acme<"),
            "{}: {body}",
            server.label
        );
        assert!(body.contains("data-testid=\"signed-in-as\""), "{body}");
    }
}

/// Listing the app's routes renders the app with Leptos' resource loading switched off for the
/// whole process; while routers listed them each time they were built, a page rendering meanwhile
/// waited forever. Now they are listed once, so building routers must not stall other pages.
#[tokio::test]
async fn pages_answer_while_other_routers_are_built() {
    /// Stops the builder also when the test fails (the runtime waits for it).
    struct Stop(Arc<AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let server = TestServer::all(&[]).await.remove(0);
    let stop = Stop(Arc::new(AtomicBool::new(false)));
    let builder = tokio::task::spawn_blocking({
        let (state, stop) = (server.state.clone(), stop.0.clone());
        move || {
            while !stop.load(Ordering::Relaxed) {
                drop(blueprint_server::web::build_router(state.clone()));
            }
        }
    });
    for _ in 0..20 {
        let (status, body) = get(&server.router, "/login").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    drop(stop);
    builder.await.unwrap();
}
