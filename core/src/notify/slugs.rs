//! Tenant slugs by id, for the views of watches and the inbox.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

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
