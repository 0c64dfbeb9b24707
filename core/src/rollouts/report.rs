//! Reading roll-outs for the pages, the API and the command line: the list of a tenant's
//! roll-outs, and one roll-out with its plan, latest evaluation and verdict history.

use blueprint_types::rollouts::{Evaluation, RolloutReport, RolloutSummary, StageVerdict, Verdict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::lookup::visible_rollout;
use super::row::{plan_of, state_of, stored, verdict_of};
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::{app_version, application, rollout, rollout_verdict, tenant};
use crate::time::{hour_text, instant};

/// Roll-out `row` as the list shows it.
async fn summary_of(
    conn: &impl ConnectionTrait,
    row: &rollout::Model,
) -> Result<RolloutSummary, DbErr> {
    let app = application::Entity::find_by_id(row.application_id)
        .one(conn)
        .await?;
    let version = |id: i64| async move {
        Ok::<String, DbErr>(
            app_version::Entity::find_by_id(id)
                .one(conn)
                .await?
                .map(|v| v.version)
                .unwrap_or_default(),
        )
    };
    let slug = tenant::Entity::find_by_id(row.tenant_id)
        .one(conn)
        .await?
        .map(|t| t.slug)
        .unwrap_or_default();
    Ok(RolloutSummary {
        id: row.id,
        tenant: slug,
        application: app.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        platform: app.map(|a| a.platform).unwrap_or_default(),
        candidate: version(row.candidate_id).await?,
        baseline: version(row.baseline_id).await?,
        state: state_of(row)?,
        opened_by: row.opened_by.clone(),
        stage: row.stage,
        verdict: verdict_of(row)?,
        share: row.share,
        latest_hour: row.latest_hour.map(hour_text),
        created_at: instant(row.created_at),
        reason: failing_reason(row)?,
    })
}

/// The latest evaluation's reason when roll-out `row` fails.
fn failing_reason(row: &rollout::Model) -> Result<Option<String>, DbErr> {
    if verdict_of(row)? != Verdict::Fail {
        return Ok(None);
    }
    Ok(row
        .report
        .as_deref()
        .and_then(|r| serde_json::from_str::<Evaluation>(r).ok())
        .map(|e| e.reason)
        .filter(|r| !r.is_empty()))
}

/// Each recorded change of a stage's verdict, oldest first.
async fn history_of(
    conn: &impl ConnectionTrait,
    row: &rollout::Model,
) -> Result<Vec<StageVerdict>, DbErr> {
    rollout_verdict::Entity::find()
        .filter(rollout_verdict::Column::RolloutId.eq(row.id))
        .order_by_asc(rollout_verdict::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|v| {
            Ok(StageVerdict {
                stage: v.stage,
                verdict: stored(row.id, "verdict", &v.verdict)?,
                share: v.share,
                latest_hour: hour_text(v.latest_hour),
                reason: v.reason,
                at: instant(v.at),
            })
        })
        .collect()
}

/// Roll-out `row` with its plan, latest evaluation and history; `can_manage`: the caller may
/// change it.
pub(super) async fn report_of(
    services: &Services,
    row: &rollout::Model,
    can_manage: bool,
) -> Result<RolloutReport, DbErr> {
    let conn = services.db.conn();
    Ok(RolloutReport {
        rollout: summary_of(conn, row).await?,
        plan: plan_of(row),
        evaluation: row
            .report
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok()),
        history: history_of(conn, row).await?,
        can_manage,
    })
}

/// A tenant's roll-outs, newest first.
pub async fn list_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<Vec<RolloutSummary>, ServiceError> {
    let tenant = crate::tenants::visible(services, actor, slug).await?;
    list(services, &tenant).await
}

/// The roll-outs of `tenant`, newest first.
pub(super) async fn list(
    services: &Services,
    tenant: &tenant::Model,
) -> Result<Vec<RolloutSummary>, ServiceError> {
    let conn = services.db.conn();
    let mut out = Vec::new();
    for row in rollout::Entity::find()
        .filter(rollout::Column::TenantId.eq(tenant.id))
        .order_by_desc(rollout::Column::Id)
        .all(conn)
        .await?
    {
        out.push(summary_of(conn, &row).await?);
    }
    Ok(out)
}

/// One roll-out with its plan, latest evaluation and verdict history.
pub async fn report_as(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<RolloutReport, ServiceError> {
    let row = visible_rollout(services, actor, id).await?;
    Ok(report_of(services, &row, actor.can_own(row.tenant_id)).await?)
}
