//! Daily roll-ups kept by difference, and first/last seen kept by widening: after every write of
//! an hour — new, re-ingested with other lines, emptied, or re-ingested with no files at all — each
//! daily table equals its day summed again from the hourly rows (the way the roll-ups were computed
//! before they were kept by difference), and every catalog row's first/last seen equals the
//! earliest/latest hour whose rows count it, on SQLite and Postgres.

use std::collections::BTreeMap;

use blueprint_core::Services;
use blueprint_core::hour::Hour;
use blueprint_core::ingest::sketch::Sketch;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::pipeline;
use blueprint_core::testing::test_databases;
use sea_orm::{ConnectionTrait, Statement};

/// A small deterministic generator (no dependency on the run's time or a random seed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// One hour of lines: three applications, two versions and platforms, screens, events whose keys
/// change type now and then, and a few sessions.
fn lines(rng: &mut Lcg, count: usize) -> String {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let app = ["shop", "news", "maps"][rng.next(3) as usize];
        let version = ["1.0", "1.1"][rng.next(2) as usize];
        let platform = ["ios", "android"][rng.next(2) as usize];
        let screen = format!("screen{}", rng.next(4));
        let event = format!("event{}", rng.next(6));
        let value = match rng.next(4) {
            0 => "1".to_owned(),
            1 => "\"one\"".to_owned(),
            2 => "true".to_owned(),
            _ => "[1,2]".to_owned(),
        };
        let extra = if rng.next(3) == 0 {
            r#","extra":{"a":null}"#
        } else {
            ""
        };
        out.push(format!(
            r#"{{"event":"{event}","context":{{"app":{{"name":"{app}","version":"{version}"}},"os":{{"name":"{platform}"}},"screen":{{"name":"{screen}"}},"sessionId":"s{}"}},"properties":{{"value":{value}{extra}}}}}"#,
            rng.next(7)
        ));
    }
    out.join("\n")
}

async fn rows(services: &Services, sql: &str) -> Vec<Vec<i64>> {
    let conn = services.db.conn();
    let found = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap();
    found
        .iter()
        .map(|row| {
            let columns = row.column_names();
            columns
                .iter()
                .map(|c| row.try_get::<i64>("", c).unwrap())
                .collect()
        })
        .collect()
}

/// Every catalog row with its Postgres row version (`xmin`, new on every write of the row, also of
/// the values it held); empty on SQLite, which keeps no such thing.
async fn row_versions(services: &Services) -> Vec<Vec<i64>> {
    if services.db.conn().get_database_backend() != sea_orm::DbBackend::Postgres {
        return Vec::new();
    }
    let mut all = Vec::new();
    let tables = [
        "applications",
        "app_versions",
        "screens",
        "events",
        "combinations",
        "event_keys",
        "key_types",
    ];
    for (n, table) in tables.iter().enumerate() {
        let sql = format!(
            "SELECT CAST({n} AS BIGINT) AS t, id, CAST(CAST(xmin AS text) AS BIGINT) AS v FROM {table} ORDER BY id"
        );
        all.extend(rows(services, &sql).await);
    }
    all
}

