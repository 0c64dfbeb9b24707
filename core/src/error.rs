//! The one error of Blueprint's services ([`ServiceError`]) and the one-line rendering of an error
//! chain for people. Variants are stable: the web boundary maps each to a status and a message,
//! and an error of a lower layer (ingestion, object storage, the job queue) keeps its source, so
//! its context (tenant, hour, path) is logged once at that boundary instead of being flattened.
//! A request that collides with what exists is a [`ServiceError::Conflict`] (409): services say
//! so in the caller's words, and a unique key the database refuses (two requests at the same
//! moment) becomes one too, instead of a failure.

/// Why a service call failed. Messages are safe to show to the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("please sign in")]
    Unauthenticated,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    /// The request collides with what exists (a user with that email, a roll-out open against
    /// another baseline, a backfill that has ended); the message says what collides.
    #[error("{0}")]
    Conflict(String),
    #[error("the email or password is incorrect")]
    BadCredentials,
    #[error("too many failed attempts; try again in {0} s")]
    Throttled(i64),
    /// Every password-hashing slot stayed taken for the whole wait (a burst of sign-ins).
    #[error("too many sign-ins at once; please try again in a moment")]
    Busy,
    #[error("database error: {0}")]
    Db(sea_orm::DbErr),
    /// A lower layer failed; the source keeps what it was doing.
    #[error("{}", error_chain(.0.as_ref()))]
    Failed(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl ServiceError {
    /// Wraps the error of a lower layer, keeping it whole as the source.
    pub fn failed(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Failed(Box::new(err))
    }
}

/// What a unique key the database refused tells the caller: their request collided with another
/// that wrote the same thing a moment before.
pub const COLLIDED: &str =
    "this collides with a change made at the same moment; reload the page and try again";

impl From<sea_orm::DbErr> for ServiceError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unique_violation(&err) {
            tracing::warn!(error = %err, "a write collided with an existing row");
            return Self::Conflict(COLLIDED.into());
        }
        Self::Db(err)
    }
}

/// Whether `err` is the database refusing a second row with the same unique key.
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// An error and its sources on one line (`top: cause: root cause`), for messages people read.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

/// The longest name a person gives (an API token's), in characters.
pub const MAX_NAME: usize = 200;

/// Refuses `text` longer than `max` characters, naming the field and the limit.
pub fn check_length(field: &str, text: &str, max: usize) -> Result<(), ServiceError> {
    if text.chars().count() > max {
        return Err(ServiceError::Invalid(format!(
            "the {field} is longer than {max} characters"
        )));
    }
    Ok(())
}
