//! What follows each ingested hour: a roll-out opens for each new version that is news, then
//! every open roll-out of the tenant is evaluated and each change of a verdict recorded and told.

use blueprint_types::rollouts::RolloutState;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

use super::open::open_for_news;
use super::record::evaluate_and_record;
use crate::Services;
use crate::entities::{rollout, tenant};

/// After an ingested hour: opens a roll-out for each new version that is news, then evaluates
/// every open roll-out of the tenant. Returns how many verdicts changed.
pub async fn after_hour(services: &Services, tenant_id: i64, run_id: i64) -> Result<usize, DbErr> {
    let conn = services.db.conn();
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
        return Ok(0);
    };
    open_for_news(conn, &tenant, run_id, services.db.now_seconds()).await?;
    let open = rollout::Entity::find()
        .filter(rollout::Column::TenantId.eq(tenant_id))
        .filter(rollout::Column::State.eq(RolloutState::Open.as_str()))
        .all(conn)
        .await?;
    let mut changed = 0;
    for row in open {
        // One roll-out that cannot be evaluated does not hold up the others.
        match evaluate_and_record(services, &row, true).await {
            Ok((_, told)) => changed += usize::from(told),
            Err(err) => {
                tracing::warn!(rollout = row.id, error = %err, "cannot evaluate the roll-out")
            }
        }
    }
    Ok(changed)
}
