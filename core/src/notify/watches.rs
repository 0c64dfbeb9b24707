//! Watches: a member watches a tenant, an application, a screen or an event of it for the kinds
//! of news they choose, lists their watches and removes one.

use blueprint_types::notify::{NEWS_KINDS, NewsKind, Watch, WatchRequest};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::slugs::slugs;
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::{application, event, screen, tenant, watch};
use crate::time::instant;

pub const TARGETS: [&str; 4] = ["tenant", "application", "screen", "event"];

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

fn watch_view(row: watch::Model, slug: &str) -> Watch {
    Watch {
        id: row.id,
        tenant: slug.to_owned(),
        target: row.target,
        name: row.name,
        news: row
            .news
            .split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: instant(row.created_at),
    }
}

/// Adds a watch, or changes the kinds of news of the caller's watch on the same subject. The
/// subject must exist in the tenant's catalog; an unknown target, name or kind changes nothing.
pub async fn watch_as(
    services: &Services,
    actor: &Actor,
    request: &WatchRequest,
) -> Result<Watch, ServiceError> {
    let tenant = super::slugs::scoped_tenant(services, actor, &request.tenant).await?;
    let target = request.target.as_str();
    if !TARGETS.contains(&target) {
        return Err(invalid(format!(
            "target `{target}` is not one of tenant, application, screen, event"
        )));
    }
    let conn = services.db.conn();
    let name = subject_name(conn, &tenant, target, request.name.clone()).await?;
    let news = news_list(request.news.clone().unwrap_or_default())?;
    watch::Entity::insert(watch::ActiveModel {
        user_id: Set(actor.user_id),
        tenant_id: Set(tenant.id),
        target: Set(target.to_owned()),
        name: Set(name.clone()),
        news: Set(news),
        created_at: Set(services.db.now_seconds()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            watch::Column::UserId,
            watch::Column::TenantId,
            watch::Column::Target,
            watch::Column::Name,
        ])
        .update_column(watch::Column::News)
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let row = watch::Entity::find()
        .filter(watch::Column::UserId.eq(actor.user_id))
        .filter(watch::Column::TenantId.eq(tenant.id))
        .filter(watch::Column::Target.eq(target))
        .filter(watch::Column::Name.eq(&name))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(watch_view(row, &tenant.slug))
}

/// The name a watch on `target` is stored under: its subject's, which must exist in the tenant's
/// catalog, or none for the tenant itself.
async fn subject_name(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    target: &str,
    name: Option<String>,
) -> Result<String, ServiceError> {
    let name = name.unwrap_or_default();
    if target == "tenant" {
        if !name.is_empty() && name != tenant.slug {
            return Err(invalid("a tenant watch takes no name"));
        }
        return Ok(String::new());
    }
    if !subject_exists(conn, tenant.id, target, &name).await? {
        return Err(invalid(format!(
            "{} has no {target} named `{name}`",
            tenant.slug
        )));
    }
    Ok(name)
}

/// Whether the tenant has an application, screen or event (`target`) of that name.
async fn subject_exists(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    target: &str,
    name: &str,
) -> Result<bool, DbErr> {
    let count = match target {
        "application" => {
            application::Entity::find()
                .filter(application::Column::TenantId.eq(tenant_id))
                .filter(application::Column::Name.eq(name))
                .count(conn)
                .await?
        }
        "screen" => {
            screen::Entity::find()
                .filter(screen::Column::TenantId.eq(tenant_id))
                .filter(screen::Column::Name.eq(name))
                .count(conn)
                .await?
        }
        _ => {
            event::Entity::find()
                .filter(event::Column::TenantId.eq(tenant_id))
                .filter(event::Column::Name.eq(name))
                .count(conn)
                .await?
        }
    };
    Ok(count > 0)
}

/// The kinds of news a watch asks for as it stores them: sorted, once each, comma-separated
/// (empty: every kind). `summary` is not one a watch can ask for.
fn news_list(mut names: Vec<String>) -> Result<String, ServiceError> {
    names.sort();
    names.dedup();
    let mut kinds = Vec::with_capacity(names.len());
    for name in &names {
        match name.parse::<NewsKind>() {
            Ok(kind) if kind != NewsKind::Summary => kinds.push(kind.as_str()),
            _ => {
                return Err(invalid(format!(
                    "`{name}` is not a kind of news; use {}",
                    NEWS_KINDS.join(", ")
                )));
            }
        }
    }
    Ok(kinds.join(","))
}

/// The caller's watches in the tenants they can still see.
pub async fn watches_of(services: &Services, actor: &Actor) -> Result<Vec<Watch>, ServiceError> {
    let conn = services.db.conn();
    let slugs = slugs(conn).await?;
    Ok(watch::Entity::find()
        .filter(watch::Column::UserId.eq(actor.user_id))
        .order_by_asc(watch::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|w| actor.can_read(w.tenant_id))
        .map(|w| {
            let slug = slugs.get(&w.tenant_id).cloned().unwrap_or_default();
            watch_view(w, &slug)
        })
        .collect())
}

/// Removes one of the caller's watches (a token limited to another tenant may not).
pub async fn unwatch_as(services: &Services, actor: &Actor, id: i64) -> Result<(), ServiceError> {
    let row = watch::Entity::find_by_id(id)
        .filter(watch::Column::UserId.eq(actor.user_id))
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    if actor.token_forbids(row.tenant_id) {
        return Err(ServiceError::Forbidden);
    }
    let deleted = watch::Entity::delete_many()
        .filter(watch::Column::Id.eq(id))
        .filter(watch::Column::UserId.eq(actor.user_id))
        .exec(services.db.conn())
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}
