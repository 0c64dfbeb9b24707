//! A tenant's webhooks. Every piece of news in the tenant (the kinds a webhook asks for) becomes
//! one delivery per webhook — `(webhook, dedupe)` is unique, so re-ingestion, retries and second
//! workers never send it twice. A delivery is a JSON POST whose `text` field makes it a Slack
//! incoming-webhook message as it is, signed with the webhook's secret:
//!
//! - `X-Blueprint-Timestamp`: epoch seconds of the attempt;
//! - `X-Blueprint-Signature`: `sha256=` + hex HMAC-SHA256(secret, `"{timestamp}.{body}"`);
//! - `X-Blueprint-Delivery`: the delivery id (the same on every attempt).
//!
//! A 2xx answer is success; anything else (or no answer in 10 s) is queued again on the job queue
//! after a doubling back-off, up to [`ATTEMPTS`] attempts, then recorded as failed. Admins and the tenant's owners
//! see the last deliveries with their responses.

use std::time::Duration;

use blueprint_types::notify::{
    NEWS_KINDS, TenantChannels, Webhook, WebhookDelivery, WebhookRequest,
};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::outbox::{Attempt, Outbox, excerpt};
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::{tenant, webhook, webhook_delivery};
use crate::jobs::{JobError, hour_text, instant, now};
use crate::queue::{JobQueue, Queue};

/// Attempts per delivery before it is recorded as failed.
pub const ATTEMPTS: i32 = 5;
pub const SIGNATURE_HEADER: &str = "x-blueprint-signature";
pub const TIMESTAMP_HEADER: &str = "x-blueprint-timestamp";
pub const DELIVERY_HEADER: &str = "x-blueprint-delivery";
/// Deliveries listed per webhook.
const LISTED: u64 = 20;
/// Characters of a response body kept.
const RESPONSE_KEPT: usize = 1_000;

pub(crate) const OUTBOX: Outbox = Outbox {
    table: "webhook_deliveries",
    attempts: ATTEMPTS,
};

/// Send one webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliverJob {
    pub delivery_id: i64,
}

/// A piece of news as a webhook receives it.
#[derive(Clone, Debug)]
pub(crate) struct News<'a> {
    /// A news kind, `summary`, or a roll-out verdict.
    pub kind: &'a str,
    pub title: &'a str,
    /// A path inside Blueprint (`/t/…`).
    pub link: &'a str,
    pub hour: Option<i64>,
    pub dedupe: &'a str,
}

fn wants(news_kinds: &str, kind: &str) -> bool {
    news_kinds.is_empty() || news_kinds.split(',').any(|k| k == kind)
}

