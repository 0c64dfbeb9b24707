//! Accounts (DESIGN.md, "Roles"): users, their tenant memberships, the acting user of every
//! service call ([`Actor`]) and the permission checks made on it, sign-in with throttling, API
//! tokens (a new one's secret sealed for the page that shows it once), web sessions and the audit
//! log. Services check permissions themselves; a tenant the actor may not see is reported exactly
//! like one that does not exist.

pub mod actors;
pub mod audit;
mod audit_diff;
pub mod epochs;
pub mod hashing;
pub mod passwords;
pub mod sealed;
pub mod sessions;
pub mod sign_in;
pub mod tokens;
pub mod users;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A member's role in a tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the tenant and watches anything in it.
    Viewer,
    /// Also edits descriptions, owners, tags and manual status, and manages roll-outs.
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Owner => "owner",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ServiceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "viewer" => Ok(Role::Viewer),
            "owner" => Ok(Role::Owner),
            other => Err(ServiceError::Invalid(format!(
                "`{other}` is not a role: use viewer or owner"
            ))),
        }
    }
}

pub use crate::error::ServiceError;

/// What a token may do, at most (a token never exceeds its user's own rights).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenScope {
    pub token_id: i64,
    /// `None`: every tenant (admin tokens).
    pub tenant_id: Option<i64>,
    /// `None` means admin rights; otherwise the highest tenant role.
    pub role: Option<Role>,
}

/// The acting user of a service call, with their rights, loaded once per request or job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    admin: bool,
    memberships: BTreeMap<i64, Role>,
    token: Option<TokenScope>,
}

impl Actor {
    pub fn new(
        user: &crate::entities::user::Model,
        memberships: BTreeMap<i64, Role>,
        token: Option<TokenScope>,
    ) -> Self {
        Self {
            user_id: user.id,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            admin: user.is_admin,
            memberships,
            token,
        }
    }

    /// A global admin (and, through a token, only when the token carries admin rights).
    pub fn is_admin(&self) -> bool {
        self.admin
            && self
                .token
                .as_ref()
                .is_none_or(|t| t.role.is_none() && t.tenant_id.is_none())
    }

    /// The actor's effective role in a tenant: admins act as owners everywhere; a token caps it.
    pub fn role_in(&self, tenant_id: i64) -> Option<Role> {
        let own = if self.admin {
            Some(Role::Owner)
        } else {
            self.memberships.get(&tenant_id).copied()
        }?;
        match &self.token {
            None => Some(own),
            Some(scope) => {
                if scope.tenant_id.is_some_and(|t| t != tenant_id) {
                    return None;
                }
                Some(scope.role.map_or(own, |cap| own.min(cap)))
            }
        }
    }

    /// Whether the actor's token is limited to another tenant, one the user could reach without
    /// the token (as a member or admin): such a call is refused with `Forbidden` (not hidden).
    pub fn token_forbids(&self, tenant_id: i64) -> bool {
        let elsewhere = self
            .token
            .as_ref()
            .is_some_and(|scope| scope.tenant_id.is_some_and(|t| t != tenant_id));
        elsewhere && (self.admin || self.memberships.contains_key(&tenant_id))
    }

    /// [`Actor::require_read`], with `Forbidden` when the token is limited to another tenant.
    pub fn require_in_scope(&self, tenant_id: i64) -> Result<(), ServiceError> {
        if self.token_forbids(tenant_id) {
            return Err(ServiceError::Forbidden);
        }
        self.require_read(tenant_id)
    }

    pub fn can_read(&self, tenant_id: i64) -> bool {
        self.role_in(tenant_id).is_some()
    }

    pub fn can_own(&self, tenant_id: i64) -> bool {
        self.role_in(tenant_id) == Some(Role::Owner)
    }

    /// The tenants this actor belongs to (admins: see [`Actor::is_admin`]).
    pub fn memberships(&self) -> &BTreeMap<i64, Role> {
        &self.memberships
    }

    pub fn token(&self) -> Option<&TokenScope> {
        self.token.as_ref()
    }

    /// Reading a tenant: `NotFound` when it is not visible (the same as when it does not exist).
    pub fn require_read(&self, tenant_id: i64) -> Result<(), ServiceError> {
        if self.can_read(tenant_id) {
            Ok(())
        } else {
            Err(ServiceError::NotFound)
        }
    }

    /// Changing a tenant's curated data: `NotFound` when invisible, `Forbidden` for viewers.
    pub fn require_owner(&self, tenant_id: i64) -> Result<(), ServiceError> {
        self.require_read(tenant_id)?;
        if self.can_own(tenant_id) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    pub fn require_admin(&self) -> Result<(), ServiceError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// How the actor is named in the audit log.
    pub fn label(&self) -> String {
        match &self.token {
            None => self.email.clone(),
            Some(scope) => format!("{} (token {})", self.email, scope.token_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(admin: bool) -> crate::entities::user::Model {
        crate::entities::user::Model {
            id: 1,
            email: "a@example.com".into(),
            display_name: "A".into(),
            password_hash: None,
            is_admin: admin,
            disabled: false,
            created_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
            mail_digest: "daily".into(),
            mail_since: None,
            session_epoch: 0,
        }
    }

    #[test]
    fn roles_and_token_caps() {
        let viewer = Actor::new(&user(false), BTreeMap::from([(7, Role::Viewer)]), None);
        assert!(
            viewer.can_read(7) && !viewer.can_own(7) && !viewer.can_read(8) && !viewer.is_admin()
        );
        assert!(matches!(
            viewer.require_read(8),
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            viewer.require_owner(7),
            Err(ServiceError::Forbidden)
        ));
        let admin = Actor::new(&user(true), BTreeMap::new(), None);
        assert!(admin.can_own(8) && admin.is_admin());
        let capped = Actor::new(
            &user(true),
            BTreeMap::new(),
            Some(TokenScope {
                token_id: 3,
                tenant_id: Some(7),
                role: Some(Role::Viewer),
            }),
        );
        assert!(
            capped.can_read(7) && !capped.can_own(7) && !capped.can_read(8) && !capped.is_admin()
        );
        let owner_token = Actor::new(
            &user(false),
            BTreeMap::from([(7, Role::Viewer)]),
            Some(TokenScope {
                token_id: 4,
                tenant_id: Some(7),
                role: Some(Role::Owner),
            }),
        );
        assert!(!owner_token.can_own(7), "a token never exceeds its user");
    }
}

/// The signed-in actor of a request, as the web layer hands it to pages and handlers.
#[derive(Clone, Debug)]
pub struct SignedIn(pub Actor);
