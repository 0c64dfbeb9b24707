//! Email digests over SMTP. Each user chooses `off`, `hourly` or `daily` (UTC days); when a period
//! ends, their unread notifications created in it (and earlier ones not yet mailed) are gathered
//! into one digest. A notification joins at most one digest and a user has at most one digest per
//! period end (both enforced by the database), so news is never mailed twice. Sending is a job
//! on the queue, retried with back-off, then recorded as failed; it never holds up others.
//! Without `BLUEPRINT_SMTP_URL` no digest is planned and the inbox still works.

use std::time::Duration;

use blueprint_types::notify::{DIGESTS, MailPreference};
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::outbox::{Attempt, Outbox};
use super::text::{self, one_line};

mod members;
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::{mail_digest, notification, tenant, user};
use crate::queue::{JobQueue, Queue};
use crate::time::process_seconds;

/// Attempts per digest before it is recorded as failed.
pub const ATTEMPTS: i32 = 5;
/// Items written out in one digest; the rest are counted.
const LISTED: usize = 100;

pub(crate) const OUTBOX: Outbox = Outbox {
    table: "mail_digests",
    attempts: ATTEMPTS,
    sent_column: "sent_at",
};

/// Send one digest.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SendDigestJob {
    pub digest_id: i64,
}

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// `url` has its password hidden (`***`).
    #[error("smtp_url: `{url}` is not an SMTP URL such as smtp://mail.example.com:587: {reason}")]
    Url { url: String, reason: String },
    #[error("mail_from: `{0}` is not an address such as Blueprint <blueprint@example.com>")]
    From(String),
    #[error("mail_from is required when smtp_url is set")]
    NoFrom,
}

/// The SMTP connection settings and the sender; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where links in messages point (`http://host:port`).
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// `smtp://[user:password@]host[:port]` (plain; `?tls=required` for STARTTLS) or `smtps://…`.
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|err| MailError::Url {
                url: text::password_hidden(smtp_url),
                reason: err.to_string(),
            })?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from: Mailbox = from.parse().map_err(|_| MailError::From(from.to_owned()))?;
        Ok(Self {
            transport,
            from,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }
}

/// The caller's digest choice.
pub async fn preference_of(
    services: &Services,
    actor: &Actor,
    email_enabled: bool,
) -> Result<MailPreference, ServiceError> {
    let row = user::Entity::find_by_id(actor.user_id)
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(MailPreference {
        digest: row.mail_digest,
        email_enabled,
    })
}

