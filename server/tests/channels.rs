//! Notifications through every channel, for real: hours in which an event appears, a key
//! appears, a key changes type and an event stops are ingested; the watchers' inboxes hold exactly
//! that news; a real SMTP server on loopback receives each user's digest (hourly or daily, as
//! they chose); a real HTTP server receives each piece of news once, signed, also when its first
//! answer was an error (retried on the job queue). Re-ingesting the same hours sends nothing new.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use blueprint_core::Services;
use blueprint_core::accounts::{Actor, Role};
use blueprint_core::browse::{self, curate};
use blueprint_core::channels::{mail, webhooks};
use blueprint_core::entities::{mail_digest, notification, user, webhook_delivery};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::jobs::{Clock, ManualClock};
use blueprint_core::notify::{self, InboxQuery};
use blueprint_core::pipeline;
use blueprint_core::testing::{actor, test_databases};
use blueprint_server::config::{Config, RawSettings};
use blueprint_types::catalog::CurationEdit;
use blueprint_types::notify::{WatchRequest, WebhookRequest};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{EntityTrait, PaginatorTrait};
use support::smtp::{body, digest_items, smtp_server};

/// A request the webhook endpoint received.
#[derive(Clone, Debug)]
struct Hook {
    headers: HeaderMap,
    body: String,
}

/// An HTTP server on loopback that records every POST; it answers 500 to the very first one.
async fn webhook_server() -> (String, Arc<Mutex<Vec<Hook>>>) {
    let received = Arc::new(Mutex::new(Vec::<Hook>::new()));
    let store = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                let mut all = store.lock().unwrap();
                all.push(Hook {
                    headers,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                });
                if all.len() == 1 {
                    (StatusCode::INTERNAL_SERVER_ERROR, "try again later")
                } else {
                    (StatusCode::OK, "thanks")
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "waited a minute for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn line(event: &str, properties: &str) -> String {
    format!(
        r#"{{"event":"{event}","context":{{"app":{{"name":"Shop","version":"1.0"}},"os":{{"name":"iOS"}},"sessionId":"s1"}},"properties":{properties}}}"#
    )
}

fn write(root: &std::path::Path, hour: Hour, lines: &[String]) {
    let dir = root.join("shop").join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("part-0.jsonl"), lines.join("\n")).unwrap();
}

async fn titles(services: &Services, who: &Actor) -> Vec<String> {
    let query = InboxQuery {
        limit: 100,
        ..InboxQuery::default()
    };
    let mut titles: Vec<String> = notify::inbox_of(services, who, &query)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|item| item.title)
        .collect();
    titles.sort();
    titles
}

fn watch(kinds: &[&str]) -> WatchRequest {
    WatchRequest {
        tenant: "shop".into(),
        target: "tenant".into(),
        name: None,
        news: Some(kinds.iter().map(|k| (*k).to_owned()).collect()),
    }
}

fn header<'a>(data: &'a str, name: &str) -> &'a str {
    data.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_default()
}

/// The settings of the process that sends, as an operator gives them: email over the loopback
/// SMTP server, webhooks with 1 s back-off to loopback endpoints the operator allows.
fn sending_settings(database_url: &str, root: &std::path::Path, smtp_port: u16) -> RawSettings {
    RawSettings {
        database_url: Some(database_url.to_owned()),
        events_url: Some(root.display().to_string()),
        heartbeat_seconds: Some(1),
        job_retry_backoff_seconds: Some(1),
        schedule: Some(false),
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
        mail_from: Some("Blueprint <blueprint@example.com>".into()),
        public_url: Some("http://blueprint.test/".into()),
        webhook_allowed_hosts: Some("127.0.0.1".into()),
        ..Default::default()
    }
}

/// Digests follow the server's clock, news its creation time. So that a test reads the same at
/// any hour of the day (an hour after the news must not be a new UTC day), the news is dated
/// 10:30 today and the users get email from 10:00. Returns today's midnight.
async fn date_news_at_half_past_ten(services: &Services) -> chrono::DateTime<chrono::Utc> {
    let today = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let news_at = today + chrono::Duration::minutes(10 * 60 + 30);
    notification::Entity::update_many()
        .col_expr(
            notification::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(news_at.timestamp()),
        )
        .exec(services.db.conn())
        .await
        .unwrap();
    user::Entity::update_many()
        .col_expr(
            user::Column::MailSince,
            sea_orm::sea_query::Expr::value(news_at.timestamp() - 1_800),
        )
        .exec(services.db.conn())
        .await
        .unwrap();
    today
}

