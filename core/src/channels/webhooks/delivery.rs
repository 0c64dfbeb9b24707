//! Deliveries: each piece of news recorded once per webhook that wants its kind, queued, and sent
//! attempt by attempt with the endpoint's answer kept until it succeeds or gives up.

use std::time::Duration;

use blueprint_types::notify::NewsKind;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::guard::{Sender, refusal_in};
use super::payload::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, body, signature};
use crate::Services;
use crate::channels::outbox::{Attempt, Outbox};
use crate::channels::text;
use crate::entities::{discovery, tenant, webhook, webhook_delivery};
use crate::error::ServiceError;
use crate::queue::{JobQueue, Queue};
use crate::time::process_seconds;

/// Attempts per delivery before it is recorded as failed.
pub const ATTEMPTS: i32 = 5;
/// Bytes of a response body read and kept.
const RESPONSE_KEPT: usize = 256;

pub(crate) const OUTBOX: Outbox = Outbox {
    table: "webhook_deliveries",
    attempts: ATTEMPTS,
    sent_column: "delivered_at",
};

/// Send one webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliverJob {
    pub delivery_id: i64,
}

/// A piece of news as a webhook receives it.
#[derive(Clone, Debug)]
pub(crate) struct News<'a> {
    pub kind: NewsKind,
    pub title: &'a str,
    /// A path inside Blueprint (`/t/…`).
    pub link: &'a str,
    pub hour: Option<i64>,
    pub dedupe: &'a str,
    /// The other kinds grouped news tells of: a webhook that asks for any of them gets it.
    pub also: Vec<NewsKind>,
    /// The items of grouped news, a JSON array (the webhook body's `items`).
    pub items: Option<String>,
}

impl<'a> News<'a> {
    /// News of one thing.
    pub(crate) fn one(
        kind: NewsKind,
        title: &'a str,
        link: &'a str,
        hour: Option<i64>,
        dedupe: &'a str,
    ) -> Self {
        News {
            kind,
            title,
            link,
            hour,
            dedupe,
            also: Vec::new(),
            items: None,
        }
    }

    /// Whether a reader who asks for the stored kinds `wanted` (comma-separated; empty: every
    /// kind) gets this news.
    pub(crate) fn wanted_by(&self, wanted: &str) -> bool {
        wants(wanted, self.kind) || self.also.iter().any(|k| wants(wanted, *k))
    }
}

/// A bound on the news of one batch (an ingested hour) per reader, a person or a webhook: the
/// first `limit` pieces each one gets, then one "and N more" (`dedupe`, pointing to `link`).
#[derive(Clone, Debug)]
pub(crate) struct More<'a> {
    pub limit: usize,
    pub dedupe: &'a str,
    pub link: &'a str,
    pub hour: Option<i64>,
    /// Where and when, for the title: `shop at 2026-12-01T14`.
    pub about: &'a str,
}

impl More<'_> {
    /// `… and 12 more in shop at 2026-12-01T14`.
    pub(crate) fn title(&self, left: usize) -> String {
        format!("… and {left} more in {}", self.about)
    }
}

/// Where and when news is told: the tenant, and the time its rows are dated (epoch seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewsContext {
    pub tenant_id: i64,
    pub at: i64,
}

/// Whether a webhook's stored kinds (comma-separated; empty: every kind) include `kind`.
fn wants(news_kinds: &str, kind: NewsKind) -> bool {
    news_kinds.is_empty() || news_kinds.split(',').any(|k| k == kind.as_str())
}

/// Records one delivery of each piece of `news` for each of the tenant's enabled webhooks that
/// wants it, unless that webhook already has it; with `more`, each webhook gets at most its
/// limit of them, then one "and N more" of what it wanted beyond. Returns how many were new.
pub(crate) async fn announce(
    conn: &impl ConnectionTrait,
    told: NewsContext,
    news: &[News<'_>],
    more: Option<&More<'_>>,
) -> Result<u64, DbErr> {
    let tenant_id = told.tenant_id;
    if news.is_empty() {
        return Ok(0);
    }
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::TenantId.eq(tenant_id))
        .filter(webhook::Column::Enabled.eq(true))
        .all(conn)
        .await?;
    let row = |h: &webhook::Model, n: &News<'_>| webhook_delivery::ActiveModel {
        webhook_id: Set(h.id),
        tenant_id: Set(tenant_id),
        dedupe: Set(n.dedupe.to_owned()),
        kind: Set(n.kind.as_str().to_owned()),
        title: Set(n.title.to_owned()),
        link: Set(n.link.to_owned()),
        hour: Set(n.hour),
        items: Set(n.items.clone()),
        status: Set("pending".to_owned()),
        attempts: Set(0),
        created_at: Set(told.at),
        ..Default::default()
    };
    let mut rows: Vec<webhook_delivery::ActiveModel> = Vec::new();
    for hook in &hooks {
        let wanted: Vec<&News<'_>> = news.iter().filter(|n| n.wanted_by(&hook.news)).collect();
        let limit = more.map_or(wanted.len(), |m| m.limit);
        rows.extend(wanted.iter().take(limit).map(|n| row(hook, n)));
        if let Some(more) = more.filter(|_| wanted.len() > limit) {
            let title = more.title(wanted.len() - limit);
            let summary = News::one(NewsKind::Summary, &title, more.link, more.hour, more.dedupe);
            rows.push(row(hook, &summary));
        }
    }
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
pub async fn dispatch(services: &Services, queue: &JobQueue) -> Result<usize, ServiceError> {
    let conn = services.db.conn();
    let ids = OUTBOX.take_unqueued(conn, process_seconds()).await?;
    let jobs: Vec<DeliverJob> = ids
        .iter()
        .map(|&delivery_id| DeliverJob { delivery_id })
        .collect();
    if let Err(err) = queue.push(Queue::Webhook, jobs).await {
        OUTBOX.unqueue(conn, &ids).await?;
        return Err(ServiceError::failed(err));
    }
    Ok(ids.len())
}

