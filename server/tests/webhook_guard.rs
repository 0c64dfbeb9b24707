//! Webhooks cannot be turned against the network Blueprint runs in (issue 15, defects 1 and 12):
//! an owner adding one to a loopback, private, link-local or mapped address, or to a name that
//! resolves to one, is refused with the reason through the API and the page's form, and nothing is
//! stored; an endpoint the operator allows (`webhook_allowed_hosts`, set as a user sets it) gets
//! no redirect followed and has only the start of its answer kept; an address that is internal at
//! delivery time fails the delivery with the reason; and the audit log never holds a webhook's
//! secret path.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use blueprint_core::accounts::audit::{AuditQuery, list_audit};
use blueprint_core::channels::Attempt;
use blueprint_core::channels::webhooks::{self, AllowedHosts, Sender};
use blueprint_core::entities::webhook;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::pipeline;
use blueprint_core::testing::{actor, test_databases};
use blueprint_server::config::{Config, RawSettings};
use blueprint_server::web::build_router;
use blueprint_types::notify::WebhookRequest;
use sea_orm::{EntityTrait, PaginatorTrait};
use support::{ADMIN, OWNER, TestServer, send};

const UNLESS: &str = "Blueprint does not deliver to internal addresses unless the operator \
                      allows the host in webhook_allowed_hosts";

/// The internal hosts webhooks may reach, as an operator sets them (`webhook_allowed_hosts`).
fn allowed(list: &str) -> AllowedHosts {
    let settings = RawSettings {
        webhook_allowed_hosts: Some(list.to_owned()),
        ..Default::default()
    };
    Config::load(settings, None).unwrap().channels.webhook_hosts
}

/// Serves `app` on a loopback port; returns `http://127.0.0.1:port`.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A loopback endpoint that counts its requests and answers each with `answer()`.
async fn endpoint<F>(answer: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn() -> Response + Clone + Send + Sync + 'static,
{
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let (count, answer) = (count.clone(), answer.clone());
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            answer()
        }
    });
    (serve(app).await, hits)
}

/// The server's admin (its first user), to read the audit log with.
async fn the_admin(server: &TestServer) -> blueprint_core::accounts::Actor {
    let admin = blueprint_core::accounts::users::actor_for(&server.state.services, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.email, ADMIN);
    admin
}

#[tokio::test]
async fn webhooks_to_internal_addresses_are_refused_with_the_reason_and_store_nothing() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let owner = server.sign_in(OWNER).await;
        let cases = [
            (
                "http://127.0.0.1:9/hook",
                "127.0.0.1 is a loopback address; ",
            ),
            (
                "http://2130706433:9/hook",
                "127.0.0.1 is a loopback address; ",
            ),
            ("http://[::1]:9/hook", "::1 is a loopback address; "),
            (
                "http://[::ffff:127.0.0.1]:9/hook",
                "::ffff:127.0.0.1 is a loopback address; ",
            ),
            (
                "http://169.254.169.254/latest/meta-data/",
                "169.254.169.254 is a link-local address; ",
            ),
            (
                "https://10.20.30.40/hook",
                "10.20.30.40 is a private address; ",
            ),
            (
                "http://[fd00::1]/hook",
                "fd00::1 is a unique-local address; ",
            ),
            ("http://localhost:9/hook", "localhost resolves to "),
        ];
        for (url, reason) in cases {
            let body = serde_json::json!({ "url": url }).to_string();
            let answer = send(
                &server.router,
                "POST",
                "/api/v1/tenants/shop/webhooks",
                Some(&owner),
                Some(("application/json", body)),
            )
            .await;
            assert_eq!(
                answer.status,
                StatusCode::BAD_REQUEST,
                "{url}: {}",
                answer.body
            );
            assert!(answer.body.contains(reason), "{url}: {}", answer.body);
            assert!(answer.body.contains(UNLESS), "{url}: {}", answer.body);
        }
        // The page's form takes the same path.
        let add = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_owned())
            .find(|p| p.starts_with("/api/add_webhook"))
            .unwrap();
        let answer = send(
            &server.router,
            "POST",
            &add,
            Some(&owner),
            Some((
                "application/x-www-form-urlencoded",
                "tenant=shop&url=http%3A%2F%2F169.254.169.254%2F&news=".into(),
            )),
        )
        .await;
        assert!(!answer.status.is_success(), "{}", answer.body);
        assert!(
            answer
                .body
                .contains("169.254.169.254 is a link-local address"),
            "{}",
            answer.body
        );

        // Nothing was stored or audited.
        let listed = send(
            &server.router,
            "GET",
            "/api/v1/tenants/shop/webhooks",
            Some(&owner),
            None,
        )
        .await;
        assert_eq!(listed.body, "[]", "{label}");
        let conn = server.state.services.db.conn();
        assert_eq!(webhook::Entity::find().count(conn).await.unwrap(), 0);
        let admin = the_admin(&server).await;
        let audit = list_audit(&server.state.services, &admin, &AuditQuery::default())
            .await
            .unwrap();
        assert!(
            audit.iter().all(|row| !row.action.starts_with("webhook")),
            "{audit:?}"
        );

        // A public address is accepted; with the operator's allow-list, loopback is too.
        let body = serde_json::json!({ "url": "http://192.0.2.10:9/hook" }).to_string();
        let answer = send(
            &server.router,
            "POST",
            "/api/v1/tenants/shop/webhooks",
            Some(&owner),
            Some(("application/json", body)),
        )
        .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let mut state = server.state.clone();
        state.webhook_hosts = allowed("127.0.0.0/8, localhost");
        let router = build_router(state);
        for url in ["http://127.0.0.1:9/hook", "http://localhost:9/hook"] {
            let body = serde_json::json!({ "url": url }).to_string();
            let answer = send(
                &router,
                "POST",
                "/api/v1/tenants/shop/webhooks",
                Some(&owner),
                Some(("application/json", body)),
            )
            .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{url}: {}", answer.body);
        }
        assert_eq!(webhook::Entity::find().count(conn).await.unwrap(), 3);
    }
}

