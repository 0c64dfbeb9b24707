//! What a backfill's hour tasks add up to: its hours per task state, noting when its first hour
//! started, and closing it (`done` or `failed`) once none of its hours is open.

use blueprint_types::jobs::BackfillStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};

use crate::entities::{backfill, hour_task};
use crate::jobs::tasks::state::TaskState;
use crate::time::process_seconds;

/// A backfill's hours in one task state, and the events they read.
#[derive(Debug, FromQueryResult)]
pub(crate) struct StateCount {
    pub state: String,
    pub hours: i64,
    pub events: Option<i64>,
}

/// A backfill's hours per task state.
pub(crate) async fn counts(conn: &impl ConnectionTrait, id: i64) -> Result<Vec<StateCount>, DbErr> {
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

pub(crate) async fn is_cancelled(conn: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(backfill::Entity::find_by_id(id)
        .one(conn)
        .await?
        .is_some_and(|row| row.status == BackfillStatus::Cancelled.as_str()))
}

/// Notes when the first hour started.
pub(crate) async fn mark_started(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    backfill::Entity::update_many()
        .col_expr(backfill::Column::StartedAt, Expr::value(process_seconds()))
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::StartedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Closes a running backfill once none of its hours is open: `done`, or `failed` when an hour
/// failed for good.
pub(crate) async fn refresh(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    let counts = counts(conn, id).await?;
    let open = counts
        .iter()
        .any(|c| TaskState::OPEN.iter().any(|state| state.is(&c.state)));
    if open || counts.is_empty() {
        return Ok(());
    }
    let failed = counts.iter().any(|c| TaskState::Failed.is(&c.state));
    let status = if failed {
        BackfillStatus::Failed
    } else {
        BackfillStatus::Done
    };
    let closed = backfill::Entity::update_many()
        .col_expr(backfill::Column::Status, Expr::value(status.as_str()))
        .col_expr(backfill::Column::FinishedAt, Expr::value(process_seconds()))
        .filter(backfill::Column::Id.eq(id))
        .filter(backfill::Column::Status.eq(BackfillStatus::Running.as_str()))
        .exec(conn)
        .await?;
    if closed.rows_affected == 1 {
        // What it found is history, then what it may have made obsolete: the pipeline's steps.
        if let Some(row) = backfill::Entity::find_by_id(id).one(conn).await? {
            crate::pipeline::after_backfill(conn, id, row.tenant_id, process_seconds()).await?;
        }
    }
    Ok(())
}

/// Closes running backfills whose hours are all finished (a refresh missed after a crash).
pub(crate) async fn refresh_running(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let running: Vec<i64> = backfill::Entity::find()
        .select_only()
        .column(backfill::Column::Id)
        .filter(backfill::Column::Status.eq(BackfillStatus::Running.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    for id in running {
        refresh(conn, id).await?;
    }
    Ok(())
}
