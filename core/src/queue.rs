//! The apalis queues, stored in Blueprint's own database (SQLite or Postgres), and pushing onto
//! them. Queue names are spelled out (STACK.md, trap 2) and prefixed by a namespace: `blueprint`,
//! or on Postgres the schema Blueprint lives in when that is not `public`, so installations that
//! share a database in separate schemas (and parallel tests) never take each other's jobs.
//! apalis' own migrations are run here, not through its `setup()`, which would switch SQLite's
//! durability off for the whole file. On Postgres its tables live in the `apalis` schema and use
//! the `pgcrypto` and `hstore` extensions, which are created in `public` first: created by its
//! migrations they would land in whichever schema comes first on the search path, and go when
//! that schema is dropped. Blueprint in another schema keeps `public` on its search path.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use apalis_core::backend::TaskSink;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Why opening a queue, pushing onto it or creating its tables failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("database query failed: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// apalis refused the jobs; `queue` is the queue's full name.
    #[error("{queue}: {reason}")]
    Push { queue: String, reason: String },
    /// apalis' tables or the extensions they use could not be created.
    #[error("{0}")]
    Setup(String),
}

/// Ingest one tenant-hour: the task row says which and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestHourJob {
    pub task_id: i64,
}

/// Fan a backfill out into hour tasks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillJob {
    pub backfill_id: i64,
}

/// Discover tenants, then plan what each needs for the hours up to `due_hour` (epoch seconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoverJob {
    pub due_hour: i64,
}

/// The queues: ingestion's three, and the two outboxes of notifications (webhook deliveries,
/// email digests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    IngestHour,
    Backfill,
    Discover,
    Webhook,
    Mail,
}

impl Queue {
    pub const ALL: [Queue; 5] = [
        Queue::IngestHour,
        Queue::Backfill,
        Queue::Discover,
        Queue::Webhook,
        Queue::Mail,
    ];

    pub fn suffix(self) -> &'static str {
        match self {
            Queue::IngestHour => "ingest-hour",
            Queue::Backfill => "backfill",
            Queue::Discover => "discover-tenants",
            Queue::Webhook => "webhook",
            Queue::Mail => "mail",
        }
    }
}

/// The pools apalis' storages are built on.
#[derive(Clone, Debug)]
pub enum QueueBackend {
    Sqlite(apalis_sqlite::SqlitePool),
    Postgres(apalis_postgres::PgPool),
}

/// Blueprint's queues in its database; cheap to clone.
#[derive(Clone, Debug)]
pub struct JobQueue {
    namespace: String,
    backend: QueueBackend,
}

/// Runs apalis' storage migrations (idempotent; concurrent callers wait for each other).
pub async fn setup(conn: &DatabaseConnection) -> Result<(), QueueError> {
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            for extension in ["pgcrypto", "hstore"] {
                let sql = format!("CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public");
                if let Err(err) = conn.execute_unprepared(&sql).await {
                    // Another process may be creating it at this very moment.
                    let present = conn
                        .query_one_raw(Statement::from_string(
                            DbBackend::Postgres,
                            format!(
                                "SELECT 1 AS one FROM pg_extension WHERE extname = '{extension}'"
                            ),
                        ))
                        .await
                        .map_err(|e| QueueError::Setup(e.to_string()))?
                        .is_some();
                    if !present {
                        return Err(QueueError::Setup(format!(
                            "cannot create the {extension} extension: {err}"
                        )));
                    }
                }
            }
            apalis_postgres::PostgresStorage::<()>::migrations()
                .run(conn.get_postgres_connection_pool())
                .await
                .map_err(|err| QueueError::Setup(err.to_string()))
        }
        _ => apalis_sqlite::SqliteStorage::<()>::migrations()
            .run(conn.get_sqlite_connection_pool())
            .await
            .map_err(|err| QueueError::Setup(err.to_string())),
    }
}

impl JobQueue {
    /// The queues in the database `db` (a [`crate::Database`], or its connection).
    pub async fn open(db: &impl AsRef<DatabaseConnection>) -> Result<Self, QueueError> {
        let conn = db.as_ref();
        let (namespace, backend) = match conn.get_database_backend() {
            DbBackend::Postgres => {
                let row = conn
                    .query_one_raw(Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT current_schema() AS schema",
                    ))
                    .await?;
                let schema: Option<String> = match row {
                    Some(row) => row.try_get("", "schema")?,
                    None => None,
                };
                let namespace = match schema.as_deref() {
                    None | Some("public") => "blueprint".to_owned(),
                    Some(schema) => schema.to_owned(),
                };
                (
                    namespace,
                    QueueBackend::Postgres(conn.get_postgres_connection_pool().clone()),
                )
            }
            _ => (
                "blueprint".to_owned(),
                QueueBackend::Sqlite(conn.get_sqlite_connection_pool().clone()),
            ),
        };
        Ok(Self { namespace, backend })
    }

    /// The queue's full name, as stored in apalis' tables.
    pub fn name(&self, queue: Queue) -> String {
        format!("{}.{}", self.namespace, queue.suffix())
    }

    /// The prefix of this installation's queue names.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn backend(&self) -> &QueueBackend {
        &self.backend
    }

    pub async fn push<J>(&self, queue: Queue, jobs: Vec<J>) -> Result<(), QueueError>
    where
        J: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static,
    {
        if jobs.is_empty() {
            return Ok(());
        }
        let name = self.name(queue);
        let failed = |err: &dyn std::fmt::Display| QueueError::Push {
            queue: name.clone(),
            reason: err.to_string(),
        };
        match &self.backend {
            QueueBackend::Sqlite(pool) => {
                let mut storage = apalis_sqlite::SqliteStorage::<J>::new(pool)
                    .with_config(apalis_sqlite::Config::default().queue(&name));
                storage.push_bulk(jobs).await.map_err(|e| failed(&e))
            }
            QueueBackend::Postgres(pool) => {
                let mut storage = apalis_postgres::PostgresStorage::<J>::new(pool)
                    .with_config(apalis_postgres::Config::default().queue(&name));
                storage.push_bulk(jobs).await.map_err(|e| failed(&e))
            }
        }
    }

    pub async fn push_hours(&self, task_ids: &[i64]) -> Result<(), QueueError> {
        let jobs = task_ids
            .iter()
            .map(|&task_id| IngestHourJob { task_id })
            .collect();
        self.push(Queue::IngestHour, jobs).await
    }
}
