//! Retention: every day is rolled up (events and key counts exact, sessions as merged sketches),
//! hours older than the tenant's window lose their hourly detail, first/last seen older than the
//! window stay as recorded, and re-ingesting such an hour is refused with a clear message.

use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, IngestionError, Trigger};
use blueprint_core::ledger::{catalog, counts};
use blueprint_core::pipeline;
use blueprint_core::testing::test_databases;
use blueprint_core::{Services, tenants};
use sea_orm::{FromQueryResult, Statement};

#[derive(FromQueryResult)]
struct Total {
    total: i64,
}

async fn sum(services: &Services, sql: &str) -> i64 {
    let conn = services.db.conn();
    Total::find_by_statement(Statement::from_string(
        conn.get_database_backend(),
        sql.to_owned(),
    ))
    .one(conn)
    .await
    .unwrap()
    .map_or(0, |t| t.total)
}

#[tokio::test]
async fn old_days_roll_up_and_stay_as_recorded() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let hours = [
            "2026-11-18T10",
            "2026-11-18T11",
            "2026-11-20T09",
            "2026-11-21T12",
        ];
        for (i, hour) in hours.iter().enumerate() {
            let dir = root
                .join("shop")
                .join(hour.parse::<Hour>().unwrap().folder());
            std::fs::create_dir_all(&dir).unwrap();
            let mut lines = vec![format!(
                r#"{{"event":"open","context":{{"sessionId":"s{i}"}},"properties":{{"n":{i}}}}}"#
            )];
            if i < 2 {
                lines.push(r#"{"event":"legacy","properties":{"old":true}}"#.to_owned());
            }
            std::fs::write(dir.join("part-0.jsonl"), lines.join("\n")).unwrap();
        }
        let services = db.services(&root);
        ingestion::tenant_id(&services, "shop").await.unwrap();
        tenants::set_retention_days(&services, "shop", 1)
            .await
            .unwrap();
        for hour in hours {
            pipeline::ingest_hour(
                &services,
                "shop",
                hour.parse().unwrap(),
                Trigger::Cli,
                None,
                1,
            )
            .await
            .unwrap();
        }
        // Window: from 2026-11-20T00 (one day before the latest hour's day).
        assert_eq!(
            sum(&services, "SELECT COUNT(*) AS total FROM hourly_counts").await,
            2,
            "{}",
            db.label
        );
        // Every day is rolled up, the days still in hourly detail too.
        assert_eq!(
            sum(
                &services,
                "SELECT CAST(SUM(events) AS BIGINT) AS total FROM daily_counts"
            )
            .await,
            6
        );
        let old_day = "2026-11-18T00".parse::<Hour>().unwrap().epoch_seconds();
        assert_eq!(
            sum(
                &services,
                &format!("SELECT CAST(SUM(events) AS BIGINT) AS total FROM daily_counts WHERE day = {old_day}")
            )
            .await,
            4
        );
        assert_eq!(
            sum(&services, "SELECT COUNT(*) AS total FROM daily_sessions").await,
            3
        );
        assert_eq!(
            sum(
                &services,
                &format!("SELECT CAST(SUM(sessions) AS BIGINT) AS total FROM daily_sessions WHERE day = {old_day}")
            )
            .await,
            2
        );
        assert_eq!(
            sum(
                &services,
                "SELECT CAST(SUM(events) AS BIGINT) AS total FROM daily_sessions"
            )
            .await,
            6
        );

        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let catalog = catalog::catalog(&services, tenant_id, "shop")
            .await
            .unwrap();
        let legacy = catalog.events.iter().find(|e| e.name == "legacy").unwrap();
        assert_eq!(
            legacy.first_seen.as_deref(),
            Some("2026-11-18T10:00:00Z"),
            "{}",
            db.label
        );
        assert_eq!(legacy.last_seen.as_deref(), Some("2026-11-18T11:00:00Z"));
        assert_eq!(legacy.keys[0].types.get("boolean"), Some(&2));
        let open = catalog.events.iter().find(|e| e.name == "open").unwrap();
        assert_eq!(open.first_seen.as_deref(), Some("2026-11-18T10:00:00Z"));
        assert_eq!(open.keys[0].types.get("integer"), Some(&4));

        let err = pipeline::ingest_hour(
            &services,
            "shop",
            "2026-11-18T10".parse().unwrap(),
            Trigger::Cli,
            None,
            1,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, IngestionError::BeyondRetention { .. }));
        assert_eq!(
            err.to_string(),
            "2026-11-18T10:00:00Z is older than the hourly detail kept for this tenant (from 2026-11-20T00:00:00Z, 1 days before its latest hour); it cannot be re-ingested"
        );
        // Re-ingesting a recent hour keeps the recorded first seen.
        pipeline::ingest_hour(
            &services,
            "shop",
            "2026-11-20T09".parse().unwrap(),
            Trigger::Cli,
            None,
            1,
        )
        .await
        .unwrap();
        let again = catalog::catalog(&services, tenant_id, "shop")
            .await
            .unwrap();
        assert_eq!(again, catalog, "{}", db.label);
        let from: Hour = "2026-11-18T00".parse().unwrap();
        let rows = counts::hourly_counts(&services, tenant_id, from, from.plus(96))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "hourly counts cover the window only");
    }
}
