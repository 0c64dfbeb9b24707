//! Incidents over REST on every test database: the list in the exact shape the command line
//! prints (null for a dimension the series do not share) with its range and filters; one
//! incident with its series; acknowledging, snoozing, resolving and reopening by an owner
//! (audited), refused to a viewer (403), hidden from another tenant's member (404), and a bad
//! snooze time or unknown state answering 400 with nothing changed; muting a series.

mod support;

use axum::http::StatusCode;
use blueprint_core::entities::audit_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::incidents::{seed_shop, shop_incidents_json};
use support::{OWNER, STRANGER, TestServer, VIEWER, send};

const JSON: &str = "application/json";

async fn get_json(server: &TestServer, path: &str, cookie: &str) -> (StatusCode, Value) {
    let answer = send(&server.router, "GET", path, Some(cookie), None).await;
    let body = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    (answer.status, body)
}

async fn patch(server: &TestServer, id: i64, cookie: &str, body: Value) -> (StatusCode, Value) {
    let answer = send(
        &server.router,
        "PATCH",
        &format!("/api/v1/incidents/{id}"),
        Some(cookie),
        Some((JSON, body.to_string())),
    )
    .await;
    let body = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    (answer.status, body)
}

#[tokio::test]
async fn the_list_has_the_exact_shape_its_range_and_its_filters() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let (release, overall, _) = seed_shop(&server.state.services).await;
        let viewer = server.sign_in(VIEWER).await;
        let base = "/api/v1/tenants/shop/incidents";
        let (status, list) = get_json(
            &server,
            &format!("{base}?from=2026-10-30T00&to=2026-11-02T00"),
            &viewer,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {list}");
        assert_eq!(list, shop_incidents_json(release, overall), "{label}");
        let ids = |list: &Value| -> Vec<i64> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap())
                .collect()
        };
        // The default range is the week up to the latest hour (2026-11-01T00): both, and not
        // acme's.
        let (_, all) = get_json(&server, base, &viewer).await;
        assert_eq!(ids(&all), vec![release, overall], "{label}");
        for (query, expected) in [
            ("from=2026-11-01T03&to=2026-11-02T00", vec![]),
            (
                "from=2026-10-30T11&to=2026-11-01T01",
                vec![release, overall],
            ),
            ("from=2026-10-30&to=2026-10-31", vec![overall]),
            ("kind=drop", vec![release]),
            ("event=tap", vec![release]),
            ("event=open&kind=spike", vec![overall]),
            ("state=acknowledged", vec![]),
        ] {
            let (status, list) = get_json(&server, &format!("{base}?{query}"), &viewer).await;
            assert_eq!(status, StatusCode::OK, "{query} on {label}: {list}");
            assert_eq!(ids(&list), expected, "{query} on {label}");
        }
        for query in [
            "state=sleeping",
            "kind=dip",
            "from=2026-11-01T25",
            "from=2026-11-02T00&to=2026-11-01T00",
            "from=2024-01-01T00&to=2026-11-01T00",
        ] {
            let (status, body) = get_json(&server, &format!("{base}?{query}"), &viewer).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{query} on {label}: {body}"
            );
            assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
        let stranger = server.sign_in(STRANGER).await;
        let (status, _) = get_json(&server, base, &stranger).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let (status, _) = get_json(&server, "/api/v1/tenants/nowhere/incidents", &viewer).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");

        // One incident: its detail and each series with its anomalous hours.
        let (status, report) =
            get_json(&server, &format!("/api/v1/incidents/{release}"), &viewer).await;
        assert_eq!(status, StatusCode::OK, "{label}: {report}");
        assert_eq!(report["id"], release);
        assert_eq!(report["tenant"], "shop");
        assert_eq!(report["can_act"], false);
        assert_eq!(report["series"], list[0]["series"]);
        let charts = report["charts"].as_array().unwrap();
        assert_eq!(charts.len(), 2);
        assert_eq!(charts[0]["event"], "open");
        assert_eq!(charts[0]["muted"], false);
        // The band from a day before it up to the tenant's latest hour (or its end), its own
        // hours marked anomalous with their figures.
        let points = charts[0]["points"].as_array().unwrap();
        assert_eq!(points.len(), 27, "{label}");
        assert_eq!(points[0]["hour"], "2026-10-31T00:00:00Z");
        assert_eq!(points[26]["hour"], "2026-11-01T02:00:00Z");
        let anomalous: Vec<&Value> = points.iter().filter(|p| p["anomalous"] == true).collect();
        let hours: Vec<&str> = anomalous
            .iter()
            .map(|p| p["hour"].as_str().unwrap())
            .collect();
        assert_eq!(
            hours,
            [
                "2026-11-01T00:00:00Z",
                "2026-11-01T01:00:00Z",
                "2026-11-01T02:00:00Z"
            ],
            "{label}"
        );
        assert_eq!(anomalous[1]["observed"], 7, "{label}");
        assert_eq!(anomalous[1]["expected"], 24.0, "{label}");
        let (status, _) =
            get_json(&server, &format!("/api/v1/incidents/{release}"), &stranger).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let (status, _) = get_json(&server, "/api/v1/incidents/nope", &viewer).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
    }
}

