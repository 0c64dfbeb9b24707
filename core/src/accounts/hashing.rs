//! Where argon2 runs: on tokio's blocking threads, at most [`PERMITS`] at a time, so a burst of
//! sign-ins neither stalls the async workers (every page, `/healthz`) nor takes every core. An
//! attempt waits up to [`WAIT`] for a slot, then is refused with [`ServiceError::Busy`] ("too
//! many sign-ins at once; please try again in a moment").

use std::sync::LazyLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::accounts::{ServiceError, passwords};

/// Password hashes computed at once (argon2id takes about 19 MiB and one core each).
pub const PERMITS: usize = 2;
/// How long an attempt waits for a slot before it is refused as busy.
pub const WAIT: Duration = Duration::from_secs(10);

static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(PERMITS));

/// The process' hashing slots (tests hold them all to show pages are served meanwhile).
pub fn slots() -> &'static Semaphore {
    &SLOTS
}

/// Runs `work` on a blocking thread once a slot is free.
async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    let permit = tokio::time::timeout(WAIT, SLOTS.acquire())
        .await
        .map_err(|_| ServiceError::Busy)?
        .map_err(|_| ServiceError::Busy)?;
    let result = tokio::task::spawn_blocking(work)
        .await
        .map_err(ServiceError::failed);
    drop(permit);
    result
}

/// [`passwords::verify_password`] off the async workers.
pub async fn verify(password: &str, hash: Option<&str>) -> Result<bool, ServiceError> {
    let password = password.to_owned();
    let hash = hash.map(str::to_owned);
    run(move || passwords::verify_password(&password, hash.as_deref())).await
}

/// [`passwords::hash_password`] off the async workers.
pub async fn hash(password: &str) -> Result<String, ServiceError> {
    if password.chars().count() < passwords::MIN_LENGTH {
        // Refused without taking a slot.
        return passwords::hash_password(password);
    }
    let password = password.to_owned();
    run(move || passwords::hash_password(&password)).await?
}
