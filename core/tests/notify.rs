//! Watches and the inbox, on both databases: an hour in which a key appears, a key changes type
//! and an event appears tells exactly its watchers and the event's owner, filtered by the kinds
//! they chose; members of other tenants hear nothing; re-ingesting tells nothing new; a backfill's
//! history reaches tenant watchers as one summary; bad watches are refused and store nothing.

use std::path::Path;

use blueprint_core::Services;
use blueprint_core::accounts::{Actor, Role, ServiceError};
use blueprint_core::entities::{event, notification, watch};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::jobs::backfills::{self, NewBackfill};
use blueprint_core::jobs::queue::JobQueue;
use blueprint_core::jobs::tasks;
use blueprint_core::jobs::workers::{self, WorkerKind};
use blueprint_core::notify::{self, InboxQuery};
use blueprint_core::pipeline;
use blueprint_core::testing::{actor, test_databases};
use blueprint_types::notify::WatchRequest;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

fn write(root: &Path, tenant: &str, hour: Hour, lines: &[&str]) {
    let dir = root.join(tenant).join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("part-0.jsonl"), lines.join("\n")).unwrap();
}

const OPEN_A_NUMBER: &str = r#"{"event":"open","context":{"app":{"name":"Shop","version":"1.0"},"os":{"name":"iOS"}},"properties":{"a":1}}"#;
const OPEN_A_STRING_B: &str = r#"{"event":"open","context":{"app":{"name":"Shop","version":"1.0"},"os":{"name":"iOS"}},"properties":{"a":"x","b":true}}"#;
const BUY: &str =
    r#"{"event":"buy","context":{"app":{"name":"Shop","version":"1.0"},"os":{"name":"iOS"}}}"#;
const LEGACY: &str =
    r#"{"event":"legacy","context":{"app":{"name":"Shop","version":"1.0"},"os":{"name":"iOS"}}}"#;

