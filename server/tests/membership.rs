//! Membership changes on both databases. A user removed from a tenant gets none of its news: not
//! in the digest already planned (sent to a real SMTP server on loopback), not in the inbox, and
//! the news of the tenant they still belong to arrives as before. A token limited to one tenant
//! cannot change its user's watches or inbox in another (403, nothing changed), lists only its
//! tenant's items, and does all of that in its own tenant.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use blueprint_core::Services;
use blueprint_core::accounts::{Actor, Role, tokens, users};
use blueprint_core::channels::{Attempt, mail};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::jobs::ManualClock;
use blueprint_core::notify::{self, InboxQuery};
use blueprint_core::pipeline;
use blueprint_core::testing::{actor, test_databases};
use blueprint_types::notify::WatchRequest;
use http_body_util::BodyExt;
use support::smtp::{digest_items, smtp_server};
use support::{TestServer, send};
use tower::ServiceExt;

const BOTH: &str = "both@example.com";

fn line(event: &str) -> String {
    format!(
        r#"{{"event":"{event}","context":{{"app":{{"name":"Shop","version":"1.0"}},"os":{{"name":"iOS"}},"sessionId":"s1"}}}}"#
    )
}

/// Writes `event` into `tenant`'s events file of `hour` and ingests the hour.
async fn ingest(
    services: &Services,
    root: &std::path::Path,
    tenant: &str,
    hour: Hour,
    event: &str,
) {
    let dir = root.join(tenant).join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("part-0.jsonl"), line(event) + "\n").unwrap();
    pipeline::ingest_hour(services, tenant, hour, Trigger::Cli, None, 1)
        .await
        .unwrap();
}

fn tenant_watch(tenant: &str) -> WatchRequest {
    WatchRequest {
        tenant: tenant.into(),
        target: "tenant".into(),
        name: None,
        news: Some(vec!["event".into()]),
    }
}

/// The `[tenant] title` of each item of the user's inbox, sorted.
async fn inbox(services: &Services, who: &Actor) -> Vec<String> {
    let query = InboxQuery {
        limit: 100,
        ..InboxQuery::default()
    };
    let mut items: Vec<String> = notify::inbox_of(services, who, &query)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|item| format!("[{}] {}", item.tenant, item.title))
        .collect();
    items.sort();
    items
}