#[tokio::test]
async fn news_reaches_inbox_email_and_webhook_exactly_once() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let h0 = Hour::containing(chrono::Utc::now()).plus(-30);
        let view_string = line("view", r#"{"sku":"p1"}"#);
        let view_price = line("view", r#"{"sku":"p1","price":9.5}"#);
        let view_number = line("view", r#"{"sku":42,"price":9.5}"#);
        let promo = line("promo", "{}");
        write(&root, h0, std::slice::from_ref(&view_string));
        // An event appears,
        write(&root, h0.plus(1), &[view_string.clone(), promo.clone()]);
        // a key appears,
        write(&root, h0.plus(2), &[view_price.clone(), promo.clone()]);
        // a key changes type and `promo` stops,
        write(&root, h0.plus(3), std::slice::from_ref(&view_number));
        // and a day later it is still missing.
        write(&root, h0.plus(29), std::slice::from_ref(&view_number));
        let services = db.services(&root);
        let ingest = |hour: Hour| {
            let services = services.clone();
            async move {
                pipeline::ingest_hour(&services, "shop", hour, Trigger::Cli, None, 1)
                    .await
                    .unwrap()
            }
        };
        ingest(h0).await; // the baseline: history, nobody is told

        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let hourly = actor(
            &services,
            "hourly@example.com",
            false,
            &[("shop", Role::Owner)],
        )
        .await;
        let daily = actor(
            &services,
            "daily@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let kinds = ["event", "key", "key_type", "obsolete"];
        notify::watch_as(&services, &hourly, &watch(&kinds))
            .await
            .unwrap();
        notify::watch_as(&services, &daily, &watch(&["event"]))
            .await
            .unwrap();
        mail::set_preference_as(&services, &hourly, "hourly", true)
            .await
            .unwrap();
        // The process that sends: email over the SMTP server, webhooks with 1 s back-off, to a
        // loopback endpoint the operator allows.
        let (smtp_port, mails) = smtp_server().await;
        let settings = sending_settings(&db.url, &root, smtp_port);
        let config = Config::load(settings, None).unwrap();
        let allowed = config.channels.webhook_hosts.clone();
        let (hook_url, hooks) = webhook_server().await;
        let request = WebhookRequest {
            url: hook_url,
            news: Some(kinds.iter().map(|k| (*k).to_owned()).collect()),
        };
        let hook = webhooks::create_as(&services, &allowed, &admin, "shop", &request)
            .await
            .unwrap();

        // A bad webhook is refused and stores nothing.
        for (url, reason) in [
            ("ftp://example.com/x", "not an http:// or https:// address"),
            ("not a url", "is not a URL"),
        ] {
            let bad = WebhookRequest {
                url: url.into(),
                news: None,
            };
            let err = webhooks::create_as(&services, &allowed, &admin, "shop", &bad)
                .await
                .unwrap_err();
            assert!(err.to_string().contains(reason), "{url}: {err}");
        }
        assert_eq!(
            webhooks::list_as(&services, &admin, "shop")
                .await
                .unwrap()
                .len(),
            1
        );

        for hour in [h0.plus(1), h0.plus(2), h0.plus(3)] {
            ingest(hour).await;
        }
        // `promo` is obsolete after one quiet day (its own period; the tenant's is 7).
        let tenant = browse::open_tenant(&services, &hourly, "shop")
            .await
            .unwrap();
        let edit = CurationEdit {
            quiet_days: Some(1),
            ..Default::default()
        };
        curate::update(
            &services,
            &hourly,
            &tenant,
            &curate::Subject::Event("promo".into()),
            &edit,
        )
        .await
        .unwrap();
        ingest(h0.plus(29)).await;
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        blueprint_core::obsolete::detect(services.db.conn(), tenant_id, services.db.now_seconds())
            .await
            .unwrap();

        let expected = vec![
            format!(
                "Event promo has not been seen since {} (gone everywhere)",
                h0.plus(2)
            ),
            "New event: promo".to_owned(),
            // The new key `price` with its type is one notice.
            "New key type: view: sku is integer".to_owned(),
            "New key: view: price".to_owned(),
        ];
        assert_eq!(titles(&services, &hourly).await, expected, "{label}");
        assert_eq!(
            titles(&services, &daily).await,
            vec!["New event: promo".to_owned()],
            "{label}"
        );

        // The clock then runs from 11:01 (the hourly digest is due, the daily one is not) to
        // 00:01 tomorrow.
        let today = date_news_at_half_past_ten(&services).await;
        let next_hour = today + chrono::Duration::hours(11);
        let clock = Arc::new(ManualClock::new(next_hour + chrono::Duration::minutes(1)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(blueprint_server::web::run(
            config,
            listener,
            clock.clone() as Arc<dyn Clock>,
            async move {
                let _ = stopped.await;
            },
        ));

        // Webhook: each piece of news once, signed; the first answer (500) was retried.
        wait_for("the webhook deliveries", || async {
            webhooks::list_as(&services, &admin, "shop").await.unwrap()[0]
                .deliveries
                .iter()
                .filter(|d| d.status == "sent")
                .count()
                == 4
        })
        .await;
        let received = hooks.lock().unwrap().clone();
        assert_eq!(
            received.len(),
            5,
            "{label}: four deliveries, one of them twice"
        );
        let mut bodies = Vec::new();
        for hit in &received {
            let timestamp = hit.headers["x-blueprint-timestamp"].to_str().unwrap();
            let mut mac = Hmac::<sha2_11::Sha256>::new_from_slice(hook.secret.as_bytes()).unwrap();
            mac.update(format!("{timestamp}.{}", hit.body).as_bytes());
            let expected_signature: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                hit.headers["x-blueprint-signature"].to_str().unwrap(),
                format!("sha256={expected_signature}"),
                "{label}"
            );
            assert_eq!(hit.headers["content-type"], "application/json");
            let body: serde_json::Value = serde_json::from_str(&hit.body).unwrap();
            assert_eq!(
                hit.headers["x-blueprint-delivery"].to_str().unwrap(),
                body["delivery"].to_string()
            );
            bodies.push(body);
        }
        let retried = &bodies[0];
        assert_eq!(
            bodies
                .iter()
                .filter(|b| b["delivery"] == retried["delivery"])
                .count(),
            2,
            "the failed delivery was sent again"
        );
        let mut sent: Vec<serde_json::Value> = bodies[1..].to_vec();
        sent.sort_by_key(|b| b["title"].as_str().unwrap().to_owned());
        let titles_sent: Vec<&str> = sent.iter().map(|b| b["title"].as_str().unwrap()).collect();
        assert_eq!(titles_sent, expected, "{label}");
        // Grouped news: the fields of news of one thing, and its items.
        let mut promo_news = sent[1].clone();
        let items = promo_news.as_object_mut().unwrap().remove("items").unwrap();
        assert_eq!(items[0]["kind"], "event", "{items}");
        assert_eq!(items[0]["label"], "promo");
        assert_eq!(items[0]["hour"], h0.plus(1).to_string());
        assert_eq!(items[1]["kind"], "combination", "{items}");
        let promo_news = &promo_news;
        assert_eq!(
            promo_news,
            &serde_json::json!({
                "delivery": promo_news["delivery"],
                "tenant": "shop",
                "kind": "event",
                "title": "New event: promo",
                "hour": h0.plus(1).to_string(),
                "link": "http://blueprint.test/t/shop/events/promo",
                "text": "[shop] New event: promo\nhttp://blueprint.test/t/shop/events/promo",
            })
        );
        assert_eq!(sent[0]["kind"], "obsolete");
        assert_eq!(sent[0]["hour"], serde_json::Value::Null);
        let listed = webhooks::list_as(&services, &admin, "shop").await.unwrap();
        let twice = listed[0]
            .deliveries
            .iter()
            .find(|d| serde_json::json!(d.id) == retried["delivery"])
            .unwrap();
        assert_eq!(
            (
                twice.attempts,
                twice.response_status,
                twice.response_body.as_deref()
            ),
            (2, Some(200), Some("thanks"))
        );

        // Email: the hourly user's digest of the hour; the daily user's waits for the day.
        wait_for("the hourly digest", || async {
            !mails.lock().unwrap().is_empty()
        })
        .await;
        let mail = mails.lock().unwrap()[0].clone();
        assert_eq!(mail.from, "<blueprint@example.com>");
        assert_eq!(mail.to, vec!["<hourly@example.com>".to_owned()]);
        assert_eq!(
            header(&mail.data, "Subject"),
            "Blueprint: 4 new notifications (hourly digest)"
        );
        assert_eq!(header(&mail.data, "To"), "hourly <hourly@example.com>");
        let mut lines: Vec<String> = expected.iter().map(|t| format!("- [shop] {t}")).collect();
        lines.sort();
        assert_eq!(digest_items(&mail.data), lines, "{label}: {}", mail.data);
        assert!(
            body(&mail.data).contains("  http://blueprint.test/t/shop/events/promo\n"),
            "{}",
            mail.data
        );
        assert!(
            body(&mail.data).contains(&format!("  first seen {}\n", h0.plus(1))),
            "{}",
            mail.data
        );

        // Re-ingesting the same hours, detecting again and another hour passing: nothing new.
        let counts = |services: Services| async move {
            (
                notification::Entity::find()
                    .count(services.db.conn())
                    .await
                    .unwrap(),
                webhook_delivery::Entity::find()
                    .count(services.db.conn())
                    .await
                    .unwrap(),
                mail_digest::Entity::find()
                    .count(services.db.conn())
                    .await
                    .unwrap(),
            )
        };
        let before = counts(services.clone()).await;
        assert_eq!(before, (5, 4, 1), "{label}");
        for hour in [h0.plus(1), h0.plus(2), h0.plus(3), h0.plus(29)] {
            ingest(hour).await;
        }
        blueprint_core::obsolete::detect(services.db.conn(), tenant_id, services.db.now_seconds())
            .await
            .unwrap();
        clock.set(next_hour + chrono::Duration::minutes(61));
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(counts(services.clone()).await, before, "{label}");
        assert_eq!(hooks.lock().unwrap().len(), 5);
        assert_eq!(mails.lock().unwrap().len(), 1);

        // The next UTC day: the daily user's digest, and nothing more for the hourly one.
        let next_day = today + chrono::Duration::minutes(24 * 60 + 1);
        clock.set(next_day);
        wait_for("the daily digest", || async {
            mails.lock().unwrap().len() == 2
        })
        .await;
        let mail = mails.lock().unwrap()[1].clone();
        assert_eq!(mail.to, vec!["<daily@example.com>".to_owned()]);
        assert_eq!(
            header(&mail.data, "Subject"),
            "Blueprint: 1 new notification (daily digest)"
        );
        assert_eq!(
            digest_items(&mail.data),
            vec!["- [shop] New event: promo".to_owned()]
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(mails.lock().unwrap().len(), 2, "{label}");

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_failing_webhook_is_recorded_and_holds_up_nothing() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let h0 = Hour::containing(chrono::Utc::now()).plus(-5);
        write(&root, h0, &[line("view", "{}")]);
        write(
            &root,
            h0.plus(1),
            &[line("view", "{}"), line("promo", "{}")],
        );
        let services = db.services(&root);
        pipeline::ingest_hour(&services, "shop", h0, Trigger::Cli, None, 1)
            .await
            .unwrap();
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let viewer = actor(
            &services,
            "viewer@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        // An address nobody listens on, and a live endpoint.
        let dead = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/hook", listener.local_addr().unwrap())
        };
        let (live, received) = webhook_server().await;
        received.lock().unwrap().push(Hook {
            headers: HeaderMap::new(),
            body: "(the server's first answer is an error: spend it)".into(),
        });
        // The operator allows loopback webhooks (the endpoints here are local).
        let settings = RawSettings {
            webhook_allowed_hosts: Some("127.0.0.1".into()),
            ..Default::default()
        };
        let allowed = Config::load(settings, None).unwrap().channels.webhook_hosts;
        for url in [&dead, &live] {
            let request = WebhookRequest {
                url: url.clone(),
                news: Some(vec!["event".into()]),
            };
            webhooks::create_as(&services, &allowed, &admin, "shop", &request)
                .await
                .unwrap();
        }
        // A viewer may not add one; nothing is stored.
        let refused = webhooks::create_as(
            &services,
            &allowed,
            &viewer,
            "shop",
            &WebhookRequest {
                url: live.clone(),
                news: None,
            },
        )
        .await;
        assert!(refused.is_err());

        pipeline::ingest_hour(&services, "shop", h0.plus(1), Trigger::Cli, None, 1)
            .await
            .unwrap();
        let hooks = webhooks::list_as(&services, &admin, "shop").await.unwrap();
        assert_eq!(hooks.len(), 2, "{label}");
        let id_of = |i: usize| hooks[i].deliveries[0].id;
        let client = webhooks::Sender::new(allowed).unwrap();
        let public = "http://blueprint.test";
        let backoff = Duration::from_secs(30);
        let mut outcomes = Vec::new();
        for _ in 0..webhooks::ATTEMPTS {
            outcomes.push(
                webhooks::deliver(&services, &client, public, id_of(0), backoff)
                    .await
                    .unwrap(),
            );
        }
        assert!(
            outcomes[..4]
                .iter()
                .all(|o| matches!(o, blueprint_core::channels::Attempt::Retry(r) if r.contains("cannot reach"))),
            "{outcomes:?}"
        );
        assert!(matches!(
            &outcomes[4],
            blueprint_core::channels::Attempt::GaveUp(_)
        ));
        // Given up: a further job for it does nothing.
        assert_eq!(
            webhooks::deliver(&services, &client, public, id_of(0), backoff)
                .await
                .unwrap(),
            blueprint_core::channels::Attempt::Skipped
        );
        assert_eq!(
            webhooks::deliver(&services, &client, public, id_of(1), backoff)
                .await
                .unwrap(),
            blueprint_core::channels::Attempt::Sent
        );
        let hooks = webhooks::list_as(&services, &admin, "shop").await.unwrap();
        let failed = &hooks[0].deliveries[0];
        assert_eq!(
            (failed.status.as_str(), failed.attempts),
            ("failed", 5),
            "{label}"
        );
        assert!(
            failed.error.as_deref().unwrap().contains("cannot reach"),
            "{failed:?}"
        );
        let sent = &hooks[1].deliveries[0];
        assert_eq!(
            (sent.status.as_str(), sent.attempts, sent.response_status),
            ("sent", 1, Some(200))
        );
        assert_eq!(received.lock().unwrap().len(), 2);

        // Bad settings are refused and change nothing.
        let err = mail::set_preference_as(&services, &viewer, "weekly", true)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("`weekly` is not a digest"),
            "{err}"
        );
        assert_eq!(
            mail::preference_of(&services, &viewer, true)
                .await
                .unwrap()
                .digest,
            "daily"
        );
        let err = webhooks::set_quiet_days_as(&services, &admin, "shop", -1)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("is not from 1 to 365"), "{err}");
        assert!(
            webhooks::set_quiet_days_as(&services, &viewer, "shop", 3)
                .await
                .is_err()
        );
        let settings = webhooks::settings_of(&services, &admin).await.unwrap();
        assert_eq!(settings[0].quiet_days, None, "{label}");
        assert_eq!(
            webhooks::set_quiet_days_as(&services, &admin, "shop", 3)
                .await
                .unwrap(),
            Some(3)
        );
    }
}

#[tokio::test]
async fn a_name_from_events_is_escaped_for_slack_kept_on_one_line_in_email_and_exact_in_json() {
    let evil = "<!channel> x\nBcc: evil@example.com";
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let h0 = Hour::containing(chrono::Utc::now()).plus(-5);
        let escaped = serde_json::to_string(evil).unwrap();
        write(&root, h0, &[line("view", "{}")]);
        write(
            &root,
            h0.plus(1),
            &[line("view", "{}"), line(escaped.trim_matches('"'), "{}")],
        );
        let services = db.services(&root);
        pipeline::ingest_hour(&services, "shop", h0, Trigger::Cli, None, 1)
            .await
            .unwrap();
        let owner = actor(
            &services,
            "owner@example.com",
            false,
            &[("shop", Role::Owner)],
        )
        .await;
        notify::watch_as(&services, &owner, &watch(&["event"]))
            .await
            .unwrap();
        mail::set_preference_as(&services, &owner, "hourly", true)
            .await
            .unwrap();
        let (smtp_port, mails) = smtp_server().await;
        let settings = sending_settings(&db.url, &root, smtp_port);
        let config = Config::load(settings, None).unwrap();
        let (hook_url, hooks) = webhook_server().await;
        let request = WebhookRequest {
            url: hook_url,
            news: Some(vec!["event".into()]),
        };
        webhooks::create_as(
            &services,
            &config.channels.webhook_hosts,
            &owner,
            "shop",
            &request,
        )
        .await
        .unwrap();
        pipeline::ingest_hour(&services, "shop", h0.plus(1), Trigger::Cli, None, 1)
            .await
            .unwrap();
        let title = format!("New event: {evil}");
        assert_eq!(
            titles(&services, &owner).await,
            vec![title.clone()],
            "{label}"
        );

        let today = date_news_at_half_past_ten(&services).await;
        let clock = Arc::new(ManualClock::new(
            today + chrono::Duration::minutes(11 * 60 + 1),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(blueprint_server::web::run(
            config,
            listener,
            clock as Arc<dyn Clock>,
            async move {
                let _ = stopped.await;
            },
        ));
        // The webhook's first answer is an error: the second attempt is the one kept.
        wait_for("the webhook delivery", || async {
            hooks.lock().unwrap().len() == 2
        })
        .await;
        wait_for("the digest", || async { !mails.lock().unwrap().is_empty() }).await;
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();

        let hit = hooks.lock().unwrap()[1].clone();
        let json: serde_json::Value = serde_json::from_str(&hit.body).unwrap();
        assert_eq!(json["title"], title.as_str(), "{label}: the JSON is exact");
        let text = json["text"].as_str().unwrap();
        let slack = "[shop] New event: &lt;!channel&gt; x\nBcc: evil@example.com\n";
        assert!(text.starts_with(slack), "{label}: {text}");
        assert!(!text.contains('<') && !text.contains('>'), "{text}");

        let mail = mails.lock().unwrap()[0].clone();
        assert_eq!(mail.to, vec!["<owner@example.com>".to_owned()], "{label}");
        let (head, _) = mail.data.split_once("\n\n").unwrap();
        assert!(
            head.lines()
                .all(|l| !l.to_ascii_lowercase().starts_with("bcc")),
            "{head}"
        );
        assert!(
            body(&mail.data).lines().all(|l| !l.starts_with("Bcc")),
            "{}",
            mail.data
        );
        assert_eq!(
            digest_items(&mail.data),
            vec!["- [shop] New event: <!channel> x\u{240a}Bcc: evil@example.com".to_owned()],
            "{label}: {}",
            mail.data
        );
    }
}

#[tokio::test]
async fn a_webhook_is_sent_the_first_seen_hour_the_ledger_has_when_it_is_sent() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let h0 = Hour::containing(chrono::Utc::now()).plus(-10);
        write(&root, h0, &[line("view", "{}")]);
        let with_code = [line("view", r#"{"code":"x"}"#)];
        write(&root, h0.plus(1), &with_code);
        write(&root, h0.plus(6), &with_code);
        let services = db.services(&root);
        let ingest = |hour: Hour| {
            let services = services.clone();
            async move {
                pipeline::ingest_hour(&services, "shop", hour, Trigger::Cli, None, 1)
                    .await
                    .unwrap()
            }
        };
        ingest(h0).await;
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let (url, received) = webhook_server().await;
        received.lock().unwrap().push(Hook {
            headers: HeaderMap::new(),
            body: "(the server's first answer is an error: spend it)".into(),
        });
        let settings = RawSettings {
            webhook_allowed_hosts: Some("127.0.0.1".into()),
            ..Default::default()
        };
        let allowed = Config::load(settings, None).unwrap().channels.webhook_hosts;
        let request = WebhookRequest { url, news: None };
        webhooks::create_as(&services, &allowed, &admin, "shop", &request)
            .await
            .unwrap();
        // The later hour first: the key is news, first seen then so far; then the earlier one.
        ingest(h0.plus(6)).await;
        ingest(h0.plus(1)).await;
        let hooks = webhooks::list_as(&services, &admin, "shop").await.unwrap();
        assert_eq!(hooks[0].deliveries.len(), 1, "{label}");
        let client = webhooks::Sender::new(allowed).unwrap();
        let attempt = webhooks::deliver(
            &services,
            &client,
            "http://blueprint.test",
            hooks[0].deliveries[0].id,
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        assert_eq!(attempt, blueprint_core::channels::Attempt::Sent, "{label}");
        let body: serde_json::Value =
            serde_json::from_str(&received.lock().unwrap()[1].body).unwrap();
        assert_eq!(body["title"], "New key: view: code", "{label}");
        assert_eq!(body["hour"], h0.plus(1).to_string(), "{label}");
        assert_eq!(body["items"][1]["kind"], "key_type", "{body}");
    }
}
