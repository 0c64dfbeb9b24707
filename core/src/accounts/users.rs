//! Users and memberships: created by the CLI or by admins, loaded as [`Actor`]s.

use std::collections::BTreeMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::Services;
pub(crate) use crate::accounts::actors::memberships_of;
pub use crate::accounts::actors::{actor_for, actor_for_session};
use crate::accounts::{Actor, Role, ServiceError, audit, epochs, hashing};
use crate::entities::{membership, notification, tenant, user};

/// What a new user gets.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: Option<String>,
    pub password: String,
    pub admin: bool,
    /// Tenant slug → role.
    pub tenants: BTreeMap<String, Role>,
}

/// A user as admins see them (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub admin: bool,
    pub disabled: bool,
    pub tenants: BTreeMap<String, Role>,
}

fn normalise_email(email: &str) -> Result<String, ServiceError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(ServiceError::Invalid(format!(
            "`{email}` is not an email address"
        )))
    }
}

async fn tenant_ids(
    services: &Services,
    slugs: &BTreeMap<String, Role>,
) -> Result<Vec<(i64, Role)>, ServiceError> {
    let mut out = Vec::new();
    for (slug, role) in slugs {
        let row = tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug.as_str()))
            .one(services.db.conn())
            .await?
            .ok_or_else(|| ServiceError::Invalid(format!("unknown tenant `{slug}`")))?;
        out.push((row.id, *role));
    }
    Ok(out)
}

/// The answer to a new user whose email is taken (409).
fn email_taken(email: &str) -> ServiceError {
    ServiceError::Conflict(format!("a user with the email {email} already exists"))
}

