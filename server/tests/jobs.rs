//! The job runtime for real: `blueprint serve`'s workers follow new hour folders with no one
//! acting (the schedule driven by a clock the test moves, not by waiting for real hours); two
//! `blueprint worker` processes on one Postgres database split a range and ingest each hour once;
//! a worker killed with SIGKILL in the middle of an hour leaves nothing of it, and another worker
//! does the hour again, exactly.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use blueprint_core::Services;
use blueprint_core::entities::{hour_task, hourly_count, ingested_hour, ingestion_run, job_worker};
use blueprint_core::hour::Hour;
use blueprint_core::jobs::backfills::{self, NewBackfill};
use blueprint_core::jobs::queue::JobQueue;
use blueprint_core::jobs::{Clock, ManualClock};
use blueprint_core::testing::{TestDb, test_databases};
use blueprint_server::config::{Config, RawSettings};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const BIN: &str = env!("CARGO_BIN_EXE_blueprint");

/// Writes `events` lines into a new file of the tenant-hour.
fn write(root: &Path, hour: Hour, file: &str, events: usize) {
    let dir = root.join("shop").join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::with_capacity(events * 200);
    for i in 0..events {
        text.push_str(&format!(
            "{{\"event\":\"{}\",\"context\":{{\"app\":{{\"name\":\"Shop\",\"version\":\"3.2\"}},\"os\":{{\"name\":\"Android\"}},\"sessionId\":\"s{}\",\"screen\":{{\"name\":\"Home\"}}}},\"properties\":{{\"sku\":\"p{i}\",\"price\":{}.5}}}}\n",
            if i % 3 == 0 { "addToCart" } else { "view" },
            i % 97,
            i % 50
        ));
    }
    std::fs::write(dir.join(file), text).unwrap();
}

async fn ledger_events(services: &Services, hour: Hour) -> i64 {
    let tenant_id = blueprint_core::ingestion::tenant_id(services, "shop")
        .await
        .unwrap();
    blueprint_core::ledger::counts::hourly_counts(services, tenant_id, hour, hour.plus(1))
        .await
        .unwrap()
        .iter()
        .map(|row| row.events)
        .sum::<i64>()
}

/// Polls `check` until it holds, for at most `limit`.
async fn wait_for<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn now_hour() -> Hour {
    Hour::containing(chrono::Utc::now())
}

/// Eleven minutes into the hour after `hour`: `hour` is then due (the default delay is 10).
fn just_after(hour: Hour) -> chrono::DateTime<chrono::Utc> {
    hour.plus(1).start() + chrono::Duration::minutes(11)
}

