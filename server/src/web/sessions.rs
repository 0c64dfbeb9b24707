//! Web sessions: a tower-sessions store over Blueprint's own database (no published SQL store fits
//! the sqlx version, see STACK.md), and the session layer: HttpOnly, SameSite=Lax, Secure when
//! configured, 12 hours idle expiry; the absolute expiry (7 days) is checked on each request.
//! Ids are stored hashed. Saving a session that was deleted meanwhile (signed out) does nothing,
//! so a request in flight cannot bring it back.

use async_trait::async_trait;
use blueprint_core::Services;
use blueprint_core::accounts::sessions;
use time::{Duration, OffsetDateTime};
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

pub const COOKIE: &str = "blueprint_session";
pub const IDLE: Duration = Duration::hours(12);
pub const ABSOLUTE_SECONDS: i64 = 7 * 24 * 3600;
pub const USER_ID: &str = "user_id";
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// The user's session epoch when the session began (see `blueprint_core::accounts::epochs`).
pub const EPOCH: &str = "epoch";

#[derive(Clone)]
pub struct DbSessionStore {
    services: Services,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(services: Services) -> Self {
        Self { services }
    }
}

/// Session ids are stored as SHA-256 hashes (and records without their id), so a copy of the
/// database signs no one in.
fn key(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(id.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|err| session_store::Error::Encode(err.to_string()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let data = encode(record)?;
            let created = sessions::create(
                &self.services,
                &key(&record.id),
                &data,
                record.expiry_date.unix_timestamp(),
            )
            .await
            .map_err(backend)?;
            if created {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sessions::save(
            &self.services,
            &key(&record.id),
            &encode(record)?,
            record.expiry_date.unix_timestamp(),
        )
        .await
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let Some((data, expires_at)) = sessions::load(&self.services, &key(id), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data)
            .map_err(|err| session_store::Error::Decode(err.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(expires_at).map_err(backend)?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sessions::delete(&self.services, &key(id))
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        sessions::delete_expired(&self.services, now)
            .await
            .map(|_| ())
            .map_err(backend)
    }
}

pub fn layer(services: Services, secure: bool) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(DbSessionStore::new(services))
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(IDLE))
}
