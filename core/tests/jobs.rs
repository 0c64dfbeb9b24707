//! Jobs without the apalis workers: backfills fan out, run and report progress; a queued
//! duplicate is skipped; cancelling drops the hours not started; bad requests are refused and
//! change nothing; the schedule queues a new tenant's baseline, the hour that ended, missing hours,
//! late files and a long gap as one backfill; a dead worker's hour is taken over; failed hours are
//! retried, then shown with their error. On SQLite and Postgres.

use std::path::Path;

use blueprint_core::Services;
use blueprint_core::accounts::{Role, ServiceError};
use blueprint_core::entities::{backfill, hour_task, ingestion_run, job_worker};
use blueprint_core::hour::Hour;
use blueprint_core::jobs::backfills::{self, NewBackfill};
use blueprint_core::jobs::queue::JobQueue;
use blueprint_core::jobs::tasks::{self, TaskOutcome};
use blueprint_core::jobs::workers::{self, WorkerKind};
use blueprint_core::jobs::{JobError, JobSettings, monitor, schedule};
use blueprint_core::testing::{actor, test_databases};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

/// The schedule's delay the monitor is asked with.
const DELAY: std::time::Duration = std::time::Duration::from_secs(600);

/// Writes `events` lines of `open` into a new file of the tenant-hour; returns the lines written.
fn write(root: &Path, tenant: &str, hour: Hour, file: &str, events: usize) -> usize {
    let dir = root.join(tenant).join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::new();
    for i in 0..events {
        text.push_str(&format!(
            "{{\"event\":\"open\",\"context\":{{\"app\":{{\"name\":\"Shop\",\"version\":\"1.0\"}},\"os\":{{\"name\":\"iOS\"}},\"sessionId\":\"s{i}\"}}}}\n"
        ));
    }
    std::fs::write(dir.join(file), text).unwrap();
    events
}

/// Events the ledger holds for a tenant-hour.
async fn ledger_events(services: &Services, tenant: &str, hour: Hour) -> i64 {
    let tenant_id = blueprint_core::ingestion::tenant_id(services, tenant)
        .await
        .unwrap();
    blueprint_core::ledger::counts::hourly_counts(services, tenant_id, hour, hour.plus(1))
        .await
        .unwrap()
        .iter()
        .map(|row| row.events)
        .sum::<i64>()
}

async fn successful_runs(services: &Services, hour: Hour) -> u64 {
    ingestion_run::Entity::find()
        .filter(ingestion_run::Column::Hour.eq(hour.epoch_seconds()))
        .filter(ingestion_run::Column::Status.is_in(["ok", "no_data"]))
        .count(services.db.conn())
        .await
        .unwrap()
}

fn settings() -> JobSettings {
    JobSettings {
        retries: 0,
        ingest_workers: 1,
        poll: std::time::Duration::from_millis(50),
        ..JobSettings::default()
    }
}