/// Each daily table, as stored and as summed again from the hourly rows.
async fn assert_days_match_hours(services: &Services, label: &str, step: &str) {
    let day = "(h.hour - (h.hour % 86400))";
    let pairs = [
        (
            "daily_counts",
            "SELECT combination_id, day, events, sessions FROM daily_counts ORDER BY 1, 2"
                .to_owned(),
            format!(
                "SELECT combination_id, {day} AS day, CAST(SUM(events) AS BIGINT) AS events, \
                 MAX(sessions) AS sessions FROM hourly_counts h GROUP BY 1, 2 ORDER BY 1, 2"
            ),
        ),
        (
            "daily_keys",
            "SELECT version_id, key_id, day, string_count, integer_count, number_count, \
             boolean_count, object_count, array_count, null_count FROM daily_keys ORDER BY 1, 2, 3"
                .to_owned(),
            format!(
                "SELECT version_id, key_id, {day} AS day, {} FROM hourly_keys h \
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                blueprint_migration::TYPE_COLUMNS
                    .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
                    .join(", ")
            ),
        ),
        (
            "event_days",
            "SELECT event_id, day, events FROM event_days ORDER BY 1, 2".to_owned(),
            format!(
                "SELECT c.event_id, {day} AS day, CAST(SUM(h.events) AS BIGINT) AS events \
                 FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id \
                 GROUP BY 1, 2 ORDER BY 1, 2"
            ),
        ),
        (
            "version_event_days",
            "SELECT version_id, event_id, day, events FROM version_event_days ORDER BY 1, 2, 3"
                .to_owned(),
            format!(
                "SELECT c.version_id, c.event_id, {day} AS day, CAST(SUM(h.events) AS BIGINT) AS events \
                 FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id \
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
        ),
        (
            "screen_days",
            "SELECT screen_id, day, events FROM screen_days ORDER BY 1, 2".to_owned(),
            format!(
                "SELECT c.screen_id, {day} AS day, CAST(SUM(h.events) AS BIGINT) AS events \
                 FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id \
                 GROUP BY 1, 2 ORDER BY 1, 2"
            ),
        ),
    ];
    // First/last seen: each catalog row spans exactly the hours that count it (-1: none left).
    let type_count = "CASE t.json_type WHEN 'string' THEN h.string_count \
        WHEN 'integer' THEN h.integer_count WHEN 'number' THEN h.number_count \
        WHEN 'boolean' THEN h.boolean_count WHEN 'object' THEN h.object_count \
        WHEN 'array' THEN h.array_count ELSE h.null_count END";
    let seen = [
        (
            "combinations",
            "SELECT id, COALESCE(first_seen, -1) AS f, COALESCE(last_seen, -1) AS l \
             FROM combinations ORDER BY id"
                .to_owned(),
            "SELECT c.id, \
             COALESCE((SELECT MIN(h.hour) FROM hourly_counts h WHERE h.combination_id = c.id), -1) AS f, \
             COALESCE((SELECT MAX(h.hour) FROM hourly_counts h WHERE h.combination_id = c.id), -1) AS l \
             FROM combinations c ORDER BY c.id"
                .to_owned(),
        ),
        (
            "key_types",
            "SELECT id, COALESCE(first_seen, -1) AS f, COALESCE(last_seen, -1) AS l \
             FROM key_types ORDER BY id"
                .to_owned(),
            format!(
                "SELECT t.id, \
                 COALESCE((SELECT MIN(h.hour) FROM hourly_keys h WHERE h.key_id = t.key_id AND {type_count} > 0), -1) AS f, \
                 COALESCE((SELECT MAX(h.hour) FROM hourly_keys h WHERE h.key_id = t.key_id AND {type_count} > 0), -1) AS l \
                 FROM key_types t ORDER BY t.id"
            ),
        ),
        (
            "events",
            "SELECT id, COALESCE(first_seen, -1) AS f, COALESCE(last_seen, -1) AS l \
             FROM events ORDER BY id"
                .to_owned(),
            "SELECT e.id, \
             COALESCE((SELECT MIN(h.hour) FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id WHERE c.event_id = e.id), -1) AS f, \
             COALESCE((SELECT MAX(h.hour) FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id WHERE c.event_id = e.id), -1) AS l \
             FROM events e ORDER BY e.id"
                .to_owned(),
        ),
        (
            "screens",
            "SELECT id, COALESCE(first_seen, -1) AS f, COALESCE(last_seen, -1) AS l \
             FROM screens ORDER BY id"
                .to_owned(),
            "SELECT s.id, \
             COALESCE((SELECT MIN(h.hour) FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id WHERE c.screen_id = s.id), -1) AS f, \
             COALESCE((SELECT MAX(h.hour) FROM hourly_counts h JOIN combinations c ON c.id = h.combination_id WHERE c.screen_id = s.id), -1) AS l \
             FROM screens s ORDER BY s.id"
                .to_owned(),
        ),
    ];
    for (table, stored, summed) in pairs.into_iter().chain(seen) {
        let stored = rows(services, &stored).await;
        assert!(!stored.is_empty(), "{label} {step}: {table} is empty");
        assert_eq!(
            stored,
            rows(services, &summed).await,
            "{label} {step}: {table}"
        );
    }

    // Sessions: the day's sketch of each version is the merge of its hours' sketches.
    let conn = services.db.conn();
    let backend = conn.get_database_backend();
    let mut merged: BTreeMap<(i64, i64), (Sketch, i64)> = BTreeMap::new();
    for row in conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT version_id, hour, events, sketch FROM hourly_sessions",
        ))
        .await
        .unwrap()
    {
        let version: i64 = row.try_get("", "version_id").unwrap();
        let hour: i64 = row.try_get("", "hour").unwrap();
        let events: i64 = row.try_get("", "events").unwrap();
        let bytes: Vec<u8> = row.try_get("", "sketch").unwrap();
        let entry = merged
            .entry((version, hour - hour.rem_euclid(86_400)))
            .or_default();
        entry.0.merge(&Sketch::from_bytes(&bytes).unwrap());
        entry.1 += events;
    }
    let expected: Vec<Vec<i64>> = merged
        .iter()
        .map(|((version, day), (sketch, events))| {
            vec![*version, *day, sketch.estimate() as i64, *events]
        })
        .collect();
    let stored = rows(
        services,
        "SELECT version_id, day, sessions, events FROM daily_sessions ORDER BY 1, 2",
    )
    .await;
    assert_eq!(stored, expected, "{label} {step}: daily_sessions");
}

