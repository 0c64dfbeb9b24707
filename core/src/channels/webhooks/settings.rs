//! A tenant's webhook settings as its owners manage them: adding, listing and removing webhooks
//! (with their last deliveries), and the tenant's quiet period shown beside them.

use blueprint_types::notify::{
    NEWS_KINDS, NewsKind, TenantChannels, Webhook, WebhookDelivery, WebhookRequest,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::guard::AllowedHosts;
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::channels::text;
use crate::entities::{tenant, webhook, webhook_delivery};
use crate::time::instant;

/// Deliveries listed per webhook.
const LISTED: u64 = 20;

async fn owned_tenant(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<tenant::Model, ServiceError> {
    let row = crate::tenants::visible(services, actor, slug).await?;
    actor.require_owner(row.id)?;
    Ok(row)
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

/// A random secret: 64 hex characters.
fn new_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Adds a webhook to a tenant (its owners and admins). The URL must be http(s) with a host that
/// is public or `allowed` (its name resolved now), and not one of the tenant's webhooks already
/// (409).
pub async fn create_as(
    services: &Services,
    allowed: &AllowedHosts,
    actor: &Actor,
    slug: &str,
    request: &WebhookRequest,
) -> Result<Webhook, ServiceError> {
    let tenant = owned_tenant(services, actor, slug).await?;
    let url = request.url.trim();
    let parsed =
        url::Url::parse(url).map_err(|err| invalid(format!("`{url}` is not a URL: {err}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid(format!(
            "`{url}` is not an http:// or https:// address"
        )));
    }
    if let Err(refused) = allowed.check_url(&parsed).await {
        return Err(invalid(format!(
            "cannot add a webhook to {}: {refused}",
            text::webhook_url(url)
        )));
    }
    let kinds = news_list(request.news.clone().unwrap_or_default())?;
    let conn = services.db.conn();
    // A second webhook to the same address would receive every piece of news twice.
    let taken = webhook::Entity::find()
        .filter(webhook::Column::TenantId.eq(tenant.id))
        .filter(webhook::Column::Url.eq(url))
        .one(conn)
        .await?;
    if taken.is_some() {
        return Err(ServiceError::Conflict(format!(
            "{} already has a webhook to {}; remove it first to change what it receives",
            tenant.slug,
            text::webhook_url(url)
        )));
    }
    let inserted = webhook::Entity::insert(webhook::ActiveModel {
        tenant_id: Set(tenant.id),
        url: Set(url.to_owned()),
        secret: Set(new_secret()),
        news: Set(kinds.clone()),
        enabled: Set(true),
        created_at: Set(services.db.now_seconds()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    audit::record(
        conn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(tenant.id),
            action: "webhook.create",
            target: &text::webhook_url(url),
        },
        None::<&String>,
        Some(&kinds),
    )
    .await?;
    let row = webhook::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(view(row, &tenant.slug, Vec::new()))
}

/// The kinds of news a webhook asks for as it stores them: sorted, once each, comma-separated
/// (empty: every kind, `summary` included).
fn news_list(mut names: Vec<String>) -> Result<String, ServiceError> {
    names.sort();
    names.dedup();
    let mut kinds = Vec::with_capacity(names.len());
    for name in &names {
        let kind = name.parse::<NewsKind>().map_err(|_| {
            invalid(format!(
                "`{name}` is not a kind of news; use {}, summary",
                NEWS_KINDS.join(", ")
            ))
        })?;
        kinds.push(kind.as_str());
    }
    Ok(kinds.join(","))
}

fn view(row: webhook::Model, slug: &str, deliveries: Vec<WebhookDelivery>) -> Webhook {
    Webhook {
        id: row.id,
        tenant: slug.to_owned(),
        url: row.url,
        secret: row.secret,
        news: row
            .news
            .split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        enabled: row.enabled,
        created_at: instant(row.created_at),
        deliveries,
    }
}

/// A tenant's webhooks with their last deliveries (owners and admins).
pub async fn list_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<Vec<Webhook>, ServiceError> {
    let tenant = owned_tenant(services, actor, slug).await?;
    hooks_of(services, &tenant).await
}

/// The notification settings of every tenant the caller owns (admins: every tenant).
pub async fn settings_of(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<TenantChannels>, ServiceError> {
    let mut out = Vec::new();
    for tenant in tenant::Entity::find()
        .order_by_asc(tenant::Column::Slug)
        .all(services.db.conn())
        .await?
        .into_iter()
        .filter(|t| actor.can_own(t.id))
    {
        out.push(TenantChannels {
            tenant: tenant.slug.clone(),
            quiet_days: tenant.quiet_days,
            default_quiet_days: crate::tenants::QUIET_DAYS as i32,
            webhooks: hooks_of(services, &tenant).await?,
        });
    }
    Ok(out)
}

/// Sets a tenant's quiet period (1 to 365 days; 0 goes back to the default). Owners and admins.
pub async fn set_quiet_days_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    days: i32,
) -> Result<Option<i32>, ServiceError> {
    let tenant = owned_tenant(services, actor, slug).await?;
    let max = crate::tenants::MAX_QUIET_DAYS;
    if !(0..=max).contains(&days) {
        return Err(invalid(format!(
            "a quiet period of {days} days is not from 1 to {max} (0: the default)"
        )));
    }
    let after = (days > 0).then_some(days);
    if after == tenant.quiet_days {
        return Ok(after);
    }
    let conn = services.db.conn();
    tenant::Entity::update_many()
        .col_expr(tenant::Column::QuietDays, Expr::value(after))
        .filter(tenant::Column::Id.eq(tenant.id))
        .exec(conn)
        .await?;
    audit::record(
        conn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(tenant.id),
            action: "tenant.quiet_days",
            target: &tenant.slug,
        },
        Some(&tenant.quiet_days),
        Some(&after),
    )
    .await?;
    Ok(after)
}

async fn hooks_of(
    services: &Services,
    tenant: &tenant::Model,
) -> Result<Vec<Webhook>, ServiceError> {
    let conn = services.db.conn();
    let mut hooks = Vec::new();
    for row in webhook::Entity::find()
        .filter(webhook::Column::TenantId.eq(tenant.id))
        .order_by_asc(webhook::Column::Id)
        .all(conn)
        .await?
    {
        let deliveries = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::WebhookId.eq(row.id))
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(LISTED)
            .all(conn)
            .await?
            .into_iter()
            .map(|d| WebhookDelivery {
                id: d.id,
                kind: d.kind,
                title: d.title,
                status: d.status,
                attempts: d.attempts,
                response_status: d.response_status,
                response_body: d.response_body,
                error: d.last_error,
                created_at: instant(d.created_at),
                delivered_at: d.delivered_at.map(instant),
            })
            .collect();
        hooks.push(view(row, &tenant.slug, deliveries));
    }
    Ok(hooks)
}

/// Removes a webhook and its deliveries (owners of its tenant and admins).
pub async fn delete_as(services: &Services, actor: &Actor, id: i64) -> Result<(), ServiceError> {
    let conn = services.db.conn();
    let row = webhook::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    actor
        .require_read(row.tenant_id)
        .map_err(|_| ServiceError::NotFound)?;
    actor.require_owner(row.tenant_id)?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .exec(conn)
        .await?;
    webhook::Entity::delete_by_id(id).exec(conn).await?;
    audit::record(
        conn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(row.tenant_id),
            action: "webhook.delete",
            target: &text::webhook_url(&row.url),
        },
        Some(&row.news),
        None,
    )
    .await?;
    Ok(())
}
