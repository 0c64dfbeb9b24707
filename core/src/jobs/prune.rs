//! Keeping the job tables small: finished hour tasks, backfills and stopped workers older than the
//! hourly detail (the retention window, 35 days by default) are deleted, and so are apalis' done
//! jobs of Blueprint's queues. Runs once an hour, after the schedule's planning.

use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use crate::Services;
use crate::entities::{backfill, hour_task, job_worker};
use crate::jobs::JobError;
use crate::jobs::backfills::BackfillStatus;
use crate::jobs::tasks::TaskState;
use crate::queue::JobQueue;
use crate::time::process_seconds;
use sea_orm::ConnectionTrait;

/// Days of finished job history kept.
pub const KEEP_DAYS: i64 = 35;

/// What was deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub hour_tasks: u64,
    pub backfills: u64,
    pub workers: u64,
    pub queue_jobs: u64,
}

pub async fn prune(
    services: &Services,
    queue: &JobQueue,
    keep_days: i64,
) -> Result<Pruned, JobError> {
    let conn = services.db.conn();
    let cutoff = process_seconds() - keep_days * 86_400;
    let finished_states = TaskState::FINISHED.map(TaskState::as_str);
    let old_backfills: Vec<i64> = backfill::Entity::find()
        .filter(
            backfill::Column::Status.is_in(BackfillStatus::FINISHED.map(BackfillStatus::as_str)),
        )
        .filter(backfill::Column::FinishedAt.lt(cutoff))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    let mut pruned = Pruned::default();
    if !old_backfills.is_empty() {
        pruned.hour_tasks += hour_task::Entity::delete_many()
            .filter(hour_task::Column::BackfillId.is_in(old_backfills.clone()))
            .filter(hour_task::Column::State.is_in(finished_states))
            .exec(conn)
            .await?
            .rows_affected;
        pruned.backfills = backfill::Entity::delete_many()
            .filter(backfill::Column::Id.is_in(old_backfills))
            .exec(conn)
            .await?
            .rows_affected;
    }
    pruned.hour_tasks += hour_task::Entity::delete_many()
        .filter(hour_task::Column::BackfillId.is_null())
        .filter(hour_task::Column::State.is_in(finished_states))
        .filter(hour_task::Column::FinishedAt.lt(cutoff))
        .exec(conn)
        .await?
        .rows_affected;
    pruned.workers = job_worker::Entity::delete_many()
        .filter(job_worker::Column::StoppedAt.lt(cutoff))
        .exec(conn)
        .await?
        .rows_affected;
    let pattern = format!("{}.%", queue.namespace());
    let statement = match services.db.backend() {
        DbBackend::Postgres => Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM apalis.jobs WHERE job_type LIKE $1 AND status = 'Done' AND done_at < to_timestamp($2)",
            [pattern.into(), cutoff.into()],
        ),
        _ => Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "DELETE FROM Jobs WHERE job_type LIKE ? AND status = 'Done' AND done_at < ?",
            [pattern.into(), cutoff.into()],
        ),
    };
    pruned.queue_jobs = conn.execute_raw(statement).await?.rows_affected();
    Ok(pruned)
}
