//! Grouped and truly dated news, on both databases: a new event spreading to 300 combinations
//! over 18 hours and a new key are two items in a tenant watcher's inbox; more than the bound in
//! one hour ends in one "and N more" (for a filtered webhook too); a grouped webhook delivery
//! carries its items; an earlier hour ingested later re-dates what the inbox shows; a forward
//! backfill whose hours run out of order tells its news once the earlier hours are in, with the
//! true hour; the inbox pages through every item.

use std::path::Path;

use blueprint_core::Services;
use blueprint_core::accounts::{Actor, Role};
use blueprint_core::entities::{ingestion_run, notification, webhook, webhook_delivery};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::jobs::backfills::{self, NewBackfill};
use blueprint_core::jobs::queue::JobQueue;
use blueprint_core::jobs::tasks;
use blueprint_core::jobs::workers::{self, WorkerKind};
use blueprint_core::notify::{self, InboxQuery};
use blueprint_core::pipeline;
use blueprint_core::testing::{actor, test_databases};
use blueprint_types::notify::{InboxItem, WatchRequest};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

const APPS: [&str; 4] = ["Shop", "Lite", "Kiosk", "Pos"];
const VERSIONS: [&str; 5] = ["1.0", "1.1", "1.2", "1.3", "1.4"];
const SCREENS: usize = 15;

fn line(event: &str, app: &str, version: &str, screen: &str, props: &str) -> String {
    format!(
        r#"{{"event":"{event}","context":{{"app":{{"name":"{app}","version":"{version}"}},"os":{{"name":"iOS"}},"screen":{{"name":"{screen}"}}}},"properties":{{{props}}}}}"#
    )
}

fn write(root: &Path, hour: Hour, lines: &[String]) {
    let dir = root.join("shop").join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("part-0.jsonl"), lines.join("\n")).unwrap();
}

/// Every (application, version, screen), `open` fired on each: 300 combinations.
fn everywhere(event: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for app in APPS {
        for version in VERSIONS {
            for screen in 0..SCREENS {
                lines.push(line(event, app, version, &format!("S{screen}"), ""));
            }
        }
    }
    lines
}

async fn ingest(services: &Services, hour: Hour) {
    pipeline::ingest_hour(services, "shop", hour, Trigger::Cli, None, 1)
        .await
        .unwrap();
}

async fn watcher(services: &Services, email: &str, news: Option<Vec<String>>) -> Actor {
    let who = actor(services, email, false, &[("shop", Role::Viewer)]).await;
    let request = WatchRequest {
        tenant: "shop".into(),
        target: "tenant".into(),
        name: None,
        news,
    };
    notify::watch_as(services, &who, &request).await.unwrap();
    who
}

async fn inbox(services: &Services, who: &Actor) -> Vec<InboxItem> {
    let query = InboxQuery {
        limit: 500,
        ..InboxQuery::default()
    };
    notify::inbox_of(services, who, &query).await.unwrap().items
}

async fn add_webhook(services: &Services, tenant_id: i64, news: &str) -> i64 {
    webhook::Entity::insert(webhook::ActiveModel {
        tenant_id: Set(tenant_id),
        url: Set("https://hooks.example.com/x".into()),
        secret: Set("s".into()),
        news: Set(news.into()),
        enabled: Set(true),
        created_at: Set(0),
        ..Default::default()
    })
    .exec(services.db.conn())
    .await
    .unwrap()
    .last_insert_id
}

async fn deliveries(services: &Services, hook: i64) -> Vec<webhook_delivery::Model> {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(hook))
        .order_by_asc(webhook_delivery::Column::Id)
        .all(services.db.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_event_spreading_over_18_hours_and_a_new_key_are_two_items() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let h0: Hour = "2026-11-20T00".parse().unwrap();
        // The baseline knows every application, version and screen, through `open`.
        write(&root, h0, &everywhere("open"));
        let coupon = everywhere("couponShown");
        // Hour by hour, `couponShown` reaches 300 combinations; at hour 9 `open` gets a key.
        for h in 1..=18 {
            let mut lines = vec![line("open", "Shop", "1.0", "S0", "")];
            let share = coupon.len() / 18 + 1;
            lines.extend(coupon.iter().take(share * h).cloned());
            if h >= 9 {
                lines.push(line("open", "Shop", "1.0", "S0", r#""code":"x""#));
            }
            write(&root, h0.plus(h as i64), &lines);
        }
        let services = db.services(&root);
        ingest(&services, h0).await;
        let everyone = watcher(&services, "all@example.com", None).await;
        let combos_only = watcher(
            &services,
            "combos@example.com",
            Some(vec!["combination".into()]),
        )
        .await;
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let hook = add_webhook(&services, tenant_id, "").await;
        for h in 1..=18 {
            ingest(&services, h0.plus(h)).await;
        }
        let items = inbox(&services, &everyone).await;
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles.len(), 2, "{}: {titles:?}", db.label);
        // Newest first: the key is on top.
        assert_eq!(titles[0], "New key: open: code", "{}", db.label);
        assert!(
            titles[1].starts_with("New event: couponShown ("),
            "{}: {titles:?}",
            db.label
        );
        assert_eq!(items[0].hour.as_deref(), Some("2026-11-20T09:00:00Z"));
        assert_eq!(items[1].hour.as_deref(), Some("2026-11-20T01:00:00Z"));
        // Who asked for combinations only hears of the event that brought them, once.
        let theirs = inbox(&services, &combos_only).await;
        assert_eq!(theirs.len(), 1, "{}: {theirs:?}", db.label);
        assert_eq!(theirs[0].title, titles[1]);
        // The webhook gets the same two, the event's with its items.
        let sent = deliveries(&services, hook).await;
        assert_eq!(sent.len(), 2, "{}", db.label);
        let items: serde_json::Value =
            serde_json::from_str(sent[0].items.as_deref().unwrap()).unwrap();
        let items = items.as_array().unwrap();
        assert!(items.len() > 10, "{}: {}", db.label, items.len());
        assert_eq!(items[0]["kind"], "event");
        assert_eq!(items[0]["label"], "couponShown");
        assert_eq!(items[0]["hour"], "2026-11-20T01:00:00Z");
        assert!(items.iter().any(|i| i["kind"] == "combination"));
        assert_eq!(sent[1].title, "New key: open: code");
    }
}