#[tokio::test]
async fn a_user_removed_from_a_tenant_is_mailed_none_of_its_queued_news() {
    let start: Hour = "2026-11-20T10".parse().unwrap();
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let clock = Arc::new(ManualClock::new(start.plus(2).start()));
        let local = db.services(&root);
        let services = Services::new(
            local.db.clone().with_clock(clock.clone()),
            local.events.clone(),
        );
        // The first hour of each tenant is its baseline: nobody is told.
        for tenant in ["acme", "shop"] {
            ingest(&services, &root, tenant, start, "open").await;
        }
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let both = actor(
            &services,
            BOTH,
            false,
            &[("acme", Role::Viewer), ("shop", Role::Viewer)],
        )
        .await;
        for tenant in ["acme", "shop"] {
            notify::watch_as(&services, &both, &tenant_watch(tenant))
                .await
                .unwrap();
        }
        mail::set_preference_as(&services, &both, "hourly", true)
            .await
            .unwrap();
        for tenant in ["acme", "shop"] {
            ingest(&services, &root, tenant, start.plus(1), "promo").await;
        }
        assert_eq!(
            inbox(&services, &both).await,
            ["[acme] New event: promo", "[shop] New event: promo"],
            "{label}"
        );

        // The hour's digest is planned with both items; then the user leaves shop.
        let planned = mail::plan(
            &services,
            start.plus(3).start() + chrono::Duration::minutes(1),
        )
        .await
        .unwrap();
        assert_eq!(planned.len(), 1, "{label}");
        let acme_only = BTreeMap::from([("acme".to_owned(), Role::Viewer)]);
        users::set_rights(&services, &admin, both.user_id, false, acme_only)
            .await
            .unwrap();
        let both = users::actor_for(&services, both.user_id)
            .await
            .unwrap()
            .unwrap();

        let (port, mails) = smtp_server().await;
        let mailer = mail::Mailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "Blueprint <blueprint@example.com>",
            "http://blueprint.test",
        )
        .unwrap();
        let sent = mail::send(&services, &mailer, planned[0], Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(sent, Attempt::Sent, "{label}");
        let received = mails.lock().unwrap().clone();
        assert_eq!(received.len(), 1, "{label}");
        assert_eq!(
            digest_items(&received[0].data),
            ["- [acme] New event: promo"],
            "{label}: {}",
            received[0].data
        );
        assert!(!received[0].data.contains("[shop]"), "{label}");
        assert_eq!(
            inbox(&services, &both).await,
            ["[acme] New event: promo"],
            "{label}"
        );

        // News of shop after the removal reaches nobody; acme's arrives in the next digest.
        ingest(&services, &root, "shop", start.plus(2), "late").await;
        ingest(&services, &root, "acme", start.plus(2), "later").await;
        assert_eq!(
            inbox(&services, &both).await,
            ["[acme] New event: later", "[acme] New event: promo"],
            "{label}"
        );
        let next = mail::plan(
            &services,
            start.plus(4).start() + chrono::Duration::minutes(1),
        )
        .await
        .unwrap();
        assert_eq!(next.len(), 1, "{label}");
        mail::send(&services, &mailer, next[0], Duration::from_secs(1))
            .await
            .unwrap();
        let received = mails.lock().unwrap().clone();
        assert_eq!(
            digest_items(&received[1].data),
            ["- [acme] New event: later"],
            "{label}"
        );
    }
}

