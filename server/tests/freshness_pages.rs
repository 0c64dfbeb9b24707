//! The pages say when a tenant's data stopped: hours ingested without files after its latest hour
//! with data are a gap, "no data since …" on the overview and the ingestion page, drawn on the
//! activity chart as a band labelled "no data".

mod support;

use axum::http::StatusCode;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use support::{ADMIN, TestServer, VIEWER, get_as};

#[tokio::test]
async fn the_overview_and_the_ingestion_page_say_no_data_since() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let services = &server.state.services;
        // `shop` has data in 2026-11-01T00; the next three hours came without files.
        let first: Hour = "2026-11-01T01".parse().unwrap();
        for hour in first.until(first.plus(3)) {
            blueprint_core::pipeline::ingest_hour(
                services,
                "shop",
                hour,
                Trigger::Schedule,
                None,
                1,
            )
            .await
            .unwrap();
        }
        let viewer = server.sign_in(VIEWER).await;
        let (status, body) = get_as(&server.router, "/t/shop", &viewer).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(
            body.contains("No data since 2026-11-01T01:00:00Z (3 hours"),
            "{label}: {body}"
        );
        assert!(body.contains("data-testid=\"no-data\""), "{label}: {body}");
        assert!(body.contains(">no data</text>"), "{label}: {body}");
        let latest = body.split("Latest hour").nth(1).unwrap_or_default();
        assert!(
            latest
                .get(..60)
                .unwrap_or(latest)
                .contains("2026-11-01T00:00:00Z"),
            "{label}: the latest hour is the one with data: {latest:.200}"
        );

        // The event page's hourly chart draws the gap as a band too.
        let (status, body) = get_as(&server.router, "/t/shop/events/open", &viewer).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(body.contains("data-testid=\"no-data\""), "{label}: {body}");

        let admin = server.sign_in(ADMIN).await;
        let (status, body) = get_as(&server.router, "/admin/ingestion", &admin).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(
            body.contains("no data since 2026-11-01T01:00:00Z"),
            "{label}: {body}"
        );
        // `acme` has its data and no gap.
        let (_, body) = get_as(&server.router, "/t/acme", &admin).await;
        assert!(!body.contains("No data since"), "{label}");
        assert!(!body.contains("data-testid=\"no-data\""), "{label}");
    }
}
