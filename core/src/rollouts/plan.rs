//! Plans: checking one, the tenant's default plan that new roll-outs start with, and changing it.

use blueprint_types::rollouts::{Plan, TenantPlan};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::lookup::invalid;
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::tenant;

/// Checks a plan: stages ascending within 1–100, a tolerance within (0, 1), positive minimums.
pub fn validate_plan(plan: &Plan) -> Result<(), ServiceError> {
    if plan.stages.is_empty()
        || plan.stages.iter().any(|s| !(1..=100).contains(s))
        || plan.stages.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(invalid(format!(
            "stages {:?} are not ascending percentages from 1 to 100",
            plan.stages
        )));
    }
    if !(plan.tolerance > 0.0 && plan.tolerance < 1.0) {
        return Err(invalid(format!(
            "a tolerance of {} is not between 0 and 1 (0.10 is ±10 %)",
            plan.tolerance
        )));
    }
    if plan.min_sessions < 1 || plan.min_count < 1 || !(1..=50).contains(&plan.top) {
        return Err(invalid(
            "min_sessions and min_count must be at least 1, and top from 1 to 50",
        ));
    }
    Ok(())
}

/// The tenant's default plan.
pub(super) fn default_plan(tenant: &tenant::Model) -> Plan {
    tenant
        .rollout_plan
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

/// The plan a tenant's new roll-outs start with.
pub async fn default_plan_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<Plan, ServiceError> {
    Ok(tenant_plan_as(services, actor, slug).await?.plan)
}

/// The tenant's default plan and whether `actor` may change it (the roll-outs page's form).
pub async fn tenant_plan_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<TenantPlan, ServiceError> {
    let tenant = crate::tenants::visible(services, actor, slug).await?;
    Ok(TenantPlan {
        plan: default_plan(&tenant),
        can_manage: actor.can_own(tenant.id),
    })
}

/// Sets the plan a tenant's new roll-outs start with (owners and admins); open roll-outs keep
/// their own.
pub async fn set_default_plan_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    plan: &Plan,
) -> Result<Plan, ServiceError> {
    let tenant = crate::tenants::visible(services, actor, slug).await?;
    actor.require_owner(tenant.id)?;
    validate_plan(plan)?;
    let conn = services.db.conn();
    tenant::Entity::update_many()
        .col_expr(
            tenant::Column::RolloutPlan,
            Expr::value(serde_json::to_string(plan).ok()),
        )
        .filter(tenant::Column::Id.eq(tenant.id))
        .exec(conn)
        .await?;
    audit::record(
        conn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(tenant.id),
            action: "rollout.default_plan",
            target: &tenant.slug,
        },
        Some(&default_plan(&tenant)),
        Some(plan),
    )
    .await?;
    Ok(plan.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_checked() {
        assert!(validate_plan(&Plan::default()).is_ok());
        for bad in [
            Plan {
                stages: vec![5, 1],
                ..Plan::default()
            },
            Plan {
                stages: vec![0, 50],
                ..Plan::default()
            },
            Plan {
                tolerance: 1.5,
                ..Plan::default()
            },
            Plan {
                top: 0,
                ..Plan::default()
            },
        ] {
            assert!(validate_plan(&bad).is_err(), "{bad:?}");
        }
    }
}