/// Records one delivery of each piece of `news` for each of the tenant's enabled webhooks that
/// wants its kind, unless that webhook already has it. Returns how many were new.
pub(crate) async fn announce(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    news: &[News<'_>],
) -> Result<u64, DbErr> {
    if news.is_empty() {
        return Ok(0);
    }
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::TenantId.eq(tenant_id))
        .filter(webhook::Column::Enabled.eq(true))
        .all(conn)
        .await?;
    let rows: Vec<webhook_delivery::ActiveModel> = hooks
        .iter()
        .flat_map(|h| news.iter().map(move |n| (h, n)))
        .filter(|(h, n)| wants(&h.news, n.kind))
        .map(|(h, n)| webhook_delivery::ActiveModel {
            webhook_id: Set(h.id),
            tenant_id: Set(tenant_id),
            dedupe: Set(n.dedupe.to_owned()),
            kind: Set(n.kind.to_owned()),
            title: Set(n.title.to_owned()),
            link: Set(n.link.to_owned()),
            hour: Set(n.hour),
            status: Set("pending".to_owned()),
            attempts: Set(0),
            created_at: Set(now()),
            ..Default::default()
        })
        .collect();
    let mut created = 0;
    for chunk in rows.chunks(200) {
        match webhook_delivery::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    webhook_delivery::Column::WebhookId,
                    webhook_delivery::Column::Dedupe,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await
        {
            Ok(n) => created += n,
            Err(DbErr::RecordNotInserted) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(created)
}

/// Queues the deliveries waiting to be sent. Returns how many were queued.
pub async fn dispatch(services: &Services, queue: &JobQueue) -> Result<usize, JobError> {
    let conn = services.db.conn();
    let ids = OUTBOX.take_unqueued(conn).await?;
    let jobs: Vec<DeliverJob> = ids
        .iter()
        .map(|&delivery_id| DeliverJob { delivery_id })
        .collect();
    if let Err(err) = queue.push(Queue::Webhook, jobs).await {
        OUTBOX.unqueue(conn, &ids).await?;
        return Err(err.into());
    }
    Ok(ids.len())
}

/// The signature of a body sent at `timestamp`: hex HMAC-SHA256(secret, `"{timestamp}.{body}"`).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<sha2_11::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The JSON body of a delivery: the news, an absolute link, and a Slack-compatible `text`.
fn body(delivery: &webhook_delivery::Model, slug: &str, public_url: &str) -> String {
    let link = format!("{}{}", public_url.trim_end_matches('/'), delivery.link);
    serde_json::json!({
        "delivery": delivery.id,
        "tenant": slug,
        "kind": delivery.kind,
        "title": delivery.title,
        "hour": delivery.hour.map(hour_text),
        "link": link,
        "text": format!("[{slug}] {}\n{link}", delivery.title),
    })
    .to_string()
}

/// One attempt at a delivery. Errors are database errors only; a failed POST is an [`Attempt`],
/// tried again `backoff` later (doubling each time).
pub async fn deliver(
    services: &Services,
    client: &reqwest::Client,
    public_url: &str,
    delivery_id: i64,
    backoff: Duration,
) -> Result<Attempt, DbErr> {
    let conn = services.db.conn();
    if !OUTBOX.claim(conn, delivery_id).await? {
        return Ok(Attempt::Skipped);
    }
    let Some(delivery) = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(conn)
        .await?
    else {
        return Ok(Attempt::Skipped);
    };
    let hook = webhook::Entity::find_by_id(delivery.webhook_id)
        .one(conn)
        .await?
        .filter(|h| h.enabled);
    let Some(hook) = hook else {
        let reason = "the webhook was removed or disabled".to_owned();
        return OUTBOX
            .settle(
                conn,
                delivery_id,
                ATTEMPTS,
                Some(reason),
                "delivered_at",
                backoff,
            )
            .await;
    };
    let slug = tenant::Entity::find_by_id(delivery.tenant_id)
        .one(conn)
        .await?
        .map(|t| t.slug)
        .unwrap_or_default();
    let body = body(&delivery, &slug, public_url);
    let timestamp = now();
    let sent = client
        .post(&hook.url)
        .timeout(Duration::from_secs(10))
        .header("content-type", "application/json")
        .header("user-agent", "Blueprint-Webhook/1")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            SIGNATURE_HEADER,
            format!("sha256={}", signature(&hook.secret, timestamp, &body)),
        )
        .header(DELIVERY_HEADER, delivery.id.to_string())
        .body(body)
        .send()
        .await;
    let (status, text, failure) = match sent {
        Ok(response) => {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            let failure = (!status.is_success()).then(|| format!("{} answered {status}", hook.url));
            (Some(i32::from(status.as_u16())), Some(text), failure)
        }
        Err(err) => (
            None,
            None,
            Some(format!(
                "cannot reach {}: {}",
                hook.url,
                crate::error_chain(&err)
            )),
        ),
    };
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::ResponseStatus,
            sea_orm::sea_query::Expr::value(status),
        )
        .col_expr(
            webhook_delivery::Column::ResponseBody,
            sea_orm::sea_query::Expr::value(text.map(|t| excerpt(&t, RESPONSE_KEPT))),
        )
        .filter(webhook_delivery::Column::Id.eq(delivery_id))
        .exec(conn)
        .await?;
    OUTBOX
        .settle(
            conn,
            delivery_id,
            delivery.attempts,
            failure,
            "delivered_at",
            backoff,
        )
        .await
}

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

/// Adds a webhook to a tenant (its owners and admins). The URL must be http(s) with a host.
pub async fn create_as(
    services: &Services,
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
    let mut kinds = request.news.clone().unwrap_or_default();
    kinds.sort();
    kinds.dedup();
    if let Some(bad) = kinds
        .iter()
        .find(|k| k.as_str() != "summary" && !NEWS_KINDS.contains(&k.as_str()))
    {
        return Err(invalid(format!(
            "`{bad}` is not a kind of news; use {}, summary",
            NEWS_KINDS.join(", ")
        )));
    }
    let conn = services.db.conn();
    let inserted = webhook::Entity::insert(webhook::ActiveModel {
        tenant_id: Set(tenant.id),
        url: Set(url.to_owned()),
        secret: Set(new_secret()),
        news: Set(kinds.join(",")),
        enabled: Set(true),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        Some(tenant.id),
        "webhook.create",
        url,
        None::<&String>,
        Some(&kinds.join(",")),
    )
    .await?;
    let row = webhook::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(view(row, &tenant.slug, Vec::new()))
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
            default_quiet_days: crate::obsolete::QUIET_DAYS as i32,
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
    let max = crate::browse::curate::MAX_QUIET_DAYS;
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
        .col_expr(
            tenant::Column::QuietDays,
            sea_orm::sea_query::Expr::value(after),
        )
        .filter(tenant::Column::Id.eq(tenant.id))
        .exec(conn)
        .await?;
    audit::record(
        conn,
        Some(actor),
        Some(tenant.id),
        "tenant.quiet_days",
        &tenant.slug,
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
        Some(actor),
        Some(row.tenant_id),
        "webhook.delete",
        &row.url,
        Some(&row.news),
        None,
    )
    .await?;
    Ok(())
}