/// One attempt at a delivery through `sender` (which keeps it off internal addresses). Errors
/// are database errors only; a failed POST is an [`Attempt`], tried again `backoff` later
/// (doubling each time).
pub async fn deliver(
    services: &Services,
    sender: &Sender,
    public_url: &str,
    delivery_id: i64,
    backoff: Duration,
) -> Result<Attempt, DbErr> {
    let conn = services.db.conn();
    if !OUTBOX.claim(conn, process_seconds(), delivery_id).await? {
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
                process_seconds(),
                delivery_id,
                ATTEMPTS,
                Some(reason),
                backoff,
            )
            .await;
    };
    let slug = tenant::Entity::find_by_id(delivery.tenant_id)
        .one(conn)
        .await?
        .map(|t| t.slug)
        .unwrap_or_default();
    let delivery = first_seen_now(conn, delivery).await?;
    let answer = post(
        sender,
        &hook,
        delivery.id,
        body(&delivery, &slug, public_url),
        process_seconds(),
    )
    .await;
    record_answer(conn, delivery_id, &answer).await?;
    OUTBOX
        .settle(
            conn,
            process_seconds(),
            delivery_id,
            delivery.attempts,
            answer.failure,
            backoff,
        )
        .await
}

/// The delivery dated by the hour its discovery (`discovery:{id}`) was first seen as the ledger
/// has it at the attempt: an earlier hour ingested since moves it.
async fn first_seen_now(
    conn: &impl ConnectionTrait,
    mut delivery: webhook_delivery::Model,
) -> Result<webhook_delivery::Model, DbErr> {
    let Some(id) = delivery
        .dedupe
        .strip_prefix("discovery:")
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return Ok(delivery);
    };
    if let Some(found) = discovery::Entity::find_by_id(id).one(conn).await? {
        delivery.hour = Some(found.hour);
    }
    Ok(delivery)
}

/// How the endpoint answered an attempt.
struct Answer {
    /// The HTTP status, if it answered.
    status: Option<i32>,
    body: Option<String>,
    /// Why the attempt failed: refused, no answer, a redirect, or not a 2xx.
    failure: Option<String>,
}

impl Answer {
    fn failed(reason: String) -> Self {
        Self {
            status: None,
            body: None,
            failure: Some(reason),
        }
    }
}

/// POSTs a signed body to the webhook's URL (10 s at most), unless its address is internal.
async fn post(
    sender: &Sender,
    hook: &webhook::Model,
    delivery_id: i64,
    body: String,
    timestamp: i64,
) -> Answer {
    let shown = text::webhook_url(&hook.url);
    let url = match url::Url::parse(&hook.url) {
        Ok(url) => url,
        Err(err) => return Answer::failed(format!("{shown} is not a URL: {err}")),
    };
    if let Err(refused) = sender.allowed.check_literal(&url) {
        return Answer::failed(format!("refused {shown}: {refused}"));
    }
    let sent = sender
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "Blueprint-Webhook/1")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            SIGNATURE_HEADER,
            format!("sha256={}", signature(&hook.secret, timestamp, &body)),
        )
        .header(DELIVERY_HEADER, delivery_id.to_string())
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => answered(&shown, response).await,
        Err(err) => Answer::failed(match refusal_in(&err) {
            Some(refused) => format!("refused {shown}: {refused}"),
            None => format!(
                "cannot reach {shown}: {}",
                crate::error_chain(&err.without_url())
            ),
        }),
    }
}

/// The answer's status and the start of its body; a redirect is a failure (none is followed).
async fn answered(shown: &str, response: reqwest::Response) -> Answer {
    let status = response.status();
    let failure = if status.is_redirection() {
        let to = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map_or("nowhere given".to_owned(), text::webhook_url);
        Some(format!(
            "{shown} answered {status}, a redirect to {to}; Blueprint does not follow redirects"
        ))
    } else {
        (!status.is_success()).then(|| format!("{shown} answered {status}"))
    };
    Answer {
        status: Some(i32::from(status.as_u16())),
        body: Some(body_start(response).await),
        failure,
    }
}

/// The first [`RESPONSE_KEPT`] bytes of a body, read chunk by chunk (the rest is never read),
/// marked with `…` when there was more.
async fn body_start(mut response: reqwest::Response) -> String {
    let mut kept = Vec::with_capacity(RESPONSE_KEPT);
    let mut more = false;
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = RESPONSE_KEPT - kept.len();
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if chunk.len() > room {
            more = true;
            break;
        }
    }
    let text = match std::str::from_utf8(&kept) {
        Ok(text) => text.to_owned(),
        // A character cut at the end is dropped; anything else invalid is replaced.
        Err(err) if err.error_len().is_none() => {
            String::from_utf8_lossy(&kept[..err.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(&kept).into_owned(),
    };
    if more { format!("{text}…") } else { text }
}

/// Keeps the last answer's status and the start of its body with the delivery.
async fn record_answer(
    conn: &impl ConnectionTrait,
    delivery_id: i64,
    answer: &Answer,
) -> Result<(), DbErr> {
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::ResponseStatus,
            Expr::value(answer.status),
        )
        .col_expr(
            webhook_delivery::Column::ResponseBody,
            Expr::value(answer.body.clone()),
        )
        .filter(webhook_delivery::Column::Id.eq(delivery_id))
        .exec(conn)
        .await?;
    Ok(())
}
