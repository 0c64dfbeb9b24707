//! Ingestion end to end on small fixtures, on every test database: exact counts and catalog,
//! replacement of re-ingested hours, first/last seen, discoveries, and bad input.

use std::io::Write;
use std::path::Path;

use blueprint_core::Services;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunStatus, Trigger};
use blueprint_core::ledger::{catalog, counts};
use blueprint_core::pipeline;
use blueprint_core::testing::test_databases;

fn write_hour(root: &Path, tenant: &str, hour: &str, name: &str, lines: &[&str]) {
    let hour: Hour = hour.parse().unwrap();
    let dir = root.join(tenant).join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    let mut body = lines.join("\n");
    body.push('\n');
    if name.ends_with(".gz") {
        let file = std::fs::File::create(dir.join(name)).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        encoder.write_all(body.as_bytes()).unwrap();
        encoder.finish().unwrap();
    } else if name.ends_with(".zst") {
        std::fs::write(
            dir.join(name),
            zstd::encode_all(body.as_bytes(), 3).unwrap(),
        )
        .unwrap();
    } else {
        std::fs::write(dir.join(name), body).unwrap();
    }
}

fn event(name: &str, screen: &str, version: &str, session: &str, ts: &str, props: &str) -> String {
    format!(
        r#"{{"type":"track","event":"{name}","timestamp":"{ts}","context":{{"app":{{"name":"Shop","version":{version}}},"os":{{"name":"Android"}},"screen":{{"name":"{screen}"}},"sessionId":{session}}},"properties":{props}}}"#
    )
}

async fn ingest(services: &Services, tenant: &str, hour: &str) -> ingestion::RunOutcome {
    pipeline::ingest_hour(
        services,
        tenant,
        hour.parse().unwrap(),
        Trigger::Cli,
        None,
        2,
    )
    .await
    .unwrap()
}

