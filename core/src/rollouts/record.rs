//! Recording evaluations: the latest one on the roll-out's row, and each change of a stage's
//! verdict appended to its history exactly once, and told. Once the baseline has no sessions
//! left, the last verdict that compared both stands.

use blueprint_types::rollouts::Evaluation;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::evaluate::{self, Outcome, Subject};
use super::notice::{Change, tell};
use super::row::plan_of;
use crate::Services;
use crate::entities::{app_version, rollout, rollout_verdict};

/// What roll-out `row` evaluates: its versions, its plan and the tenant's screen-load events.
async fn subject_of(services: &Services, row: &rollout::Model) -> Result<Subject, DbErr> {
    let conn = services.db.conn();
    let version = |id: i64| async move {
        app_version::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("version {id}")))
    };
    let screen_loads = crate::mappings::load_mapping(services, row.tenant_id)
        .await
        .map(|m| m.screen_load_events)
        .unwrap_or_default();
    Ok(Subject {
        tenant_id: row.tenant_id,
        candidate: version(row.candidate_id).await?,
        baseline: version(row.baseline_id).await?,
        plan: plan_of(row),
        screen_loads,
    })
}

/// The last recorded evaluation that compared both versions, standing in for `evaluation`
/// (which could not), or `evaluation` if there is none.
fn standing(row: &rollout::Model, evaluation: Evaluation) -> Evaluation {
    let Some(mut previous) = row
        .report
        .as_deref()
        .and_then(|r| serde_json::from_str::<Evaluation>(r).ok())
        .filter(|e| e.stage.is_some())
    else {
        return evaluation;
    };
    previous.reason = format!("{} (standing: {})", previous.reason, evaluation.reason);
    previous
}

/// Writes the evaluation, the stage reached and the latest hour onto the roll-out's row.
async fn store(
    conn: &impl ConnectionTrait,
    row: &rollout::Model,
    stage: Option<i32>,
    evaluation: &Evaluation,
    latest: Option<i64>,
    at: i64,
) -> Result<(), DbErr> {
    rollout::Entity::update_many()
        .col_expr(rollout::Column::Stage, Expr::value(stage))
        .col_expr(
            rollout::Column::Verdict,
            Expr::value(evaluation.verdict.as_str()),
        )
        .col_expr(rollout::Column::Share, Expr::value(evaluation.share))
        .col_expr(rollout::Column::LatestHour, Expr::value(latest))
        .col_expr(
            rollout::Column::Report,
            Expr::value(serde_json::to_string(evaluation).ok()),
        )
        .col_expr(rollout::Column::EvaluatedAt, Expr::value(at))
        .filter(rollout::Column::Id.eq(row.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Appends the stage's verdict unless it is the last one recorded; returns the new record's id.
async fn append_change(
    conn: &impl ConnectionTrait,
    row: &rollout::Model,
    stage: i32,
    evaluation: &Evaluation,
    latest: Option<i64>,
    at: i64,
) -> Result<Option<i64>, DbErr> {
    let last = rollout_verdict::Entity::find()
        .filter(rollout_verdict::Column::RolloutId.eq(row.id))
        .order_by_desc(rollout_verdict::Column::Id)
        .one(conn)
        .await?;
    if last
        .as_ref()
        .is_some_and(|l| l.stage == stage && l.verdict == evaluation.verdict.as_str())
    {
        return Ok(None);
    }
    let inserted = rollout_verdict::Entity::insert(rollout_verdict::ActiveModel {
        rollout_id: Set(row.id),
        stage: Set(stage),
        verdict: Set(evaluation.verdict.as_str().into()),
        share: Set(evaluation.share),
        latest_hour: Set(latest.unwrap_or_default()),
        reason: Set(evaluation.reason.clone()),
        at: Set(at),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(Some(inserted.last_insert_id))
}

/// Evaluates a roll-out; when `record`, stores the evaluation and appends (and tells) a change
/// of the stage's verdict. Returns the evaluation and whether a change was told.
pub(super) async fn evaluate_and_record(
    services: &Services,
    row: &rollout::Model,
    record: bool,
) -> Result<(Evaluation, bool), DbErr> {
    let conn = services.db.conn();
    let subject = subject_of(services, row).await?;
    let Outcome {
        evaluation,
        latest,
        comparable,
        implicated_events,
    } = evaluate::evaluate(conn, &subject).await?;
    if !comparable {
        return Ok((standing(row, evaluation), false));
    }
    if !record {
        return Ok((evaluation, false));
    }
    let stage = row.stage.max(evaluation.stage);
    // One transaction, which writes the roll-out's row first: concurrent evaluations of the same
    // roll-out (two hours ingested at once, or `status` beside the schedule) take turns, so a
    // change is appended — and told — exactly once, or not at all.
    let txn = crate::db::begin_write(conn).await?;
    let at = services.db.now_seconds();
    store(&txn, row, stage, &evaluation, latest, at).await?;
    let (Some(stage), Some(_)) = (stage, evaluation.stage) else {
        txn.commit().await?;
        return Ok((evaluation, false));
    };
    let Some(verdict_id) = append_change(&txn, row, stage, &evaluation, latest, at).await? else {
        txn.commit().await?;
        return Ok((evaluation, false));
    };
    let change = Change {
        subject: &subject,
        stage,
        evaluation: &evaluation,
        implicated: &implicated_events,
        verdict_id,
    };
    tell(&txn, row, &change, at).await?;
    txn.commit().await?;
    Ok((evaluation, true))
}