/// Sets the caller's digest choice. Turning email on starts from now: older news is not mailed.
pub async fn set_preference_as(
    services: &Services,
    actor: &Actor,
    digest: &str,
    email_enabled: bool,
) -> Result<MailPreference, ServiceError> {
    if !DIGESTS.contains(&digest) {
        return Err(ServiceError::Invalid(format!(
            "`{digest}` is not a digest; use {}",
            DIGESTS.join(", ")
        )));
    }
    let conn = services.db.conn();
    let row = user::Entity::find_by_id(actor.user_id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if row.mail_digest != digest {
        let mut update = user::Entity::update_many()
            .col_expr(user::Column::MailDigest, Expr::value(digest))
            .filter(user::Column::Id.eq(actor.user_id));
        if row.mail_digest == "off" {
            update = update.col_expr(
                user::Column::MailSince,
                Expr::value(services.db.now_seconds()),
            );
        }
        update.exec(conn).await?;
    }
    Ok(MailPreference {
        digest: digest.to_owned(),
        email_enabled,
    })
}

/// The end (exclusive) of the last whole period before `at`.
fn period_end(period: &str, at: DateTime<Utc>) -> i64 {
    let seconds = at.timestamp();
    let size = if period == "hourly" { 3_600 } else { 86_400 };
    seconds - seconds.rem_euclid(size)
}

/// Gathers each mailed user's unread, unmailed notifications from before the end of their last
/// whole period into a digest. Returns the new digests' ids.
pub async fn plan(services: &Services, at: DateTime<Utc>) -> Result<Vec<i64>, DbErr> {
    let conn = services.db.conn();
    let users = user::Entity::find()
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::MailDigest.ne("off"))
        .all(conn)
        .await?;
    let mut planned = Vec::new();
    for person in users {
        let readable = members::readable_by(conn, &person).await?;
        let end = period_end(&person.mail_digest, at);
        let since = person
            .mail_since
            .unwrap_or_else(|| person.created_at.timestamp());
        let waiting = || {
            notification::Entity::find()
                .filter(notification::Column::UserId.eq(person.id))
                .filter(notification::Column::DigestId.is_null())
                .filter(notification::Column::ReadAt.is_null())
                .filter(notification::Column::CreatedAt.lt(end))
                .filter(notification::Column::CreatedAt.gte(since))
                .filter(notification::Column::TenantId.is_in(readable.iter().copied()))
        };
        if waiting().one(conn).await?.is_none() {
            continue;
        }
        let txn = crate::db::begin_write(conn).await?;
        let inserted = mail_digest::Entity::insert(mail_digest::ActiveModel {
            user_id: Set(person.id),
            period: Set(person.mail_digest.clone()),
            period_end: Set(end),
            status: Set("pending".to_owned()),
            attempts: Set(0),
            notifications: Set(0),
            created_at: Set(at.timestamp()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([mail_digest::Column::UserId, mail_digest::Column::PeriodEnd])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await;
        match inserted {
            Ok(1) => {}
            Ok(_) | Err(DbErr::RecordNotInserted) => {
                // Another process planned this period's digest.
                txn.rollback().await?;
                continue;
            }
            Err(err) => return Err(err),
        }
        let digest = mail_digest::Entity::find()
            .filter(mail_digest::Column::UserId.eq(person.id))
            .filter(mail_digest::Column::PeriodEnd.eq(end))
            .one(&txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the digest just planned".into()))?;
        let joined = notification::Entity::update_many()
            .col_expr(notification::Column::DigestId, Expr::value(digest.id))
            .filter(notification::Column::UserId.eq(person.id))
            .filter(notification::Column::DigestId.is_null())
            .filter(notification::Column::ReadAt.is_null())
            .filter(notification::Column::CreatedAt.lt(end))
            .filter(notification::Column::CreatedAt.gte(since))
            .filter(notification::Column::TenantId.is_in(readable.iter().copied()))
            .exec(&txn)
            .await?
            .rows_affected;
        mail_digest::Entity::update_many()
            .col_expr(
                mail_digest::Column::Notifications,
                Expr::value(joined as i32),
            )
            .filter(mail_digest::Column::Id.eq(digest.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        planned.push(digest.id);
    }
    Ok(planned)
}

/// Plans the digests due at `at` and queues every digest waiting to be sent.
pub async fn dispatch(
    services: &Services,
    queue: &JobQueue,
    at: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    plan(services, at).await?;
    let conn = services.db.conn();
    let ids = OUTBOX.take_unqueued(conn, process_seconds()).await?;
    let jobs: Vec<SendDigestJob> = ids
        .iter()
        .map(|&digest_id| SendDigestJob { digest_id })
        .collect();
    if let Err(err) = queue.push(Queue::Mail, jobs).await {
        OUTBOX.unqueue(conn, &ids).await?;
        return Err(ServiceError::failed(err));
    }
    Ok(ids.len())
}

/// The message of a digest: subject and plain-text body, each item on its own lines whatever its
/// name holds (control characters are shown as pictures: a name cannot forge a line or header).
pub(crate) async fn compose(
    conn: &impl ConnectionTrait,
    digest: &mail_digest::Model,
    public_url: &str,
) -> Result<(String, String), DbErr> {
    let items = notification::Entity::find()
        .filter(notification::Column::DigestId.eq(digest.id))
        .order_by_asc(notification::Column::Id)
        .all(conn)
        .await?;
    let slugs: std::collections::HashMap<i64, String> = tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    let count = items.len();
    let subject = one_line(&format!(
        "Blueprint: {count} new notification{} ({} digest)",
        if count == 1 { "" } else { "s" },
        digest.period
    ));
    let mut body = format!(
        "Your {} Blueprint digest, up to {}.\n\n",
        digest.period,
        crate::time::instant(digest.period_end)
    );
    let first_seen =
        crate::notify::first_seen_now(conn, items.iter().map(|n| n.dedupe.as_str())).await?;
    for n in items.iter().take(LISTED) {
        let slug = slugs.get(&n.tenant_id).map_or("", String::as_str);
        body.push_str(&format!("- [{}] {}\n", one_line(slug), one_line(&n.title)));
        if let Some(hour) = first_seen.get(&n.dedupe).copied().or(n.hour) {
            body.push_str(&format!("  first seen {}\n", crate::time::hour_text(hour)));
        }
        body.push_str(&format!("  {public_url}{}\n", one_line(&n.link)));
    }
    if count > LISTED {
        body.push_str(&format!(
            "\n… and {} more in your inbox: {public_url}/inbox\n",
            count - LISTED
        ));
    }
    body.push_str(&format!(
        "\nRead them in your inbox: {public_url}/inbox\n\
         Change how often you get email: {public_url}/watches\n"
    ));
    Ok((subject, body))
}

/// One attempt at sending a digest; a failure is tried again `backoff` later (doubling).
pub async fn send(
    services: &Services,
    mailer: &Mailer,
    digest_id: i64,
    backoff: Duration,
) -> Result<Attempt, DbErr> {
    let conn = services.db.conn();
    if !OUTBOX.claim(conn, process_seconds(), digest_id).await? {
        return Ok(Attempt::Skipped);
    }
    let Some(digest) = mail_digest::Entity::find_by_id(digest_id).one(conn).await? else {
        return Ok(Attempt::Skipped);
    };
    let Some(person) = user::Entity::find_by_id(digest.user_id).one(conn).await? else {
        let reason = "the user no longer exists".to_owned();
        return OUTBOX
            .settle(
                conn,
                process_seconds(),
                digest_id,
                ATTEMPTS,
                Some(reason),
                backoff,
            )
            .await;
    };
    if !members::keep_readable(conn, &digest, &person).await? {
        return Ok(Attempt::Skipped);
    }
    let (subject, body) = compose(conn, &digest, &mailer.public_url).await?;
    // An address that cannot be written will not improve with retries: give up at once.
    let (attempts, failure) = match message(mailer, &person, subject, body) {
        Err(reason) => (ATTEMPTS, Some(reason)),
        Ok(message) => (
            digest.attempts,
            mailer.transport.send(message).await.err().map(|err| {
                format!(
                    "the mail server refused the digest: {}",
                    crate::error_chain(&err)
                )
            }),
        ),
    };
    OUTBOX
        .settle(
            conn,
            process_seconds(),
            digest_id,
            attempts,
            failure,
            backoff,
        )
        .await
}

fn message(
    mailer: &Mailer,
    person: &user::Model,
    subject: String,
    body: String,
) -> Result<Message, String> {
    let to = Mailbox::new(
        Some(person.display_name.clone()).filter(|n| !n.is_empty()),
        person
            .email
            .parse()
            .map_err(|_| format!("cannot address `{}`: not an email address", person.email))?,
    );
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|err| format!("cannot address `{}`: {err}", person.email))
}