async fn titles(services: &Services, who: &Actor) -> Vec<String> {
    let mut titles: Vec<String> = notify::inbox_of(
        services,
        who,
        &InboxQuery {
            limit: 100,
            ..InboxQuery::default()
        },
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .map(|item| item.title)
    .collect();
    titles.sort();
    titles
}

fn request(tenant: &str, target: &str, name: Option<&str>, news: Option<&[&str]>) -> WatchRequest {
    WatchRequest {
        tenant: tenant.to_owned(),
        target: target.to_owned(),
        name: name.map(str::to_owned),
        news: news.map(|kinds| kinds.iter().map(|k| (*k).to_owned()).collect()),
    }
}

#[tokio::test]
async fn news_reaches_exactly_its_watchers_and_owners_once() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let h0 = Hour::containing(chrono::Utc::now()).plus(-10);
        write(&root, "shop", h0, &[OPEN_A_NUMBER]);
        write(&root, "acme", h0, &[OPEN_A_NUMBER]);
        write(&root, "shop", h0.plus(1), &[OPEN_A_STRING_B, BUY]);
        write(&root, "shop", h0.plus(-5), &[LEGACY]);
        let services = db.services(&root);
        let ingest = |tenant: &'static str, hour: Hour| {
            let services = services.clone();
            async move {
                pipeline::ingest_hour(&services, tenant, hour, Trigger::Cli, None, 1)
                    .await
                    .unwrap()
            }
        };
        // The baseline: history, nobody is told.
        ingest("shop", h0).await;
        ingest("acme", h0).await;
        let watcher = actor(
            &services,
            "watcher@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let events_only = actor(
            &services,
            "events@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let owner = actor(
            &services,
            "owner@example.com",
            false,
            &[("shop", Role::Owner)],
        )
        .await;
        let stranger = actor(
            &services,
            "stranger@example.com",
            false,
            &[("acme", Role::Viewer)],
        )
        .await;
        let shop_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let open = event::Entity::find()
            .filter(event::Column::TenantId.eq(shop_id))
            .filter(event::Column::Name.eq("open"))
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        event::Entity::update(event::ActiveModel {
            id: Set(open.id),
            owner: Set(Some("Owner@example.com".into())),
            ..Default::default()
        })
        .exec(services.db.conn())
        .await
        .unwrap();

        // Bad watches are refused and store nothing.
        let bad: Vec<(WatchRequest, &str)> = vec![
            (request("shop", "user", Some("x"), None), "not one of"),
            (
                request("shop", "event", Some("nope"), None),
                "no event named `nope`",
            ),
            (
                request("shop", "event", Some("open"), Some(&["bogus"])),
                "not a kind of news",
            ),
        ];
        for (req, reason) in bad {
            let err = notify::watch_as(&services, &watcher, &req)
                .await
                .unwrap_err();
            assert!(
                matches!(&err, ServiceError::Invalid(m) if m.contains(reason)),
                "{err:?}"
            );
        }
        let hidden =
            notify::watch_as(&services, &stranger, &request("shop", "tenant", None, None)).await;
        assert!(matches!(hidden, Err(ServiceError::NotFound)), "{hidden:?}");
        assert_eq!(
            watch::Entity::find()
                .count(services.db.conn())
                .await
                .unwrap(),
            0
        );

        notify::watch_as(
            &services,
            &watcher,
            &request("shop", "event", Some("open"), None),
        )
        .await
        .unwrap();
        let w = notify::watch_as(
            &services,
            &events_only,
            &request("shop", "tenant", None, Some(&["event"])),
        )
        .await
        .unwrap();
        assert_eq!(w.news, vec!["event"]);
        notify::watch_as(&services, &stranger, &request("acme", "tenant", None, None))
            .await
            .unwrap();

        // The next hour: key `b` appears on open, key `a` is now also a string, `buy` appears.
        ingest("shop", h0.plus(1)).await;
        let got = titles(&services, &watcher).await;
        assert_eq!(
            got,
            vec![
                "New key type: open: a is string".to_owned(),
                // The new key's type is part of its notice.
                "New key: open: b".to_owned(),
            ],
            "{}",
            db.label
        );
        assert_eq!(
            titles(&services, &owner).await,
            got,
            "the owner hears without watching"
        );
        assert_eq!(
            titles(&services, &events_only).await,
            vec!["New event: buy".to_owned()]
        );
        assert!(titles(&services, &stranger).await.is_empty());

        // Re-ingesting the hour tells nothing new.
        let before = notification::Entity::find()
            .count(services.db.conn())
            .await
            .unwrap();
        ingest("shop", h0.plus(1)).await;
        assert_eq!(
            notification::Entity::find()
                .count(services.db.conn())
                .await
                .unwrap(),
            before
        );

        // A backfill of an older hour finds `legacy`: history, one summary for tenant watchers.
        let queue = JobQueue::open(&services.db).await.unwrap();
        let tenant = ingestion::tenant(&services, "shop").await.unwrap();
        let worker = workers::register(services.db.conn(), WorkerKind::Worker, 1)
            .await
            .unwrap();
        let new = NewBackfill {
            from: h0.plus(-5),
            to: h0.plus(-4),
            origin: "api".into(),
            requested_by: None,
        };
        let row = backfills::request(
            &services,
            &queue,
            &tenant,
            new,
            Hour::containing(chrono::Utc::now()),
        )
        .await
        .unwrap();
        backfills::fan_out(&services, &queue, row.id).await.unwrap();
        let task = blueprint_core::entities::hour_task::Entity::find()
            .filter(blueprint_core::entities::hour_task::Column::BackfillId.eq(row.id))
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        let settings = blueprint_core::jobs::JobSettings {
            retries: 0,
            ingest_workers: 1,
            ..Default::default()
        };
        tasks::run_task(&services, &settings, &worker, task.id)
            .await
            .unwrap();
        let summary: Vec<String> = titles(&services, &events_only).await;
        assert_eq!(summary.len(), 2, "{summary:?}");
        assert!(
            summary.iter().any(|t| t.contains("backfill from")
                && t.contains("1 event")
                && t.ends_with("(history)")),
            "{summary:?}"
        );
        assert_eq!(
            titles(&services, &watcher).await.len(),
            2,
            "event watchers get no summary"
        );

        // The inbox: unread counts, filters, marking read.
        let inbox = notify::inbox_of(
            &services,
            &watcher,
            &InboxQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(inbox.unread, 2);
        assert!(
            inbox.items[0].link.starts_with("/t/shop/events/open"),
            "{:?}",
            inbox.items[0]
        );
        let left = notify::mark_read_as(&services, &watcher, Some(vec![inbox.items[0].id]))
            .await
            .unwrap();
        assert_eq!(left, 1);
        let unread = notify::inbox_of(
            &services,
            &watcher,
            &InboxQuery {
                unread_only: true,
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(unread.items.len(), 1);
        let keys = notify::inbox_of(
            &services,
            &watcher,
            &InboxQuery {
                kind: Some("key_type".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(keys.items.len(), 1);
        let bad_kind = notify::inbox_of(
            &services,
            &watcher,
            &InboxQuery {
                kind: Some("bogus".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(bad_kind, Err(ServiceError::Invalid(_))));
        let hidden = notify::inbox_of(
            &services,
            &stranger,
            &InboxQuery {
                tenant: Some("shop".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(hidden, Err(ServiceError::NotFound)));
        assert_eq!(
            notify::mark_read_as(&services, &watcher, None)
                .await
                .unwrap(),
            0
        );
        // Watches are listed, and removed by their owner only.
        let mine = notify::watches_of(&services, &watcher).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert!(matches!(
            notify::unwatch_as(&services, &stranger, mine[0].id).await,
            Err(ServiceError::NotFound)
        ));
        notify::unwatch_as(&services, &watcher, mine[0].id)
            .await
            .unwrap();
        assert!(
            notify::watches_of(&services, &watcher)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