/// Runs every open task of a backfill as `worker`, oldest hour first.
async fn run_backfill(services: &Services, worker: &str, id: i64) -> Vec<TaskOutcome> {
    let ids: Vec<i64> = hour_task::Entity::find()
        .filter(hour_task::Column::BackfillId.eq(id))
        .order_by_asc(hour_task::Column::Hour)
        .all(services.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    let mut out = Vec::new();
    for task in ids {
        out.push(
            tasks::run_task(services, &settings(), worker, task)
                .await
                .unwrap(),
        );
    }
    out
}

fn now_hour() -> Hour {
    Hour::containing(chrono::Utc::now())
}

#[tokio::test]
async fn backfills_run_once_report_progress_and_can_be_cancelled() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let from = now_hour().plus(-10);
        let mut written = Vec::new();
        for i in 0..4 {
            written.push(write(
                &root,
                "shop",
                from.plus(i),
                "part-0.jsonl",
                3 + i as usize,
            ));
        }
        let services = db.services(&root);
        let queue = JobQueue::open(&services.db).await.unwrap();
        let tenant = blueprint_core::ingestion::tenant(&services, "shop")
            .await
            .unwrap();
        let worker = workers::register(services.db.conn(), WorkerKind::Worker, 1)
            .await
            .unwrap();
        let ask = |origin: &str| NewBackfill {
            from,
            to: from.plus(4),
            origin: origin.to_owned(),
            requested_by: None,
        };

        let first = backfills::request(&services, &queue, &tenant, ask("api"), now_hour())
            .await
            .unwrap();
        let view = backfills::view(services.db.conn(), first.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (view.status.as_str(), view.hours_total, view.hours_queued),
            ("queued", 4, 4),
            "{}",
            db.label
        );
        // The same range asked again before any worker ran: a duplicate.
        let second = backfills::request(&services, &queue, &tenant, ask("api"), now_hour())
            .await
            .unwrap();
        assert_eq!(
            backfills::fan_out(&services, &queue, first.id)
                .await
                .unwrap(),
            4
        );
        assert_eq!(
            backfills::fan_out(&services, &queue, second.id)
                .await
                .unwrap(),
            4
        );
        let outcomes = run_backfill(&services, &worker, first.id).await;
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, TaskOutcome::Done { .. })),
            "{outcomes:?}"
        );
        let view = backfills::view(services.db.conn(), first.id)
            .await
            .unwrap()
            .unwrap();
        let total: usize = written.iter().sum();
        assert_eq!(view.status, "done", "{}", db.label);
        assert_eq!((view.hours_done, view.hours_failed), (4, 0));
        assert_eq!(view.events, total as i64);
        let duplicates = run_backfill(&services, &worker, second.id).await;
        assert!(
            duplicates
                .iter()
                .all(|o| matches!(o, TaskOutcome::Skipped { .. })),
            "a queued duplicate is not run twice: {duplicates:?}"
        );
        for (i, events) in written.iter().enumerate() {
            let hour = from.plus(i as i64);
            assert_eq!(successful_runs(&services, hour).await, 1, "{hour}");
            assert_eq!(ledger_events(&services, "shop", hour).await, *events as i64);
        }
        let second_view = backfills::view(services.db.conn(), second.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (second_view.status.as_str(), second_view.hours_done),
            ("done", 4)
        );
        // A task delivered again after it finished does nothing.
        let any_task = hour_task::Entity::find()
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            tasks::run_task(&services, &settings(), &worker, any_task.id)
                .await
                .unwrap(),
            TaskOutcome::Stale
        );

        // Cancelling drops the hours not started; the one already done stays done.
        let third = backfills::request(&services, &queue, &tenant, ask("api"), now_hour())
            .await
            .unwrap();
        backfills::fan_out(&services, &queue, third.id)
            .await
            .unwrap();
        let first_task = hour_task::Entity::find()
            .filter(hour_task::Column::BackfillId.eq(third.id))
            .order_by_asc(hour_task::Column::Hour)
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        tasks::run_task(&services, &settings(), &worker, first_task.id)
            .await
            .unwrap();
        let cancelled = backfills::cancel(services.db.conn(), third.id)
            .await
            .unwrap();
        assert_eq!(cancelled.status, "cancelled");
        let rest = run_backfill(&services, &worker, third.id).await;
        assert_eq!(rest[0], TaskOutcome::Stale, "the done hour stays done");
        assert!(
            rest[1..].iter().all(|o| *o == TaskOutcome::Stale),
            "{rest:?}"
        );
        let view = backfills::view(services.db.conn(), third.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (view.status.as_str(), view.hours_done, view.hours_cancelled),
            ("cancelled", 1, 3)
        );
        let again = backfills::cancel(services.db.conn(), third.id).await;
        assert!(
            matches!(&again, Err(JobError::Conflict(m)) if m.contains("already cancelled")),
            "{again:?}"
        );
        let outcome = backfills::hours_outcome(services.db.conn(), first.id)
            .await
            .unwrap();
        assert_eq!((outcome.ok, outcome.failed.len()), (4, 0));
    }
}

