//! Cancelling a queued or running backfill: hours not yet started are dropped, running ones
//! finish.

use blueprint_types::jobs::{Backfill, BackfillStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::backfill;
use crate::jobs::backfills::view::view_of;
use crate::jobs::{JobError, tasks};
use crate::time::process_seconds;

/// Cancels a queued or running backfill: hours not yet started are dropped, running ones finish.
pub async fn cancel(
    conn: &sea_orm::DatabaseConnection,
    id: i64,
) -> Result<backfill::Model, JobError> {
    let txn = crate::db::begin_write(conn).await?;
    let cancelled = backfill::Entity::update_many()
        .col_expr(
            backfill::Column::Status,
            Expr::value(BackfillStatus::Cancelled.as_str()),
        )
        .col_expr(backfill::Column::FinishedAt, Expr::value(process_seconds()))
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::Status.is_in(BackfillStatus::OPEN.map(BackfillStatus::as_str)))
        .exec(&txn)
        .await?
        .rows_affected;
    if cancelled == 0 {
        txn.rollback().await?;
        let row = backfill::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(JobError::NotFound)?;
        return Err(JobError::Conflict(format!(
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
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: None,
            action: "backfill.cancel",
            target: &format!("backfill {id} of {}", view.tenant),
        },
        None,
        Some(&view),
    )
    .await?;
    Ok(view)
}
