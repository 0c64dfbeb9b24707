//! The inbox: a user's notifications newest first, page by page, filtered by tenant, kind and
//! unread, marked read, and counted unread for the header.

use blueprint_types::notify::{Inbox, InboxItem, NewsKind};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::dates::first_seen_now;
use super::slugs::{readable, slugs};
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::notification;
use crate::hour::Hour;
use crate::time::instant;

/// Filters of the inbox, and the page: `limit` items (1 to 500) older than `before`, or newer
/// than `after` (notification ids, as [`Inbox::older`] and [`Inbox::newer`] give them), or the
/// newest.
#[derive(Clone, Debug, Default)]
pub struct InboxQuery {
    pub unread_only: bool,
    pub tenant: Option<String>,
    pub kind: Option<String>,
    pub limit: u64,
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// A page of the caller's inbox, newest first, in the tenants they can still see, each item
/// dated by the hour its news was first seen as the ledger has it now.
pub async fn inbox_of(
    services: &Services,
    actor: &Actor,
    query: &InboxQuery,
) -> Result<Inbox, ServiceError> {
    let conn = services.db.conn();
    let slugs = slugs(conn).await?;
    let mut find = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::TenantId.is_in(readable(&slugs, actor)));
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
    let limit = query.limit.clamp(1, 500);
    let id = notification::Column::Id;
    let mut rows = match (query.after, query.before) {
        (Some(after), _) => {
            let mut rows = find
                .clone()
                .filter(id.gt(after))
                .order_by_asc(id)
                .limit(limit + 1)
                .all(conn)
                .await?;
            let more_newer = rows.len() as u64 > limit;
            rows.truncate(limit as usize);
            rows.reverse();
            Page {
                rows,
                more_newer,
                more_older: false,
            }
        }
        (None, before) => {
            let mut newest = find.clone().order_by_desc(id);
            if let Some(before) = before {
                newest = newest.filter(id.lt(before));
            }
            let mut rows = newest.limit(limit + 1).all(conn).await?;
            let more_older = rows.len() as u64 > limit;
            rows.truncate(limit as usize);
            Page {
                rows,
                more_newer: false,
                more_older,
            }
        }
    };
    // The other side of the page: is there anything past its first or last item?
    if let (Some(first), Some(last)) = (rows.rows.first(), rows.rows.last()) {
        if query.after.is_some() {
            rows.more_older = find.clone().filter(id.lt(last.id)).count(conn).await? > 0;
        } else if query.before.is_some() {
            rows.more_newer = find.clone().filter(id.gt(first.id)).count(conn).await? > 0;
        }
    }
    let older = rows.rows.last().map(|n| n.id).filter(|_| rows.more_older);
    let newer = rows.rows.first().map(|n| n.id).filter(|_| rows.more_newer);
    let now = first_seen_now(conn, rows.rows.iter().map(|n| n.dedupe.as_str())).await?;
    let items = rows
        .rows
        .into_iter()
        .filter(|n| actor.can_read(n.tenant_id))
        .map(|n| InboxItem {
            id: n.id,
            tenant: slugs.get(&n.tenant_id).cloned().unwrap_or_default(),
            hour: now
                .get(&n.dedupe)
                .copied()
                .or(n.hour)
                .and_then(Hour::from_epoch_seconds)
                .map(|h| h.to_string()),
            kind: n.kind,
            title: n.title,
            link: n.link,
            created_at: instant(n.created_at),
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(Inbox {
        unread: unread_count(services, actor).await?,
        items,
        older,
        newer,
    })
}

/// A page of notifications, and whether there are more on either side.
struct Page {
    rows: Vec<notification::Model>,
    more_newer: bool,
    more_older: bool,
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