#[tokio::test]
async fn bad_backfill_requests_are_refused_and_change_nothing() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let base = now_hour().plus(-5);
        write(&root, "shop", base, "part-0.jsonl", 2);
        write(&root, "acme", base, "part-0.jsonl", 2);
        let services = db.services(&root);
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let viewer = actor(
            &services,
            "viewer@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let cases: Vec<(Hour, Hour, &str)> = vec![
            (base, base, "is empty"),
            (base.plus(2), base, "is empty"),
            (now_hour().plus(1), now_hour().plus(3), "in the future"),
            (base.plus(-24 * 40), base, "older than the hourly detail"),
        ];
        for (from, to, expected) in cases {
            let err = backfills::request_as(&services, &admin, "shop", from, to, "admin")
                .await
                .unwrap_err();
            assert!(
                matches!(&err, ServiceError::Invalid(m) if m.contains(expected)),
                "{from} to {to} on {}: {err:?}",
                db.label
            );
        }
        let unknown =
            backfills::request_as(&services, &admin, "nowhere", base, base.plus(1), "admin").await;
        assert!(
            matches!(unknown, Err(ServiceError::NotFound)),
            "{unknown:?}"
        );
        let refused =
            backfills::request_as(&services, &viewer, "shop", base, base.plus(1), "admin").await;
        assert!(
            matches!(refused, Err(ServiceError::Forbidden)),
            "{refused:?}"
        );
        let retry = tasks::retry_hour_as(&services, &viewer, "shop", base).await;
        assert!(matches!(retry, Err(ServiceError::Forbidden)), "{retry:?}");
        assert_eq!(
            backfill::Entity::find()
                .count(services.db.conn())
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            hour_task::Entity::find()
                .count(services.db.conn())
                .await
                .unwrap(),
            0
        );
        // A good request goes through, and is audited.
        let ok = backfills::request_as(&services, &admin, "shop", base, base.plus(1), "admin")
            .await
            .unwrap();
        assert_eq!(
            (
                ok.status.as_str(),
                ok.hours_total,
                ok.requested_by.as_deref()
            ),
            ("queued", 1, Some("admin@example.com"))
        );
        let audit = blueprint_core::accounts::audit::list_audit(
            &services,
            &admin,
            &blueprint_core::accounts::audit::AuditQuery {
                actor: None,
                action: Some("backfill.request".into()),
                target: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
        assert_eq!(audit.len(), 1);
    }
}