fn fixture(root: &Path) {
    let h10 = [
        event("addToCart", "Products", "\"3.2\"", "\"s1\"", "2026-11-20T10:05:00Z", r#"{"sku":"A","qty":2}"#),
        event("addToCart", "Products", "\"3.2\"", "12", "2026-11-20T10:06:00Z", r#"{"sku":"B","qty":1.5}"#),
        event("addToCart", "Products", "\"3.2\"", "\"12\"", "2026-11-20 10:07:00", r#"{"sku":"C"}"#),
        event("checkout", "Cart", "3.10", "\"s1\"", "1795168800", r#"{"items":[{"sku":"A"}]}"#),
        "not json".to_owned(),
        "[1,2]".to_owned(),
        r#"{"event":"x"} trailing"#.to_owned(),
        r#"{"event":""}"#.to_owned(),
        String::new(),
        event("checkout", "Cart", "3.10", "\"s2\"", "2026-11-20T20:00:00Z", r#"{"items":[]}"#),
        r#"{"type":"screen","name":"Home","context":{"app":{"name":"Shop","version":"3.2"},"os":{"name":"Android"}}}"#
            .to_owned(),
    ];
    let h10: Vec<&str> = h10.iter().map(String::as_str).collect();
    write_hour(root, "shop", "2026-11-20T10", "part-0.jsonl", &h10[..6]);
    write_hour(root, "shop", "2026-11-20T10", "part-1.jsonl.gz", &h10[6..]);
    let h11 = [event(
        "addToCart",
        "Products",
        "\"3.3\"",
        "\"s9\"",
        "2026-11-20T11:01:00Z",
        r#"{"sku":7}"#,
    )];
    let h11: Vec<&str> = h11.iter().map(String::as_str).collect();
    write_hour(root, "shop", "2026-11-20T11", "part-0.jsonl.zst", &h11);
}

#[tokio::test]
async fn counts_catalog_and_health_are_exact() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        fixture(&root);
        let services = db.services(&root);
        let first = ingest(&services, "shop", "2026-11-20T10").await;
        assert_eq!(first.status, RunStatus::Ok, "{}", db.label);
        let stats = &first.stats;
        assert_eq!(
            (stats.files, stats.lines, stats.events),
            (2, 10, 6),
            "{}: {stats:?}",
            db.label
        );
        assert_eq!(
            (stats.rejected, stats.skewed, stats.untimed),
            (4, 1, 1),
            "{}",
            db.label
        );
        assert_eq!(stats.samples.len(), 4);
        assert!(
            stats
                .samples
                .iter()
                .any(|s| s.reason.contains("after the object")),
            "{:?}",
            stats.samples
        );
        assert!(!first.news, "a tenant's first hour is its baseline");
        let second = ingest(&services, "shop", "2026-11-20T11").await;
        assert!(second.news, "a later hour brings news");

        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let from: Hour = "2026-11-20T00".parse().unwrap();
        let rows = counts::hourly_counts(&services, tenant_id, from, from.plus(24))
            .await
            .unwrap();
        let csv = counts::to_csv(&rows);
        assert_eq!(
            csv,
            "hour,application,version,platform,screen,event,events,sessions\n\
             2026-11-20T10:00:00Z,Shop,3.10,Android,Cart,checkout,2,2\n\
             2026-11-20T10:00:00Z,Shop,3.2,Android,Home,screen,1,0\n\
             2026-11-20T10:00:00Z,Shop,3.2,Android,Products,addToCart,3,2\n\
             2026-11-20T11:00:00Z,Shop,3.3,Android,Products,addToCart,1,1\n",
            "{}",
            db.label
        );
        let catalog = catalog::catalog(&services, tenant_id, "shop")
            .await
            .unwrap();
        let json = serde_json::to_value(&catalog).unwrap();
        let add = json["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "addToCart")
            .unwrap();
        assert_eq!(add["first_seen"], "2026-11-20T10:00:00Z");
        assert_eq!(add["last_seen"], "2026-11-20T11:00:00Z");
        let sku = add["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["path"] == "sku")
            .unwrap();
        assert_eq!(
            sku["types"],
            serde_json::json!({"string": 3, "integer": 1}),
            "{}",
            db.label
        );
        let qty = add["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["path"] == "qty")
            .unwrap();
        assert_eq!(qty["types"], serde_json::json!({"integer": 1, "number": 1}));
        assert_eq!(qty["last_seen"], "2026-11-20T10:00:00Z");
        let checkout = json["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "checkout")
            .unwrap();
        let paths: Vec<&str> = checkout["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["items", "items[].sku"]);
        let versions: Vec<&str> = json["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["version"].as_str().unwrap())
            .collect();
        assert_eq!(versions, ["3.10", "3.2", "3.3"]);
    }
}

#[tokio::test]
async fn re_ingesting_replaces_the_hour_and_keeps_first_last_seen_exact() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        fixture(&root);
        let services = db.services(&root);
        ingest(&services, "shop", "2026-11-20T10").await;
        ingest(&services, "shop", "2026-11-20T11").await;
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let from: Hour = "2026-11-20T00".parse().unwrap();
        let snapshot = || async {
            let rows = counts::hourly_counts(&services, tenant_id, from, from.plus(24))
                .await
                .unwrap();
            let catalog = catalog::catalog(&services, tenant_id, "shop")
                .await
                .unwrap();
            (
                counts::to_csv(&rows),
                serde_json::to_string(&catalog).unwrap(),
            )
        };
        let before = snapshot().await;
        for hour in [
            "2026-11-20T11",
            "2026-11-20T10",
            "2026-11-20T10",
            "2026-11-20T11",
        ] {
            ingest(&services, "shop", hour).await;
        }
        assert_eq!(snapshot().await, before, "{}", db.label);

        // The 10:00 files go away: the hour becomes empty and first seen moves to 11:00.
        std::fs::remove_dir_all(root.join("shop").join("dt=2026-11-20/hr=10")).unwrap();
        let empty = ingest(&services, "shop", "2026-11-20T10").await;
        assert_eq!(empty.status, RunStatus::NoData);
        let catalog = catalog::catalog(&services, tenant_id, "shop")
            .await
            .unwrap();
        let names: Vec<&str> = catalog.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["addToCart"], "{}", db.label);
        assert_eq!(
            catalog.events[0].first_seen.as_deref(),
            Some("2026-11-20T11:00:00Z")
        );
        assert_eq!(catalog.applications.len(), 1);
    }
}

#[tokio::test]
async fn an_unknown_tenant_and_a_missing_hour_are_clear() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        fixture(&root);
        let services = db.services(&root);
        let err = pipeline::ingest_hour(
            &services,
            "nope",
            "2026-11-20T10".parse().unwrap(),
            Trigger::Cli,
            None,
            1,
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown tenant `nope`: no folder of that name under the events root"
        );
        let outcome = ingest(&services, "shop", "2026-11-21T03").await;
        assert_eq!(outcome.status, RunStatus::NoData, "{}", db.label);
    }
}
