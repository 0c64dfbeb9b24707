//! The `hour_tasks` rows: inserting tasks (and pushing their jobs), reading the open ones, and
//! moving a task to its next state.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::Services;
use crate::entities::{hour_task, ingestion_run};
use crate::hour::Hour;
use crate::ingestion::NewsPolicy;
use crate::jobs::JobError;
use crate::jobs::tasks::state::{Origin, TaskState};
use crate::queue::JobQueue;
use crate::time::process_seconds;

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
    let queued_at = process_seconds();
    let mut ids = Vec::with_capacity(tasks.len());
    for task in tasks {
        let row = hour_task::ActiveModel {
            tenant_id: Set(task.tenant_id),
            hour: Set(task.hour.epoch_seconds()),
            backfill_id: Set(task.backfill_id),
            origin: Set(task.origin.as_str().to_owned()),
            state: Set(TaskState::Queued.as_str().to_owned()),
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
    let txn = crate::db::begin_write(services.db.conn()).await?;
    let ids = insert_tasks(&txn, tasks, after_run).await?;
    txn.commit().await?;
    queue.push_hours(&ids).await?;
    Ok(ids)
}

/// The task, while it is queued or running.
pub(crate) async fn open_task(
    conn: &impl ConnectionTrait,
    task_id: i64,
) -> Result<Option<hour_task::Model>, DbErr> {
    Ok(hour_task::Entity::find_by_id(task_id)
        .one(conn)
        .await?
        .filter(|task| TaskState::OPEN.iter().any(|state| state.is(&task.state))))
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
        .filter(hour_task::Column::State.is_in(TaskState::OPEN.map(TaskState::as_str)))
        .order_by_asc(hour_task::Column::Id)
        .all(conn)
        .await
}

/// Marks a task running as `worker_id`, on its `attempt`-th attempt.
pub(crate) async fn start(
    conn: &impl ConnectionTrait,
    task_id: i64,
    worker_id: &str,
    attempt: i32,
) -> Result<(), DbErr> {
    hour_task::Entity::update(hour_task::ActiveModel {
        id: Set(task_id),
        state: Set(TaskState::Running.as_str().to_owned()),
        worker_id: Set(Some(worker_id.to_owned())),
        started_at: Set(Some(process_seconds())),
        attempts: Set(attempt),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Queues a task again after a failed attempt, noting why.
pub(crate) async fn requeue(
    conn: &impl ConnectionTrait,
    task_id: i64,
    note: String,
) -> Result<(), DbErr> {
    hour_task::Entity::update(hour_task::ActiveModel {
        id: Set(task_id),
        state: Set(TaskState::Queued.as_str().to_owned()),
        worker_id: Set(None),
        error: Set(Some(note)),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Closes a task in a final state.
pub(crate) async fn finish(
    conn: &impl ConnectionTrait,
    task_id: i64,
    state: TaskState,
    run_id: Option<i64>,
    events: i64,
    error: Option<&str>,
) -> Result<(), DbErr> {
    hour_task::Entity::update(hour_task::ActiveModel {
        id: Set(task_id),
        state: Set(state.as_str().to_owned()),
        finished_at: Set(Some(process_seconds())),
        run_id: Set(run_id),
        events: Set(events),
        error: Set(error.map(str::to_owned)),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Marks every queued task of a backfill cancelled (running ones finish their hour).
pub(crate) async fn cancel_queued(
    conn: &impl ConnectionTrait,
    backfill_id: i64,
) -> Result<u64, DbErr> {
    let result = hour_task::Entity::update_many()
        .col_expr(
            hour_task::Column::State,
            Expr::value(TaskState::Cancelled.as_str()),
        )
        .col_expr(
            hour_task::Column::FinishedAt,
            Expr::value(process_seconds()),
        )
        .col_expr(
            hour_task::Column::Error,
            Expr::value("the backfill was cancelled"),
        )
        .filter(hour_task::Column::BackfillId.eq(backfill_id))
        .filter(hour_task::Column::State.eq(TaskState::Queued.as_str()))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