#[tokio::test]
async fn the_schedule_queues_baselines_new_missing_and_late_hours() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let due = now_hour().plus(-2);
        let services = db.services(&root);
        let queue = JobQueue::open(&services.db).await.unwrap();
        let settings = settings();
        let worker = workers::register(services.db.conn(), WorkerKind::Worker, 1)
            .await
            .unwrap();
        // A new tenant with two hours of data: its baseline is one backfill.
        write(&root, "shop", due.plus(-3), "part-0.jsonl", 5);
        write(&root, "shop", due, "part-0.jsonl", 7);
        let plan = schedule::plan(&services, &queue, &settings, due)
            .await
            .unwrap();
        assert_eq!(
            (plan.tenants, plan.backfills, plan.hours),
            (1, 1, 0),
            "{}",
            db.label
        );
        let baseline = backfill::Entity::find()
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(baseline.origin, "baseline");
        assert_eq!(baseline.to_hour, due.plus(1).epoch_seconds());
        assert!(baseline.from_hour <= due.plus(-3).epoch_seconds());
        assert_eq!(
            baseline.previous_latest, None,
            "a baseline is history, not news"
        );
        // Planned again before it ran: nothing more.
        let again = schedule::plan(&services, &queue, &settings, due)
            .await
            .unwrap();
        assert_eq!((again.backfills, again.hours), (0, 0));
        backfills::fan_out(&services, &queue, baseline.id)
            .await
            .unwrap();
        run_backfill(&services, &worker, baseline.id).await;
        assert_eq!(ledger_events(&services, "shop", due).await, 7);

        // The next hour ends, a late file lands in an ingested hour, one hour is missing.
        write(&root, "shop", due.plus(1), "part-0.jsonl", 4);
        write(&root, "shop", due, "part-late.jsonl", 2);
        hour_task::Entity::delete_many()
            .exec(services.db.conn())
            .await
            .unwrap();
        blueprint_core::entities::ingested_hour::Entity::delete_many()
            .filter(
                blueprint_core::entities::ingested_hour::Column::Hour
                    .eq(due.plus(-1).epoch_seconds()),
            )
            .exec(services.db.conn())
            .await
            .unwrap();
        let short = JobSettings {
            lookback_hours: 3,
            ..settings.clone()
        };
        let plan = schedule::plan(&services, &queue, &short, due.plus(1))
            .await
            .unwrap();
        assert_eq!(
            (plan.hours, plan.late_files, plan.backfills),
            (3, 1, 0),
            "{plan:?} on {}",
            db.label
        );
        let queued = hour_task::Entity::find()
            .order_by_asc(hour_task::Column::Hour)
            .all(services.db.conn())
            .await
            .unwrap();
        let origins: Vec<(i64, &str)> =
            queued.iter().map(|t| (t.hour, t.origin.as_str())).collect();
        assert_eq!(
            origins,
            vec![
                (due.plus(-1).epoch_seconds(), "catch-up"),
                (due.epoch_seconds(), "late-files"),
                (due.plus(1).epoch_seconds(), "schedule"),
            ]
        );
        for task in &queued {
            tasks::run_task(&services, &settings, &worker, task.id)
                .await
                .unwrap();
        }
        assert_eq!(
            ledger_events(&services, "shop", due).await,
            9,
            "late files counted"
        );
        assert_eq!(ledger_events(&services, "shop", due.plus(1)).await, 4);
        let cells = monitor::timeline(
            services.db.conn(),
            baseline.tenant_id,
            due.plus(-1),
            due.plus(3),
            due,
        )
        .await
        .unwrap();
        let states: Vec<&str> = cells.iter().map(|c| c.state.as_str()).collect();
        // The hour after the one due, which nothing wrote, is not due yet rather than missing.
        assert_eq!(states, vec!["no_data", "ingested", "ingested", "not_due"]);
        assert_eq!(cells[1].events, 9);

        // A long outage: more than 24 hours after the latest become one catch-up backfill.
        let later = due.plus(30);
        let plan = schedule::plan(
            &services,
            &queue,
            &JobSettings {
                lookback_hours: 29,
                ..settings.clone()
            },
            later,
        )
        .await
        .unwrap();
        assert_eq!((plan.backfills, plan.hours), (1, 0), "{plan:?}");
        let gap = backfill::Entity::find()
            .order_by_desc(backfill::Column::Id)
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gap.origin, "catch-up");
        assert_eq!(
            (gap.from_hour, gap.to_hour),
            (due.plus(2).epoch_seconds(), later.plus(1).epoch_seconds())
        );
        assert!(gap.long_forward, "summarised, not pushed item by item");

        // One process takes the schedule's turn for an hour.
        assert!(
            schedule::take_turn(services.db.conn(), later, "a", false)
                .await
                .unwrap()
        );
        assert!(
            !schedule::take_turn(services.db.conn(), later, "b", false)
                .await
                .unwrap()
        );
        assert!(
            !schedule::take_turn(services.db.conn(), later, "b", true)
                .await
                .unwrap(),
            "just planned"
        );
        assert!(
            schedule::take_turn(services.db.conn(), later.plus(1), "b", false)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn a_dead_workers_hour_is_taken_over_and_failures_are_retried_then_shown() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let hour = now_hour().plus(-3);
        write(&root, "shop", hour, "part-0.jsonl", 6);
        let services = db.services(&root);
        let queue = JobQueue::open(&services.db).await.unwrap();
        let conn = services.db.conn();
        let tenant = blueprint_core::ingestion::tenant(&services, "shop")
            .await
            .unwrap();
        let dead = workers::register(conn, WorkerKind::Worker, 1)
            .await
            .unwrap();
        let alive = workers::register(conn, WorkerKind::Worker, 1)
            .await
            .unwrap();
        let request = NewBackfill {
            from: hour,
            to: hour.plus(1),
            origin: "api".into(),
            requested_by: None,
        };
        let row = backfills::request(&services, &queue, &tenant, request, now_hour())
            .await
            .unwrap();
        backfills::fan_out(&services, &queue, row.id).await.unwrap();
        let task = hour_task::Entity::find().one(conn).await.unwrap().unwrap();
        // The dead worker had started the hour: its task, run and claim are left behind.
        hour_task::Entity::update(hour_task::ActiveModel {
            id: Set(task.id),
            state: Set("running".into()),
            worker_id: Set(Some(dead.clone())),
            ..Default::default()
        })
        .exec(conn)
        .await
        .unwrap();
        ingestion_run::Entity::insert(ingestion_run::ActiveModel {
            tenant_id: Set(tenant.id),
            hour: Set(hour.epoch_seconds()),
            status: Set("running".into()),
            trigger: Set("backfill".into()),
            started_at: Set(1),
            worker_id: Set(Some(dead.clone())),
            ..Default::default()
        })
        .exec(conn)
        .await
        .unwrap();
        blueprint_core::entities::hour_claim::Entity::insert(
            blueprint_core::entities::hour_claim::ActiveModel {
                tenant_id: Set(tenant.id),
                hour: Set(hour.epoch_seconds()),
                task_id: Set(task.id),
                worker_id: Set(dead.clone()),
                claimed_at: Set(1),
            },
        )
        .exec(conn)
        .await
        .unwrap();
        // While it is alive, its hour is left alone.
        assert_eq!(
            tasks::run_task(&services, &settings(), &alive, task.id)
                .await
                .unwrap(),
            TaskOutcome::Stale
        );
        job_worker::Entity::update(job_worker::ActiveModel {
            id: Set(dead.clone()),
            heartbeat_at: Set(1),
            ..Default::default()
        })
        .exec(conn)
        .await
        .unwrap();
        let recovered = workers::recover(&services, &queue, 30).await.unwrap();
        assert_eq!(recovered.workers, vec![dead.clone()], "{}", db.label);
        assert_eq!(
            (recovered.requeued.clone(), recovered.runs_closed),
            (vec![task.id], 1)
        );
        assert!(
            workers::recover(&services, &queue, 30)
                .await
                .unwrap()
                .workers
                .is_empty(),
            "taken over once"
        );
        let outcome = tasks::run_task(&services, &settings(), &alive, task.id)
            .await
            .unwrap();
        assert!(
            matches!(outcome, TaskOutcome::Done { events: 6, .. }),
            "{outcome:?}"
        );
        let runs = ingestion_run::Entity::find()
            .order_by_asc(ingestion_run::Column::Id)
            .all(conn)
            .await
            .unwrap();
        let statuses: Vec<&str> = runs.iter().map(|r| r.status.as_str()).collect();
        assert_eq!(statuses, vec!["failed", "ok"]);
        assert!(
            runs[0]
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("interrupted")
        );
        assert_eq!(ledger_events(&services, "shop", hour).await, 6);

        // An unreadable hour: retried once (the task goes back to the queue), then failed.
        let bad = hour.plus(1);
        let dir = root.join("shop").join(bad.folder());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("part-0.jsonl.gz"), b"this is not gzip").unwrap();
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let task_id = tasks::retry_hour_as(&services, &admin, "shop", bad)
            .await
            .unwrap();
        let retrying = JobSettings {
            retries: 1,
            ..settings()
        };
        let first = tasks::run_task(&services, &retrying, &alive, task_id)
            .await
            .unwrap();
        assert!(
            matches!(&first, TaskOutcome::Failed { retry: true, .. }),
            "{first:?}"
        );
        let second = tasks::run_task(&services, &retrying, &alive, task_id)
            .await
            .unwrap();
        assert!(
            matches!(&second, TaskOutcome::Failed { retry: false, .. }),
            "{second:?}"
        );
        let detail = monitor::hour_detail_as(&services, &admin, "shop", bad, DELAY)
            .await
            .unwrap();
        assert_eq!(detail.cell.state, "failed");
        assert!(
            detail
                .cell
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("part-0.jsonl.gz"),
            "{detail:?}"
        );
        assert_eq!(detail.runs.len(), 2);
        let viewer = actor(
            &services,
            "viewer@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        assert!(matches!(
            monitor::hour_detail_as(&services, &viewer, "shop", bad, DELAY).await,
            Err(ServiceError::Forbidden)
        ));
        let settings = settings();
        let overview = monitor::ingestion_as(&services, &admin, &settings)
            .await
            .unwrap();
        assert_eq!(overview.hours_failed_recently, 1);
        let names: Vec<&str> = overview.workers.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(names, vec![alive.as_str()], "only live workers are shown");
    }
}

