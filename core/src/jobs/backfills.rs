//! Backfills: re-ingesting a range of hours `[from, to)` of a tenant. Asking queues one job that
//! fans the range out into hour tasks; the backfill's progress is the state of those tasks (kept
//! in Blueprint's tables, visible while it runs), and cancelling it drops the hours not started.
//! The news rule is decided when the backfill is asked for (DESIGN.md, "Ledger semantics").

use blueprint_types::jobs::Backfill;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::{backfill, hour_task, tenant};
use crate::hour::Hour;
use crate::ingestion::{self, IngestionError, NewsPolicy};
use crate::jobs::queue::{BackfillJob, JobQueue, Queue};
use crate::jobs::tasks::{self, NewTask, Origin};
use crate::jobs::{JobError, hour_text, instant, now};
use crate::ledger::rollup;

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";

/// A backfill to ask for.
#[derive(Clone, Debug)]
pub struct NewBackfill {
    pub from: Hour,
    pub to: Hour,
    /// `admin`, `api`, `cli`, `baseline` or `catch-up`.
    pub origin: String,
    pub requested_by: Option<String>,
}

/// Checks the range against the tenant's ledger, records the backfill and queues its fan-out.
/// `current` is the hour containing now: later hours have not begun and are refused.
pub async fn request(
    services: &Services,
    queue: &JobQueue,
    tenant: &tenant::Model,
    new: NewBackfill,
    current: Hour,
) -> Result<backfill::Model, JobError> {
    let NewBackfill {
        from,
        to,
        origin,
        requested_by,
    } = new;
    if to <= from {
        return Err(IngestionError::EmptyRange { from, to }.into());
    }
    if to > current.plus(1) {
        return Err(JobError::Invalid(format!(
            "`to` {to} is in the future: the last hour that can be ingested is the current one, {current} (`to` is exclusive)"
        )));
    }
    let latest = ingestion::latest_ingested(services, tenant.id).await?;
    let last = to.plus(-1);
    let window = rollup::window_start(latest.map_or(last, |l| l.max(last)), tenant.retention_days);
    if from < window {
        return Err(IngestionError::BeyondRetention {
            hour: from,
            window,
            days: tenant.retention_days,
        }
        .into());
    }
    let forward = from
        .until(to)
        .filter(|hour| latest.is_none_or(|latest| *hour > latest))
        .count();
    let row = backfill::ActiveModel {
        tenant_id: Set(tenant.id),
        from_hour: Set(from.epoch_seconds()),
        to_hour: Set(to.epoch_seconds()),
        origin: Set(origin),
        requested_by: Set(requested_by),
        status: Set(QUEUED.to_owned()),
        hours_total: Set(i32::try_from(from.until(to).count()).unwrap_or(i32::MAX)),
        previous_latest: Set(latest.map(Hour::epoch_seconds)),
        long_forward: Set(forward > 24),
        created_at: Set(now()),
        ..Default::default()
    };
    let row = backfill::Entity::insert(row)
        .exec_with_returning(services.db.conn())
        .await?;
    queue
        .push(
            Queue::Backfill,
            vec![BackfillJob {
                backfill_id: row.id,
            }],
        )
        .await?;
    tracing::info!(
        tenant = tenant.slug,
        backfill = row.id,
        %from,
        %to,
        origin = row.origin,
        "backfill queued"
    );
    Ok(row)
}

/// An admin asks for a backfill from a page or the API: checked, recorded, audited.
pub async fn request_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    from: Hour,
    to: Hour,
    origin: &str,
) -> Result<Backfill, ServiceError> {
    actor.require_admin()?;
    let tenant = ingestion::tenant(services, slug)
        .await
        .map_err(JobError::from)?;
    let queue = JobQueue::open(&services.db).await?;
    let row = request(
        services,
        &queue,
        &tenant,
        NewBackfill {
            from,
            to,
            origin: origin.to_owned(),
            requested_by: Some(actor.email.clone()),
        },
        Hour::containing(chrono::Utc::now()),
    )
    .await?;
    let view = view_of(services.db.conn(), row).await?;
    audit::record(
        services.db.conn(),
        Some(actor),
        Some(tenant.id),
        "backfill.request",
        &format!("{slug} {from} to {to}"),
        None,
        Some(&view),
    )
    .await?;
    Ok(view)
}