fn write_hour(root: &std::path::Path, hour: &str, body: Option<&str>) {
    let dir = root
        .join("shop")
        .join(hour.parse::<Hour>().unwrap().folder());
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(body) = body {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("part-0.jsonl"), body).unwrap();
    }
}

#[tokio::test]
async fn every_daily_table_equals_its_day_summed_again_after_every_write() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        std::fs::create_dir_all(root.join("shop")).unwrap();
        let services = db.services(&root);
        ingestion::tenant_id(&services, "shop").await.unwrap();
        let mut rng = Lcg(20_261_202);
        let hours = [
            "2026-11-20T00",
            "2026-11-20T01",
            "2026-11-20T02",
            "2026-11-20T23",
            "2026-11-21T00",
        ];
        // (step, hour, lines: None for no files at all).
        let mut steps: Vec<(String, &str, Option<usize>)> = hours
            .iter()
            .map(|hour| (format!("first {hour}"), *hour, Some(60)))
            .collect();
        steps.extend([
            ("again, other lines".to_owned(), hours[1], Some(80)),
            ("again, fewer lines".to_owned(), hours[0], Some(5)),
            ("again, an empty file".to_owned(), hours[2], Some(0)),
            ("again, no files".to_owned(), hours[3], None),
            ("again, lines back".to_owned(), hours[2], Some(40)),
            ("again, the next day".to_owned(), hours[4], Some(30)),
            ("again, same lines".to_owned(), hours[4], Some(30)),
        ]);
        let mut last_body: BTreeMap<&str, String> = BTreeMap::new();
        for (step, hour, count) in steps {
            let body = match count {
                Some(_) if step.contains("same") => last_body[hour].clone(),
                Some(count) => lines(&mut rng, count),
                None => String::new(),
            };
            write_hour(&root, hour, count.map(|_| body.as_str()));
            last_body.insert(hour, body);
            let versions_before = row_versions(&services).await;
            pipeline::ingest_hour(
                &services,
                "shop",
                hour.parse().unwrap(),
                Trigger::Cli,
                None,
                1,
            )
            .await
            .unwrap_or_else(|err| panic!("{} {step}: {err}", db.label));
            assert_days_match_hours(&services, db.label, &step).await;
            if step.contains("same") {
                // The same lines again change no first/last seen, so no catalog row is written.
                assert!(
                    db.label != "postgres" || versions_before.len() > 10,
                    "{step}"
                );
                assert_eq!(row_versions(&services).await, versions_before, "{step}");
            }
        }
    }
}
