//! API tokens: created by a user for one tenant (or all, for admins) with a role no higher than
//! their own; the secret is shown once and stored as a SHA-256 hash; listed with last use;
//! revocable.

use blueprint_types::{TokenChoices, TokenRow, TokenTenant};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};

use crate::Services;
use crate::accounts::{Actor, Role, ServiceError, TokenScope, audit, passwords, users};
use crate::entities::{api_token, tenant, user};
use crate::error::{MAX_NAME, check_length};

pub const PREFIX: &str = "bpt_";

/// What a new token may do.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub name: String,
    /// `None`: every tenant (admins only).
    pub tenant: Option<String>,
    /// `None`: admin rights (admins only).
    pub role: Option<Role>,
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Creates a token; returns its secret (shown once) and summary.
pub async fn create_token(
    services: &Services,
    by: &Actor,
    new: NewToken,
) -> Result<(String, TokenRow), ServiceError> {
    if by.token().is_some() {
        return Err(ServiceError::Forbidden);
    }
    let name = new.name.trim().to_owned();
    if name.is_empty() {
        return Err(ServiceError::Invalid("a token needs a name".into()));
    }
    check_length("token name", &name, MAX_NAME)?;
    let tenant_id = match &new.tenant {
        Some(slug) => {
            let row = tenant::Entity::find()
                .filter(tenant::Column::Slug.eq(slug.as_str()))
                .one(services.db.conn())
                .await?
                .ok_or(ServiceError::NotFound)?;
            by.require_read(row.id)?;
            if new.role.is_some_and(|role| Some(role) > by.role_in(row.id)) {
                return Err(ServiceError::Forbidden);
            }
            Some(row.id)
        }
        None => {
            by.require_admin()?;
            None
        }
    };
    if new.role.is_none() {
        by.require_admin()?;
    }
    let secret = format!("{PREFIX}{}", passwords::random_text(40));
    let row = api_token::ActiveModel {
        user_id: Set(by.user_id),
        name: Set(name),
        tenant_id: Set(tenant_id),
        role: Set(new.role.map_or("admin", Role::as_str).to_owned()),
        prefix: Set(secret[..PREFIX.len() + 6].to_owned()),
        hash: Set(digest(&secret)),
        created_at: Set(services.db.now_seconds()),
        ..Default::default()
    }
    .insert(services.db.conn())
    .await?;
    let summary = summarize(row, new.tenant);
    audit::record(
        services.db.conn(),
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(by),
            tenant_id,
            action: "token.create",
            target: &format!("token {}", summary.name),
        },
        None,
        Some(&summary),
    )
    .await?;
    Ok((secret, summary))
}

/// What `by` may make a token for: each tenant they can read with the roles up to their own in
/// it (admins: owner, and admin rights), and every tenant for admins. Tokens make no tokens.
pub async fn token_choices(services: &Services, by: &Actor) -> Result<TokenChoices, ServiceError> {
    if by.token().is_some() {
        return Err(ServiceError::Forbidden);
    }
    let tenants = tenant::Entity::find()
        .order_by_asc(tenant::Column::Slug)
        .all(services.db.conn())
        .await?
        .into_iter()
        .filter_map(|row| {
            let own = by.role_in(row.id)?;
            let mut roles = vec![Role::Viewer.as_str().to_owned()];
            if own == Role::Owner {
                roles.push(Role::Owner.as_str().to_owned());
            }
            if by.is_admin() {
                roles.push("admin".to_owned());
            }
            Some(TokenTenant {
                slug: row.slug,
                roles,
            })
        })
        .collect();
    Ok(TokenChoices {
        tenants,
        every_tenant: by.is_admin(),
    })
}

fn summarize(row: api_token::Model, tenant: Option<String>) -> TokenRow {
    TokenRow {
        id: row.id,
        name: row.name,
        tenant,
        role: row.role,
        prefix: row.prefix,
        created_at: time(row.created_at),
        last_used_at: row.last_used_at.map(time),
        revoked: row.revoked_at.is_some(),
    }
}

/// The actor's own tokens (admins: everyone's), newest first.
pub async fn list_tokens(services: &Services, by: &Actor) -> Result<Vec<TokenRow>, ServiceError> {
    let conn = services.db.conn();
    let mut select = api_token::Entity::find().order_by_desc(api_token::Column::Id);
    if !by.is_admin() {
        select = select.filter(api_token::Column::UserId.eq(by.user_id));
    }
    let slugs: std::collections::HashMap<i64, String> = tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    Ok(select
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let tenant = row.tenant_id.and_then(|id| slugs.get(&id).cloned());
            summarize(row, tenant)
        })
        .collect())
}

/// Revokes a token of the actor (admins: any); one revoked already is a conflict (409), its time
/// of revocation kept.
pub async fn revoke_token(
    services: &Services,
    by: &Actor,
    token_id: i64,
) -> Result<(), ServiceError> {
    let row = api_token::Entity::find_by_id(token_id)
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    if row.user_id != by.user_id && !by.is_admin() {
        return Err(ServiceError::NotFound);
    }
    if row.revoked_at.is_some() {
        return Err(ServiceError::Conflict(format!(
            "the token “{}” is already revoked",
            row.name
        )));
    }
    let name = row.name.clone();
    let mut active: api_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(services.db.now_seconds()));
    active.update(services.db.conn()).await?;
    audit::record(
        services.db.conn(),
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(by),
            tenant_id: None,
            action: "token.revoke",
            target: &format!("token {name}"),
        },
        None::<&()>,
        None,
    )
    .await?;
    Ok(())
}

/// The actor a bearer token stands for; `None` for unknown, revoked or disabled-user tokens.
pub async fn authenticate(
    services: &Services,
    secret: &str,
) -> Result<Option<Actor>, ServiceError> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let conn = services.db.conn();
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::Hash.eq(digest(secret)))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if row.revoked_at.is_some() {
        return Ok(None);
    }
    let Some(owner) = user::Entity::find_by_id(row.user_id)
        .one(conn)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(None);
    };
    let memberships = users::memberships_of(services, owner.id).await?;
    let scope = TokenScope {
        token_id: row.id,
        tenant_id: row.tenant_id,
        role: row.role.parse().ok(),
    };
    api_token::ActiveModel {
        id: Set(row.id),
        last_used_at: Set(Some(services.db.now_seconds())),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(Some(Actor::new(&owner, memberships, Some(scope))))
}