/// Fans a queued backfill out into hour tasks and pushes their jobs. Run twice (a job delivered
/// again after a crash), it creates nothing new and pushes the still-queued hours again.
pub async fn fan_out(services: &Services, queue: &JobQueue, id: i64) -> Result<usize, JobError> {
    let conn = services.db.conn();
    let after_run = tasks::max_run_id(conn).await?;
    let txn = conn.begin().await?;
    // Write first (SQLite takes its write lock here, not midway): whoever moves it from queued to
    // running creates the hour tasks.
    let started = backfill::Entity::update_many()
        .col_expr(backfill::Column::Status, Expr::value(RUNNING))
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::Status.eq(QUEUED))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    let Some(row) = backfill::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(0);
    };
    if started {
        let policy = NewsPolicy {
            previous_latest: row.previous_latest.and_then(Hour::from_epoch_seconds),
            long_forward_backfill: row.long_forward,
        };
        let (Some(from), Some(to)) = (
            Hour::from_epoch_seconds(row.from_hour),
            Hour::from_epoch_seconds(row.to_hour),
        ) else {
            return Err(JobError::Invalid(format!(
                "backfill {id} has no valid range"
            )));
        };
        let new: Vec<NewTask> = from
            .until(to)
            .map(|hour| NewTask {
                tenant_id: row.tenant_id,
                hour,
                backfill_id: Some(id),
                origin: Origin::Backfill,
                policy,
            })
            .collect();
        tasks::insert_tasks(&txn, &new, after_run).await?;
    } else if row.status != RUNNING {
        return Ok(0);
    }
    txn.commit().await?;
    let queued: Vec<i64> = hour_task::Entity::find()
        .select_only()
        .column(hour_task::Column::Id)
        .filter(hour_task::Column::BackfillId.eq(id))
        .filter(hour_task::Column::State.eq(tasks::QUEUED))
        .order_by_asc(hour_task::Column::Hour)
        .into_tuple()
        .all(conn)
        .await?;
    queue.push_hours(&queued).await?;
    Ok(queued.len())
}

pub(crate) async fn is_cancelled(conn: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(backfill::Entity::find_by_id(id)
        .one(conn)
        .await?
        .is_some_and(|row| row.status == CANCELLED))
}

/// Notes when the first hour started.
pub(crate) async fn mark_started(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    backfill::Entity::update_many()
        .col_expr(backfill::Column::StartedAt, Expr::value(now()))
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::StartedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct StateCount {
    state: String,
    hours: i64,
    events: Option<i64>,
}

async fn counts(conn: &impl ConnectionTrait, id: i64) -> Result<Vec<StateCount>, DbErr> {
    hour_task::Entity::find()
        .select_only()
        .column(hour_task::Column::State)
        .column_as(hour_task::Column::Id.count(), "hours")
        .column_as(
            Expr::cust("CAST(SUM(hour_tasks.events) AS BIGINT)"),
            "events",
        )
        .filter(hour_task::Column::BackfillId.eq(id))
        .group_by(hour_task::Column::State)
        .into_model::<StateCount>()
        .all(conn)
        .await
}

/// Closes a running backfill once none of its hours is open: `done`, or `failed` when an hour
/// failed for good.
pub(crate) async fn refresh(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    let counts = counts(conn, id).await?;
    let open = counts
        .iter()
        .any(|c| c.state == tasks::QUEUED || c.state == tasks::RUNNING);
    if open || counts.is_empty() {
        return Ok(());
    }
    let failed = counts.iter().any(|c| c.state == tasks::FAILED);
    let closed = backfill::Entity::update_many()
        .col_expr(
            backfill::Column::Status,
            Expr::value(if failed { FAILED } else { DONE }),
        )
        .col_expr(backfill::Column::FinishedAt, Expr::value(now()))
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::Status.eq(RUNNING))
        .exec(conn)
        .await?;
    if closed.rows_affected == 1 {
        // What it found is history, then what it may have made obsolete: the pipeline's steps.
        if let Some(row) = backfill::Entity::find_by_id(id).one(conn).await? {
            crate::pipeline::after_backfill(conn, id, row.tenant_id, now()).await?;
        }
    }
    Ok(())
}

/// Cancels a queued or running backfill: hours not yet started are dropped, running ones finish.
pub async fn cancel(
    conn: &sea_orm::DatabaseConnection,
    id: i64,
) -> Result<backfill::Model, JobError> {
    let txn = conn.begin().await?;
    let cancelled = backfill::Entity::update_many()
        .col_expr(backfill::Column::Status, Expr::value(CANCELLED))
        .col_expr(backfill::Column::FinishedAt, Expr::value(now()))
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::Status.is_in([QUEUED, RUNNING]))
        .exec(&txn)
        .await?
        .rows_affected;
    if cancelled == 0 {
        txn.rollback().await?;
        let row = backfill::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(JobError::NotFound)?;
        return Err(JobError::Invalid(format!(
            "backfill {id} is already {}; only a queued or running backfill can be cancelled",
            row.status
        )));
    }
    tasks::cancel_queued(&txn, id).await?;
    let row = backfill::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(JobError::NotFound)?;
    txn.commit().await?;
    Ok(row)
}

