//! A request that collides with what exists answers 409 with `{"error": …}` saying what collides,
//! on both databases, and changes nothing: a roll-out open against another baseline, a second
//! webhook to one address, a user whose email is taken (the users admin page posts it; the REST
//! API has no user routes), a backfill that has ended. Asking again for what already is so (the
//! same roll-out, the same baseline) is not a conflict. The OpenAPI document lists the 409s.

mod support;

use serde_json::Value;
use support::{ADMIN, OWNER, TestServer, send};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|err| panic!("{err}: {body}"))
}

/// The whole body of an error answer: its message and nothing else.
fn error_of(body: &str) -> String {
    let value = json(body);
    let object = value.as_object().expect("an object");
    assert_eq!(object.len(), 1, "{body}");
    object["error"].as_str().expect("a message").to_owned()
}

#[tokio::test]
async fn a_rollout_open_against_another_baseline_is_a_conflict_until_it_is_closed() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let id = server.with_rollout().await;
        let owner = server.sign_in(OWNER).await;
        let open = |baseline: &str| {
            let body = format!(
                r#"{{"application":"Shop","platform":"iOS","version":"2.0","baseline":"{baseline}"}}"#
            );
            let (router, cookie) = (server.router.clone(), owner.clone());
            async move {
                send(
                    &router,
                    "POST",
                    "/api/v1/tenants/shop/rollouts",
                    Some(&cookie),
                    Some(("application/json", body)),
                )
                .await
            }
        };
        let refused = open("3.0").await;
        assert_eq!(refused.status.as_u16(), 409, "{label}: {}", refused.body);
        assert_eq!(
            error_of(&refused.body),
            "the roll-out of Shop 2.0 (iOS) is already open against 1.0; close it to open it against 3.0"
        );
        let shown = send(
            &server.router,
            "GET",
            &format!("/api/v1/rollouts/{id}"),
            Some(&owner),
            None,
        )
        .await;
        let report = json(&shown.body);
        assert_eq!(
            (
                report["rollout"]["baseline"].as_str(),
                report["rollout"]["state"].as_str()
            ),
            (Some("1.0"), Some("open")),
            "{label}: nothing changed"
        );

        // The same baseline again finds the open roll-out: nothing collides.
        let again = open("1.0").await;
        assert_eq!(again.status.as_u16(), 201, "{label}: {}", again.body);
        assert_eq!(json(&again.body)["rollout"]["id"].as_i64(), Some(id));

        // Paused, it still compares with 1.0; closed, it opens again against 3.0.
        for (state, status) in [("paused", 409), ("closed", 201)] {
            let patched = send(
                &server.router,
                "PATCH",
                &format!("/api/v1/rollouts/{id}"),
                Some(&owner),
                Some(("application/json", format!(r#"{{"state":"{state}"}}"#))),
            )
            .await;
            assert_eq!(patched.status.as_u16(), 200, "{label}: {}", patched.body);
            let answer = open("3.0").await;
            assert_eq!(
                answer.status.as_u16(),
                status,
                "{label} {state}: {}",
                answer.body
            );
            if status == 409 {
                assert!(
                    error_of(&answer.body).contains("is already paused against 1.0"),
                    "{}",
                    answer.body
                );
            }
        }
        let shown = send(
            &server.router,
            "GET",
            &format!("/api/v1/rollouts/{id}"),
            Some(&owner),
            None,
        )
        .await;
        let report = json(&shown.body);
        assert_eq!(
            (
                report["rollout"]["baseline"].as_str(),
                report["rollout"]["state"].as_str()
            ),
            (Some("3.0"), Some("open")),
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_second_webhook_to_one_address_is_a_conflict_and_is_not_stored() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let owner = server.sign_in(OWNER).await;
        let add = |url: &'static str| {
            let (router, cookie) = (server.router.clone(), owner.clone());
            async move {
                send(
                    &router,
                    "POST",
                    "/api/v1/tenants/shop/webhooks",
                    Some(&cookie),
                    Some(("application/json", format!(r#"{{"url":"{url}"}}"#))),
                )
                .await
            }
        };
        let first = add("http://192.0.2.10:9/services/T0/B0/secret").await;
        assert_eq!(first.status.as_u16(), 201, "{label}: {}", first.body);
        let second = add("http://192.0.2.10:9/services/T0/B0/secret").await;
        assert_eq!(second.status.as_u16(), 409, "{label}: {}", second.body);
        let message = error_of(&second.body);
        assert_eq!(
            message,
            "shop already has a webhook to http://192.0.2.10:9/serv…; remove it first to change what it receives"
        );
        assert!(
            !message.contains("secret"),
            "the address's secret part is left out"
        );
        let other = add("http://192.0.2.10:9/services/T0/B0/other").await;
        assert_eq!(other.status.as_u16(), 201, "{label}: {}", other.body);
        let listed = send(
            &server.router,
            "GET",
            "/api/v1/tenants/shop/webhooks",
            Some(&owner),
            None,
        )
        .await;
        assert_eq!(
            json(&listed.body).as_array().map(Vec::len),
            Some(2),
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_taken_email_answers_409_and_keeps_the_user_as_they_were() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let admin = server.sign_in(ADMIN).await;
        let create = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_owned())
            .find(|path| {
                path.strip_prefix("/api/create_user")
                    .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
            })
            .unwrap();
        let body = "email=OWNER%40example.com&role=admin&tenants=&password=a+different+password";
        let answer = send(
            &server.router,
            "POST",
            &create,
            Some(&admin),
            Some(("application/x-www-form-urlencoded", body.into())),
        )
        .await;
        assert_eq!(answer.status.as_u16(), 409, "{label}: {}", answer.body);
        assert!(
            answer
                .body
                .contains("a user with the email owner@example.com already exists"),
            "{}",
            answer.body
        );
        // Still an owner of shop, not an admin, with the password they had.
        let services = &server.state.services;
        let by = blueprint_core::testing::actor(services, "lister@example.com", true, &[]).await;
        let users = blueprint_core::accounts::users::list_users(services, &by)
            .await
            .unwrap();
        let owner = users.iter().find(|u| u.email == OWNER).unwrap();
        assert!(!owner.admin, "{label}");
        assert_eq!(owner.tenants.get("shop").map(|r| r.as_str()), Some("owner"));
        server.sign_in(OWNER).await;
    }
}

#[test]
fn the_openapi_document_lists_the_conflicts() {
    let document = serde_json::to_value(blueprint_server::web::api::document()).unwrap();
    for (path, method) in [
        ("/api/v1/tenants/{tenant}/rollouts", "post"),
        ("/api/v1/tenants/{tenant}/webhooks", "post"),
        ("/api/v1/backfills/{id}/cancel", "post"),
    ] {
        let answer = &document["paths"][path][method]["responses"]["409"];
        assert!(
            answer["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .is_some_and(|r| r.ends_with("/ErrorBody")),
            "{method} {path}: {answer}"
        );
    }
}
