//! The processes that run jobs: each registers, says it is alive every heartbeat, and marks itself
//! stopped when it shuts down. A worker whose heartbeat is older than `dead_after` seconds is dead:
//! the next live worker closes its interrupted runs, frees its claims and queues its hours again.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::Services;
use crate::entities::{hour_claim, hour_task, ingestion_run, job_worker};
use crate::jobs::JobError;
use crate::jobs::tasks::{self, TaskState};
use crate::queue::JobQueue;
use crate::time::process_seconds;

pub use crate::jobs::tasks::is_alive;

/// What kind of process a worker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerKind {
    /// `blueprint serve`: web app and workers.
    Serve,
    /// `blueprint worker`: workers only.
    Worker,
    /// A `blueprint backfill --wait` doing its own range because no worker was alive.
    Cli,
}

impl WorkerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerKind::Serve => "serve",
            WorkerKind::Worker => "worker",
            WorkerKind::Cli => "cli",
        }
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Registers this process; returns its worker id (`host-pid-random`).
pub async fn register(
    conn: &impl ConnectionTrait,
    kind: WorkerKind,
    concurrency: usize,
) -> Result<String, DbErr> {
    let host = host_name();
    let pid = std::process::id();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let id = format!("{host}-{pid}-{}", &suffix[..8]);
    let at = process_seconds();
    job_worker::Entity::insert(job_worker::ActiveModel {
        id: Set(id.clone()),
        kind: Set(kind.as_str().to_owned()),
        host: Set(host),
        pid: Set(i64::from(pid)),
        concurrency: Set(i32::try_from(concurrency).unwrap_or(i32::MAX)),
        started_at: Set(at),
        heartbeat_at: Set(at),
        stopped_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Says this worker is alive (also after others took it for dead: it is back).
pub async fn heartbeat(conn: &impl ConnectionTrait, worker_id: &str) -> Result<(), DbErr> {
    job_worker::Entity::update_many()
        .col_expr(
            job_worker::Column::HeartbeatAt,
            Expr::value(process_seconds()),
        )
        .col_expr(job_worker::Column::StoppedAt, Expr::value(None::<i64>))
        .filter(job_worker::Column::Id.eq(worker_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks a worker stopped on a clean shutdown ([`retire`] also hands back its work).
pub async fn stop(conn: &impl ConnectionTrait, worker_id: &str) -> Result<(), DbErr> {
    job_worker::Entity::update_many()
        .col_expr(
            job_worker::Column::StoppedAt,
            Expr::value(process_seconds()),
        )
        .filter(job_worker::Column::Id.eq(worker_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Workers alive now, oldest first.
pub async fn alive(
    conn: &impl ConnectionTrait,
    dead_after: i64,
) -> Result<Vec<job_worker::Model>, DbErr> {
    job_worker::Entity::find()
        .filter(job_worker::Column::StoppedAt.is_null())
        .filter(job_worker::Column::HeartbeatAt.gte(process_seconds() - dead_after))
        .order_by_asc(job_worker::Column::StartedAt)
        .all(conn)
        .await
}

/// What taking over dead workers did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    pub workers: Vec<String>,
    pub requeued: Vec<i64>,
    pub runs_closed: u64,
}

/// Takes over the work of dead workers: closes their interrupted runs as failed, frees their
/// claims, and queues their running hours again. Each dead worker is taken over by one caller.
pub async fn recover(
    services: &Services,
    queue: &JobQueue,
    dead_after: i64,
) -> Result<Recovered, JobError> {
    let conn = services.db.conn();
    let dead = job_worker::Entity::find()
        .filter(job_worker::Column::StoppedAt.is_null())
        .filter(job_worker::Column::HeartbeatAt.lt(process_seconds() - dead_after))
        .all(conn)
        .await?;
    let mut recovered = Recovered::default();
    for worker in dead {
        // Whoever marks it first takes it over.
        let taken = job_worker::Entity::update_many()
            .col_expr(
                job_worker::Column::StoppedAt,
                Expr::value(worker.heartbeat_at),
            )
            .filter(job_worker::Column::Id.eq(&worker.id))
            .filter(job_worker::Column::StoppedAt.is_null())
            .filter(job_worker::Column::HeartbeatAt.eq(worker.heartbeat_at))
            .exec(conn)
            .await?;
        if taken.rows_affected == 0 {
            continue;
        }
        let (running, closed) = release_work(
            conn,
            &worker.id,
            &format!(
                "interrupted: worker {} stopped answering (killed or crashed) during this run",
                worker.id
            ),
        )
        .await?;
        tracing::warn!(
            worker = worker.id,
            hours = running.len(),
            runs = closed,
            "took over the work of a dead worker"
        );
        recovered.runs_closed += closed;
        recovered.requeued.extend(running);
        recovered.workers.push(worker.id);
    }
    queue.push_hours(&recovered.requeued).await?;
    tasks::refresh_running(conn).await?;
    Ok(recovered)
}

/// Closes a worker's runs still marked running as failed, queues its running hours again and
/// frees its claims; returns the hours queued again and the runs closed.
async fn release_work(
    conn: &impl ConnectionTrait,
    worker_id: &str,
    reason: &str,
) -> Result<(Vec<i64>, u64), DbErr> {
    let closed = ingestion_run::Entity::update_many()
        .col_expr(ingestion_run::Column::Status, Expr::value("failed"))
        .col_expr(
            ingestion_run::Column::FinishedAt,
            Expr::value(process_seconds()),
        )
        .col_expr(ingestion_run::Column::Error, Expr::value(reason))
        .filter(ingestion_run::Column::WorkerId.eq(worker_id))
        .filter(ingestion_run::Column::Status.eq("running"))
        .exec(conn)
        .await?;
    let running: Vec<i64> = hour_task::Entity::find()
        .filter(hour_task::Column::WorkerId.eq(worker_id))
        .filter(hour_task::Column::State.eq(TaskState::Running.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|task| task.id)
        .collect();
    if !running.is_empty() {
        hour_task::Entity::update_many()
            .col_expr(
                hour_task::Column::State,
                Expr::value(TaskState::Queued.as_str()),
            )
            .col_expr(hour_task::Column::WorkerId, Expr::value(None::<String>))
            .col_expr(
                hour_task::Column::Error,
                Expr::value(format!(
                    "worker {worker_id} stopped during this hour; queued again"
                )),
            )
            .filter(hour_task::Column::Id.is_in(running.clone()))
            .filter(hour_task::Column::State.eq(TaskState::Running.as_str()))
            .exec(conn)
            .await?;
    }
    hour_claim::Entity::delete_many()
        .filter(hour_claim::Column::WorkerId.eq(worker_id))
        .exec(conn)
        .await?;
    Ok((running, closed.rows_affected))
}

/// A clean shutdown: marks this worker stopped and hands back what it could not finish.
pub async fn retire(
    services: &Services,
    queue: &JobQueue,
    worker_id: &str,
) -> Result<Vec<i64>, JobError> {
    let conn = services.db.conn();
    stop(conn, worker_id).await?;
    let (requeued, _) = release_work(
        conn,
        worker_id,
        &format!("interrupted: worker {worker_id} shut down during this run"),
    )
    .await?;
    queue.push_hours(&requeued).await?;
    Ok(requeued)
}
