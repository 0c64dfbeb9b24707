//! Watches and the inbox as the pages and the API show them. Instants are RFC 3339 UTC, hours
//! `YYYY-MM-DDTHH:00:00Z`.

use serde::{Deserialize, Serialize};

/// A kind of news, as notifications, webhook deliveries, watches and webhooks store it: the first
/// sighting of each kind of catalog row, `obsolete` (not seen for a while, or retired from the
/// newest version), `returned`, `rollout` (a change of a roll-out's verdict), `anomaly` (an
/// incident: volume anomalies, or a tenant outage and the return of its data, each told once)
/// and `summary` (what a baseline or backfill found, told once as history).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewsKind {
    Application,
    Version,
    Screen,
    Event,
    Combination,
    Key,
    KeyType,
    Obsolete,
    Returned,
    Rollout,
    /// An incident (a volume anomaly, or a tenant outage and the return of its data).
    Anomaly,
    Summary,
}

impl NewsKind {
    /// The kinds a watch can ask for, in the order the pages list them: every kind but `summary`.
    pub const WATCHABLE: [NewsKind; 11] = [
        NewsKind::Application,
        NewsKind::Version,
        NewsKind::Screen,
        NewsKind::Event,
        NewsKind::Combination,
        NewsKind::Key,
        NewsKind::KeyType,
        NewsKind::Obsolete,
        NewsKind::Returned,
        NewsKind::Rollout,
        NewsKind::Anomaly,
    ];

    /// The name stored in rows and carried in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            NewsKind::Application => "application",
            NewsKind::Version => "version",
            NewsKind::Screen => "screen",
            NewsKind::Event => "event",
            NewsKind::Combination => "combination",
            NewsKind::Key => "key",
            NewsKind::KeyType => "key_type",
            NewsKind::Obsolete => "obsolete",
            NewsKind::Returned => "returned",
            NewsKind::Rollout => "rollout",
            NewsKind::Anomaly => "anomaly",
            NewsKind::Summary => "summary",
        }
    }

    /// The kind in a sentence (`key type` for `key_type`).
    pub const fn label(self) -> &'static str {
        match self {
            NewsKind::KeyType => "key type",
            other => other.as_str(),
        }
    }
}

impl std::fmt::Display for NewsKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the [`NewsKind`]s.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a kind of news")]
pub struct UnknownNewsKind(pub String);

impl std::str::FromStr for NewsKind {
    type Err = UnknownNewsKind;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        NewsKind::WATCHABLE
            .into_iter()
            .chain([NewsKind::Summary])
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownNewsKind(text.to_owned()))
    }
}

impl TryFrom<&str> for NewsKind {
    type Error = UnknownNewsKind;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// The names of the kinds a watch can ask for ([`NewsKind::WATCHABLE`]).
pub const NEWS_KINDS: [&str; 11] = {
    let mut names = [""; 11];
    let mut i = 0;
    while i < names.len() {
        names[i] = NewsKind::WATCHABLE[i].as_str();
        i += 1;
    }
    names
};

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

/// What a watch on one tenant can name: its events, screens and applications, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchChoices {
    pub events: Vec<String>,
    pub screens: Vec<String>,
    pub applications: Vec<String>,
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
    /// The hour what it tells of was first seen, as the ledger has it now (an earlier hour
    /// ingested later moves it).
    pub hour: Option<String>,
    pub created_at: String,
    pub read: bool,
}

/// `GET /api/v1/inbox`: a page of items, newest first, and how many are unread in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<InboxItem>,
    /// The cursor of the next, older page (`before=` it), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older: Option<i64>,
    /// The cursor of the previous, newer page (`after=` it), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer: Option<i64>,
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
