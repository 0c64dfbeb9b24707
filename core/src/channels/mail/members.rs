//! Membership, checked when a digest is planned and again when it is sent: a user removed from a
//! tenant (or disabled) in between gets none of that tenant's news.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::{mail_digest, membership, notification, tenant, user};

/// The tenants a user may read now: every tenant for an admin, their memberships otherwise,
/// none once disabled.
pub(super) async fn readable_by(
    conn: &impl ConnectionTrait,
    person: &user::Model,
) -> Result<Vec<i64>, DbErr> {
    if person.disabled {
        return Ok(Vec::new());
    }
    if person.is_admin {
        return Ok(tenant::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect());
    }
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(person.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.tenant_id)
        .collect())
}

/// Takes the news of tenants the user may no longer read out of a claimed digest (that news is
/// theirs no more, so it is deleted); `false`, with the digest deleted, when nothing is left.
pub(super) async fn keep_readable(
    conn: &impl ConnectionTrait,
    digest: &mail_digest::Model,
    person: &user::Model,
) -> Result<bool, DbErr> {
    let readable = readable_by(conn, person).await?;
    notification::Entity::delete_many()
        .filter(notification::Column::DigestId.eq(digest.id))
        .filter(notification::Column::TenantId.is_not_in(readable.iter().copied()))
        .exec(conn)
        .await?;
    let left = notification::Entity::find()
        .filter(notification::Column::DigestId.eq(digest.id))
        .all(conn)
        .await?
        .len();
    if left == 0 {
        mail_digest::Entity::delete_by_id(digest.id)
            .exec(conn)
            .await?;
        return Ok(false);
    }
    mail_digest::Entity::update_many()
        .col_expr(mail_digest::Column::Notifications, Expr::value(left as i32))
        .filter(mail_digest::Column::Id.eq(digest.id))
        .exec(conn)
        .await?;
    Ok(true)
}