/// An admin cancels a backfill (audited).
pub async fn cancel_as(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<Backfill, ServiceError> {
    actor.require_admin()?;
    let row = cancel(services.db.conn(), id).await?;
    let view = view_of(services.db.conn(), row).await?;
    audit::record(
        services.db.conn(),
        Some(actor),
        None,
        "backfill.cancel",
        &format!("backfill {id} of {}", view.tenant),
        None,
        Some(&view),
    )
    .await?;
    Ok(view)
}

/// A backfill with its progress.
pub async fn view_of(conn: &impl ConnectionTrait, row: backfill::Model) -> Result<Backfill, DbErr> {
    let tenant = tenant::Entity::find_by_id(row.tenant_id)
        .one(conn)
        .await?
        .map_or_else(|| row.tenant_id.to_string(), |t| t.slug);
    let counts = counts(conn, row.id).await?;
    let hours = |states: &[&str]| -> i64 {
        counts
            .iter()
            .filter(|c| states.contains(&c.state.as_str()))
            .map(|c| c.hours)
            .sum()
    };
    let before_fan_out = counts.is_empty() && row.status == QUEUED;
    Ok(Backfill {
        id: row.id,
        tenant,
        from: hour_text(row.from_hour),
        to: hour_text(row.to_hour),
        status: row.status.clone(),
        origin: row.origin.clone(),
        requested_by: row.requested_by.clone(),
        hours_total: i64::from(row.hours_total),
        hours_done: hours(&[tasks::DONE, tasks::SKIPPED]),
        hours_failed: hours(&[tasks::FAILED]),
        hours_running: hours(&[tasks::RUNNING]),
        hours_queued: if before_fan_out {
            i64::from(row.hours_total)
        } else {
            hours(&[tasks::QUEUED])
        },
        hours_cancelled: hours(&[tasks::CANCELLED]),
        events: counts.iter().filter_map(|c| c.events).sum(),
        created_at: instant(row.created_at),
        started_at: row.started_at.map(instant),
        finished_at: row.finished_at.map(instant),
    })
}

pub async fn view(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Backfill>, DbErr> {
    match backfill::Entity::find_by_id(id).one(conn).await? {
        Some(row) => Ok(Some(view_of(conn, row).await?)),
        None => Ok(None),
    }
}

/// One backfill, for admins.
pub async fn get_as(services: &Services, actor: &Actor, id: i64) -> Result<Backfill, ServiceError> {
    actor.require_admin()?;
    view(services.db.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The newest backfills (of one tenant, or of all), newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Backfill>, DbErr> {
    let mut query = backfill::Entity::find().order_by_desc(backfill::Column::Id);
    if let Some(tenant_id) = tenant_id {
        query = query.filter(backfill::Column::TenantId.eq(tenant_id));
    }
    let rows = query.limit(limit).all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(view_of(conn, row).await?);
    }
    Ok(out)
}

/// Whether a tenant has a backfill still queued or running.
pub(crate) async fn has_open(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<bool, DbErr> {
    Ok(backfill::Entity::find()
        .filter(backfill::Column::TenantId.eq(tenant_id))
        .filter(backfill::Column::Status.is_in([QUEUED, RUNNING]))
        .one(conn)
        .await?
        .is_some())
}

/// How a backfill's hours ended, for the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HoursOutcome {
    /// Ingested with data, or already done by a later run.
    pub ok: usize,
    pub no_data: usize,
    /// Hours that failed for good, with their errors, in hour order.
    pub failed: Vec<(Hour, String)>,
    pub cancelled: usize,
    pub events: i64,
}

pub async fn hours_outcome(conn: &impl ConnectionTrait, id: i64) -> Result<HoursOutcome, DbErr> {
    let rows = hour_task::Entity::find()
        .filter(hour_task::Column::BackfillId.eq(id))
        .order_by_asc(hour_task::Column::Hour)
        .all(conn)
        .await?;
    let run_ids: Vec<i64> = rows.iter().filter_map(|t| t.run_id).collect();
    let no_data: std::collections::HashSet<i64> = crate::entities::ingestion_run::Entity::find()
        .select_only()
        .column(crate::entities::ingestion_run::Column::Id)
        .filter(crate::entities::ingestion_run::Column::Id.is_in(run_ids))
        .filter(crate::entities::ingestion_run::Column::Status.eq("no_data"))
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut outcome = HoursOutcome::default();
    for task in rows {
        outcome.events += task.events;
        match task.state.as_str() {
            tasks::DONE if task.run_id.is_some_and(|id| no_data.contains(&id)) => {
                outcome.no_data += 1;
            }
            tasks::DONE | tasks::SKIPPED => outcome.ok += 1,
            tasks::FAILED => outcome.failed.push((
                Hour::from_epoch_seconds(task.hour).unwrap_or(Hour::containing(chrono::Utc::now())),
                task.error.unwrap_or_default(),
            )),
            tasks::CANCELLED => outcome.cancelled += 1,
            _ => {}
        }
    }
    Ok(outcome)
}

/// Closes running backfills whose hours are all finished (a refresh missed after a crash).
pub(crate) async fn refresh_running(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let running: Vec<i64> = backfill::Entity::find()
        .select_only()
        .column(backfill::Column::Id)
        .filter(backfill::Column::Status.eq(RUNNING))
        .into_tuple()
        .all(conn)
        .await?;
    for id in running {
        refresh(conn, id).await?;
    }
    Ok(())
}
