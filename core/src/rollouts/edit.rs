//! Changing a roll-out by hand: pausing, resuming or closing it, or changing its plan (owners and
//! admins).

use blueprint_types::rollouts::{Plan, RolloutEdit, RolloutReport, RolloutState};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::lookup::{invalid, reload, visible_rollout};
use super::plan::validate_plan;
use super::record::evaluate_and_record;
use super::report::report_as;
use super::row::{plan_of, state_of};
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::rollout;

/// The state an edit asks for, if any.
fn state_asked(edit: &RolloutEdit) -> Result<Option<RolloutState>, ServiceError> {
    edit.state
        .as_deref()
        .map(|state| {
            state
                .parse()
                .map_err(|_| invalid(format!("state `{state}` is not open, paused or closed")))
        })
        .transpose()
}

/// Writes the new state (a closed roll-out notes when) and the new plan.
async fn apply(
    conn: &impl ConnectionTrait,
    id: i64,
    state: Option<RolloutState>,
    plan: Option<&Plan>,
    now: i64,
) -> Result<(), DbErr> {
    let mut update = rollout::Entity::update_many().filter(rollout::Column::Id.eq(id));
    if let Some(state) = state {
        update = update.col_expr(rollout::Column::State, Expr::value(state.as_str()));
        update = update.col_expr(
            rollout::Column::ClosedAt,
            Expr::value((state == RolloutState::Closed).then_some(now)),
        );
    }
    if let Some(plan) = plan {
        update = update.col_expr(
            rollout::Column::Plan,
            Expr::value(serde_json::to_string(plan).unwrap_or_default()),
        );
    }
    update.exec(conn).await?;
    Ok(())
}

/// Pauses, resumes or closes a roll-out, or changes its plan (owners and admins).
pub async fn edit_as(
    services: &Services,
    actor: &Actor,
    id: i64,
    edit: &RolloutEdit,
) -> Result<RolloutReport, ServiceError> {
    let row = visible_rollout(services, actor, id).await?;
    actor.require_owner(row.tenant_id)?;
    let conn = services.db.conn();
    let state = state_asked(edit)?;
    if let Some(plan) = &edit.plan {
        validate_plan(plan)?;
    }
    apply(
        conn,
        id,
        state,
        edit.plan.as_ref(),
        services.db.now_seconds(),
    )
    .await?;
    audit::record(
        conn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(row.tenant_id),
            action: "rollout.edit",
            target: &format!("rollout {id}"),
        },
        Some(&serde_json::json!({"state": row.state, "plan": plan_of(&row)})),
        Some(&serde_json::json!({"state": edit.state, "plan": edit.plan})),
    )
    .await?;
    let row = reload(conn, id).await?;
    if state_of(&row)? == RolloutState::Open {
        evaluate_and_record(services, &row, true).await?;
    }
    report_as(services, actor, id).await
}