#[tokio::test]
async fn owners_act_on_incidents_viewers_may_not_and_mistakes_change_nothing() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let (release, _, foreign) = seed_shop(&server.state.services).await;
        let owner = server.sign_in(OWNER).await;
        let viewer = server.sign_in(VIEWER).await;
        let stranger = server.sign_in(STRANGER).await;
        let state_of = |body: &Value| body["state"].as_str().unwrap_or_default().to_owned();
        let report = |cookie: String| {
            let server = &server;
            async move {
                get_json(server, &format!("/api/v1/incidents/{release}"), &cookie)
                    .await
                    .1
            }
        };

        let (status, body) = patch(
            &server,
            release,
            &owner,
            json!({"state": "acknowledged", "comment": "Known: the 2.0 login change"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(state_of(&body), "acknowledged");
        assert_eq!(body["comment"], "Known: the 2.0 login change");
        assert_eq!(body["acted_by"], OWNER);
        assert_eq!(body["can_act"], true);
        let audited = audit_entry::Entity::find()
            .filter(audit_entry::Column::Action.eq("incident.change"))
            .all(server.state.services.db.conn())
            .await
            .unwrap();
        assert_eq!(audited.len(), 1, "{label}");
        assert_eq!(audited[0].target, format!("incident {release}"));
        assert!(
            audited[0]
                .after
                .as_deref()
                .unwrap()
                .contains("acknowledged")
        );

        // A viewer is refused, another tenant's member does not see it; nothing changes.
        let ack = json!({"state": "resolved"});
        let (status, _) = patch(&server, release, &viewer, ack.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}");
        let (status, _) = patch(&server, release, &stranger, ack.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let (status, _) = patch(&server, foreign, &owner, ack.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let (status, _) = patch(&server, 99_999, &owner, ack).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        // Mistakes: 400, and nothing changed.
        for body in [
            json!({"snooze_until": "tomorrow"}),
            json!({"snooze_until": "2020-01-01T00"}),
            json!({"state": "sleeping"}),
            json!({"state": "snoozed"}),
            json!({}),
        ] {
            let (status, answer) = patch(&server, release, &owner, body.clone()).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{body} on {label}: {answer}"
            );
            assert!(answer["error"].as_str().is_some(), "{answer}");
        }
        let now = report(viewer.clone()).await;
        assert_eq!(state_of(&now), "acknowledged", "{label}");
        assert_eq!(now["comment"], "Known: the 2.0 login change");

        let (status, body) = patch(
            &server,
            release,
            &owner,
            json!({"snooze_until": "2099-01-01T09"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(state_of(&body), "snoozed");
        assert_eq!(body["snoozed_until"], "2099-01-01T09:00:00Z");
        let (_, body) = patch(&server, release, &owner, json!({"state": "resolved"})).await;
        assert_eq!(state_of(&body), "resolved", "{label}");
        assert_eq!(body["snoozed_until"], Value::Null);
        let (_, body) = patch(&server, release, &owner, json!({"state": "open"})).await;
        assert_eq!(state_of(&body), "open", "{label}");
        let (_, open) = get_json(
            &server,
            "/api/v1/tenants/shop/incidents?state=open&kind=drop",
            &viewer,
        )
        .await;
        assert_eq!(open.as_array().unwrap().len(), 1, "{label}");

        // Muting a series: owners only, a half-named release is refused.
        let series =
            json!({"event": "tap", "application": "Shop", "version": "2.0", "platform": "iOS"});
        let mutes = "/api/v1/tenants/shop/mutes";
        let put = |cookie: String, body: Value, method: &'static str| {
            let router = server.router.clone();
            async move {
                send(
                    &router,
                    method,
                    mutes,
                    Some(&cookie),
                    Some((JSON, body.to_string())),
                )
                .await
                .status
            }
        };
        assert_eq!(
            put(viewer.clone(), series.clone(), "PUT").await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            put(stranger.clone(), series.clone(), "PUT").await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            put(
                owner.clone(),
                json!({"event": "tap", "version": "2.0"}),
                "PUT"
            )
            .await,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            put(owner.clone(), series.clone(), "PUT").await,
            StatusCode::NO_CONTENT
        );
        let muted = report(viewer.clone()).await;
        let flags: Vec<bool> = muted["charts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["muted"].as_bool().unwrap())
            .collect();
        assert_eq!(flags, [false, true], "{label}");
        assert_eq!(
            put(owner.clone(), series, "DELETE").await,
            StatusCode::NO_CONTENT
        );
        let unmuted = report(viewer.clone()).await;
        assert_eq!(unmuted["charts"][1]["muted"], false, "{label}");
    }
}

#[tokio::test]
async fn bearer_tokens_keep_to_their_tenant_and_role() {
    use blueprint_core::accounts::tokens::{NewToken, create_token};
    use blueprint_core::accounts::users::actor_for;
    for server in TestServer::with_users().await {
        let label = server.label;
        let services = &server.state.services;
        let (release, _, foreign) = seed_shop(services).await;
        let admin = actor_for(services, 1).await.unwrap().unwrap();
        let owner = actor_for(services, 2).await.unwrap().unwrap();
        assert_eq!(
            (admin.email.as_str(), owner.email.as_str()),
            (support::ADMIN, OWNER)
        );
        let token = |actor, tenant: &str, role| {
            let new = NewToken {
                name: format!("{tenant} token"),
                tenant: Some(tenant.to_owned()),
                role,
            };
            async move { create_token(services, actor, new).await.unwrap().0 }
        };
        let read_only = token(&owner, "shop", Some(blueprint_core::accounts::Role::Viewer)).await;
        let acme_only = token(&admin, "acme", None).await;
        let call = |method: &str, path: String, secret: &str, body: Option<Value>| {
            let mut request = axum::http::Request::builder()
                .method(method)
                .uri(path)
                .header("authorization", format!("Bearer {secret}"));
            if body.is_some() {
                request = request.header("content-type", JSON);
            }
            let request = request
                .body(axum::body::Body::from(
                    body.map(|b| b.to_string()).unwrap_or_default(),
                ))
                .unwrap();
            let router = server.router.clone();
            async move { support::answer(&router, request).await.status }
        };
        let list = "/api/v1/tenants/shop/incidents".to_owned();
        let resolve = Some(json!({"state": "resolved"}));
        let one = format!("/api/v1/incidents/{release}");
        assert_eq!(
            call("GET", list.clone(), &read_only, None).await,
            StatusCode::OK,
            "{label}"
        );
        assert_eq!(
            call("PATCH", one.clone(), &read_only, resolve.clone()).await,
            StatusCode::FORBIDDEN,
            "{label}: a viewer token may not act"
        );
        assert_eq!(
            call("GET", list, &acme_only, None).await,
            StatusCode::NOT_FOUND,
            "{label}"
        );
        assert_eq!(
            call("PATCH", one, &acme_only, resolve.clone()).await,
            StatusCode::NOT_FOUND,
            "{label}: an admin's token for acme does not reach shop"
        );
        assert_eq!(
            call(
                "PATCH",
                format!("/api/v1/incidents/{foreign}"),
                &acme_only,
                resolve
            )
            .await,
            StatusCode::OK,
            "{label}"
        );
    }
}
