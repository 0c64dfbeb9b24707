//! Hour tasks: one tenant-hour to ingest, and running one.
//!
//! Two rules keep the ledger exact however many workers there are:
//! - a worker ingests an hour only while it holds the hour's claim (`hour_claims`, one row per
//!   tenant-hour; a dead worker's claim is taken over);
//! - once it holds the claim, a task whose hour was ingested successfully by a run that started
//!   after the task was queued (`after_run`) is marked `skipped`: that run already saw everything
//!   the task was queued for, so a queued duplicate is never run twice.
//!
//! Ingesting replaces the hour in one transaction, so a worker killed mid-hour leaves nothing
//! half-written; the task is queued again when its worker is found dead (`workers::recover`).

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use crate::Services;
use crate::entities::{hour_claim, hour_task, ingestion_run, tenant};
use crate::hour::Hour;
use crate::ingestion::{self, IngestionError, NewsPolicy, RunStatus, Trigger};
use crate::jobs::queue::JobQueue;
use crate::jobs::{JobError, JobSettings, backfills, now, workers};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const SKIPPED: &str = "skipped";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";

/// Why an hour was queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The hour just ended (the hourly schedule).
    Schedule,
    /// An earlier hour of the look-back window that is missing from the ledger.
    CatchUp,
    /// An ingested hour whose file listing changed since.
    LateFiles,
    /// Part of a backfill.
    Backfill,
    /// An admin asked for this hour again.
    Retry,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Schedule => "schedule",
            Origin::CatchUp => "catch-up",
            Origin::LateFiles => "late-files",
            Origin::Backfill => "backfill",
            Origin::Retry => "retry",
        }
    }

    fn trigger(origin: &str) -> Trigger {
        match origin {
            "backfill" => Trigger::Backfill,
            "retry" => Trigger::Retry,
            _ => Trigger::Schedule,
        }
    }
}

/// A task to queue.
#[derive(Clone, Copy, Debug)]
pub struct NewTask {
    pub tenant_id: i64,
    pub hour: Hour,
    pub backfill_id: Option<i64>,
    pub origin: Origin,
    pub policy: NewsPolicy,
}

/// The highest ingestion run id so far (0 before the first run).
pub(crate) async fn max_run_id(conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let max: Option<Option<i64>> = ingestion_run::Entity::find()
        .select_only()
        .column_as(ingestion_run::Column::Id.max(), "max")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// Inserts task rows (their jobs are pushed by the caller, after the rows are committed).
/// `after_run` is [`max_run_id`] read just before: a run started after that read saw every file
/// the tasks were queued for. (Read outside the writing transaction: on SQLite a transaction that
/// reads before it writes can fail to take the write lock.)
pub(crate) async fn insert_tasks(
    conn: &impl ConnectionTrait,
    tasks: &[NewTask],
    after_run: i64,
) -> Result<Vec<i64>, DbErr> {
    let queued_at = now();
    let mut ids = Vec::with_capacity(tasks.len());
    for task in tasks {
        let row = hour_task::ActiveModel {
            tenant_id: Set(task.tenant_id),
            hour: Set(task.hour.epoch_seconds()),
            backfill_id: Set(task.backfill_id),
            origin: Set(task.origin.as_str().to_owned()),
            state: Set(QUEUED.to_owned()),
            after_run: Set(after_run),
            previous_latest: Set(task.policy.previous_latest.map(Hour::epoch_seconds)),
            long_forward: Set(task.policy.long_forward_backfill),
            attempts: Set(0),
            queued_at: Set(queued_at),
            events: Set(0),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        ids.push(row.id);
    }
    Ok(ids)
}

/// Records tasks and pushes their jobs.
pub async fn queue_tasks(
    services: &Services,
    queue: &JobQueue,
    tasks: &[NewTask],
) -> Result<Vec<i64>, JobError> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let after_run = max_run_id(services.db.conn()).await?;
    let txn = services.db.conn().begin().await?;
    let ids = insert_tasks(&txn, tasks, after_run).await?;
    txn.commit().await?;
    queue.push_hours(&ids).await?;
    Ok(ids)
}

/// How running a task ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskOutcome {
    /// The hour was ingested by this task's run.
    Done { run_id: i64, events: i64 },
    /// A run that started after the task was queued had already done its work.
    Skipped { run_id: i64 },
    /// The hour could not be ingested; `retry` when another attempt is due.
    Failed { reason: String, retry: bool },
    /// Its backfill was cancelled.
    Cancelled,
    /// Nothing to do: the task is finished, unknown, or another live worker has it.
    Stale,
}

