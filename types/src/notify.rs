//! Watches and the inbox as the pages and the API show them. Instants are RFC 3339 UTC, hours
//! `YYYY-MM-DDTHH:00:00Z`.

use serde::{Deserialize, Serialize};

/// The kinds of news a watch can ask for: first sightings of each kind of catalog row, and
/// `obsolete` (not seen for a while, or retired from the newest version) and `returned`, and
/// `rollout` (a change of a roll-out's verdict).
pub const NEWS_KINDS: [&str; 10] = [
    "application",
    "version",
    "screen",
    "event",
    "combination",
    "key",
    "key_type",
    "obsolete",
    "returned",
    "rollout",
];

/// `POST /api/v1/watches`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WatchRequest {
    pub tenant: String,
    /// `tenant`, `application`, `screen` or `event`.
    pub target: String,
    /// The application, screen or event name (none for a tenant).
    #[serde(default)]
    pub name: Option<String>,
    /// Kinds of news wanted (see [`NEWS_KINDS`]); none or empty for every kind.
    #[serde(default)]
    pub news: Option<Vec<String>>,
}

/// A watch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Watch {
    pub id: i64,
    pub tenant: String,
    pub target: String,
    pub name: String,
    /// Empty: every kind.
    pub news: Vec<String>,
    pub created_at: String,
}

/// One piece of news in the inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub id: i64,
    pub tenant: String,
    /// A news kind, or `summary` for what a backfill found.
    pub kind: String,
    pub title: String,
    /// Where to look (a catalog page).
    pub link: String,
    pub hour: Option<String>,
    pub created_at: String,
    pub read: bool,
}

/// `GET /api/v1/inbox`: the newest items first, and how many are unread in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<InboxItem>,
}

/// The email digest choices.
pub const DIGESTS: [&str; 3] = ["off", "hourly", "daily"];

/// `GET`/`PUT /api/v1/me/mail`: how the caller gets email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailPreference {
    /// `off`, `hourly` or `daily` (see [`DIGESTS`]).
    pub digest: String,
    /// Whether this installation sends email at all (SMTP configured); read-only.
    #[serde(default)]
    pub email_enabled: bool,
}

/// `POST /api/v1/tenants/{tenant}/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookRequest {
    pub url: String,
    /// Kinds of news to send (see [`NEWS_KINDS`], plus `summary`); none or empty for all.
    #[serde(default)]
    pub news: Option<Vec<String>>,
}

/// A tenant's webhook, with its last deliveries (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub tenant: String,
    pub url: String,
    /// The key of the `X-Blueprint-Signature` HMAC-SHA256 header.
    pub secret: String,
    pub news: Vec<String>,
    pub enabled: bool,
    pub created_at: String,
    pub deliveries: Vec<WebhookDelivery>,
}

/// One piece of news sent (or being sent) to a webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    pub kind: String,
    pub title: String,
    /// `pending`, `sending`, `retrying`, `sent` or `failed` (gave up after the last attempt).
    pub status: String,
    pub attempts: i32,
    /// The HTTP status of the last attempt, if the endpoint answered.
    pub response_status: Option<i32>,
    /// The start of the last response's body.
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A tenant's notification settings as its owners manage them: the quiet period after which
/// unseen things are marked obsolete, and its webhooks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantChannels {
    pub tenant: String,
    /// The tenant's own quiet period in days; `None`: the default.
    pub quiet_days: Option<i32>,
    /// The default quiet period, for the page to show.
    pub default_quiet_days: i32,
    pub webhooks: Vec<Webhook>,
}
