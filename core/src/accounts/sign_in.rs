//! Sign-in by email and password, slowed down per account and per address after repeated
//! failures (5 free attempts, then a wait of 5 s that doubles with each failure, up to 15
//! minutes). The error never says whether the email exists.
//!
//! Each attempt is counted before the password is checked, in one statement per subject (an
//! upsert that only counts when the subject is not blocked, and blocks it at once when this
//! attempt reaches the limit, as if it failed): parallel attempts cannot all slip through
//! between a check and a count. A success clears the account's count and takes its own attempt
//! back from the address. The hash is checked on a blocking thread ([`hashing`]).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};

use crate::Services;
use crate::accounts::{Actor, ServiceError, hashing, users};
use crate::entities::{sign_in_throttle, user};
use crate::sql;

const FREE_ATTEMPTS: i32 = 5;
const MAX_WAIT: i64 = 15 * 60;

fn subjects(email: &str, address: &str) -> [String; 2] {
    [
        format!("addr:{address}"),
        format!("email:{}", email.trim().to_lowercase()),
    ]
}

/// Seconds blocked after the `failures`-th failure.
fn wait_after(failures: i32) -> i64 {
    if failures >= FREE_ATTEMPTS {
        (5i64 << (failures - FREE_ATTEMPTS).min(20)).min(MAX_WAIT)
    } else {
        0
    }
}

/// `CASE` over the new count giving the seconds to block (`0` below the limit).
fn wait_sql(count: &str) -> String {
    let mut text = format!("CASE WHEN {count} < {FREE_ATTEMPTS} THEN 0");
    let mut failures = FREE_ATTEMPTS;
    while wait_after(failures) < MAX_WAIT {
        text.push_str(&format!(
            " WHEN {count} = {failures} THEN {}",
            wait_after(failures)
        ));
        failures += 1;
    }
    text.push_str(&format!(" ELSE {MAX_WAIT} END"));
    text
}

#[derive(FromQueryResult)]
struct Counted {
    failures: i32,
}

/// Counts one attempt for `subject` unless it is blocked; `Err(Throttled)` when it is.
async fn count_attempt(services: &Services, subject: &str, now: i64) -> Result<(), ServiceError> {
    let conn = services.db.conn();
    let sql = format!(
        "INSERT INTO sign_in_throttle (subject, failures, blocked_until, updated_at) \
         VALUES (?, 1, 0, ?) \
         ON CONFLICT (subject) DO UPDATE SET \
           failures = sign_in_throttle.failures + 1, \
           blocked_until = ? + {}, \
           updated_at = ? \
         WHERE sign_in_throttle.blocked_until <= ? \
         RETURNING failures",
        wait_sql("(sign_in_throttle.failures + 1)")
    );
    let counted: Option<Counted> = sql::fetch_one(
        conn,
        &sql,
        vec![
            subject.into(),
            now.into(),
            now.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?;
    if counted.is_some_and(|c| c.failures > 0) {
        return Ok(());
    }
    let blocked_until = sign_in_throttle::Entity::find_by_id(subject.to_owned())
        .one(conn)
        .await?
        .map_or(now + 1, |row| row.blocked_until);
    Err(ServiceError::Throttled((blocked_until - now).max(1)))
}

/// After a success: the account starts afresh, and the address gets this attempt back.
async fn clear_attempts(
    services: &Services,
    subjects: &[String; 2],
    now: i64,
) -> Result<(), ServiceError> {
    let conn = services.db.conn();
    sign_in_throttle::Entity::delete_many()
        .filter(sign_in_throttle::Column::Subject.eq(subjects[1].as_str()))
        .exec(conn)
        .await?;
    conn.execute_raw(sql::statement(
        conn.get_database_backend(),
        "UPDATE sign_in_throttle SET failures = failures - 1, blocked_until = ?, updated_at = ? \
         WHERE subject = ? AND failures > 0",
        vec![now.into(), now.into(), subjects[0].as_str().into()],
    ))
    .await?;
    Ok(())
}

/// Checks the credentials; `address` is the client's IP address (for throttling).
pub async fn sign_in(
    services: &Services,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Actor, ServiceError> {
    let now = services.db.now_seconds();
    let subjects = subjects(email, address);
    for subject in &subjects {
        count_attempt(services, subject, now).await?;
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(services.db.conn())
        .await?;
    let hash = found.as_ref().and_then(|u| u.password_hash.as_deref());
    let valid =
        hashing::verify(password, hash).await? && found.as_ref().is_some_and(|u| !u.disabled);
    let Some(user) = found.filter(|_| valid) else {
        return Err(ServiceError::BadCredentials);
    };
    clear_attempts(services, &subjects, now).await?;
    users::actor_for(services, user.id)
        .await?
        .ok_or(ServiceError::BadCredentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        assert_eq!(
            (1..=14).map(wait_after).collect::<Vec<_>>(),
            [0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
        );
        let sql = wait_sql("n");
        assert!(
            sql.starts_with("CASE WHEN n < 5 THEN 0 WHEN n = 5 THEN 5"),
            "{sql}"
        );
        assert!(sql.ends_with("WHEN n = 12 THEN 640 ELSE 900 END"), "{sql}");
    }
}
