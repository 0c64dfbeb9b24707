//! The jobs' REST routes on both databases: a re-ingestion is queued (202) and followed; bad
//! requests answer 400 with their reason and queue nothing; a finished backfill cannot be
//! cancelled (409); the hour timeline, one hour, a retry and the job monitor answer with the
//! ledger's state.

mod support;

use serde_json::Value;
use support::{ADMIN, TestServer, send};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|err| panic!("{err}: {body}"))
}

#[tokio::test]
async fn backfills_are_queued_followed_and_cancelled_and_bad_requests_change_nothing() {
    for server in TestServer::with_users().await {
        let admin = server.sign_in(ADMIN).await;
        let post = |body: &'static str| {
            let (router, cookie) = (server.router.clone(), admin.clone());
            async move {
                send(
                    &router,
                    "POST",
                    "/api/v1/tenants/shop/backfills",
                    Some(&cookie),
                    Some(("application/json", body.to_owned())),
                )
                .await
            }
        };
        let cases = [
            (r#"{"from":"2026-11-01T00""#, "EOF"),
            (r#"{"from":"2026-11-01T00"}"#, "missing field `to`"),
            (
                r#"{"from":"2026-11-1","to":"2026-11-01T02"}"#,
                "from: `2026-11-1` is not an hour",
            ),
            (
                r#"{"from":"2026-11-01T02","to":"2026-11-01T02"}"#,
                "is empty",
            ),
            (
                r#"{"from":"2026-11-01T00","to":"2099-01-01T00"}"#,
                "in the future",
            ),
            (
                r#"{"from":"2026-09-01T00","to":"2026-09-01T01"}"#,
                "older than the hourly detail",
            ),
        ];
        for (body, reason) in cases {
            let answer = post(body).await;
            assert_eq!(
                answer.status.as_u16(),
                400,
                "{body} on {}: {}",
                server.label,
                answer.body
            );
            assert!(answer.body.contains(reason), "{reason} in {}", answer.body);
        }
        let list = send(
            &server.router,
            "GET",
            "/api/v1/tenants/shop/backfills",
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(
            json(&list.body),
            serde_json::json!([]),
            "nothing was queued"
        );

        let queued = post(r#"{"from":"2026-11-01T00","to":"2026-11-01T02"}"#).await;
        assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
        let queued = json(&queued.body);
        assert_eq!(queued["status"], "queued");
        assert_eq!(queued["hours_total"], 2);
        assert_eq!(queued["tenant"], "shop");
        assert_eq!(queued["from"], "2026-11-01T00:00:00Z");
        let id = queued["id"].as_i64().unwrap();
        let path = format!("/api/v1/backfills/{id}");
        let got = json(
            &send(&server.router, "GET", &path, Some(&admin), None)
                .await
                .body,
        );
        assert_eq!(
            (got["id"].as_i64(), got["status"].as_str()),
            (Some(id), Some("queued"))
        );
        assert_eq!(got["hours_queued"], 2);
        let cancel = format!("{path}/cancel");
        let cancelled = send(&server.router, "POST", &cancel, Some(&admin), None).await;
        assert_eq!(cancelled.status.as_u16(), 200, "{}", cancelled.body);
        assert_eq!(json(&cancelled.body)["status"], "cancelled");
        let again = send(&server.router, "POST", &cancel, Some(&admin), None).await;
        assert_eq!(again.status.as_u16(), 409, "{}", again.body);
        assert!(again.body.contains("already cancelled"), "{}", again.body);
        for missing in ["/api/v1/backfills/999", "/api/v1/backfills/abc"] {
            let answer = send(&server.router, "GET", missing, Some(&admin), None).await;
            assert_eq!(answer.status.as_u16(), 404, "{missing}");
        }
    }
}

#[tokio::test]
async fn hours_their_detail_a_retry_and_the_monitor_show_the_ledger() {
    for server in TestServer::with_users().await {
        let admin = server.sign_in(ADMIN).await;
        let get = |path: String| {
            let (router, cookie) = (server.router.clone(), admin.clone());
            async move { send(&router, "GET", &path, Some(&cookie), None).await }
        };
        let hours =
            get("/api/v1/tenants/shop/hours?from=2026-11-01T00&to=2026-11-01T03".into()).await;
        assert_eq!(hours.status.as_u16(), 200, "{}", hours.body);
        let states: Vec<String> = json(&hours.body)
            .as_array()
            .unwrap()
            .iter()
            .map(|cell| cell["state"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            states,
            ["ingested", "missing", "missing"],
            "{}",
            server.label
        );
        let bad =
            get("/api/v1/tenants/shop/hours?from=2026-11-01T03&to=2026-11-01T00".into()).await;
        assert_eq!(bad.status.as_u16(), 400, "{}", bad.body);
        let detail = json(
            &get("/api/v1/tenants/shop/hours/2026-11-01T00".into())
                .await
                .body,
        );
        assert_eq!(detail["cell"]["state"], "ingested");
        assert_eq!(detail["cell"]["events"], 1);
        assert_eq!(detail["runs"].as_array().unwrap().len(), 1);
        let retry = send(
            &server.router,
            "POST",
            "/api/v1/tenants/shop/hours/2026-11-01T00/retry",
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(retry.status.as_u16(), 202, "{}", retry.body);
        let after = json(
            &get("/api/v1/tenants/shop/hours?from=2026-11-01T00&to=2026-11-01T01".into())
                .await
                .body,
        );
        assert_eq!(after[0]["state"], "queued", "the hour waits for a worker");
        let monitor = json(&get("/api/v1/jobs".into()).await.body);
        assert_eq!(monitor["hours_queued"], 1);
        let tenants: Vec<&str> = monitor["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["tenant"].as_str().unwrap())
            .collect();
        assert_eq!(tenants, ["acme", "shop"]);
        assert_eq!(monitor["tenants"][1]["hours"].as_array().unwrap().len(), 48);
    }
}

#[tokio::test]
async fn an_hour_whose_end_and_delay_have_not_passed_is_not_due_rather_than_missing() {
    use std::sync::Arc;

    use blueprint_core::jobs::{Clock, ManualClock};
    for server in TestServer::with_users().await {
        let at = |text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        // 02:05: hour 01 ended five minutes ago, inside the schedule's ten-minute delay.
        let clock = Arc::new(ManualClock::new(at("2026-11-01T02:05:00Z")));
        let server = server.rebuilt(|state| {
            state.services.db = state
                .services
                .db
                .clone()
                .with_clock(clock.clone() as Arc<dyn Clock>);
        });
        assert_eq!(server.state.jobs.schedule_delay.as_secs(), 600);
        let admin = server.sign_in(ADMIN).await;
        let states = |path: &'static str| {
            let (router, cookie) = (server.router.clone(), admin.clone());
            async move {
                let answer = send(&router, "GET", path, Some(&cookie), None).await;
                assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);
                json(&answer.body)
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|cell| cell["state"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        let range = "/api/v1/tenants/shop/hours?from=2026-11-01T00&to=2026-11-01T03";
        assert_eq!(
            states(range).await,
            ["ingested", "not_due", "not_due"],
            "{}",
            server.label
        );
        // The default range ends with the current hour, which is never due yet.
        let recent = states("/api/v1/tenants/shop/hours").await;
        assert_eq!(recent.last().map(String::as_str), Some("not_due"));
        assert_eq!(recent.len(), 48);
        // 02:15: hour 01 is due and nothing wrote it, so it is missing; hour 02 is not due.
        clock.set(at("2026-11-01T02:15:00Z"));
        assert_eq!(
            states(range).await,
            ["ingested", "missing", "not_due"],
            "{}",
            server.label
        );
    }
}
