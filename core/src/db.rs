//! The database: parsing `BLUEPRINT_DATABASE_URL`, connecting (SQLite or Postgres), applying the
//! migrations, and the health probe.
//!
//! SQLite files are created on first use, their parent folders too; relative paths resolve against
//! the working directory. SQLite runs in WAL mode with a busy timeout so the web app, workers and
//! CLI commands can share one file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use blueprint_migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::time::Clock;

/// Why the database could not be used. Messages are one line and name the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "database URL `{url}` is not supported: use sqlite://PATH[?mode=rwc] or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl { url: String },
    #[error("cannot create the folder {path} for the SQLite database: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to the database at {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("cannot apply migrations to the database at {target}: {reason}")]
    Migrate { target: String, reason: String },
    #[error("database query failed: {0}")]
    Query(#[from] sea_orm::DbErr),
}

/// Which engine a database URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A validated database URL. `Debug` and `target()` never show a password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    engine: Engine,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.target()).finish()
    }
}

impl DatabaseUrl {
    /// Checks the scheme and shape of a URL without connecting.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let unsupported = || DbError::UnsupportedUrl { url: redact(url) };
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let parsed = url::Url::parse(url).map_err(|_| unsupported())?;
            if parsed.host_str().is_none_or(str::is_empty) && !url.contains("host=") {
                return Err(unsupported());
            }
            Engine::Postgres
        } else {
            return Err(unsupported());
        };
        let parsed = Self {
            url: url.to_owned(),
            engine,
        };
        if engine == Engine::Sqlite && parsed.sqlite_path().is_none() {
            return Err(unsupported());
        }
        Ok(parsed)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The URL as given (with any password): only for connecting.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// What to name in messages: the URL without its password.
    pub fn target(&self) -> String {
        redact(&self.url)
    }

    /// The file of a SQLite URL (`None` for in-memory databases and for Postgres).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.engine != Engine::Sqlite {
            return None;
        }
        let rest = self.url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        Some(PathBuf::from(path))
    }
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// A pooled connection to Blueprint's database, migrated and ready.
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
    target: String,
    /// Tells apart the databases one process opened (caches key on it).
    instance: u64,
    /// Where every service reads "now" (the system clock unless a test sets another).
    clock: Arc<dyn Clock>,
}

static INSTANCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// How to connect: the pool size and how long to wait for a connection.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub connect_timeout: Duration,
    /// Postgres only: the schema to use (tests give each database a schema of its own).
    pub schema: Option<String>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            connect_timeout: Duration::from_secs(5),
            schema: None,
        }
    }
}

impl Database {
    /// Connects and applies every pending migration.
    pub async fn open(url: &DatabaseUrl, settings: &PoolSettings) -> Result<Self, DbError> {
        let database = Self::connect(url, settings).await?;
        database.migrate().await?;
        Ok(database)
    }

    /// Connects without migrating (for `blueprint migrate`, which reports what it applies).
    pub async fn connect(url: &DatabaseUrl, settings: &PoolSettings) -> Result<Self, DbError> {
        let target = url.target();
        if let Some(path) = url.sqlite_path()
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        let mut options = ConnectOptions::new(url.as_str());
        options
            .max_connections(settings.max_connections)
            .min_connections(0)
            .connect_timeout(settings.connect_timeout)
            .acquire_timeout(settings.connect_timeout)
            .sqlx_logging(false);
        if let Some(schema) = &settings.schema {
            options.set_schema_search_path(schema.clone());
        }
        let conn = sea_orm::Database::connect(options)
            .await
            .map_err(|err| DbError::Connect {
                target: target.clone(),
                reason: one_line(&err),
            })?;
        if conn.get_database_backend() == DbBackend::Sqlite {
            // WAL lets readers and one writer work side by side; the setting persists in the file.
            conn.execute_unprepared("PRAGMA journal_mode = WAL")
                .await
                .map_err(|err| DbError::Connect {
                    target: target.clone(),
                    reason: one_line(&err),
                })?;
        }
        let instance = INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Self {
            conn,
            target,
            instance,
            clock: crate::time::system(),
        })
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, DbError> {
        let migrate_err = |err: sea_orm::DbErr| DbError::Migrate {
            target: self.target.clone(),
            reason: one_line(&err),
        };
        let pending = Migrator::get_pending_migrations(&self.conn)
            .await
            .map_err(migrate_err)?
            .len();
        Migrator::up(&self.conn, None).await.map_err(migrate_err)?;
        crate::queue::setup(&self.conn)
            .await
            .map_err(|reason| DbError::Migrate {
                target: self.target.clone(),
                reason: format!("the job queue tables: {reason}"),
            })?;
        Ok(pending)
    }