#[tokio::test]
async fn past_the_bound_one_and_n_more_for_people_and_filtered_webhooks() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let h0: Hour = "2026-11-20T10".parse().unwrap();
        write(&root, h0, &[line("open", "Shop", "1.0", "Home", "")]);
        let events: Vec<String> = (0..notify::ITEMS_PER_HOUR + 3)
            .map(|i| line(&format!("e{i:02}"), "Shop", "1.0", "Home", ""))
            .collect();
        write(&root, h0.plus(1), &events);
        let services = db.services(&root);
        ingest(&services, h0).await;
        let everyone = watcher(&services, "all@example.com", None).await;
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let filtered = add_webhook(&services, tenant_id, "event").await;
        let keys_only = add_webhook(&services, tenant_id, "key").await;
        ingest(&services, h0.plus(1)).await;
        let items = inbox(&services, &everyone).await;
        assert_eq!(items.len(), notify::ITEMS_PER_HOUR + 1, "{}", db.label);
        let more = items.iter().find(|i| i.kind == "summary").unwrap();
        assert_eq!(
            more.title, "… and 3 more in shop at 2026-11-20T11:00:00Z",
            "{}",
            db.label
        );
        assert_eq!(more.link, "/t/shop/events?new_since=2026-11-20");
        let sent = deliveries(&services, filtered).await;
        assert_eq!(sent.len(), notify::ITEMS_PER_HOUR + 1, "{}", db.label);
        assert_eq!(sent.last().unwrap().kind, "summary");
        assert_eq!(sent.last().unwrap().title, more.title);
        assert!(deliveries(&services, keys_only).await.is_empty());
        // Telling the hour again tells nothing new.
        let before = notification::Entity::find()
            .all(services.db.conn())
            .await
            .unwrap()
            .len();
        ingest(&services, h0.plus(1)).await;
        let run = ingestion_run::Entity::find()
            .order_by_desc(ingestion_run::Column::Id)
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        notify::notify_run(services.db.conn(), tenant_id, run.id - 1, 0)
            .await
            .unwrap();
        let after = notification::Entity::find()
            .all(services.db.conn())
            .await
            .unwrap()
            .len();
        assert_eq!(before, after, "{}", db.label);
    }
}

