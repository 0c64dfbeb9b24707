//! Web sessions: a tower-sessions store over Blueprint's own database (no published SQL store fits
//! the sqlx version, see STACK.md), and the session layer: HttpOnly, SameSite=Lax, Secure when
//! configured, 12 hours idle expiry; the absolute expiry (7 days) is checked on each request.

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

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|err| session_store::Error::Encode(err.to_string()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let data = encode(record)?;
            let created = sessions::create(
                &self.services,
                &record.id.to_string(),
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
            &record.id.to_string(),
            &encode(record)?,
            record.expiry_date.unix_timestamp(),
        )
        .await
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let Some(data) = sessions::load(&self.services, &id.to_string(), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        serde_json::from_str(&data)
            .map(Some)
            .map_err(|err| session_store::Error::Decode(err.to_string()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sessions::delete(&self.services, &id.to_string())
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
