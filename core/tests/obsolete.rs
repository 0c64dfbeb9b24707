//! Obsolete detection on both databases: counted back from the tenant's latest hour, an event not
//! seen for 7 days is "gone"; an event still sent by an older version but not by the application's
//! newest live version is "retired"; owners and watchers are told once; when both come back the
//! marks are lifted and they are told that too.

use std::path::Path;

use blueprint_core::accounts::Role;
use blueprint_core::entities::{event, quiet_mark};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::notify::{self, InboxQuery};
use blueprint_core::obsolete;
use blueprint_core::pipeline;
use blueprint_core::testing::{actor, test_databases};
use blueprint_types::notify::WatchRequest;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

fn line(event: &str, version: &str) -> String {
    format!(
        r#"{{"event":"{event}","context":{{"app":{{"name":"Shop","version":"{version}"}},"os":{{"name":"iOS"}}}}}}"#
    )
}

fn write(root: &Path, hour: Hour, lines: &[String]) {
    let dir = root.join("shop").join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("part-0.jsonl"), lines.join("\n")).unwrap();
}

async fn titles(
    services: &blueprint_core::Services,
    who: &blueprint_core::accounts::Actor,
) -> Vec<String> {
    let query = InboxQuery {
        limit: 100,
        ..InboxQuery::default()
    };
    let mut titles: Vec<String> = notify::inbox_of(services, who, &query)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| format!("{}: {}", i.kind, i.title))
        .collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn gone_and_retired_are_told_once_and_lifted_when_they_return() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let latest = Hour::containing(chrono::Utc::now()).plus(-2);
        let h0 = latest.plus(-24 * 10);
        let h1 = latest.plus(-48);
        write(
            &root,
            h0,
            &[
                line("open", "1.0"),
                line("legacy", "1.0"),
                line("promo", "1.0"),
            ],
        );
        write(
            &root,
            h1,
            &[
                line("open", "1.0"),
                line("open", "2.0"),
                line("promo", "1.0"),
            ],
        );
        write(&root, latest, &[line("open", "2.0"), line("promo", "1.0")]);
        let services = db.services(&root);
        for hour in [h0, h1, latest] {
            pipeline::ingest_hour(&services, "shop", hour, Trigger::Cli, None, 1)
                .await
                .unwrap();
        }
        let owner = actor(
            &services,
            "owner@example.com",
            false,
            &[("shop", Role::Owner)],
        )
        .await;
        let watcher = actor(
            &services,
            "watcher@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let shop = ingestion::tenant_id(&services, "shop").await.unwrap();
        let legacy = event::Entity::find()
            .filter(event::Column::TenantId.eq(shop))
            .filter(event::Column::Name.eq("legacy"))
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        event::Entity::update(event::ActiveModel {
            id: Set(legacy.id),
            owner: Set(Some("owner@example.com".into())),
            ..Default::default()
        })
        .exec(services.db.conn())
        .await
        .unwrap();
        let request = WatchRequest {
            tenant: "shop".into(),
            target: "tenant".into(),
            name: None,
            news: Some(vec!["obsolete".into(), "returned".into()]),
        };
        notify::watch_as(&services, &watcher, &request)
            .await
            .unwrap();

        let found = obsolete::detect(services.db.conn(), shop, services.db.now_seconds())
            .await
            .unwrap();
        assert_eq!(
            found,
            obsolete::Detected {
                marked: 2,
                lifted: 0
            },
            "{}",
            db.label
        );
        let marks: Vec<(String, String, String)> = quiet_mark::Entity::find()
            .order_by_asc(quiet_mark::Column::Id)
            .all(services.db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.kind, m.label, m.scope))
            .collect();
        assert_eq!(
            marks,
            vec![
                ("event".to_owned(), "legacy".to_owned(), "gone".to_owned()),
                ("event".to_owned(), "promo".to_owned(), "retired".to_owned()),
            ]
        );
        let told = titles(&services, &watcher).await;
        assert_eq!(told.len(), 2, "{told:?}");
        assert!(
            told[0].starts_with("obsolete: Event legacy has not been seen since")
                && told[0].ends_with("(gone everywhere)"),
            "{told:?}"
        );
        assert!(
            told[1].starts_with("obsolete: Event promo is retired: absent from Shop 2.0 (iOS)"),
            "{told:?}"
        );
        assert_eq!(
            titles(&services, &owner).await,
            vec![told[0].clone()],
            "the owner hears of what they own"
        );
        // Told once: detecting again changes nothing.
        assert_eq!(
            obsolete::detect(services.db.conn(), shop, services.db.now_seconds())
                .await
                .unwrap(),
            obsolete::Detected::default()
        );
        assert_eq!(titles(&services, &watcher).await.len(), 2);

        // Both come back: legacy is seen again, and the newest version sends promo.
        let back = latest.plus(1);
        write(&root, back, &[line("legacy", "2.0"), line("promo", "2.0")]);
        pipeline::ingest_hour(&services, "shop", back, Trigger::Cli, None, 1)
            .await
            .unwrap();
        let found = obsolete::detect(services.db.conn(), shop, services.db.now_seconds())
            .await
            .unwrap();
        assert_eq!(
            found,
            obsolete::Detected {
                marked: 0,
                lifted: 2
            }
        );
        let told = titles(&services, &watcher).await;
        assert!(
            told.contains(&"returned: event legacy is back".to_owned()),
            "{told:?}"
        );
        assert!(
            told.contains(&"returned: event promo is sent by the newest version again".to_owned()),
            "{told:?}"
        );
        assert!(
            titles(&services, &owner)
                .await
                .contains(&"returned: event legacy is back".to_owned())
        );
        assert_eq!(
            obsolete::detect(services.db.conn(), shop, services.db.now_seconds())
                .await
                .unwrap(),
            obsolete::Detected::default()
        );
    }
}
