//! Loading the acting user of a request: by user id (jobs, sign-in), or for a session, which
//! counts only while its session epoch is the user's (see [`crate::accounts::epochs`]).

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::Services;
use crate::accounts::{Actor, Role, ServiceError};
use crate::entities::{membership, user};

/// Loads the actor for a user id; disabled or missing users are not signed in.
pub async fn actor_for(services: &Services, user_id: i64) -> Result<Option<Actor>, ServiceError> {
    actor_if(services, user_id, |_| true).await
}

/// The actor of a session of `user_id` begun in session `epoch` ([`crate::accounts::epochs`]); `None` when the
/// user is gone or disabled or the epoch has been raised since.
pub async fn actor_for_session(
    services: &Services,
    user_id: i64,
    epoch: i64,
) -> Result<Option<Actor>, ServiceError> {
    actor_if(services, user_id, |row| row.session_epoch == epoch).await
}

async fn actor_if(
    services: &Services,
    user_id: i64,
    keep: impl FnOnce(&user::Model) -> bool,
) -> Result<Option<Actor>, ServiceError> {
    let Some(row) = user::Entity::find_by_id(user_id)
        .one(services.db.conn())
        .await?
    else {
        return Ok(None);
    };
    if row.disabled || !keep(&row) {
        return Ok(None);
    }
    let memberships = memberships_of(services, row.id).await?;
    Ok(Some(Actor::new(&row, memberships, None)))
}

pub(crate) async fn memberships_of(
    services: &Services,
    user_id: i64,
) -> Result<BTreeMap<i64, Role>, ServiceError> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(services.db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| Some((m.tenant_id, m.role.parse().ok()?)))
        .collect())
}
