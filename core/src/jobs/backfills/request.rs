//! Asking for a backfill (checked against the tenant's ledger and retention window, recorded,
//! its fan-out queued) and fanning it out into hour tasks.

use blueprint_types::jobs::{Backfill, BackfillStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::{backfill, hour_task, tenant};
use crate::hour::Hour;
use crate::ingestion::{self, IngestionError, NewsPolicy};
use crate::jobs::JobError;
use crate::jobs::backfills::view::view_of;
use crate::jobs::tasks::{self, NewTask, Origin, TaskState};
use crate::ledger::rollup;
use crate::queue::{BackfillJob, JobQueue, Queue};
use crate::time::process_seconds;

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
    let latest = check_range(services, tenant, from, to, current).await?;
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
        status: Set(BackfillStatus::Queued.as_str().to_owned()),
        hours_total: Set(i32::try_from(from.until(to).count()).unwrap_or(i32::MAX)),
        previous_latest: Set(latest.map(Hour::epoch_seconds)),
        long_forward: Set(forward > 24),
        created_at: Set(process_seconds()),
        ..Default::default()
    };
    let row = backfill::Entity::insert(row)
        .exec_with_returning(services.db.conn())
        .await?;
    let job = BackfillJob {
        backfill_id: row.id,
    };
    queue.push(Queue::Backfill, vec![job]).await?;
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

/// Refuses an empty range, one that ends after the current hour, or one that starts beyond the
/// retention window; returns the tenant's latest ingested hour.
async fn check_range(
    services: &Services,
    tenant: &tenant::Model,
    from: Hour,
    to: Hour,
    current: Hour,
) -> Result<Option<Hour>, JobError> {
    if to <= from {
        return Err(IngestionError::EmptyRange { from, to }.into());
    }
    if to > current.plus(1) {
        return Err(JobError::Invalid(format!(
            "`to` {to} is in the future: the last hour that can be ingested is the current one, {current} (`to` is exclusive)"
        )));
    }
    let latest = ingestion::latest_with_data(services, tenant.id).await?;
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
    Ok(latest)
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
    let queue = JobQueue::open(&services.db).await.map_err(JobError::from)?;
    let new = NewBackfill {
        from,
        to,
        origin: origin.to_owned(),
        requested_by: Some(actor.email.clone()),
    };
    let current = services.db.clock().hour();
    let row = request(services, &queue, &tenant, new, current).await?;
    let view = view_of(services.db.conn(), row).await?;
    audit::record(
        services.db.conn(),
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(tenant.id),
            action: "backfill.request",
            target: &format!("{slug} {from} to {to}"),
        },
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
    let txn = crate::db::begin_write(conn).await?;
    // Write first (SQLite takes its write lock here, not midway): whoever moves it from queued to
    // running creates the hour tasks.
    let started = backfill::Entity::update_many()
        .col_expr(
            backfill::Column::Status,
            Expr::value(BackfillStatus::Running.as_str()),
        )
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::Status.eq(BackfillStatus::Queued.as_str()))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    let Some(row) = backfill::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(0);
    };
    if started {
        insert_hour_tasks(&txn, &row, after_run).await?;
    } else if row.status != BackfillStatus::Running.as_str() {
        return Ok(0);
    }
    txn.commit().await?;
    let queued: Vec<i64> = hour_task::Entity::find()
        .select_only()
        .column(hour_task::Column::Id)
        .filter(hour_task::Column::BackfillId.eq(id))
        .filter(hour_task::Column::State.eq(TaskState::Queued.as_str()))
        .order_by_asc(hour_task::Column::Hour)
        .into_tuple()
        .all(conn)
        .await?;
    queue.push_hours(&queued).await?;
    Ok(queued.len())
}

/// One task per hour of the backfill's range, with the news rule decided when it was asked for.
async fn insert_hour_tasks(
    conn: &impl ConnectionTrait,
    row: &backfill::Model,
    after_run: i64,
) -> Result<(), JobError> {
    let policy = NewsPolicy {
        previous_latest: row.previous_latest.and_then(Hour::from_epoch_seconds),
        long_forward_backfill: row.long_forward,
    };
    let (Some(from), Some(to)) = (
        Hour::from_epoch_seconds(row.from_hour),
        Hour::from_epoch_seconds(row.to_hour),
    ) else {
        return Err(JobError::Invalid(format!(
            "backfill {} has no valid range",
            row.id
        )));
    };
    let new: Vec<NewTask> = from
        .until(to)
        .map(|hour| NewTask {
            tenant_id: row.tenant_id,
            hour,
            backfill_id: Some(row.id),
            origin: Origin::Backfill,
            policy,
        })
        .collect();
    tasks::insert_tasks(conn, &new, after_run).await?;
    Ok(())
}
