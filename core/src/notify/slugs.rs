//! Tenant slugs by id, for the views of watches and the inbox, and the tenants a caller's watches
//! and inbox may touch: those they can read, and of those only the one their token is limited to.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::tenant;

/// Every tenant's slug by its id.
pub(super) async fn slugs(conn: &impl ConnectionTrait) -> Result<HashMap<i64, String>, DbErr> {
    Ok(tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect())
}

/// The ids of the tenants the actor may read now (a token's scope applies).
pub(super) fn readable(slugs: &HashMap<i64, String>, actor: &Actor) -> Vec<i64> {
    let mut ids: Vec<i64> = slugs
        .keys()
        .copied()
        .filter(|id| actor.can_read(*id))
        .collect();
    ids.sort_unstable();
    ids
}

/// The tenant `slug` if the actor may act in it: `Forbidden` when their token is limited to
/// another tenant, `NotFound` when they cannot see it.
pub(super) async fn scoped_tenant(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<tenant::Model, ServiceError> {
    let row = crate::tenants::by_slug(services.db.conn(), slug)
        .await?
        .ok_or(ServiceError::NotFound)?;
    actor.require_in_scope(row.id)?;
    Ok(row)
}
