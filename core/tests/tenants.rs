//! Tenant discovery and listing, on every test database.

use blueprint_core::accounts::Role;
use blueprint_core::tenants::{TenantQuery, discover_tenants, list_tenants};
use blueprint_core::testing::{actor, test_databases};

#[tokio::test]
async fn discovers_tenant_folders_once_and_lists_them() {
    for test_db in test_databases().await {
        let root = test_db.scratch_dir();
        let services = test_db.services(&root);
        for slug in ["shop", "acme"] {
            std::fs::create_dir_all(root.join(slug).join("dt=2026-11-01/hr=10")).unwrap();
            std::fs::write(
                root.join(slug).join("dt=2026-11-01/hr=10/part-0.jsonl"),
                "{}\n",
            )
            .unwrap();
        }
        let found = discover_tenants(&services).await.unwrap();
        assert_eq!(found, ["acme", "shop"], "{}", test_db.label);

        std::fs::create_dir_all(root.join("globex/dt=2026-11-01/hr=10")).unwrap();
        std::fs::write(root.join("globex/dt=2026-11-01/hr=10/a.json"), "{}\n").unwrap();
        let found = discover_tenants(&services).await.unwrap();
        assert_eq!(found, ["globex"], "only the new folder: {}", test_db.label);

        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let all = list_tenants(&services, &admin, &TenantQuery::default())
            .await
            .unwrap();
        let slugs: Vec<_> = all.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(slugs, ["acme", "globex", "shop"], "{}", test_db.label);
        assert!(all.iter().all(|t| t.discovered_at.ends_with('Z')));

        let search = TenantQuery {
            search: Some("GLO".into()),
        };
        let filtered = list_tenants(&services, &admin, &search).await.unwrap();
        assert_eq!(filtered.len(), 1, "{}", test_db.label);
        assert_eq!(filtered[0].slug, "globex");

        let viewer = actor(
            &services,
            "viewer@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let visible = list_tenants(&services, &viewer, &TenantQuery::default())
            .await
            .unwrap();
        let slugs: Vec<_> = visible.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(
            slugs,
            ["shop"],
            "a member sees only their tenants: {}",
            test_db.label
        );
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_ping_works() {
    for test_db in test_databases().await {
        assert_eq!(test_db.db.migrate().await.unwrap(), 0, "{}", test_db.label);
        test_db.db.ping().await.unwrap();
    }
}
