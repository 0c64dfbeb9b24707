//! Bad input gets a clear, recorded outcome and loses nothing: rejected lines with reasons, a
//! failed run that leaves the previous ledger of the hour untouched, or a "no data" run.

use std::io::Write;
use std::path::Path;

use blueprint_core::Services;
use blueprint_core::hour::Hour;
use blueprint_core::ingest;
use blueprint_core::ingestion::{self, RunOutcome, RunStatus, Trigger};
use blueprint_core::ledger::counts;
use blueprint_core::pipeline;
use blueprint_core::testing::test_databases;

const HOUR: &str = "2026-11-20T10";
const GOOD: &str =
    r#"{"event":"addToCart","timestamp":"2026-11-20T10:00:01Z","context":{"sessionId":"s1"}}"#;

fn hour_dir(root: &Path) -> std::path::PathBuf {
    let dir = root
        .join("shop")
        .join(HOUR.parse::<Hour>().unwrap().folder());
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn ingest(services: &Services) -> RunOutcome {
    pipeline::ingest_hour(
        services,
        "shop",
        HOUR.parse().unwrap(),
        Trigger::Cli,
        None,
        2,
    )
    .await
    .unwrap()
}

async fn csv(services: &Services) -> String {
    let tenant_id = ingestion::tenant_id(services, "shop").await.unwrap();
    let from: Hour = HOUR.parse().unwrap();
    counts::to_csv(
        &counts::hourly_counts(services, tenant_id, from, from.plus(1))
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn invalid_utf8_and_over_long_lines_are_rejected_one_by_one() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let dir = hour_dir(&root);
        let mut body = Vec::new();
        body.extend_from_slice(GOOD.as_bytes());
        body.push(b'\n');
        body.extend_from_slice(b"{\"event\":\"bad\xff\xfe\"}\n");
        // A valid 5 MiB line is over the 1 MiB line limit: rejected, the lines after it read …
        body.extend_from_slice(
            format!(
                "{{\"event\":\"big\",\"properties\":{{\"blob\":\"{}\"}}}}\n",
                "x".repeat(5 << 20)
            )
            .as_bytes(),
        );
        // … and so is a 10 MB line that never closes its string, its sample truncated.
        body.extend_from_slice(
            format!("{{\"event\":\"cut\",\"blob\":\"{}\n", "y".repeat(10 << 20)).as_bytes(),
        );
        body.extend_from_slice(GOOD.as_bytes());
        body.push(b'\n');
        std::fs::write(dir.join("part-0.jsonl"), &body).unwrap();
        let services = db.services(&root);
        let outcome = ingest(&services).await;
        assert_eq!(outcome.status, RunStatus::Ok, "{}", db.label);
        assert_eq!(
            (
                outcome.stats.lines,
                outcome.stats.events,
                outcome.stats.rejected
            ),
            (5, 2, 3),
            "{}",
            db.label
        );
        let reasons: Vec<&str> = outcome
            .stats
            .samples
            .iter()
            .map(|s| s.reason.as_str())
            .collect();
        let too_long = "line longer than 1 MiB (BLUEPRINT_INGEST_MAX_LINE_BYTES)";
        assert_eq!(
            reasons,
            ["invalid UTF-8", too_long, too_long],
            "{}",
            db.label
        );
        assert!(
            outcome
                .stats
                .samples
                .iter()
                .all(|s| s.text.chars().count() <= 200)
        );
        let csv = csv(&services).await;
        assert!(csv.contains(",addToCart,2,1\n"), "{csv}");
        assert!(!csv.contains(",big,"), "{csv}");
    }
}

#[tokio::test]
async fn a_truncated_gzip_fails_the_run_and_keeps_the_previous_hour() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let dir = hour_dir(&root);
        std::fs::write(dir.join("part-0.jsonl"), format!("{GOOD}\n")).unwrap();
        let services = db.services(&root);
        assert_eq!(ingest(&services).await.status, RunStatus::Ok);
        let before = csv(&services).await;

        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for _ in 0..2000 {
            writeln!(encoder, "{GOOD}").unwrap();
        }
        let gz = encoder.finish().unwrap();
        std::fs::write(dir.join("part-1.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
        let outcome = ingest(&services).await;
        let RunStatus::Failed(reason) = &outcome.status else {
            panic!(
                "{}: expected a failed run, got {:?}",
                db.label, outcome.status
            );
        };
        assert!(
            reason.starts_with("cannot read part-1.jsonl.gz:"),
            "{reason}"
        );
        assert_eq!(
            csv(&services).await,
            before,
            "{}: the hour is untouched",
            db.label
        );
    }
}

#[tokio::test]
async fn an_empty_hour_folder_is_a_no_data_run() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let dir = hour_dir(&root);
        std::fs::write(dir.join("_SUCCESS"), "").unwrap();
        std::fs::write(dir.join("notes.txt"), "not events").unwrap();
        let services = db.services(&root);
        let outcome = ingest(&services).await;
        assert_eq!(outcome.status, RunStatus::NoData, "{}", db.label);
        assert_eq!(outcome.stats.files, 0);
    }
}

#[tokio::test]
async fn a_file_that_disappears_before_it_is_read_fails_the_read() {
    let db = test_databases().await.remove(0);
    let root = db.scratch_dir().join("events");
    let dir = hour_dir(&root);
    std::fs::write(dir.join("part-0.jsonl"), format!("{GOOD}\n")).unwrap();
    std::fs::write(dir.join("part-1.jsonl"), format!("{GOOD}\n")).unwrap();
    let services = db.services(&root);
    let hour: Hour = HOUR.parse().unwrap();
    let files = ingest::list_hour(&services.events, "shop", hour)
        .await
        .unwrap();
    assert_eq!(files.len(), 2);
    std::fs::remove_file(dir.join("part-1.jsonl")).unwrap();
    let mapping = blueprint_core::mapping::Mapping::default();
    let err = ingest::read_hour(&services.events, files, &mapping, hour, 2)
        .await
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "file part-1.jsonl disappeared before it could be read"
    );
}

#[tokio::test]
async fn duplicates_are_dropped_when_the_mapping_asks() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let dir = hour_dir(&root);
        let line = |id: &str| {
            format!(r#"{{"event":"e","messageId":"{id}","timestamp":"2026-11-20T10:00:01Z"}}"#)
        };
        std::fs::write(
            dir.join("part-0.jsonl"),
            [line("a"), line("b"), line("a")].join("\n"),
        )
        .unwrap();
        std::fs::write(dir.join("part-1.jsonl"), [line("b"), line("c")].join("\n")).unwrap();
        let services = db.services(&root);
        assert_eq!(ingest(&services).await.stats.events, 5, "off by default");
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let mapping = blueprint_core::mapping::Mapping {
            dedup: Some("messageId".parse().unwrap()),
            ..Default::default()
        };
        blueprint_core::mappings::save_mapping(&services, tenant_id, &mapping)
            .await
            .unwrap();
        let outcome = ingest(&services).await;
        assert_eq!(
            (outcome.stats.events, outcome.stats.duplicates),
            (3, 2),
            "{}",
            db.label
        );
        assert!(csv(&services).await.contains(",e,3,0\n"));
    }
}
