//! The one helper every database test uses: a fresh, migrated database on SQLite, and on Postgres
//! too when `BLUEPRINT_TEST_POSTGRES_URL` is set (a schema of its own per test, dropped afterwards,
//! also when the test panics). Under `CI=true` a missing Postgres URL is an error, not a skip.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::ConnectionTrait;

use crate::Services;
use crate::db::{Database, DatabaseUrl, PoolSettings};
use crate::events_root::{EventsLocation, EventsRoot};

/// A database made for one test. Dropping it removes the Postgres schema or the SQLite file.
pub struct TestDb {
    pub db: Database,
    /// `"sqlite"` or `"postgres"`, for assertion messages.
    pub label: &'static str,
    /// The URL that reaches this very database (with its schema), for spawning processes.
    pub url: String,
    scratch: tempfile::TempDir,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Removing the folder removes the database file.
    Sqlite {
        _dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        schema: String,
    },
}

impl TestDb {
    /// Services over this database and an events root folder (created when missing).
    pub fn services(&self, events_root: &Path) -> Services {
        let events = EventsRoot::open(&EventsLocation::Local(events_root.to_owned()))
            .expect("test events root");
        Services::new(self.db.clone(), events)
    }

    /// A scratch folder that lives as long as this database.
    pub fn scratch_dir(&self) -> PathBuf {
        self.scratch.path().to_owned()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            let (admin_url, schema) = (admin_url.clone(), schema.clone());
            // Drop runs inside the test's runtime; do the async clean-up on a thread of its own,
            // and never wait on it for long: a failing test must fail, not hang on its clean-up.
            let (sender, receiver) = std::sync::mpsc::channel();
            let name = schema.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("cleanup runtime");
                let result = runtime.block_on(async move {
                    let url = DatabaseUrl::parse(&admin_url).expect("admin url");
                    let admin = Database::connect(&url, &small_pool(None)).await?;
                    admin
                        .conn()
                        .execute_unprepared(&format!(
                            "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                        ))
                        .await?;
                    Ok::<_, crate::DbError>(())
                });
                let _ = sender.send(result);
            });
            match receiver.recv_timeout(Duration::from_secs(20)) {
                Ok(Ok(())) => {}
                Ok(Err(err)) => eprintln!("could not drop test schema {name}: {err}"),
                Err(_) => eprintln!("gave up dropping test schema {name} after 20 s"),
            }
        }
    }
}

fn small_pool(schema: Option<String>) -> PoolSettings {
    PoolSettings {
        max_connections: 5,
        connect_timeout: Duration::from_secs(10),
        schema,
    }
}

/// Fresh migrated databases: SQLite always, then Postgres when configured.
pub async fn test_databases() -> Vec<TestDb> {
    let mut databases = vec![sqlite().await];
    match std::env::var("BLUEPRINT_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => databases.push(postgres(&url).await),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but BLUEPRINT_TEST_POSTGRES_URL is not set: Postgres tests would be skipped"
            )
        }
        _ => {}
    }
    databases
}

async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("blueprint.db").display()
    );
    let parsed = DatabaseUrl::parse(&url).expect("sqlite url");
    let db = Database::open(&parsed, &small_pool(None))
        .await
        .expect("migrated SQLite database");
    TestDb {
        db,
        label: "sqlite",
        url,
        scratch: tempfile::tempdir().expect("scratch dir"),
        cleanup: Cleanup::Sqlite { _dir: dir },
    }
}

async fn postgres(admin_url: &str) -> TestDb {
    let parsed = DatabaseUrl::parse(admin_url).expect("BLUEPRINT_TEST_POSTGRES_URL");
    let schema = format!("bp_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&parsed, &small_pool(None))
        .await
        .unwrap_or_else(|err| panic!("BLUEPRINT_TEST_POSTGRES_URL: {err}"));
    admin
        .conn()
        .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
        .await
        .expect("create test schema");
    // `public` stays on the path for the extensions apalis uses (jobs::queue).
    let db = Database::open(&parsed, &small_pool(Some(format!("{schema},public"))))
        .await
        .expect("migrated Postgres database");
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}%2Cpublic");
    TestDb {
        db,
        label: "postgres",
        url,
        scratch: tempfile::tempdir().expect("scratch dir"),
        cleanup: Cleanup::Postgres {
            admin_url: admin_url.to_owned(),
            schema,
        },
    }
}

/// A user made for a test, and their actor: `admin`, or a member of `tenants` with a role.
pub async fn actor(
    services: &Services,
    email: &str,
    admin: bool,
    tenants: &[(&str, crate::accounts::Role)],
) -> crate::accounts::Actor {
    use crate::accounts::users::{NewUser, actor_for, create_user};
    for (slug, _) in tenants {
        crate::ingestion::tenant_id(services, slug)
            .await
            .expect("test tenant");
    }
    let new = NewUser {
        email: email.to_owned(),
        display_name: None,
        password: TEST_PASSWORD.to_owned(),
        admin,
        tenants: tenants
            .iter()
            .map(|(slug, role)| ((*slug).to_owned(), *role))
            .collect(),
    };
    let user = create_user(services, None, new).await.expect("test user");
    actor_for(services, user.id)
        .await
        .expect("load actor")
        .expect("active user")
}

/// The password of users made by [`actor`].
pub const TEST_PASSWORD: &str = "correct horse battery staple";