#[tokio::test]
async fn serve_follows_new_hours_without_anyone_acting() {
    // Shown when the test fails: what the workers did.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_test_writer()
        .try_init();
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let base = now_hour().plus(-6);
        write(&root, base, "part-0.jsonl", 5);
        let services = db.services(&root);
        let settings = RawSettings {
            database_url: Some(db.url.clone()),
            events_url: Some(root.display().to_string()),
            heartbeat_seconds: Some(1),
            job_retries: Some(0),
            lookback_hours: Some(6),
            ..Default::default()
        };
        let config = Config::load(settings, None).unwrap();
        let clock = Arc::new(ManualClock::new(just_after(base)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(blueprint_server::web::run(
            config,
            listener,
            clock.clone() as Arc<dyn Clock>,
            async move {
                let _ = stopped.await;
            },
        ));
        let limit = Duration::from_secs(90);
        // A new tenant: its first hours arrive as a baseline.
        wait_for("the baseline", limit, || async {
            ledger_events(&services, base).await == 5
        })
        .await;
        // The next hour's folder appears; once it is due, it is ingested.
        write(&root, base.plus(1), "part-0.jsonl", 7);
        clock.set(just_after(base.plus(1)));
        wait_for("the next hour", limit, || async {
            ledger_events(&services, base.plus(1)).await == 7
        })
        .await;
        // A late file lands in it; at the next tick the hour is ingested again, and the new
        // empty hour is recorded as such.
        write(&root, base.plus(1), "part-late.jsonl", 3);
        clock.set(just_after(base.plus(2)));
        wait_for("the late file", limit, || async {
            ledger_events(&services, base.plus(1)).await == 10
        })
        .await;
        wait_for("the empty hour", limit, || async {
            ingested_hour::Entity::find()
                .filter(ingested_hour::Column::Hour.eq(base.plus(2).epoch_seconds()))
                .filter(ingested_hour::Column::Status.eq("no_data"))
                .count(services.db.conn())
                .await
                .unwrap()
                == 1
        })
        .await;
        let triggers: Vec<String> = ingestion_run::Entity::find()
            .filter(ingestion_run::Column::Hour.eq(base.plus(1).epoch_seconds()))
            .all(services.db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|run| run.trigger)
            .collect();
        assert_eq!(triggers, vec!["schedule", "schedule"], "{}", db.label);
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        let workers = job_worker::Entity::find()
            .all(services.db.conn())
            .await
            .unwrap();
        assert_eq!(workers.len(), 1);
        assert!(workers[0].stopped_at.is_some(), "stopped cleanly");
    }
}

/// A `blueprint worker` on the test database: no schedule, fast heartbeats.
fn worker(db: &TestDb, root: &Path) -> Child {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("BLUEPRINT_") {
            command.env_remove(key);
        }
    }
    command
        .arg("worker")
        .env("BLUEPRINT_DATABASE_URL", &db.url)
        .env("BLUEPRINT_EVENTS_URL", root)
        .env("BLUEPRINT_SCHEDULE", "false")
        .env("BLUEPRINT_HEARTBEAT_SECONDS", "1")
        .env("BLUEPRINT_JOB_CONCURRENCY", "1")
        .env("BLUEPRINT_INGEST_WORKERS", "1")
        .env("BLUEPRINT_JOB_RETRIES", "0")
        .env("BLUEPRINT_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start blueprint worker")
}

