//! Running one hour task: claim the hour, skip it when a later run already did its work, ingest
//! it, and record how it ended (done, skipped, queued again for another attempt, or failed).

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::Services;
use crate::entities::{hour_task, ingestion_run, tenant};
use crate::hour::Hour;
use crate::ingestion::{IngestionError, NewsPolicy, RunStatus};
use crate::jobs::tasks::claims::{claim, is_alive, release};
use crate::jobs::tasks::progress;
use crate::jobs::tasks::rows::{self, finish, open_task};
use crate::jobs::tasks::state::{Origin, TaskState};
use crate::jobs::{JobError, JobSettings};

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
        && TaskState::Running.is(&task.state)
        && owner != worker_id
        && is_alive(conn, owner, settings.dead_after()).await?
    {
        return Ok(TaskOutcome::Stale);
    }
    if let Some(backfill_id) = task.backfill_id
        && progress::is_cancelled(conn, backfill_id).await?
    {
        let reason = Some("the backfill was cancelled");
        finish(conn, task_id, TaskState::Cancelled, None, 0, reason).await?;
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
        progress::refresh(conn, backfill_id).await?;
    }
    outcome
}

/// The task's work once its hour is claimed.
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
    let attempt = task.attempts + 1;
    if let Some(run_id) = later_success(conn, &task).await? {
        // That run's news may still be owed (this task's own earlier attempt, whose news failed).
        match tell_owed(services, &task, run_id).await? {
            Ok(None) => {}
            Ok(Some(events)) => {
                finish(conn, task_id, TaskState::Done, Some(run_id), events, None).await?;
                return Ok(TaskOutcome::Done { run_id, events });
            }
            Err(reason) => {
                rows::start(conn, task_id, worker_id, attempt).await?;
                let failure = Failure {
                    reason,
                    permanent: false,
                };
                return settle_failure(conn, settings, task_id, attempt, failure).await;
            }
        }
        finish(conn, task_id, TaskState::Skipped, Some(run_id), 0, None).await?;
        return Ok(TaskOutcome::Skipped { run_id });
    }
    let Some(tenant) = tenant::Entity::find_by_id(task.tenant_id).one(conn).await? else {
        return give_up(conn, task_id, "the tenant no longer exists".to_owned()).await;
    };
    rows::start(conn, task_id, worker_id, attempt).await?;
    if let Some(backfill_id) = task.backfill_id {
        progress::mark_started(conn, backfill_id).await?;
    }
    match ingest(services, settings, worker_id, &task, &tenant.slug, hour).await {
        Ok((run_id, events)) => {
            finish(conn, task_id, TaskState::Done, Some(run_id), events, None).await?;
            Ok(TaskOutcome::Done { run_id, events })
        }
        Err(failure) => settle_failure(conn, settings, task_id, attempt, failure).await,
    }
}

/// Tells the tenant's owed news when the run `run_id` still owes its own: the run's events once
/// told (the task's work is then done), `None` when nothing was owed, the reason when it could
/// not be told.
async fn tell_owed(
    services: &Services,
    task: &hour_task::Model,
    run_id: i64,
) -> Result<Result<Option<i64>, String>, DbErr> {
    let conn = services.db.conn();
    let Some(run) = ingestion_run::Entity::find_by_id(run_id).one(conn).await? else {
        return Ok(Ok(None));
    };
    if !run.news_pending {
        return Ok(Ok(None));
    }
    let slug = tenant::Entity::find_by_id(task.tenant_id)
        .one(conn)
        .await?
        .map_or_else(String::new, |t| t.slug);
    Ok(
        crate::pipeline::tell_owed_news(services, task.tenant_id, &slug)
            .await
            .map(|_| Some(run.events)),
    )
}

/// Why an attempt failed; `permanent` when no further attempt can mend it.
struct Failure {
    reason: String,
    permanent: bool,
}

/// Ingests the task's hour; its run id and events.
async fn ingest(
    services: &Services,
    settings: &JobSettings,
    worker_id: &str,
    task: &hour_task::Model,
    slug: &str,
    hour: Hour,
) -> Result<(i64, i64), Failure> {
    let policy = NewsPolicy {
        previous_latest: task.previous_latest.and_then(Hour::from_epoch_seconds),
        long_forward_backfill: task.long_forward,
    };
    let reading = crate::ingest::Reading {
        workers: settings.ingest_workers,
        limits: settings.read_limits,
    };
    let result = crate::pipeline::ingest_hour_by(
        services,
        slug,
        hour,
        Origin::trigger(&task.origin),
        Some(policy),
        reading,
        Some(worker_id),
    )
    .await;
    let (reason, permanent) = match result {
        Ok(outcome) => match (outcome.status, outcome.news_owed) {
            // The hour is in the ledger, its news owed: the next attempt tells it.
            (_, Some(reason)) => (reason, false),
            (RunStatus::Ok | RunStatus::NoData, None) => {
                return Ok((outcome.run_id, outcome.stats.events as i64));
            }
            (RunStatus::Failed(reason), None) => (reason, false),
        },
        Err(
            err @ (IngestionError::BeyondRetention { .. }
            | IngestionError::UnknownTenant(_)
            | IngestionError::Mapping(_)
            | IngestionError::EmptyRange { .. }),
        ) => (err.to_string(), true),
        Err(err) => (crate::error_chain(&err), false),
    };
    Err(Failure { reason, permanent })
}

/// Queues the task again while attempts are left and the failure may pass, else fails it.
async fn settle_failure(
    conn: &impl ConnectionTrait,
    settings: &JobSettings,
    task_id: i64,
    attempt: i32,
    Failure { reason, permanent }: Failure,
) -> Result<TaskOutcome, JobError> {
    let max_attempts = i32::try_from(settings.retries).unwrap_or(i32::MAX - 1) + 1;
    if permanent || attempt >= max_attempts {
        return give_up(conn, task_id, reason).await;
    }
    let note = format!("attempt {attempt} of {max_attempts} failed: {reason}");
    rows::requeue(conn, task_id, note).await?;
    Ok(TaskOutcome::Failed {
        reason,
        retry: true,
    })
}

/// Fails the task for good.
async fn give_up(
    conn: &impl ConnectionTrait,
    task_id: i64,
    reason: String,
) -> Result<TaskOutcome, JobError> {
    finish(conn, task_id, TaskState::Failed, None, 0, Some(&reason)).await?;
    Ok(TaskOutcome::Failed {
        reason,
        retry: false,
    })
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