/// Runs one hour task as `worker_id`: claim, duplicate check, ingestion, bookkeeping.
pub async fn run_task(
    services: &Services,
    settings: &JobSettings,
    worker_id: &str,
    task_id: i64,
) -> Result<TaskOutcome, JobError> {
    let conn = services.db.conn();
    let Some(task) = open_task(conn, task_id).await? else {
        return Ok(TaskOutcome::Stale);
    };
    if let Some(owner) = &task.worker_id
        && task.state == RUNNING
        && owner != worker_id
        && workers::is_alive(conn, owner, settings.dead_after()).await?
    {
        return Ok(TaskOutcome::Stale);
    }
    if let Some(backfill_id) = task.backfill_id
        && backfills::is_cancelled(conn, backfill_id).await?
    {
        finish(
            conn,
            task_id,
            CANCELLED,
            None,
            0,
            Some("the backfill was cancelled"),
        )
        .await?;
        return Ok(TaskOutcome::Cancelled);
    }
    let hour = Hour::from_epoch_seconds(task.hour)
        .ok_or_else(|| JobError::Invalid(format!("task {task_id} has no valid hour")))?;
    if !claim(conn, settings, &task, worker_id).await? {
        return Ok(TaskOutcome::Stale);
    }
    let outcome = run_claimed(services, settings, worker_id, task_id, hour).await;
    release(conn, task.tenant_id, task.hour, worker_id).await?;
    if let Some(backfill_id) = task.backfill_id {
        backfills::refresh(conn, backfill_id).await?;
    }
    outcome
}

