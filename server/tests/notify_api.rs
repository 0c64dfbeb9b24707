//! Watches and the inbox over REST, on both databases: a watch is created (201), listed and
//! removed; bad watches answer 400 (or 404 for a tenant the caller cannot see) and store nothing;
//! the inbox answers its filters and marks read; bad filters answer 400.

mod support;

use serde_json::Value;
use support::{STRANGER, TestServer, VIEWER, send};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|err| panic!("{err}: {body}"))
}

#[tokio::test]
async fn watches_and_the_inbox_answer_as_documented() {
    for server in TestServer::with_users().await {
        let viewer = server.sign_in(VIEWER).await;
        let stranger = server.sign_in(STRANGER).await;
        let post = |cookie: String, path: &'static str, body: &'static str| {
            let router = server.router.clone();
            async move {
                send(
                    &router,
                    "POST",
                    path,
                    Some(&cookie),
                    Some(("application/json", body.to_owned())),
                )
                .await
            }
        };
        let bad = [
            (r#"{"tenant":"shop","target":"event""#, 400, "EOF"),
            (
                r#"{"tenant":"shop","target":"user","name":"x"}"#,
                400,
                "not one of",
            ),
            (
                r#"{"tenant":"shop","target":"event","name":"nope"}"#,
                400,
                "no event named",
            ),
            (
                r#"{"tenant":"shop","target":"event","name":"open","news":["gossip"]}"#,
                400,
                "not a kind of news",
            ),
            (r#"{"tenant":"acme","target":"tenant"}"#, 404, "not found"),
        ];
        for (body, status, reason) in bad {
            let answer = post(viewer.clone(), "/api/v1/watches", body).await;
            assert_eq!(
                answer.status.as_u16(),
                status,
                "{body} on {}: {}",
                server.label,
                answer.body
            );
            assert!(answer.body.contains(reason), "{reason} in {}", answer.body);
        }
        let listed = send(
            &server.router,
            "GET",
            "/api/v1/watches",
            Some(&viewer),
            None,
        )
        .await;
        assert_eq!(
            json(&listed.body),
            serde_json::json!([]),
            "nothing was stored"
        );

        let created = post(
            viewer.clone(),
            "/api/v1/watches",
            r#"{"tenant":"shop","target":"event","name":"open","news":["key","key_type"]}"#,
        )
        .await;
        assert_eq!(created.status.as_u16(), 201, "{}", created.body);
        let watch = json(&created.body);
        assert_eq!(watch["news"], serde_json::json!(["key", "key_type"]));
        let id = watch["id"].as_i64().unwrap();
        let listed = json(
            &send(
                &server.router,
                "GET",
                "/api/v1/watches",
                Some(&viewer),
                None,
            )
            .await
            .body,
        );
        assert_eq!(listed.as_array().unwrap().len(), 1);
        let path = format!("/api/v1/watches/{id}");
        let foreign = send(&server.router, "DELETE", &path, Some(&stranger), None).await;
        assert_eq!(foreign.status.as_u16(), 404, "someone else's watch");
        let removed = send(&server.router, "DELETE", &path, Some(&viewer), None).await;
        assert_eq!(removed.status.as_u16(), 204);

        let inbox = json(
            &send(
                &server.router,
                "GET",
                "/api/v1/inbox?unread=true&kind=event",
                Some(&viewer),
                None,
            )
            .await
            .body,
        );
        assert_eq!(
            (
                inbox["unread"].as_i64(),
                inbox["items"].as_array().map(Vec::len)
            ),
            (Some(0), Some(0))
        );
        for (query, reason) in [
            ("unread=maybe", "not true or false"),
            ("limit=0", "from 1 to 500"),
            ("kind=gossip", "not a kind of news"),
        ] {
            let answer = send(
                &server.router,
                "GET",
                &format!("/api/v1/inbox?{query}"),
                Some(&viewer),
                None,
            )
            .await;
            assert_eq!(answer.status.as_u16(), 400, "{query}: {}", answer.body);
            assert!(answer.body.contains(reason), "{}", answer.body);
        }
        let hidden = send(
            &server.router,
            "GET",
            "/api/v1/inbox?tenant=shop",
            Some(&stranger),
            None,
        )
        .await;
        assert_eq!(hidden.status.as_u16(), 404);
        let read = post(
            viewer.clone(),
            "/api/v1/inbox/read",
            r#"{"ids":[1],"all":true}"#,
        )
        .await;
        assert_eq!(read.status.as_u16(), 400, "{}", read.body);
        let read = post(viewer.clone(), "/api/v1/inbox/read", r#"{"all":true}"#).await;
        assert_eq!(json(&read.body)["unread"], 0);
    }
}
