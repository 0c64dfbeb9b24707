//! Discoveries: every first sighting is recorded, dated by its first hour, and marked news only
//! when its hour is later than every hour the tenant had ingested before (not for the baseline,
//! backfills of older hours, or a forward backfill of more than 24 hours).

use blueprint_core::Services;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::pipeline;
use blueprint_core::testing::test_databases;
use sea_orm::{FromQueryResult, JsonValue, Statement};

fn write(root: &std::path::Path, hour: &str, event: &str, key: &str) {
    let dir = root
        .join("shop")
        .join(hour.parse::<Hour>().unwrap().folder());
    std::fs::create_dir_all(&dir).unwrap();
    let line = format!(
        r#"{{"event":"{event}","context":{{"app":{{"name":"Shop","version":"1.0"}},"os":{{"name":"iOS"}}}},"properties":{{"{key}":1}}}}"#
    );
    std::fs::write(dir.join("part-0.jsonl"), line).unwrap();
}

async fn discoveries(services: &Services) -> Vec<(String, String, String, bool)> {
    let rows = JsonValue::find_by_statement(Statement::from_string(
        services.db.backend(),
        "SELECT kind, label, hour, news FROM discoveries ORDER BY id".to_owned(),
    ))
    .all(services.db.conn())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let hour = Hour::from_epoch_seconds(r["hour"].as_i64().unwrap())
                .unwrap()
                .to_string();
            let news = r["news"]
                .as_bool()
                .unwrap_or_else(|| r["news"].as_i64() == Some(1));
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["label"].as_str().unwrap().to_owned(),
                hour,
                news,
            )
        })
        .collect()
}

#[tokio::test]
async fn news_and_history_follow_the_ledger_rule() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        write(&root, "2026-11-20T10", "open", "a");
        write(&root, "2026-11-20T11", "buy", "a");
        write(&root, "2026-11-20T08", "legacy", "a");
        write(&root, "2026-11-21T12", "late", "z");
        let services = db.services(&root);
        let ingest = |hour: &'static str| {
            let services = services.clone();
            async move {
                pipeline::ingest_hour(
                    &services,
                    "shop",
                    hour.parse().unwrap(),
                    Trigger::Cli,
                    None,
                    1,
                )
                .await
                .unwrap()
            }
        };
        ingest("2026-11-20T10").await;
        let baseline = discoveries(&services).await;
        let kinds: Vec<&str> = baseline.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "application",
                "version",
                "screen",
                "event",
                "combination",
                "key",
                "key_type"
            ],
            "{}",
            db.label
        );
        assert!(baseline.iter().all(|d| !d.3), "the baseline is history");
        assert_eq!(baseline[5].1, "open: a");
        assert_eq!(baseline[6].1, "open: a is integer");

        ingest("2026-11-20T11").await;
        let after = discoveries(&services).await;
        let news: Vec<(&str, &str)> = after
            .iter()
            .filter(|d| d.3)
            .map(|d| (d.0.as_str(), d.1.as_str()))
            .collect();
        assert_eq!(
            news,
            [
                ("event", "buy"),
                ("combination", "buy on (none) in Shop 1.0 (iOS)"),
                ("key", "buy: a"),
                ("key_type", "buy: a is integer")
            ],
            "{}",
            db.label
        );

        ingest("2026-11-20T08").await;
        let older = discoveries(&services).await;
        let legacy = older.iter().find(|d| d.1 == "legacy").unwrap();
        assert!(!legacy.3, "an older hour is history");
        let version = older.iter().find(|d| d.0 == "version").unwrap();
        assert_eq!(
            version.2, "2026-11-20T08:00:00Z",
            "re-dated by the older hour"
        );

        // A forward backfill of more than 24 hours is history too.
        let from: Hour = "2026-11-20T12".parse().unwrap();
        pipeline::backfill(&services, "shop", from, from.plus(25), 1, |_, _, _| {})
            .await
            .unwrap();
        let late = discoveries(&services).await;
        assert!(
            !late.iter().find(|d| d.1 == "late").unwrap().3,
            "{}",
            db.label
        );
    }
}
