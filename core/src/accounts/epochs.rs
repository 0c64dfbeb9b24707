//! Ending sessions: every user has a session epoch, which a session copies when it begins; a
//! session of an older epoch is signed out on its next request. Signing out everywhere, changing
//! one's password (the session that did it begins again in the new epoch), an admin's password
//! reset and disabling a user raise the epoch, so every existing session ends at once, and a
//! request still in flight cannot bring one back (it can only write the old epoch).

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};

use crate::Services;
use crate::accounts::{Actor, ServiceError, audit, hashing};
use crate::entities::user;
use crate::sql;

/// Raises a user's epoch (inside the caller's transaction, with the change that causes it).
pub(crate) async fn raise(conn: &impl ConnectionTrait, user_id: i64) -> Result<(), DbErr> {
    conn.execute_raw(sql::statement(
        conn.get_database_backend(),
        "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?",
        vec![user_id.into()],
    ))
    .await?;
    Ok(())
}

/// The user's current epoch, which a session beginning now carries.
pub async fn current_epoch(services: &Services, user_id: i64) -> Result<i64, ServiceError> {
    user::Entity::find_by_id(user_id)
        .one(services.db.conn())
        .await?
        .map(|row| row.session_epoch)
        .ok_or(ServiceError::NotFound)
}

fn entry<'a>(
    services: &Services,
    by: &'a Actor,
    action: &'a str,
    target: &'a str,
) -> audit::Entry<'a> {
    audit::Entry {
        at: services.db.now_seconds(),
        by: Some(by),
        tenant_id: None,
        action,
        target,
    }
}

/// Ends every session of the acting user (the one asking included).
pub async fn sign_out_everywhere(services: &Services, by: &Actor) -> Result<(), ServiceError> {
    let txn = crate::db::begin_write(services.db.conn()).await?;
    raise(&txn, by.user_id).await?;
    let target = format!("user {}", by.email);
    audit::record(
        &txn,
        entry(services, by, "user.sign_out_everywhere", &target),
        None,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The acting user changes their own password (`current` must match); every session ends.
/// Returns the new epoch, for the session that asked to begin again in.
pub async fn change_own_password(
    services: &Services,
    by: &Actor,
    current: &str,
    new: &str,
) -> Result<i64, ServiceError> {
    if by.token().is_some() {
        return Err(ServiceError::Forbidden);
    }
    let row = user::Entity::find_by_id(by.user_id)
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !hashing::verify(current, row.password_hash.as_deref()).await? {
        return Err(ServiceError::Invalid(
            "the current password is incorrect".into(),
        ));
    }
    let hash = hashing::hash(new).await?;
    let txn = crate::db::begin_write(services.db.conn()).await?;
    user::ActiveModel {
        id: Set(row.id),
        password_hash: Set(Some(hash)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    raise(&txn, row.id).await?;
    let target = format!("user {}", row.email);
    audit::record(
        &txn,
        entry(services, by, "user.password", &target),
        None,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    current_epoch(services, row.id).await
}
