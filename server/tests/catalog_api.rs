//! The catalog's REST routes on both databases: bad input answers 400 with a message in the
//! caller's terms and changes nothing; a good edit is saved, audited and read back; the counts
//! filter and the JSON Schema answer with the ledger's data.

mod support;

use axum::http::StatusCode;
use serde_json::Value;
use support::{ADMIN, OWNER, TestServer, send};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|err| panic!("{err}: {body}"))
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let owner = server.sign_in(OWNER).await;
        let get = |path: &'static str| send(&server.router, "GET", path, Some(&owner), None);
        for (path, message) in [
            (
                "/api/v1/tenants/shop/events?sort=size",
                "sort `size` is not name, volume, first_seen or last_seen",
            ),
            (
                "/api/v1/tenants/shop/events?from=yesterday",
                "`from` must be a day like 2026-11-20, not `yesterday`",
            ),
            (
                "/api/v1/tenants/shop/overview?days=0",
                "`days` must be a whole number from 1 to 400, not `0`",
            ),
            (
                "/api/v1/tenants/shop/events/open?split=screen",
                "split `screen` is not version or platform",
            ),
            (
                "/api/v1/tenants/shop/matrix?by=event",
                "`by` must be version or screen, not `event`",
            ),
        ] {
            let answer = get(path).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path} on {label}");
            assert_eq!(json(&answer.body)["error"], message, "{path}");
        }

        let patch = |body: &'static str| {
            send(
                &server.router,
                "PATCH",
                "/api/v1/tenants/shop/events/open",
                Some(&owner),
                Some(("application/json", body.to_owned())),
            )
        };
        for (body, message) in [
            (
                r#"{"status":"retired"}"#,
                "status `retired` is not active, deprecated or obsolete",
            ),
            (
                r#"{"owner":"nobody@example.com"}"#,
                "nobody@example.com is not a member of shop",
            ),
            (
                r#"{"description":"ok","tags":["no spaces please"]}"#,
                "tag `no spaces please` is not valid",
            ),
            (
                r#"{"description":"#,
                "Failed to parse the request body as JSON",
            ),
        ] {
            let answer = patch(body).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body} on {label}");
            let error = json(&answer.body)["error"].as_str().unwrap().to_owned();
            assert!(error.contains(message), "{body}: {error}");
        }
        let event = json(&get("/api/v1/tenants/shop/events/open").await.body);
        assert_eq!(
            event["curation"]["description"],
            Value::Null,
            "{label}: nothing changed"
        );
        assert_eq!(event["curation"]["status"], "active");

        let saved = patch(r#"{"description":"The app opened","owner":"Owner@Example.com","status":"deprecated","tags":["Core"]}"#).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let event = json(&get("/api/v1/tenants/shop/events/open").await.body);
        assert_eq!(event["curation"]["description"], "The app opened");
        assert_eq!(event["curation"]["owner"], "owner@example.com");
        assert_eq!(event["curation"]["tags"], serde_json::json!(["core"]));
        assert_eq!(event["can_edit"], true);
        let admin = blueprint_core::accounts::users::actor_for(&server.state.services, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(admin.email, ADMIN);
        let audit = blueprint_core::accounts::audit::list_audit(
            &server.state.services,
            &admin,
            &blueprint_core::accounts::audit::AuditQuery {
                action: Some("event.update".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(audit.len(), 1, "{label}");
        assert_eq!(audit[0].target, "shop/open");

        // The list finds it by tag and status; the counts filter narrows to one event.
        let list = json(
            &get("/api/v1/tenants/shop/events?tag=core&status=deprecated")
                .await
                .body,
        );
        assert_eq!(list["total"], 1, "{label}");
        let counts = json(
            &get("/api/v1/tenants/shop/counts?from=2026-11-01T00&to=2026-11-01T01&event=open")
                .await
                .body,
        );
        assert_eq!(counts.as_array().unwrap().len(), 1);
        assert_eq!(counts[0]["events"], 1);
        let none = json(
            &get("/api/v1/tenants/shop/counts?from=2026-11-01T00&to=2026-11-01T01&event=close")
                .await
                .body,
        );
        assert_eq!(none, serde_json::json!([]));

        let schema = json(&get("/api/v1/tenants/shop/events/open/schema").await.body);
        assert_eq!(schema["title"], "open");
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["description"], "The app opened");
        let plan = json(&get("/api/v1/tenants/shop/catalog").await.body);
        assert_eq!(plan["events"][0]["name"], "open");
        assert_eq!(plan["events"][0]["status"], "deprecated");

        let openapi = json(&get("/api/v1/openapi.json").await.body);
        assert!(openapi["paths"]["/api/v1/tenants/{tenant}/events/{event}"]["patch"].is_object());
    }
}
