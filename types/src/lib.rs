//! WASM-safe data shared by the server (`blueprint-core`, `server`) and the pages (`app`).
//!
//! Nothing here knows about databases or HTTP: plain structs that serialise, and the small,
//! stable error the browser and API clients see.

use serde::{Deserialize, Serialize};

/// One tenant (brand) as the tenants page and `GET /api/v1/tenants` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantSummary {
    /// The folder name under the events root; also the tenant's id in paths.
    pub slug: String,
    /// Display name (defaults to the slug).
    pub name: String,
    /// When Blueprint first saw the tenant, RFC 3339 UTC.
    pub discovered_at: String,
}

/// The signed-in user, as the header shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub email: String,
    pub display_name: String,
    pub admin: bool,
    /// Owner of at least one tenant (admins are owners everywhere): the menu shows the pages
    /// that manage a tenant (tokens, notifications) only then.
    #[serde(default)]
    pub owner: bool,
    /// Unread notifications in the inbox.
    #[serde(default)]
    pub unread: i64,
}

/// A user as the admin pages list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub admin: bool,
    pub disabled: bool,
    /// `slug: role` pairs.
    pub tenants: Vec<(String, String)>,
}

/// An audit log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The fields `before` and `after` differ in, for reading (empty when neither has any).
    #[serde(default)]
    pub changes: Vec<AuditChange>,
}

/// One field an audited change changed: its value before and after (`None`: it had none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChange {
    /// The field's name; empty when before or after is not a JSON object.
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An API token as listed (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub tenant: Option<String>,
    pub role: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

/// What the create-token form offers its user: the tenants they may make a token for, each with
/// the roles they may give it (never more than their own), and whether they may make one for
/// every tenant (admins).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenChoices {
    pub tenants: Vec<TokenTenant>,
    pub every_tenant: bool,
}

/// One tenant of [`TokenChoices`]: its slug and the roles a token for it may have, lowest first
/// (`viewer`, `owner`, `admin`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTenant {
    pub slug: String,
    pub roles: Vec<String>,
}

impl TokenChoices {
    /// Every role some tenant offers, lowest first (the form's role choices).
    pub fn roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = Vec::new();
        for role in ["viewer", "owner", "admin"] {
            let offered = self
                .tenants
                .iter()
                .any(|t| t.roles.iter().any(|r| r == role))
                || (self.every_tenant && role == "admin");
            if offered {
                roles.push(role.to_owned());
            }
        }
        roles
    }
}

/// The error a page or API client sees.
/// Variants are stable; details are logged on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ClientError {
    /// The thing does not exist, or the caller may not see it (the two are indistinguishable).
    #[error("not found")]
    NotFound,
    /// The caller is not signed in.
    #[error("please sign in")]
    Unauthenticated,
    /// Signed in, but not allowed to do this.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// The request was understood but its content is invalid; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The request collides with what exists (a user with that email, a roll-out already open
    /// against another baseline, a backfill that has ended); the message says what collides.
    #[error("{0}")]
    Conflict(String),
    /// Something failed on the server; the message is safe to show, details are in the logs.
    #[error("{0}")]
    Unavailable(String),
}

impl ClientError {
    /// The HTTP status that answers this error: the caller's mistakes are 4xx (400 invalid,
    /// 401 not signed in, 403 not allowed, 404 not found, 409 in conflict with what exists), a
    /// failure on the server 503.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::Invalid(_) => 400,
            Self::Conflict(_) => 409,
            Self::Unavailable(_) => 503,
        }
    }
}
pub mod catalog;
pub mod jobs;
pub mod notify;
pub mod rollouts;
pub mod signals;
pub mod words;