#[tokio::test]
async fn the_audit_log_keeps_no_webhook_secret() {
    for server in TestServer::with_users().await {
        let admin = server.sign_in(ADMIN).await;
        let mut state = server.state.clone();
        state.webhook_hosts = allowed("127.0.0.1");
        let router = build_router(state);
        let url = "http://127.0.0.1:9/services/T0SECRET/B0SECRET/xoxbSECRET?token=SECRET";
        let body = serde_json::json!({ "url": url }).to_string();
        let answer = send(
            &router,
            "POST",
            "/api/v1/tenants/shop/webhooks",
            Some(&admin),
            Some(("application/json", body)),
        )
        .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let id = serde_json::from_str::<serde_json::Value>(&answer.body).unwrap()["id"].clone();
        let answer = send(
            &router,
            "DELETE",
            &format!("/api/v1/webhooks/{id}"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);

        let page = send(&router, "GET", "/admin/audit", Some(&admin), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("http://127.0.0.1:9/serv…"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("SECRET"), "{}", page.body);
        let who = the_admin(&server).await;
        let rows = list_audit(&server.state.services, &who, &AuditQuery::default())
            .await
            .unwrap();
        let hooks: Vec<_> = rows
            .iter()
            .filter(|r| r.action.starts_with("webhook."))
            .collect();
        assert_eq!(hooks.len(), 2, "{rows:?}");
        for row in hooks {
            assert_eq!(row.target, "http://127.0.0.1:9/serv…");
            let text = format!("{row:?}");
            assert!(!text.contains("SECRET"), "{text}");
        }
    }
}

fn line(event: &str) -> String {
    format!(
        r#"{{"event":"{event}","context":{{"app":{{"name":"Shop","version":"1.0"}},"os":{{"name":"iOS"}}}}}}"#
    )
}

#[tokio::test]
async fn deliveries_follow_no_redirect_keep_a_bounded_answer_and_reach_nothing_internal() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let h0 = Hour::containing(chrono::Utc::now()).plus(-5);
        for (hour, lines) in [
            (h0, vec![line("view")]),
            (h0.plus(1), vec![line("view"), line("promo")]),
        ] {
            let dir = root.join("shop").join(hour.folder());
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("part-0.jsonl"), lines.join("\n")).unwrap();
        }
        let services = db.services(&root);
        pipeline::ingest_hour(&services, "shop", h0, Trigger::Cli, None, 1)
            .await
            .unwrap();
        let admin = actor(&services, ADMIN, true, &[]).await;

        // An inner service that must never be reached, an endpoint redirecting to it, one
        // answering 5 MB, and one behind a name.
        let (inner, inner_hits) = endpoint(|| "inside".into_response()).await;
        let to = format!("{inner}/admin/secret");
        let (redirector, redirector_hits) =
            endpoint(move || (StatusCode::FOUND, [(header::LOCATION, to.clone())]).into_response())
                .await;
        let big = Arc::new(format!("ok {}", "x".repeat(5 << 20)));
        let (large, _) = endpoint(move || big.as_str().to_owned().into_response()).await;
        let (named, named_hits) = endpoint(|| "named".into_response()).await;
        let named = named.replace("127.0.0.1", "localhost");
        let operator = allowed("127.0.0.1, localhost");
        for url in [&redirector, &large, &named] {
            let request = WebhookRequest {
                url: format!("{url}/hook"),
                news: Some(vec!["event".into()]),
            };
            webhooks::create_as(&services, &operator, &admin, "shop", &request)
                .await
                .unwrap();
        }
        pipeline::ingest_hour(&services, "shop", h0.plus(1), Trigger::Cli, None, 1)
            .await
            .unwrap();
        let hooks = webhooks::list_as(&services, &admin, "shop").await.unwrap();
        let ids: Vec<i64> = hooks.iter().map(|h| h.deliveries[0].id).collect();
        let backoff = std::time::Duration::from_secs(30);
        let public = "http://blueprint.test";

        // The operator takes loopback off the list: every delivery is refused, nothing reached.
        let strict = Sender::new(allowed("")).unwrap();
        for (id, reason) in ids.iter().zip([
            "127.0.0.1 is a loopback address; ",
            "127.0.0.1 is a loopback address; ",
            "localhost resolves to ",
        ]) {
            let attempt = webhooks::deliver(&services, &strict, public, *id, backoff)
                .await
                .unwrap();
            let Attempt::Retry(why) = attempt else {
                panic!("{label}: {attempt:?}");
            };
            assert!(why.starts_with("refused http://"), "{why}");
            assert!(why.contains(reason) && why.contains(UNLESS), "{why}");
        }
        assert_eq!(redirector_hits.load(Ordering::SeqCst), 0);
        assert_eq!(named_hits.load(Ordering::SeqCst), 0);

        // Allowed again: the redirect fails the delivery and is not followed; 5 MB leave 256 bytes.
        let sender = Sender::new(operator).unwrap();
        let attempt = webhooks::deliver(&services, &sender, public, ids[0], backoff)
            .await
            .unwrap();
        let Attempt::Retry(why) = attempt else {
            panic!("{label}: {attempt:?}");
        };
        assert!(
            why.contains("answered 302 Found, a redirect to http://127.0.0.1:")
                && why.contains("Blueprint does not follow redirects")
                && !why.contains("secret"),
            "{why}"
        );
        assert_eq!(redirector_hits.load(Ordering::SeqCst), 1);
        assert_eq!(
            inner_hits.load(Ordering::SeqCst),
            0,
            "{label}: the redirect was followed"
        );
        for id in &ids[1..] {
            assert_eq!(
                webhooks::deliver(&services, &sender, public, *id, backoff)
                    .await
                    .unwrap(),
                Attempt::Sent
            );
        }
        let hooks = webhooks::list_as(&services, &admin, "shop").await.unwrap();
        let failed = &hooks[0].deliveries[0];
        assert_eq!(
            (failed.status.as_str(), failed.response_status),
            ("retrying", Some(302))
        );
        assert!(
            failed.error.as_deref().unwrap().contains("redirect"),
            "{failed:?}"
        );
        let kept = hooks[1].deliveries[0].response_body.clone().unwrap();
        assert_eq!(kept, format!("ok {}…", "x".repeat(253)), "{label}");
        assert_eq!(
            hooks[2].deliveries[0].response_body.as_deref(),
            Some("named")
        );
        assert_eq!(named_hits.load(Ordering::SeqCst), 1);
    }
}
