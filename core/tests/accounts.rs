//! Accounts on every test database: rights changes and the audit log, disabled users, sign-in
//! that never tells whether an email exists, and session records that expire.

use std::collections::BTreeMap;

use blueprint_core::accounts::audit::{AuditQuery, list_audit};
use blueprint_core::accounts::{Role, ServiceError, sessions, sign_in, users};
use blueprint_core::testing::{TEST_PASSWORD, actor, test_databases};

#[tokio::test]
async fn rights_changes_are_audited_and_disabled_users_are_signed_out() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        for tenant in ["shop", "acme"] {
            std::fs::create_dir_all(root.join(tenant)).unwrap();
        }
        let services = db.services(&root);
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let member = actor(
            &services,
            "member@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;

        let rights = BTreeMap::from([("acme".to_owned(), Role::Owner)]);
        users::set_rights(&services, &admin, member.user_id, false, rights)
            .await
            .unwrap();
        let reloaded = users::actor_for(&services, member.user_id)
            .await
            .unwrap()
            .unwrap();
        let shop = blueprint_core::ingestion::tenant_id(&services, "shop")
            .await
            .unwrap();
        let acme = blueprint_core::ingestion::tenant_id(&services, "acme")
            .await
            .unwrap();
        assert!(
            !reloaded.can_read(shop) && reloaded.can_own(acme),
            "{}",
            db.label
        );
        let refused =
            users::set_rights(&services, &reloaded, admin.user_id, false, BTreeMap::new()).await;
        assert!(matches!(refused, Err(ServiceError::Forbidden)));

        let log = list_audit(
            &services,
            &admin,
            &AuditQuery {
                action: Some("user.rights".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(log.len(), 1, "{}", db.label);
        assert_eq!(log[0].actor, "admin@example.com");
        assert!(
            log[0]
                .before
                .as_deref()
                .unwrap()
                .contains("\"shop\":\"viewer\""),
            "{:?}",
            log[0]
        );
        assert!(
            log[0]
                .after
                .as_deref()
                .unwrap()
                .contains("\"acme\":\"owner\""),
            "{:?}",
            log[0]
        );
        assert!(
            !format!("{log:?}").contains(TEST_PASSWORD),
            "the audit log never holds a password"
        );

        users::set_disabled(&services, &admin, member.user_id, true)
            .await
            .unwrap();
        assert!(
            users::actor_for(&services, member.user_id)
                .await
                .unwrap()
                .is_none()
        );
        let attempt =
            sign_in::sign_in(&services, "member@example.com", TEST_PASSWORD, "10.0.0.1").await;
        assert!(
            matches!(attempt, Err(ServiceError::BadCredentials)),
            "{}",
            db.label
        );
        let unknown =
            sign_in::sign_in(&services, "nobody@example.com", TEST_PASSWORD, "10.0.0.2").await;
        assert_eq!(
            unknown.unwrap_err().to_string(),
            attempt.unwrap_err().to_string(),
            "the same answer whether or not the email exists"
        );
        assert!(matches!(
            users::set_disabled(&services, &admin, admin.user_id, true).await,
            Err(ServiceError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn session_records_load_until_they_expire_and_are_then_deleted() {
    for db in test_databases().await {
        let services = db.services(&db.scratch_dir().join("events"));
        assert!(
            sessions::create(&services, "abc", "{}", 1_000)
                .await
                .unwrap()
        );
        assert!(
            !sessions::create(&services, "abc", "{}", 1_000)
                .await
                .unwrap(),
            "ids are unique"
        );
        assert_eq!(
            sessions::load(&services, "abc", 999).await.unwrap(),
            Some(("{}".to_owned(), 1_000))
        );
        assert_eq!(
            sessions::load(&services, "abc", 1_000).await.unwrap(),
            None,
            "{}",
            db.label
        );
        sessions::save(&services, "abc", "{\"a\":1}", 2_000)
            .await
            .unwrap();
        assert_eq!(
            sessions::load(&services, "abc", 1_500).await.unwrap(),
            Some(("{\"a\":1}".to_owned(), 2_000))
        );
        assert_eq!(sessions::delete_expired(&services, 2_000).await.unwrap(), 1);
        assert_eq!(sessions::load(&services, "abc", 0).await.unwrap(), None);
    }
}
