//! How the outbox jobs (webhook deliveries, email digests) report an attempt.

use apalis::prelude::BoxDynError;
use blueprint_core::channels::Attempt;

/// Reports an outbox attempt: whatever happened, the job is done — a failure to retry is queued
/// again as a new job once its back-off has passed (the worker slot is not held meanwhile).
pub(crate) fn attempted<E: std::error::Error + 'static>(
    what: &str,
    id: i64,
    attempt: Result<Attempt, E>,
) -> Result<(), BoxDynError> {
    match attempt {
        Ok(Attempt::Retry(reason)) => {
            tracing::warn!(what, id, %reason, "sending failed; will retry");
            Ok(())
        }
        Ok(Attempt::GaveUp(reason)) => {
            tracing::warn!(what, id, %reason, "sending failed for the last time");
            Ok(())
        }
        Ok(Attempt::Sent | Attempt::Skipped) => Ok(()),
        Err(err) => Err(blueprint_core::error_chain(&err).into()),
    }
}
