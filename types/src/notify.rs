//! Watches and the inbox as the pages and the API show them. Instants are RFC 3339 UTC, hours
//! `YYYY-MM-DDTHH:00:00Z`.

use serde::{Deserialize, Serialize};

/// The kinds of news a watch can ask for: first sightings of each kind of catalog row, and
/// `obsolete` (not seen for a while, or retired from the newest version) and `returned`.
pub const NEWS_KINDS: [&str; 9] = [
    "application",
    "version",
    "screen",
    "event",
    "combination",
    "key",
    "key_type",
    "obsolete",
    "returned",
];

/// `POST /api/v1/watches`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<InboxItem>,
}