    /// Answers whether the database takes a query right now.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.conn
            .execute_unprepared("SELECT 1")
            .await
            .map(|_| ())
            .map_err(DbError::Query)
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The database named in messages (no password).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The same database, reading "now" from `clock` (tests move time with a manual clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The clock every "now" of the services goes through.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, from [`Database::clock`].
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Now as epoch seconds, from [`Database::clock`].
    pub fn now_seconds(&self) -> i64 {
        self.clock.seconds()
    }

    /// A number unique to this connection pool within the process.
    pub fn instance(&self) -> u64 {
        self.instance
    }
}

impl AsRef<DatabaseConnection> for Database {
    fn as_ref(&self) -> &DatabaseConnection {
        &self.conn
    }
}

/// Starts a transaction that writes. Every transaction that writes starts here, never with a bare
/// `begin()`.
///
/// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`). A deferred transaction that reads
/// first and writes later fails with "database is locked" (`SQLITE_BUSY_SNAPSHOT`, code 517) when
/// another connection wrote in between, and the busy timeout cannot help it. An immediate one waits its
/// turn under the busy timeout instead. Postgres ignores the mode. Nested calls become savepoints.
pub async fn begin_write<C: TransactionTrait>(conn: &C) -> Result<C::Transaction, DbErr> {
    conn.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Database driver errors can span lines; messages for people must not.
fn one_line(err: &impl std::fmt::Display) -> String {
    err.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_supported_urls() {
        let cases = [
            (
                "sqlite://data/blueprint.db?mode=rwc",
                Some("data/blueprint.db"),
            ),
            ("sqlite:///tmp/x.db", Some("/tmp/x.db")),
            ("sqlite:blueprint.db", Some("blueprint.db")),
        ];
        for (url, path) in cases {
            let parsed = DatabaseUrl::parse(url).unwrap();
            assert_eq!(parsed.engine(), Engine::Sqlite, "{url}");
            assert_eq!(parsed.sqlite_path(), path.map(PathBuf::from), "{url}");
        }
        let pg = DatabaseUrl::parse("postgres://postgres@127.0.0.1:5432/test").unwrap();
        assert_eq!(pg.engine(), Engine::Postgres);
        assert_eq!(pg.sqlite_path(), None);
    }

    #[test]
    fn refuses_other_urls_with_a_clear_reason() {
        for url in [
            "mysql://root@localhost/db",
            "data/blueprint.db",
            "",
            "postgres://",
            "sqlite://",
        ] {
            let err = DatabaseUrl::parse(url).unwrap_err();
            assert!(err.to_string().contains("is not supported"), "{url}: {err}");
        }
    }

    #[test]
    fn never_shows_a_password() {
        let url = DatabaseUrl::parse("postgres://bp:s3cret@db.internal/blueprint").unwrap();
        assert!(!url.target().contains("s3cret"));
        assert!(!format!("{url:?}").contains("s3cret"));
        let err = DatabaseUrl::parse("mysql://bp:s3cret@db/x").unwrap_err();
        assert!(!err.to_string().contains("s3cret"));
    }
}