#[tokio::test]
async fn finished_job_history_beyond_the_window_is_pruned() {
    use blueprint_core::jobs::prune;
    use sea_orm::ConnectionTrait;
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let hour = now_hour().plus(-4);
        write(&root, "shop", hour, "part-0.jsonl", 2);
        let services = db.services(&root);
        let queue = JobQueue::open(&services.db).await.unwrap();
        let conn = services.db.conn();
        let tenant = blueprint_core::ingestion::tenant(&services, "shop")
            .await
            .unwrap();
        let worker = workers::register(conn, WorkerKind::Worker, 1)
            .await
            .unwrap();
        let mut ids = Vec::new();
        for _ in 0..2 {
            let new = NewBackfill {
                from: hour,
                to: hour.plus(1),
                origin: "api".into(),
                requested_by: None,
            };
            let row = backfills::request(&services, &queue, &tenant, new, now_hour())
                .await
                .unwrap();
            backfills::fan_out(&services, &queue, row.id).await.unwrap();
            run_backfill(&services, &worker, row.id).await;
            ids.push(row.id);
        }
        // The first backfill finished 40 days ago; so did its jobs in apalis' table.
        let long_ago = chrono::Utc::now().timestamp() - 40 * 86_400;
        backfill::Entity::update(backfill::ActiveModel {
            id: Set(ids[0]),
            finished_at: Set(Some(long_ago)),
            ..Default::default()
        })
        .exec(conn)
        .await
        .unwrap();
        let aged = match services.db.backend() {
            sea_orm::DbBackend::Postgres => format!(
                "UPDATE apalis.jobs SET status = 'Done', done_at = to_timestamp({long_ago}) WHERE job_type LIKE '{}.%'",
                queue.namespace()
            ),
            _ => format!("UPDATE Jobs SET status = 'Done', done_at = {long_ago}"),
        };
        let aged_jobs = conn
            .execute_unprepared(&aged)
            .await
            .unwrap()
            .rows_affected();
        assert!(aged_jobs >= 4, "{aged_jobs} jobs on {}", db.label);
        let pruned = prune::prune(&services, &queue, prune::KEEP_DAYS)
            .await
            .unwrap();
        assert_eq!(
            (pruned.backfills, pruned.hour_tasks),
            (1, 1),
            "{pruned:?} on {}",
            db.label
        );
        assert_eq!(pruned.queue_jobs, aged_jobs);
        let left: Vec<i64> = backfill::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.id)
            .collect();
        assert_eq!(left, vec![ids[1]], "recent history stays");
        assert_eq!(hour_task::Entity::find().count(conn).await.unwrap(), 1);
        assert_eq!(
            prune::prune(&services, &queue, prune::KEEP_DAYS)
                .await
                .unwrap(),
            prune::Pruned::default()
        );
    }
}