/// A request with a bearer token; the status and the body.
async fn with_token(
    server: &TestServer,
    secret: &str,
    method: &str,
    path: &str,
    json: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {secret}"));
    if json.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = json.map_or_else(Body::empty, |text| Body::from(text.to_owned()));
    let response = server
        .router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The user's watches and inbox as they themselves see them (signed in, no token).
async fn state_of(server: &TestServer, cookie: &str) -> (String, String) {
    let watches = send(&server.router, "GET", "/api/v1/watches", Some(cookie), None).await;
    let inbox = send(&server.router, "GET", "/api/v1/inbox", Some(cookie), None).await;
    (watches.body, inbox.body)
}

fn ids_of(inbox: &str, tenant: &str) -> Vec<i64> {
    let inbox: serde_json::Value = serde_json::from_str(inbox).unwrap();
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["tenant"] == tenant)
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_token_limited_to_one_tenant_cannot_touch_the_watches_and_inbox_of_another() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let services = &server.state.services;
        let both = actor(
            services,
            BOTH,
            false,
            &[("acme", Role::Viewer), ("shop", Role::Owner)],
        )
        .await;
        let mut watch_ids = BTreeMap::new();
        for tenant in ["acme", "shop"] {
            let watch = notify::watch_as(services, &both, &tenant_watch(tenant))
                .await
                .unwrap();
            watch_ids.insert(tenant, watch.id);
        }
        let root = server.test_db.scratch_dir().join("events");
        for tenant in ["acme", "shop"] {
            ingest(
                services,
                &root,
                tenant,
                "2026-11-01T01".parse().unwrap(),
                "promo",
            )
            .await;
        }
        let (secret, _) = tokens::create_token(
            services,
            &both,
            tokens::NewToken {
                name: "shop only".into(),
                tenant: Some("shop".into()),
                role: Some(Role::Owner),
            },
        )
        .await
        .unwrap();
        let cookie = server.sign_in(BOTH).await;
        let before = state_of(&server, &cookie).await;
        let acme_items = ids_of(&before.1, "acme");
        let shop_items = ids_of(&before.1, "shop");
        assert_eq!(
            (acme_items.len(), shop_items.len()),
            (1, 1),
            "{label}: {}",
            before.1
        );

        // In acme: refused, and nothing changed.
        let acme_watch = r#"{"tenant":"acme","target":"event","name":"promo"}"#;
        let refused = [
            (
                "POST",
                "/api/v1/watches".to_owned(),
                Some(acme_watch.to_owned()),
            ),
            (
                "DELETE",
                format!("/api/v1/watches/{}", watch_ids["acme"]),
                None,
            ),
            (
                "POST",
                "/api/v1/inbox/read".to_owned(),
                Some(format!(r#"{{"ids":[{}]}}"#, acme_items[0])),
            ),
            (
                "POST",
                "/api/v1/inbox/read".to_owned(),
                Some(format!(
                    r#"{{"ids":[{},{}]}}"#,
                    shop_items[0], acme_items[0]
                )),
            ),
            ("GET", "/api/v1/inbox?tenant=acme".to_owned(), None),
        ];
        for (method, path, json) in &refused {
            let (status, body) = with_token(&server, &secret, method, path, json.as_deref()).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{label}: {method} {path}: {body}"
            );
        }
        assert_eq!(
            state_of(&server, &cookie).await,
            before,
            "{label}: nothing changed"
        );

        // Listing through the token shows shop's items only.
        let (_, watches) = with_token(&server, &secret, "GET", "/api/v1/watches", None).await;
        let watches: serde_json::Value = serde_json::from_str(&watches).unwrap();
        assert_eq!(watches.as_array().unwrap().len(), 1, "{label}: {watches}");
        assert_eq!(watches[0]["tenant"], "shop");
        let (_, listed) = with_token(&server, &secret, "GET", "/api/v1/inbox", None).await;
        assert_eq!(
            ids_of(&listed, "acme"),
            Vec::<i64>::new(),
            "{label}: {listed}"
        );
        assert_eq!(ids_of(&listed, "shop"), shop_items, "{label}");
        let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
        assert_eq!(
            listed["unread"], 1,
            "{label}: only shop's unread item counts"
        );

        // "Mark all read" through the token marks shop's only.
        let (status, answer) = with_token(
            &server,
            &secret,
            "POST",
            "/api/v1/inbox/read",
            Some(r#"{"all":true}"#),
        )
        .await;
        assert_eq!(
            (status, answer.as_str()),
            (StatusCode::OK, r#"{"unread":0}"#),
            "{label}"
        );
        let (_, mine) = state_of(&server, &cookie).await;
        let mine: serde_json::Value = serde_json::from_str(&mine).unwrap();
        let read: Vec<(String, bool)> = mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["tenant"].as_str().unwrap().to_owned(),
                    i["read"].as_bool().unwrap(),
                )
            })
            .collect();
        assert!(read.contains(&("acme".into(), false)), "{label}: {read:?}");
        assert!(read.contains(&("shop".into(), true)), "{label}: {read:?}");
        assert_eq!(mine["unread"], 1, "{label}");

        // In shop the same calls succeed.
        let shop_watch = r#"{"tenant":"shop","target":"event","name":"promo"}"#;
        let (status, body) = with_token(
            &server,
            &secret,
            "POST",
            "/api/v1/watches",
            Some(shop_watch),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {body}");
        let path = format!("/api/v1/watches/{}", watch_ids["shop"]);
        let (status, _) = with_token(&server, &secret, "DELETE", &path, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{label}");
        let read_shop = format!(r#"{{"ids":[{}]}}"#, shop_items[0]);
        let (status, _) = with_token(
            &server,
            &secret,
            "POST",
            "/api/v1/inbox/read",
            Some(&read_shop),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}");
        let (watches, _) = state_of(&server, &cookie).await;
        let watches: serde_json::Value = serde_json::from_str(&watches).unwrap();
        let kept: Vec<(String, String)> = watches
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["tenant"].as_str().unwrap().to_owned(),
                    w["target"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("acme".to_owned(), "tenant".to_owned()),
                ("shop".to_owned(), "event".to_owned())
            ],
            "{label}"
        );
    }
}