/// Stops a worker as an operator would (SIGTERM) and waits for it.
fn terminate(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

async fn alive_workers(services: &Services) -> usize {
    blueprint_core::jobs::workers::alive(services.db.conn(), 3)
        .await
        .unwrap()
        .len()
}

async fn queue_range(services: &Services, from: Hour, to: Hour) -> i64 {
    let queue = JobQueue::open(&services.db).await.unwrap();
    let tenant = blueprint_core::ingestion::tenant(services, "shop")
        .await
        .unwrap();
    let new = NewBackfill {
        from,
        to,
        origin: "api".into(),
        requested_by: None,
    };
    backfills::request(services, &queue, &tenant, new, now_hour())
        .await
        .unwrap()
        .id
}

async fn backfill_status(services: &Services, id: i64) -> String {
    backfills::view(services.db.conn(), id)
        .await
        .unwrap()
        .unwrap()
        .status
}

/// The Postgres test database, or none when Postgres tests are not configured.
async fn postgres() -> Option<TestDb> {
    test_databases()
        .await
        .into_iter()
        .find(|db| db.label == "postgres")
}

#[tokio::test]
async fn two_workers_split_a_range_and_ingest_each_hour_once() {
    let Some(db) = postgres().await else { return };
    let root = db.scratch_dir().join("events");
    let from = now_hour().plus(-14);
    let hours = 12;
    for i in 0..hours {
        write(&root, from.plus(i), "part-0.jsonl", 3000 + 10 * i as usize);
    }
    let services = db.services(&root);
    blueprint_core::tenants::discover_tenants(&services)
        .await
        .unwrap();
    let (a, b) = (worker(&db, &root), worker(&db, &root));
    wait_for("two workers", Duration::from_secs(60), || async {
        alive_workers(&services).await == 2
    })
    .await;
    let id = queue_range(&services, from, from.plus(hours)).await;
    wait_for("the backfill", Duration::from_secs(180), || async {
        backfill_status(&services, id).await == "done"
    })
    .await;
    terminate(a);
    terminate(b);
    let conn = services.db.conn();
    for i in 0..hours {
        let hour = from.plus(i);
        let runs = ingestion_run::Entity::find()
            .filter(ingestion_run::Column::Hour.eq(hour.epoch_seconds()))
            .all(conn)
            .await
            .unwrap();
        assert_eq!(runs.len(), 1, "{hour} ingested exactly once: {runs:?}");
        assert_eq!(runs[0].status, "ok");
        assert_eq!(ledger_events(&services, hour).await, 3000 + 10 * i);
    }
    let tasks = hour_task::Entity::find().all(conn).await.unwrap();
    let by: std::collections::BTreeSet<String> =
        tasks.iter().filter_map(|t| t.worker_id.clone()).collect();
    assert_eq!(by.len(), 2, "both workers took hours: {tasks:?}");
    let view = backfills::view(conn, id).await.unwrap().unwrap();
    assert_eq!((view.hours_done, view.hours_failed), (hours, 0));
    assert_eq!(view.events, (0..hours).map(|i| 3000 + 10 * i).sum::<i64>());
}

#[tokio::test]
async fn a_worker_killed_mid_hour_leaves_no_partial_hour() {
    let Some(db) = postgres().await else { return };
    let root = db.scratch_dir().join("events");
    let hour = now_hour().plus(-3);
    let events = 150_000;
    write(&root, hour, "part-0.jsonl", events);
    let services = db.services(&root);
    blueprint_core::tenants::discover_tenants(&services)
        .await
        .unwrap();
    let mut first = worker(&db, &root);
    wait_for("the first worker", Duration::from_secs(60), || async {
        alive_workers(&services).await == 1
    })
    .await;
    let id = queue_range(&services, hour, hour.plus(1)).await;
    let conn = services.db.conn();
    // Running: its task is taken and its ingestion run has begun.
    let running = || async {
        ingestion_run::Entity::find()
            .filter(ingestion_run::Column::Status.eq("running"))
            .count(conn)
            .await
            .unwrap()
            == 1
    };
    let started = Instant::now();
    while !running().await {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the hour never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        running().await,
        "the hour finished before the kill: the test needs a bigger hour"
    );
    // Nothing of the hour was written.
    assert_eq!(
        ingested_hour::Entity::find()
            .filter(ingested_hour::Column::Hour.eq(hour.epoch_seconds()))
            .count(conn)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        hourly_count::Entity::find()
            .filter(hourly_count::Column::Hour.eq(hour.epoch_seconds()))
            .count(conn)
            .await
            .unwrap(),
        0
    );
    // Another worker finds the first one dead and does the hour again.
    let second = worker(&db, &root);
    wait_for("the hour, again", Duration::from_secs(180), || async {
        backfill_status(&services, id).await == "done"
    })
    .await;
    terminate(second);
    assert_eq!(ledger_events(&services, hour).await, events as i64);
    let runs = ingestion_run::Entity::find()
        .filter(ingestion_run::Column::Hour.eq(hour.epoch_seconds()))
        .all(conn)
        .await
        .unwrap();
    let statuses: Vec<&str> = runs.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, vec!["failed", "ok"], "{runs:?}");
    assert!(
        runs[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("interrupted"),
        "{runs:?}"
    );
    let sessions = blueprint_core::ledger::counts::hourly_counts(
        &services,
        blueprint_core::ingestion::tenant_id(&services, "shop")
            .await
            .unwrap(),
        hour,
        hour.plus(1),
    )
    .await
    .unwrap();
    let by_event: std::collections::BTreeMap<String, i64> = sessions
        .iter()
        .map(|row| (row.event.clone(), row.events))
        .collect();
    assert_eq!(by_event["addToCart"], 50_000);
    assert_eq!(by_event["view"], 100_000);
}
