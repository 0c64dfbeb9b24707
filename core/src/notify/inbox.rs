//! The inbox: a user's notifications newest first, filtered by tenant, kind and unread, marked
//! read, and counted unread for the header.

use blueprint_types::notify::{Inbox, InboxItem, NewsKind};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::slugs::{readable, slugs};
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::notification;
use crate::hour::Hour;
use crate::time::instant;

/// Filters of the inbox.
#[derive(Clone, Debug, Default)]
pub struct InboxQuery {
    pub unread_only: bool,
    pub tenant: Option<String>,
    pub kind: Option<String>,
    pub limit: u64,
}

/// The caller's inbox, newest first, in the tenants they can still see.
pub async fn inbox_of(
    services: &Services,
    actor: &Actor,
    query: &InboxQuery,
) -> Result<Inbox, ServiceError> {
    let conn = services.db.conn();
    let slugs = slugs(conn).await?;
    let mut find = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::TenantId.is_in(readable(&slugs, actor)))
        .order_by_desc(notification::Column::Id);
    if query.unread_only {
        find = find.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(slug) = query.tenant.as_deref().filter(|s| !s.is_empty()) {
        let id = slugs
            .iter()
            .find(|(_, s)| s.as_str() == slug)
            .map(|(id, _)| *id)
            .ok_or(ServiceError::NotFound)?;
        actor.require_in_scope(id)?;
        find = find.filter(notification::Column::TenantId.eq(id));
    }
    if let Some(kind) = query.kind.as_deref().filter(|k| !k.is_empty()) {
        let kind = kind
            .parse::<NewsKind>()
            .map_err(|err| ServiceError::Invalid(err.to_string()))?;
        find = find.filter(notification::Column::Kind.eq(kind.as_str()));
    }
    let items = find
        .limit(query.limit.clamp(1, 500))
        .all(conn)
        .await?
        .into_iter()
        .filter(|n| actor.can_read(n.tenant_id))
        .map(|n| InboxItem {
            id: n.id,
            tenant: slugs.get(&n.tenant_id).cloned().unwrap_or_default(),
            kind: n.kind,
            title: n.title,
            link: n.link,
            hour: n
                .hour
                .and_then(Hour::from_epoch_seconds)
                .map(|h| h.to_string()),
            created_at: instant(n.created_at),
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(Inbox {
        unread: unread_count(services, actor).await?,
        items,
    })
}

/// How many of the caller's notifications are unread, in the tenants they may read.
pub async fn unread_count(services: &Services, actor: &Actor) -> Result<i64, ServiceError> {
    let slugs = slugs(services.db.conn()).await?;
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::TenantId.is_in(readable(&slugs, actor)))
        .filter(notification::Column::ReadAt.is_null())
        .count(services.db.conn())
        .await? as i64)
}

/// Marks the caller's notifications read: the given ones, or all of them when `ids` is `None`,
/// in the tenants they may read. An id in a tenant their token is not limited to is `Forbidden`
/// and nothing is marked. Returns how many are left unread.
pub async fn mark_read_as(
    services: &Services,
    actor: &Actor,
    ids: Option<Vec<i64>>,
) -> Result<i64, ServiceError> {
    let conn = services.db.conn();
    let slugs = slugs(conn).await?;
    if let Some(ids) = &ids {
        for chunk in ids.chunks(crate::sql::IN_LIST) {
            let given = notification::Entity::find()
                .filter(notification::Column::UserId.eq(actor.user_id))
                .filter(notification::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?;
            if given.iter().any(|n| actor.token_forbids(n.tenant_id)) {
                return Err(ServiceError::Forbidden);
            }
        }
    }
    let update = notification::Entity::update_many()
        .col_expr(
            notification::Column::ReadAt,
            Expr::value(services.db.now_seconds()),
        )
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::TenantId.is_in(readable(&slugs, actor)))
        .filter(notification::Column::ReadAt.is_null());
    match ids {
        None => {
            update.exec(services.db.conn()).await?;
        }
        Some(ids) => {
            for chunk in ids.chunks(crate::sql::IN_LIST) {
                let chunk = update
                    .clone()
                    .filter(notification::Column::Id.is_in(chunk.iter().copied()));
                chunk.exec(services.db.conn()).await?;
            }
        }
    }
    unread_count(services, actor).await
}
