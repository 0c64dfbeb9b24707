//! Untrusted sizes, on SQLite and Postgres, through real event files: names longer than the
//! mapping allows reject their lines (counted with the reason) and the hour ingests; a line with
//! 70,000 random keys keeps the mapping's limit, counts the rest as cut and still gets its news
//! told, a bounded number of items; news that fails to be told is told on the job's retry,
//! exactly once; a gzip bomb fails its hour with the reason and leaves the hour's ledger, and
//! every other tenant, as they were.

use std::io::Write;
use std::path::Path;

use blueprint_core::Services;
use blueprint_core::accounts::Role;
use blueprint_core::entities::{discovery, event, event_key, ingestion_run, notification};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunOutcome, RunStatus, Trigger};
use blueprint_core::jobs::tasks::{self, TaskOutcome};
use blueprint_core::jobs::workers::{self, WorkerKind};
use blueprint_core::jobs::{JobSettings, monitor};
use blueprint_core::ledger::counts;
use blueprint_core::mapping::Limits;
use blueprint_core::notify;
use blueprint_core::pipeline;
use blueprint_core::testing::{TestDb, actor, test_databases};
use blueprint_types::notify::WatchRequest;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

const H0: &str = "2026-11-20T10";

fn line(event: &str, screen: &str, props: &str) -> String {
    format!(
        r#"{{"event":"{event}","timestamp":"2026-11-20T10:00:01Z","context":{{"app":{{"name":"Shop","version":"1.0"}},"os":{{"name":"iOS"}},"screen":{{"name":"{screen}"}},"sessionId":"s1"}},"properties":{{{props}}}}}"#
    )
}

fn write(root: &Path, tenant: &str, hour: Hour, file: &str, body: &[u8]) {
    let dir = root.join(tenant).join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), body).unwrap();
}

async fn ingest(services: &Services, tenant: &str, hour: Hour) -> RunOutcome {
    pipeline::ingest_hour(services, tenant, hour, Trigger::Cli, None, 2)
        .await
        .unwrap()
}

async fn csv(services: &Services, tenant: &str, hour: Hour) -> String {
    let tenant_id = ingestion::tenant_id(services, tenant).await.unwrap();
    counts::to_csv(
        &counts::hourly_counts(services, tenant_id, hour, hour.plus(1))
            .await
            .unwrap(),
    )
}

/// A member of the tenant who watches all of it; returns their user id.
async fn tenant_watcher(services: &Services, tenant: &str) -> i64 {
    let who = actor(
        services,
        "watcher@example.com",
        false,
        &[(tenant, Role::Viewer)],
    )
    .await;
    let request = WatchRequest {
        tenant: tenant.to_owned(),
        target: "tenant".to_owned(),
        name: None,
        news: None,
    };
    notify::watch_as(services, &who, &request).await.unwrap();
    who.user_id
}

async fn inbox_len(services: &Services, user_id: i64) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .count(services.db.conn())
        .await
        .unwrap()
}

async fn run(services: &Services, run_id: i64) -> ingestion_run::Model {
    ingestion_run::Entity::find_by_id(run_id)
        .one(services.db.conn())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn overlong_names_reject_their_lines_and_the_hour_ingests() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let hour: Hour = H0.parse().unwrap();
        let long = "n".repeat(10_000);
        let body = [
            line("open", "Home", r#""a":1"#),
            line(&long, "Home", ""),
            line("buy", &long, ""),
            line("buy", "Cart", r#""sku":"x""#),
        ]
        .join("\n");
        write(&root, "shop", hour, "part-0.jsonl", body.as_bytes());
        let services = db.services(&root);
        let outcome = ingest(&services, "shop", hour).await;
        assert_eq!(outcome.status, RunStatus::Ok, "{}", db.label);
        assert_eq!(
            (
                outcome.stats.lines,
                outcome.stats.events,
                outcome.stats.rejected
            ),
            (4, 2, 2),
            "{}",
            db.label
        );
        let reasons: Vec<&str> = outcome
            .stats
            .samples
            .iter()
            .map(|s| s.reason.as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "event name too long (more than 200 characters; the mapping's max_name_chars)",
                "screen name too long (more than 200 characters; the mapping's max_name_chars)"
            ],
            "{}",
            db.label
        );
        assert_eq!(run(&services, outcome.run_id).await.rejected, 2);
        let csv = csv(&services, "shop", hour).await;
        assert!(csv.contains(",Home,open,1,1\n"), "{}: {csv}", db.label);
        assert!(csv.contains(",Cart,buy,1,1\n"), "{}: {csv}", db.label);
        assert!(!csv.contains("nnnn"), "{}: {csv}", db.label);
    }
}

