//! Writers side by side on one database: a transaction that reads before it writes must wait its
//! turn, never fail with "database is locked" (SQLite's `SQLITE_BUSY_SNAPSHOT`, which the busy
//! timeout cannot cure and which a browser test once met as a 503 while creating a user).

use std::collections::BTreeMap;
use std::time::Duration;

use blueprint_core::accounts::{Role, users};
use blueprint_core::db::begin_write;
use blueprint_core::testing::{TEST_PASSWORD, actor, test_databases};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

async fn count(conn: &impl ConnectionTrait) -> i64 {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) AS n FROM probe",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn a_write_transaction_that_reads_first_waits_for_another_writer_on_sqlite() {
    let sqlite = test_databases()
        .await
        .into_iter()
        .find(|db| db.label == "sqlite")
        .unwrap();
    let conn = sqlite.db.conn().clone();
    conn.execute_unprepared("CREATE TABLE probe (id INTEGER PRIMARY KEY, writer TEXT NOT NULL)")
        .await
        .unwrap();

    // The hazard, as SQLite has it: a deferred transaction reads, another connection writes, and the
    // first one's write then fails at once.
    let deferred = conn.begin().await.unwrap();
    assert_eq!(count(&deferred).await, 0);
    conn.execute_unprepared("INSERT INTO probe (writer) VALUES ('other')")
        .await
        .unwrap();
    let err = deferred
        .execute_unprepared("INSERT INTO probe (writer) VALUES ('deferred')")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    deferred.rollback().await.unwrap();

    // Through `begin_write` the same steps succeed: the other writer waits until the commit.
    let txn = begin_write(&conn).await.unwrap();
    assert_eq!(count(&txn).await, 1);
    let other = {
        let conn = conn.clone();
        tokio::spawn(async move {
            conn.execute_unprepared("INSERT INTO probe (writer) VALUES ('other')")
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!other.is_finished(), "the other writer waits for the lock");
    txn.execute_unprepared("INSERT INTO probe (writer) VALUES ('immediate')")
        .await
        .unwrap();
    txn.commit().await.unwrap();
    other.await.unwrap().unwrap();
    assert_eq!(count(&conn).await, 3);
}

#[tokio::test]
async fn users_created_and_disabled_at_the_same_time_all_succeed() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        std::fs::create_dir_all(root.join("shop")).unwrap();
        let services = db.services(&root);
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        blueprint_core::ingestion::tenant_id(&services, "shop")
            .await
            .unwrap();

        let mut tasks = Vec::new();
        for n in 0..12 {
            let services = services.clone();
            let admin = admin.clone();
            tasks.push(tokio::spawn(async move {
                let created = users::create_user(
                    &services,
                    Some(&admin),
                    users::NewUser {
                        email: format!("user{n}@example.com"),
                        password: TEST_PASSWORD.to_owned(),
                        display_name: None,
                        admin: false,
                        tenants: BTreeMap::from([("shop".to_owned(), Role::Viewer)]),
                    },
                )
                .await?;
                users::set_disabled(&services, &admin, created.id, n % 2 == 0).await
            }));
        }
        for task in tasks {
            task.await
                .unwrap()
                .unwrap_or_else(|err| panic!("{}: {err}", db.label));
        }
        let listed = users::list_users(&services, &admin).await.unwrap();
        assert_eq!(listed.len(), 13, "{}", db.label);
        assert_eq!(
            listed.iter().filter(|user| user.disabled).count(),
            6,
            "{}",
            db.label
        );
    }
}
