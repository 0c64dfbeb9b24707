//! An hour's claim (`hour_claims`, one row per tenant-hour): a worker ingests an hour only while
//! it holds the claim, and takes over the claim of a worker that is no longer alive.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::entities::{hour_claim, hour_task, job_worker};
use crate::jobs::JobSettings;
use crate::jobs::tasks::rows::open_task;
use crate::time::process_seconds;

/// Whether a worker is alive: not stopped, and its heartbeat is at most `dead_after` seconds old.
pub async fn is_alive(
    conn: &impl ConnectionTrait,
    worker_id: &str,
    dead_after: i64,
) -> Result<bool, DbErr> {
    Ok(job_worker::Entity::find_by_id(worker_id)
        .one(conn)
        .await?
        .is_some_and(|w| {
            w.stopped_at.is_none() && w.heartbeat_at >= process_seconds() - dead_after
        }))
}

/// Takes the hour's claim, waiting while a live worker holds it; false when the task was
/// finished by someone else meanwhile.
pub(crate) async fn claim(
    conn: &impl ConnectionTrait,
    settings: &JobSettings,
    task: &hour_task::Model,
    worker_id: &str,
) -> Result<bool, DbErr> {
    loop {
        if try_claim(conn, task, worker_id).await? {
            return Ok(true);
        }
        let holder = hour_claim::Entity::find()
            .filter(hour_claim::Column::TenantId.eq(task.tenant_id))
            .filter(hour_claim::Column::Hour.eq(task.hour))
            .one(conn)
            .await?;
        if let Some(holder) = holder
            && !is_alive(conn, &holder.worker_id, settings.dead_after()).await?
        {
            // A dead worker's claim: take it over (only if it is still that worker's).
            release(conn, task.tenant_id, task.hour, &holder.worker_id).await?;
            continue;
        }
        if open_task(conn, task.id).await?.is_none() {
            return Ok(false);
        }
        tokio::time::sleep(settings.poll).await;
    }
}

/// Inserts the claim unless someone holds it; true when it is now this worker's.
async fn try_claim(
    conn: &impl ConnectionTrait,
    task: &hour_task::Model,
    worker_id: &str,
) -> Result<bool, DbErr> {
    let inserted = hour_claim::Entity::insert(hour_claim::ActiveModel {
        tenant_id: Set(task.tenant_id),
        hour: Set(task.hour),
        task_id: Set(task.id),
        worker_id: Set(worker_id.to_owned()),
        claimed_at: Set(process_seconds()),
    })
    .on_conflict(
        OnConflict::columns([hour_claim::Column::TenantId, hour_claim::Column::Hour])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await;
    match inserted {
        Ok(1) => Ok(true),
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(false),
        Err(err) => Err(err),
    }
}

/// Gives up `worker_id`'s claim of a tenant-hour (nothing when someone else holds it).
pub(crate) async fn release(
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