#[tokio::test]
async fn an_earlier_hour_ingested_later_redates_the_notice() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let h8: Hour = "2026-11-20T08".parse().unwrap();
        write(&root, h8, &[line("open", "Shop", "1.0", "Home", "")]);
        let with_key = [line("open", "Shop", "1.0", "Home", r#""code":"x""#)];
        write(&root, h8.plus(1), &with_key);
        write(&root, h8.plus(6), &with_key);
        let services = db.services(&root);
        ingest(&services, h8).await;
        let everyone = watcher(&services, "all@example.com", None).await;
        // Hour 14 first: the key is news, first seen at 14 so far.
        ingest(&services, h8.plus(6)).await;
        let items = inbox(&services, &everyone).await;
        assert_eq!(items.len(), 1, "{}", db.label);
        assert_eq!(items[0].hour.as_deref(), Some("2026-11-20T14:00:00Z"));
        // Then hour 9: the ledger now has the key first seen at 09, and so has the inbox.
        ingest(&services, h8.plus(1)).await;
        let items = inbox(&services, &everyone).await;
        assert_eq!(items.len(), 1, "{}", db.label);
        assert_eq!(items[0].title, "New key: open: code");
        assert_eq!(
            items[0].hour.as_deref(),
            Some("2026-11-20T09:00:00Z"),
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn a_forward_backfill_out_of_order_tells_its_news_with_the_true_hour() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let h8: Hour = "2026-11-20T08".parse().unwrap();
        write(&root, h8, &[line("open", "Shop", "1.0", "Home", "")]);
        for h in 1..=6 {
            write(
                &root,
                h8.plus(h),
                &[line("open", "Shop", "1.0", "Home", r#""code":"x""#)],
            );
        }
        let services = db.services(&root);
        ingest(&services, h8).await;
        let everyone = watcher(&services, "all@example.com", None).await;
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let hook = add_webhook(&services, tenant_id, "").await;
        let queue = JobQueue::open(&services.db).await.unwrap();
        let tenant = ingestion::tenant(&services, "shop").await.unwrap();
        let worker = workers::register(services.db.conn(), WorkerKind::Worker, 1)
            .await
            .unwrap();
        let new = NewBackfill {
            from: h8.plus(1),
            to: h8.plus(7),
            origin: "api".into(),
            requested_by: None,
        };
        let row = backfills::request(&services, &queue, &tenant, new, h8.plus(30))
            .await
            .unwrap();
        backfills::fan_out(&services, &queue, row.id).await.unwrap();
        let mut tasks_by_hour = blueprint_core::entities::hour_task::Entity::find()
            .filter(blueprint_core::entities::hour_task::Column::BackfillId.eq(row.id))
            .order_by_desc(blueprint_core::entities::hour_task::Column::Hour)
            .all(services.db.conn())
            .await
            .unwrap();
        assert_eq!(tasks_by_hour.len(), 6);
        let settings = blueprint_core::jobs::JobSettings {
            retries: 0,
            ingest_workers: 1,
            ..Default::default()
        };
        // The last hour (14) runs first: its news waits for the earlier hours.
        let last = tasks_by_hour.remove(0);
        tasks::run_task(&services, &settings, &worker, last.id)
            .await
            .unwrap();
        assert!(inbox(&services, &everyone).await.is_empty(), "{}", db.label);
        assert!(deliveries(&services, hook).await.is_empty(), "{}", db.label);
        // Then the others, earliest first; the news is told once all are in.
        tasks_by_hour.reverse();
        for task in tasks_by_hour {
            tasks::run_task(&services, &settings, &worker, task.id)
                .await
                .unwrap();
        }
        let items = inbox(&services, &everyone).await;
        assert_eq!(items.len(), 1, "{}: {items:?}", db.label);
        assert_eq!(items[0].hour.as_deref(), Some("2026-11-20T09:00:00Z"));
        let sent = deliveries(&services, hook).await;
        assert_eq!(sent.len(), 1, "{}", db.label);
        assert_eq!(
            sent[0].hour.and_then(Hour::from_epoch_seconds),
            Some(h8.plus(1)),
            "{}: the webhook gets the true hour",
            db.label
        );
    }
}

#[tokio::test]
async fn the_inbox_pages_to_its_oldest_item_and_back() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        write(
            &root,
            "2026-11-20T08".parse().unwrap(),
            &[line("open", "Shop", "1.0", "Home", "")],
        );
        let services = db.services(&root);
        ingest(&services, "2026-11-20T08".parse().unwrap()).await;
        let who = watcher(&services, "all@example.com", None).await;
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        let rows: Vec<notification::ActiveModel> = (0..250)
            .map(|i| notification::ActiveModel {
                user_id: Set(who.user_id),
                tenant_id: Set(tenant_id),
                kind: Set("event".into()),
                title: Set(format!("item {i}")),
                link: Set("/t/shop".into()),
                dedupe: Set(format!("test:{i}")),
                created_at: Set(i),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(100) {
            notification::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(services.db.conn())
                .await
                .unwrap();
        }
        let page = |before: Option<i64>, after: Option<i64>| {
            let services = services.clone();
            let who = who.clone();
            async move {
                let query = InboxQuery {
                    limit: 100,
                    before,
                    after,
                    ..InboxQuery::default()
                };
                notify::inbox_of(&services, &who, &query).await.unwrap()
            }
        };
        let mut seen = Vec::new();
        let mut pages = vec![page(None, None).await];
        assert_eq!(pages[0].newer, None);
        while let Some(older) = pages.last().unwrap().older {
            pages.push(page(Some(older), None).await);
        }
        for p in &pages {
            seen.extend(p.items.iter().map(|i| i.title.clone()));
        }
        assert_eq!(pages.len(), 3, "{}", db.label);
        assert_eq!(seen.len(), 250);
        assert_eq!(seen.first().map(String::as_str), Some("item 249"));
        assert_eq!(seen.last().map(String::as_str), Some("item 0"));
        // Back from the oldest page: the middle one, then the newest.
        let back = page(None, pages[2].newer).await;
        assert_eq!(back.items, pages[1].items, "{}", db.label);
        let newest = page(None, back.newer).await;
        assert_eq!(newest.items, pages[0].items, "{}", db.label);
        assert_eq!(newest.newer, None);
        assert_eq!(newest.older, pages[0].older);
    }
}