async fn run_claimed(
    services: &Services,
    settings: &JobSettings,
    worker_id: &str,
    task_id: i64,
    hour: Hour,
) -> Result<TaskOutcome, JobError> {
    let conn = services.db.conn();
    // Read again under the claim: another worker may have finished this very task meanwhile.
    let Some(task) = open_task(conn, task_id).await? else {
        return Ok(TaskOutcome::Stale);
    };
    if let Some(run_id) = later_success(conn, &task).await? {
        finish(conn, task_id, SKIPPED, Some(run_id), 0, None).await?;
        return Ok(TaskOutcome::Skipped { run_id });
    }
    let Some(tenant) = tenant::Entity::find_by_id(task.tenant_id).one(conn).await? else {
        finish(
            conn,
            task_id,
            FAILED,
            None,
            0,
            Some("the tenant no longer exists"),
        )
        .await?;
        return Ok(TaskOutcome::Failed {
            reason: "the tenant no longer exists".to_owned(),
            retry: false,
        });
    };
    let attempt = task.attempts + 1;
    hour_task::Entity::update(hour_task::ActiveModel {
        id: Set(task_id),
        state: Set(RUNNING.to_owned()),
        worker_id: Set(Some(worker_id.to_owned())),
        started_at: Set(Some(now())),
        attempts: Set(attempt),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    if let Some(backfill_id) = task.backfill_id {
        backfills::mark_started(conn, backfill_id).await?;
    }
    let policy = NewsPolicy {
        previous_latest: task.previous_latest.and_then(Hour::from_epoch_seconds),
        long_forward_backfill: task.long_forward,
    };
    let result = crate::pipeline::ingest_hour_by(
        services,
        &tenant.slug,
        hour,
        Origin::trigger(&task.origin),
        Some(policy),
        settings.ingest_workers,
        Some(worker_id),
    )
    .await;
    let max_attempts = i32::try_from(settings.retries).unwrap_or(i32::MAX - 1) + 1;
    let (reason, permanent) = match result {
        Ok(outcome) => match outcome.status {
            RunStatus::Ok | RunStatus::NoData => {
                let events = outcome.stats.events as i64;
                finish(conn, task_id, DONE, Some(outcome.run_id), events, None).await?;
                return Ok(TaskOutcome::Done {
                    run_id: outcome.run_id,
                    events,
                });
            }
            RunStatus::Failed(reason) => (reason, false),
        },
        Err(
            err @ (IngestionError::BeyondRetention { .. }
            | IngestionError::UnknownTenant(_)
            | IngestionError::Mapping(_)
            | IngestionError::EmptyRange { .. }),
        ) => (err.to_string(), true),
        Err(err) => (crate::error_chain(&err), false),
    };
    if !permanent && attempt < max_attempts {
        let note = format!("attempt {attempt} of {max_attempts} failed: {reason}");
        hour_task::Entity::update(hour_task::ActiveModel {
            id: Set(task_id),
            state: Set(QUEUED.to_owned()),
            worker_id: Set(None),
            error: Set(Some(note)),
            ..Default::default()
        })
        .exec(conn)
        .await?;
        return Ok(TaskOutcome::Failed {
            reason,
            retry: true,
        });
    }
    finish(conn, task_id, FAILED, None, 0, Some(&reason)).await?;
    Ok(TaskOutcome::Failed {
        reason,
        retry: false,
    })
}

/// The task, while it is queued or running.
async fn open_task(
    conn: &impl ConnectionTrait,
    task_id: i64,
) -> Result<Option<hour_task::Model>, DbErr> {
    Ok(hour_task::Entity::find_by_id(task_id)
        .one(conn)
        .await?
        .filter(|task| task.state == QUEUED || task.state == RUNNING))
}

/// The newest successful run of the task's hour that started after the task was queued.
async fn later_success(
    conn: &impl ConnectionTrait,
    task: &hour_task::Model,
) -> Result<Option<i64>, DbErr> {
    ingestion_run::Entity::find()
        .select_only()
        .column(ingestion_run::Column::Id)
        .filter(ingestion_run::Column::TenantId.eq(task.tenant_id))
        .filter(ingestion_run::Column::Hour.eq(task.hour))
        .filter(ingestion_run::Column::Id.gt(task.after_run))
        .filter(ingestion_run::Column::Status.is_in(["ok", "no_data"]))
        .order_by_desc(ingestion_run::Column::Id)
        .into_tuple()
        .one(conn)
        .await
}

/// Closes a task in a final state.
async fn finish(
    conn: &impl ConnectionTrait,
    task_id: i64,
    state: &str,
    run_id: Option<i64>,
    events: i64,
    error: Option<&str>,
) -> Result<(), DbErr> {
    hour_task::Entity::update(hour_task::ActiveModel {
        id: Set(task_id),
        state: Set(state.to_owned()),
        finished_at: Set(Some(now())),
        run_id: Set(run_id),
        events: Set(events),
        error: Set(error.map(str::to_owned)),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Takes the hour's claim, waiting while a live worker holds it; false when the task was
/// finished by someone else meanwhile.
async fn claim(
    conn: &impl ConnectionTrait,
    settings: &JobSettings,
    task: &hour_task::Model,
    worker_id: &str,
) -> Result<bool, DbErr> {
    loop {
        let inserted = hour_claim::Entity::insert(hour_claim::ActiveModel {
            tenant_id: Set(task.tenant_id),
            hour: Set(task.hour),
            task_id: Set(task.id),
            worker_id: Set(worker_id.to_owned()),
            claimed_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([hour_claim::Column::TenantId, hour_claim::Column::Hour])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await;
        match inserted {
            Ok(1) => return Ok(true),
            Ok(_) | Err(DbErr::RecordNotInserted) => {}
            Err(err) => return Err(err),
        }
        let holder = hour_claim::Entity::find()
            .filter(hour_claim::Column::TenantId.eq(task.tenant_id))
            .filter(hour_claim::Column::Hour.eq(task.hour))
            .one(conn)
            .await?;
        if let Some(holder) = holder
            && !workers::is_alive(conn, &holder.worker_id, settings.dead_after()).await?
        {
            // A dead worker's claim: take it over (only if it is still that worker's).
            hour_claim::Entity::delete_many()
                .filter(hour_claim::Column::TenantId.eq(task.tenant_id))
                .filter(hour_claim::Column::Hour.eq(task.hour))
                .filter(hour_claim::Column::WorkerId.eq(holder.worker_id))
                .exec(conn)
                .await?;
            continue;
        }
        if open_task(conn, task.id).await?.is_none() {
            return Ok(false);
        }
        tokio::time::sleep(settings.poll).await;
    }
}

async fn release(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    hour: i64,
    worker_id: &str,
) -> Result<(), DbErr> {
    hour_claim::Entity::delete_many()
        .filter(hour_claim::Column::TenantId.eq(tenant_id))
        .filter(hour_claim::Column::Hour.eq(hour))
        .filter(hour_claim::Column::WorkerId.eq(worker_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Queues one hour again at an admin's request (the ingestion page's "retry").
pub async fn retry_hour_as(
    services: &Services,
    actor: &crate::accounts::Actor,
    slug: &str,
    hour: Hour,
) -> Result<i64, crate::accounts::ServiceError> {
    actor.require_admin()?;
    let tenant = ingestion::tenant(services, slug)
        .await
        .map_err(JobError::from)?;
    let latest = ingestion::latest_ingested(services, tenant.id)
        .await
        .map_err(JobError::from)?;
    let window = crate::ledger::rollup::window_start(
        latest.map_or(hour, |latest| latest.max(hour)),
        tenant.retention_days,
    );
    if hour < window {
        return Err(JobError::from(IngestionError::BeyondRetention {
            hour,
            window,
            days: tenant.retention_days,
        })
        .into());
    }
    let queue = JobQueue::open(&services.db).await?;
    let task = NewTask {
        tenant_id: tenant.id,
        hour,
        backfill_id: None,
        origin: Origin::Retry,
        policy: NewsPolicy {
            previous_latest: latest,
            long_forward_backfill: false,
        },
    };
    let ids = queue_tasks(services, &queue, &[task]).await?;
    crate::accounts::audit::record(
        services.db.conn(),
        Some(actor),
        Some(tenant.id),
        "hour.retry",
        &format!("{slug} {hour}"),
        None::<&()>,
        None,
    )
    .await?;
    Ok(ids.first().copied().unwrap_or_default())
}

/// Tasks still open (queued or running) per hour of a tenant in `[from, to)`.
pub(crate) async fn open_tasks(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    from: Hour,
    to: Hour,
) -> Result<Vec<hour_task::Model>, DbErr> {
    hour_task::Entity::find()
        .filter(hour_task::Column::TenantId.eq(tenant_id))
        .filter(hour_task::Column::Hour.gte(from.epoch_seconds()))
        .filter(hour_task::Column::Hour.lt(to.epoch_seconds()))
        .filter(hour_task::Column::State.is_in([QUEUED, RUNNING]))
        .order_by_asc(hour_task::Column::Id)
        .all(conn)
        .await
}

/// Marks every open task of a backfill cancelled (running ones finish their hour).
pub(crate) async fn cancel_queued(
    conn: &impl ConnectionTrait,
    backfill_id: i64,
) -> Result<u64, DbErr> {
    let result = hour_task::Entity::update_many()
        .col_expr(hour_task::Column::State, Expr::value(CANCELLED))
        .col_expr(hour_task::Column::FinishedAt, Expr::value(now()))
        .col_expr(
            hour_task::Column::Error,
            Expr::value("the backfill was cancelled"),
        )
        .filter(hour_task::Column::BackfillId.eq(backfill_id))
        .filter(hour_task::Column::State.eq(QUEUED))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
