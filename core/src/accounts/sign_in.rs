//! Sign-in by email and password, slowed down per account and per address after repeated
//! failures (5 free attempts, then a wait of 5 s that doubles with each failure, up to 15
//! minutes). The error never says whether the email exists.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};

use crate::Services;
use crate::accounts::{Actor, ServiceError, passwords, users};
use crate::entities::{sign_in_throttle, user};

const FREE_ATTEMPTS: i32 = 5;
const MAX_WAIT: i64 = 15 * 60;

fn subjects(email: &str, address: &str) -> [String; 2] {
    [
        format!("email:{}", email.trim().to_lowercase()),
        format!("addr:{address}"),
    ]
}

/// Checks the credentials; `address` is the client's IP address (for throttling).
pub async fn sign_in(
    services: &Services,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Actor, ServiceError> {
    let conn = services.db.conn();
    let now = services.db.now_seconds();
    let subjects = subjects(email, address);
    let blocked = sign_in_throttle::Entity::find()
        .filter(sign_in_throttle::Column::Subject.is_in(subjects.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.blocked_until - now)
        .max()
        .unwrap_or(0);
    if blocked > 0 {
        return Err(ServiceError::Throttled(blocked));
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(conn)
        .await?;
    let hash = found.as_ref().and_then(|u| u.password_hash.as_deref());
    let valid =
        passwords::verify_password(password, hash) && found.as_ref().is_some_and(|u| !u.disabled);
    if !valid {
        for subject in &subjects {
            record_failure(services, subject, now).await?;
        }
        return Err(ServiceError::BadCredentials);
    }
    sign_in_throttle::Entity::delete_many()
        .filter(sign_in_throttle::Column::Subject.eq(subjects[0].as_str()))
        .exec(conn)
        .await?;
    let user = found.ok_or(ServiceError::BadCredentials)?;
    users::actor_for(services, user.id)
        .await?
        .ok_or(ServiceError::BadCredentials)
}

async fn record_failure(services: &Services, subject: &str, now: i64) -> Result<(), ServiceError> {
    let conn = services.db.conn();
    let failures = sign_in_throttle::Entity::find_by_id(subject.to_owned())
        .one(conn)
        .await?
        .map_or(0, |row| row.failures)
        + 1;
    let wait = if failures >= FREE_ATTEMPTS {
        (5i64 << (failures - FREE_ATTEMPTS).min(20)).min(MAX_WAIT)
    } else {
        0
    };
    sign_in_throttle::Entity::insert(sign_in_throttle::ActiveModel {
        subject: Set(subject.to_owned()),
        failures: Set(failures),
        blocked_until: Set(now + wait),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(sign_in_throttle::Column::Subject)
            .update_columns([
                sign_in_throttle::Column::Failures,
                sign_in_throttle::Column::BlockedUntil,
                sign_in_throttle::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