/// `count` distinct pseudo-random key names, as `"…":1` members (a multiplication by an odd
/// number is a bijection modulo 2^24, so no two collide); 11 bytes each keeps the line under the
/// 1 MiB line limit.
fn random_keys(count: usize) -> String {
    (0..count as u64)
        .map(|i| {
            format!(
                r#""{:06x}":1"#,
                (i.wrapping_mul(0x9e_3779) ^ 0x5a_5a5a) & 0xff_ffff
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test]
async fn a_line_with_70000_keys_keeps_the_limit_and_its_news_is_told() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let h0: Hour = H0.parse().unwrap();
        write(
            &root,
            "shop",
            h0,
            "part-0.jsonl",
            line("open", "Home", "").as_bytes(),
        );
        let flood = [
            line("open", "Home", r#""a":1"#),
            line("flood", "Home", &random_keys(70_000)),
            line("buy", "Cart", r#""sku":"x""#),
        ]
        .join("\n");
        write(&root, "shop", h0.plus(1), "part-0.jsonl", flood.as_bytes());
        let services = db.services(&root);
        ingest(&services, "shop", h0).await;
        let watcher = tenant_watcher(&services, "shop").await;

        let outcome = ingest(&services, "shop", h0.plus(1)).await;
        assert_eq!(outcome.status, RunStatus::Ok, "{}", db.label);
        assert!(outcome.news && outcome.news_owed.is_none(), "{}", db.label);
        let limit = Limits::default().max_keys_per_line;
        assert_eq!((outcome.stats.events, outcome.stats.rejected), (3, 0));
        assert_eq!(
            outcome.stats.keys_cut,
            (70_000 - limit) as u64,
            "{}",
            db.label
        );
        let recorded = run(&services, outcome.run_id).await;
        assert_eq!(recorded.keys_cut, (70_000 - limit) as i64, "{}", db.label);
        assert!(!recorded.news_pending, "{}: the news is told", db.label);
        // The hour's health as the ingestion page and the API show it.
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let detail = monitor::hour_detail_as(
            &services,
            &admin,
            "shop",
            h0.plus(1),
            std::time::Duration::from_secs(600),
        )
        .await
        .unwrap();
        assert_eq!(
            detail.runs[0].keys_cut,
            (70_000 - limit) as i64,
            "{}",
            db.label
        );
        let flood_event = event::Entity::find()
            .filter(event::Column::Name.eq("flood"))
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        let kept = event_key::Entity::find()
            .filter(event_key::Column::EventId.eq(flood_event.id))
            .count(services.db.conn())
            .await
            .unwrap();
        assert_eq!(kept, limit as u64, "{}", db.label);
        // Told grouped: the new event `flood` with all its keys is one notice, as are `buy`, the
        // new screen `Cart` and the new key of `open` — no flood of items, no summary.
        let mut titles: Vec<String> = notification::Entity::find()
            .filter(notification::Column::UserId.eq(watcher))
            .all(services.db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.title)
            .collect();
        titles.sort();
        assert_eq!(titles.len(), 4, "{}: {titles:?}", db.label);
        assert!(titles.len() < notify::ITEMS_PER_HOUR, "{}", db.label);
        let news = discovery::Entity::find()
            .filter(discovery::Column::RunId.eq(outcome.run_id))
            .filter(discovery::Column::News.eq(true))
            .count(services.db.conn())
            .await
            .unwrap();
        assert!(news > 2 * limit as u64, "{}: {news}", db.label);
        assert_eq!(titles[0], "New event: buy (key sku)", "{}", db.label);
        assert!(
            titles[1].starts_with("New event: flood (keys ")
                && titles[1].ends_with(&format!(" and {} more)", limit - 5)),
            "{}: {}",
            db.label,
            titles[1]
        );
        assert_eq!(
            titles[2..],
            ["New key: open: a".to_owned(), "New screen: Cart".to_owned()],
            "{}",
            db.label
        );
        let csv = csv(&services, "shop", h0.plus(1)).await;
        assert!(csv.contains(",Home,flood,1,1\n"), "{}: {csv}", db.label);
        assert!(csv.contains(",Cart,buy,1,1\n"), "{}: {csv}", db.label);
    }
}

/// Makes every insert into `notifications` fail, as a database refusing writes would.
async fn refuse_notifications(db: &TestDb, refuse: bool) {
    let conn = db.db.conn();
    let sql = match (db.label, refuse) {
        ("postgres", true) => {
            "CREATE FUNCTION refuse_notifications() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'notifications refused'; END $$; \
             CREATE TRIGGER refuse_notifications BEFORE INSERT ON notifications \
             FOR EACH ROW EXECUTE FUNCTION refuse_notifications()"
        }
        ("postgres", false) => "DROP TRIGGER refuse_notifications ON notifications",
        (_, true) => {
            "CREATE TRIGGER refuse_notifications BEFORE INSERT ON notifications \
             BEGIN SELECT RAISE(ABORT, 'notifications refused'); END"
        }
        (_, false) => "DROP TRIGGER refuse_notifications",
    };
    conn.execute_unprepared(sql).await.unwrap();
}

#[tokio::test]
async fn news_that_cannot_be_told_is_told_on_the_retry_exactly_once() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let h0: Hour = H0.parse().unwrap();
        write(
            &root,
            "shop",
            h0,
            "part-0.jsonl",
            line("open", "Home", "").as_bytes(),
        );
        let next = [line("open", "Home", r#""a":1"#), line("buy", "Cart", "")].join("\n");
        write(&root, "shop", h0.plus(1), "part-0.jsonl", next.as_bytes());
        let services = db.services(&root);
        ingest(&services, "shop", h0).await;
        let watcher = tenant_watcher(&services, "shop").await;
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let worker = workers::register(services.db.conn(), WorkerKind::Worker, 1)
            .await
            .unwrap();
        let settings = JobSettings {
            retries: 2,
            ingest_workers: 1,
            ..JobSettings::default()
        };
        let task = tasks::retry_hour_as(&services, &admin, "shop", h0.plus(1))
            .await
            .unwrap();

        refuse_notifications(&db, true).await;
        let first = tasks::run_task(&services, &settings, &worker, task)
            .await
            .unwrap();
        let TaskOutcome::Failed { reason, retry } = &first else {
            panic!("{}: {first:?}", db.label);
        };
        assert!(*retry, "{}: tried again", db.label);
        assert!(
            reason.contains("news could not be told") && reason.contains("notifications refused"),
            "{}: {reason}",
            db.label
        );
        assert_eq!(inbox_len(&services, watcher).await, 0, "{}", db.label);
        let ledger = csv(&services, "shop", h0.plus(1)).await;
        assert!(ledger.contains(",Cart,buy,1,1\n"), "{}: {ledger}", db.label);

        refuse_notifications(&db, false).await;
        let second = tasks::run_task(&services, &settings, &worker, task)
            .await
            .unwrap();
        assert!(
            matches!(second, TaskOutcome::Done { events: 2, .. }),
            "{}: {second:?}",
            db.label
        );
        let told = inbox_len(&services, watcher).await;
        // One item per notice of the hour (the screen `Cart`, the event `buy` with what it
        // brought, …), fewer than its discoveries.
        let TaskOutcome::Done { run_id, .. } = second else {
            unreachable!()
        };
        let news = discovery::Entity::find()
            .filter(discovery::Column::RunId.eq(run_id))
            .filter(discovery::Column::News.eq(true))
            .count(services.db.conn())
            .await
            .unwrap();
        assert!(news >= 4, "{}: {news}", db.label);
        assert_eq!(told, 3, "{}: {news}", db.label);
        assert_eq!(
            csv(&services, "shop", h0.plus(1)).await,
            ledger,
            "{}",
            db.label
        );

        // Nothing is told twice: not by another attempt, the planning, or re-ingesting.
        let third = tasks::run_task(&services, &settings, &worker, task)
            .await
            .unwrap();
        assert_eq!(third, TaskOutcome::Stale, "{}", db.label);
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        pipeline::after_planning(&services, tenant_id, "shop").await;
        ingest(&services, "shop", h0.plus(1)).await;
        assert_eq!(inbox_len(&services, watcher).await, told, "{}", db.label);
    }
}

/// A gzip file of `members` concatenated members of 1 MiB of zeros each (~1 KiB per member).
fn gzip_bomb(members: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = encoder.finish().unwrap();
    member.repeat(members)
}

#[tokio::test]
async fn a_gzip_bomb_fails_its_hour_and_keeps_the_ledger() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let hour: Hour = H0.parse().unwrap();
        let good = [line("open", "Home", ""), line("buy", "Cart", "")].join("\n");
        write(&root, "shop", hour, "part-0.jsonl", good.as_bytes());
        write(&root, "acme", hour, "part-0.jsonl", good.as_bytes());
        let services = db.services(&root);
        assert_eq!(ingest(&services, "shop", hour).await.status, RunStatus::Ok);
        let before = csv(&services, "shop", hour).await;

        // ~10 MB that would inflate to ~10 GB, next to the normal file.
        let bomb = gzip_bomb(10 << 20 >> 10);
        assert!(bomb.len() > 9 << 20, "{}", bomb.len());
        write(&root, "shop", hour, "part-1.json.gz", &bomb);
        let outcome = ingest(&services, "shop", hour).await;
        let RunStatus::Failed(reason) = &outcome.status else {
            panic!(
                "{}: expected a failed run, got {:?}",
                db.label, outcome.status
            );
        };
        let file = format!("shop/{}/part-1.json.gz", hour.folder());
        assert_eq!(
            reason,
            &format!(
                "{file} inflates more than 200× its size ({} bytes); raise ingest_max_inflation_ratio (BLUEPRINT_INGEST_MAX_INFLATION_RATIO) if the file is genuine",
                bomb.len()
            ),
            "{}",
            db.label
        );
        assert_eq!(run(&services, outcome.run_id).await.status, "failed");
        assert_eq!(csv(&services, "shop", hour).await, before, "{}", db.label);
        // Other tenants and hours are read as before.
        assert_eq!(ingest(&services, "acme", hour).await.status, RunStatus::Ok);
        assert_eq!(csv(&services, "acme", hour).await, before, "{}", db.label);
        write(&root, "shop", hour.plus(1), "part-0.jsonl", good.as_bytes());
        assert_eq!(
            ingest(&services, "shop", hour.plus(1)).await.status,
            RunStatus::Ok
        );
    }
}