/// Creates a user. `by` is the admin doing it (`None`: the command line, which runs as the
/// machine's operator).
pub async fn create_user(
    services: &Services,
    by: Option<&Actor>,
    new: NewUser,
) -> Result<UserSummary, ServiceError> {
    if let Some(actor) = by {
        actor.require_admin()?;
    }
    let email = normalise_email(&new.email)?;
    let hash = hashing::hash(&new.password).await?;
    let memberships = tenant_ids(services, &new.tenants).await?;
    let txn = crate::db::begin_write(services.db.conn()).await?;
    if user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(email_taken(&email));
    }
    let display_name = new
        .display_name
        .clone()
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let row = user::ActiveModel {
        email: Set(email.clone()),
        display_name: Set(display_name),
        password_hash: Set(Some(hash)),
        is_admin: Set(new.admin),
        disabled: Set(false),
        created_at: Set(services.db.now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    // Another request created the same email between the check and the insert.
    .map_err(|err| {
        if crate::error::is_unique_violation(&err) {
            email_taken(&email)
        } else {
            ServiceError::Db(err)
        }
    })?;
    for (tenant_id, role) in &memberships {
        membership::ActiveModel {
            user_id: Set(row.id),
            tenant_id: Set(*tenant_id),
            role: Set(role.as_str().to_owned()),
        }
        .insert(&txn)
        .await?;
    }
    let summary = UserSummary {
        id: row.id,
        email,
        display_name: row.display_name.clone(),
        admin: new.admin,
        disabled: false,
        tenants: new.tenants.clone(),
    };
    audit::record(
        &txn,
        audit::Entry {
            at: services.db.now_seconds(),
            by,
            tenant_id: None,
            action: "user.create",
            target: &format!("user {}", summary.email),
        },
        None,
        Some(&summary),
    )
    .await?;
    txn.commit().await?;
    Ok(summary)
}

/// Sets a user's password (the CLI, or an admin resetting it); every session of the user ends.
pub async fn set_password(
    services: &Services,
    by: Option<&Actor>,
    email: &str,
    password: &str,
) -> Result<(), ServiceError> {
    if let Some(actor) = by {
        actor.require_admin()?;
    }
    let email = normalise_email(email)?;
    let hash = hashing::hash(password).await?;
    let row = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let txn = crate::db::begin_write(services.db.conn()).await?;
    user::ActiveModel {
        id: Set(row.id),
        password_hash: Set(Some(hash)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    epochs::raise(&txn, row.id).await?;
    audit::record(
        &txn,
        audit::Entry {
            at: services.db.now_seconds(),
            by,
            tenant_id: None,
            action: "user.password",
            target: &format!("user {email}"),
        },
        None,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Disables or enables a user (admins only); a disabled user's sessions end at once (and stay
/// ended when the user is enabled again).
pub async fn set_disabled(
    services: &Services,
    by: &Actor,
    user_id: i64,
    disabled: bool,
) -> Result<(), ServiceError> {
    by.require_admin()?;
    if by.user_id == user_id && disabled {
        return Err(ServiceError::Invalid(
            "you cannot disable your own account".into(),
        ));
    }
    let row = user::Entity::find_by_id(user_id)
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let txn = crate::db::begin_write(services.db.conn()).await?;
    user::ActiveModel {
        id: Set(row.id),
        disabled: Set(disabled),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    if disabled {
        epochs::raise(&txn, row.id).await?;
    }
    audit::record(
        &txn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(by),
            tenant_id: None,
            action: if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            target: &format!("user {}", row.email),
        },
        Some(&serde_json::json!({"disabled": row.disabled})),
        Some(&serde_json::json!({"disabled": disabled})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Every user with their memberships (admins only).
pub async fn list_users(services: &Services, by: &Actor) -> Result<Vec<UserSummary>, ServiceError> {
    by.require_admin()?;
    let conn = services.db.conn();
    let slugs: BTreeMap<i64, String> = tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    let mut memberships: BTreeMap<i64, BTreeMap<String, Role>> = BTreeMap::new();
    for m in membership::Entity::find().all(conn).await? {
        if let (Some(slug), Ok(role)) = (slugs.get(&m.tenant_id), m.role.parse()) {
            memberships
                .entry(m.user_id)
                .or_default()
                .insert(slug.clone(), role);
        }
    }
    Ok(user::Entity::find()
        .order_by_asc(user::Column::Email)
        .all(conn)
        .await?
        .into_iter()
        .map(|u| UserSummary {
            id: u.id,
            tenants: memberships.remove(&u.id).unwrap_or_default(),
            email: u.email,
            display_name: u.display_name,
            admin: u.is_admin,
            disabled: u.disabled,
        })
        .collect())
}

/// How many users exist (start-up hint when there are none).
pub async fn count_users(services: &Services) -> Result<u64, ServiceError> {
    use sea_orm::PaginatorTrait;
    Ok(user::Entity::find().count(services.db.conn()).await?)
}

/// Replaces a user's rights: admin or not, and their tenants with a role each (admins only).
pub async fn set_rights(
    services: &Services,
    by: &Actor,
    user_id: i64,
    admin: bool,
    tenants: BTreeMap<String, Role>,
) -> Result<(), ServiceError> {
    by.require_admin()?;
    if by.user_id == user_id && !admin {
        return Err(ServiceError::Invalid(
            "you cannot remove your own admin rights".into(),
        ));
    }
    let row = user::Entity::find_by_id(user_id)
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let memberships = tenant_ids(services, &tenants).await?;
    let before = list_users(services, by)
        .await?
        .into_iter()
        .find(|u| u.id == user_id);
    let txn = crate::db::begin_write(services.db.conn()).await?;
    user::ActiveModel {
        id: Set(row.id),
        is_admin: Set(admin),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    membership::Entity::delete_many()
        .filter(membership::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    for (tenant_id, role) in &memberships {
        membership::ActiveModel {
            user_id: Set(user_id),
            tenant_id: Set(*tenant_id),
            role: Set(role.as_str().to_owned()),
        }
        .insert(&txn)
        .await?;
    }
    if !admin {
        // News of the tenants they left is theirs no more: not in the inbox, not in a digest.
        notification::Entity::delete_many()
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::TenantId.is_not_in(memberships.iter().map(|(id, _)| *id)))
            .exec(&txn)
            .await?;
    }
    let after = UserSummary {
        id: row.id,
        email: row.email.clone(),
        display_name: row.display_name.clone(),
        admin,
        disabled: row.disabled,
        tenants,
    };
    audit::record(
        &txn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(by),
            tenant_id: None,
            action: "user.rights",
            target: &format!("user {}", row.email),
        },
        before.as_ref(),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Rights as forms give them: `role` is admin, owner or viewer; `tenants` a comma-separated list
/// of slugs (ignored for admins).
pub fn parse_rights(
    role: &str,
    tenants: &str,
) -> Result<(bool, BTreeMap<String, Role>), ServiceError> {
    if role == "admin" {
        return Ok((true, BTreeMap::new()));
    }
    let role: Role = role.parse()?;
    let tenants = tenants
        .split(',')
        .map(str::trim)
        .filter(|slug| !slug.is_empty())
        .map(|slug| (slug.to_owned(), role))
        .collect();
    Ok((false, tenants))
}
