//! Volume anomalies on both databases, through the real ingestion path: nine days of seasonal
//! traffic of one application on three releases, the first eight ingested as the tenant's
//! baseline (history), the last day hour by hour (news). One release loses 70 % of one event for
//! four hours: exactly one incident (that release's series, with the event overall it explains),
//! told once, resolved once the series is back; re-ingesting the hours changes nothing and tells
//! nothing again; a muted series opens nothing.

use std::fmt::Write as _;
use std::path::Path;

use blueprint_core::accounts::Role;
use blueprint_core::entities::{anomaly, notification};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::notify;
use blueprint_core::pipeline;
use blueprint_core::signals::{self, IncidentKind, IncidentState, Series, store};
use blueprint_core::testing::{actor, test_databases};
use blueprint_types::notify::WatchRequest;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const DAYS: i64 = 9;
/// The drop: hours 10–13 of the last day, on Shop 5.2 iOS, event `checkout`.
const DROP_FROM: i64 = (DAYS - 1) * 24 + 10;
const DROP_HOURS: i64 = 4;

fn start() -> Hour {
    // A Monday, fixed: nothing depends on today's date.
    "2026-03-02T00".parse().unwrap()
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Sessions of a release in hour `offset`: a daily shape (low at night, high in the afternoon).
fn sessions(base: f64, offset: i64) -> u64 {
    let of_day = (offset % 24) as f64;
    let shape = 1.0 + 0.6 * ((of_day - 14.0) / 24.0 * 2.0 * std::f64::consts::PI).cos();
    (base * shape).round() as u64
}

/// Writes the tenant's `DAYS` days; with `drop`, Shop 5.2 iOS sends 30 % of its checkouts in
/// the drop hours.
fn write(root: &Path, tenant: &str, drop: bool) {
    let mut rng = Rng(0x5eed_1234_abcd);
    let releases = [
        ("5.2", "iOS", 200.0),
        ("5.1", "iOS", 60.0),
        ("5.1", "Android", 60.0),
    ];
    for offset in 0..DAYS * 24 {
        let mut out = String::new();
        for (r, (version, platform, base)) in releases.iter().enumerate() {
            let dropped =
                drop && *version == "5.2" && (DROP_FROM..DROP_FROM + DROP_HOURS).contains(&offset);
            for s in 0..sessions(*base, offset) {
                let context = format!(
                    r#""context":{{"app":{{"name":"Shop","version":"{version}"}},"os":{{"name":"{platform}"}},"sessionId":"{offset}-{r}-{s}"}}"#
                );
                for _ in 0..1 + rng.below(3) {
                    let _ = writeln!(out, r#"{{"event":"view_item",{context}}}"#);
                }
                let checkout = rng.below(2) == 0 && (!dropped || rng.below(10) < 3);
                if checkout {
                    let _ = writeln!(out, r#"{{"event":"checkout",{context}}}"#);
                }
            }
        }
        let hour = start().plus(offset);
        let dir = root.join(tenant).join(hour.folder());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("part-0.jsonl"), out).unwrap();
    }
}

async fn ingest(services: &blueprint_core::Services, tenant: &str, from: i64, to: i64) {
    for offset in from..to {
        pipeline::ingest_hour(
            services,
            tenant,
            start().plus(offset),
            Trigger::Cli,
            None,
            1,
        )
        .await
        .unwrap();
    }
}

async fn told(services: &blueprint_core::Services, tenant_id: i64) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::TenantId.eq(tenant_id))
        .filter(notification::Column::Kind.eq("anomaly"))
        .count(services.db.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_dropped_release_is_one_incident_told_once() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        write(&root, "shop", true);
        write(&root, "quiet", true);
        let services = db.services(&root);
        let last = DAYS * 24;
        for tenant in ["shop", "quiet"] {
            // The baseline: every hour but the last day's, as one backfill (history).
            pipeline::backfill(
                &services,
                tenant,
                start(),
                start().plus(last - 24),
                1,
                |_, _, _| {},
            )
            .await
            .unwrap();
        }
        let shop_id = blueprint_core::ingestion::tenant_id(&services, "shop")
            .await
            .unwrap();
        let quiet_id = blueprint_core::ingestion::tenant_id(&services, "quiet")
            .await
            .unwrap();
        let watcher = actor(
            &services,
            "watcher@example.com",
            false,
            &[("shop", Role::Owner), ("quiet", Role::Owner)],
        )
        .await;
        for tenant in ["shop", "quiet"] {
            notify::watch_as(
                &services,
                &watcher,
                &WatchRequest {
                    tenant: tenant.into(),
                    target: "tenant".into(),
                    name: None,
                    news: None,
                },
            )
            .await
            .unwrap();
        }
        let history = store::list(
            services.db.conn(),
            shop_id,
            start(),
            start().plus(last),
            &store::Filter::default(),
        )
        .await
        .unwrap();
        assert!(history.is_empty(), "{label}: clean history: {history:#?}");

        // The quiet tenant mutes the release's series and the event overall first.
        for series in [
            Series::release("checkout", "Shop", "5.2", "iOS"),
            Series::event("checkout"),
        ] {
            store::set_muted_as(&services, &watcher, quiet_id, &series, true)
                .await
                .unwrap();
        }

        // The last day, hour by hour, as news.
        ingest(&services, "shop", last - 24, last).await;
        ingest(&services, "quiet", last - 24, last).await;
        let range = (start(), start().plus(last));
        let list = |tenant_id| {
            let services = services.clone();
            async move {
                store::list(
                    services.db.conn(),
                    tenant_id,
                    range.0,
                    range.1,
                    &store::Filter::default(),
                )
                .await
                .unwrap()
            }
        };
        let incidents = list(shop_id).await;
        assert_eq!(incidents.len(), 1, "{label}: {incidents:#?}");
        let incident = &incidents[0];
        assert_eq!(incident.kind, IncidentKind::Drop, "{label}: {incident:#?}");
        assert_eq!(incident.from, start().plus(DROP_FROM).to_string());
        assert_eq!(
            incident.to,
            start().plus(DROP_FROM + DROP_HOURS).to_string(),
            "{label}: {incident:#?}"
        );
        assert_eq!(incident.event.as_deref(), Some("checkout"));
        assert_eq!(incident.application.as_deref(), Some("Shop"));
        assert_eq!(incident.version.as_deref(), Some("5.2"));
        assert_eq!(incident.platform.as_deref(), Some("iOS"));
        assert_eq!(incident.state, IncidentState::Resolved, "{label}");
        let release = incident
            .series
            .iter()
            .find(|s| s.version.is_some())
            .expect("the release's series");
        assert!(
            release.observed as f64 <= 0.45 * release.expected,
            "{label}: {release:?}"
        );
        assert!(
            incident
                .series
                .iter()
                .all(|s| s.event.as_deref() == Some("checkout")),
            "{label}: {incident:#?}"
        );
        let detail = store::detail_as(&services, &watcher, incident.id)
            .await
            .unwrap();
        assert!(
            detail.news && detail.told_at.is_some(),
            "{label}: {detail:#?}"
        );
        assert_eq!(told(&services, shop_id).await, 1, "{label}");
        let notice = notification::Entity::find()
            .filter(notification::Column::Kind.eq("anomaly"))
            .one(services.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert!(
            notice.title.starts_with("Drop: checkout \u{2212}")
                && notice.title.contains(" on Shop 5.2 iOS since ")
                && notice.title.contains("10:00 UTC (expected "),
            "{label}: {}",
            notice.title
        );
        assert_eq!(notice.link, format!("/t/shop/incidents/{}", incident.id));

        // The muted tenant found the same hours anomalous but opened nothing and told nothing.
        assert!(list(quiet_id).await.is_empty(), "{label}");
        assert_eq!(told(&services, quiet_id).await, 0, "{label}");
        let kept = anomaly::Entity::find()
            .filter(anomaly::Column::TenantId.eq(quiet_id))
            .count(services.db.conn())
            .await
            .unwrap();
        assert!(
            kept >= DROP_HOURS as u64,
            "{label}: {kept} anomalous hours kept"
        );

        // Re-ingesting the day: the same one incident, nothing told again.
        ingest(&services, "shop", last - 24, last).await;
        let again = list(shop_id).await;
        assert_eq!(again.len(), 1, "{label}: {again:#?}");
        assert_eq!(again[0].id, incident.id);
        assert_eq!(
            (&again[0].from, &again[0].to),
            (&incident.from, &incident.to)
        );
        assert_eq!(told(&services, shop_id).await, 1, "{label}");

        // The band the pages draw: the drop hours fall below it, the hours before inside.
        let band = signals::expected_band(
            services.db.conn(),
            shop_id,
            &Series::release("checkout", "Shop", "5.2", "iOS"),
            start().plus(DROP_FROM - 2),
            start().plus(DROP_FROM + DROP_HOURS),
        )
        .await
        .unwrap();
        assert_eq!(band.len(), 2 + DROP_HOURS as usize);
        for (i, hour) in band.iter().enumerate() {
            let (observed, low, high) = (
                hour.observed.unwrap() as f64,
                hour.low.unwrap(),
                hour.high.unwrap(),
            );
            if i < 2 {
                assert!(observed >= low && observed <= high, "{label}: {hour:?}");
                assert_eq!(hour.anomaly, None);
            } else {
                assert!(observed < low, "{label}: {hour:?}");
                assert_eq!(hour.anomaly, Some(IncidentKind::Drop), "{label}: {hour:?}");
            }
        }
    }
}

/// The anomaly step reads a tenant's series one event at a time (its memory follows the largest
/// event, not the tenant): each part holds one event overall with only that event's releases, the
/// parts together are what one whole read gives, and every count is the lines written.
#[tokio::test]
async fn series_are_read_one_event_at_a_time_and_add_up_to_the_lines() {
    use signals::load::{Scope, for_each_event, load};
    const HOURS: i64 = 6;
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        write(&root, "shop", true);
        let services = db.services(&root);
        ingest(&services, "shop", 0, HOURS).await;
        let tenant_id = blueprint_core::ingestion::tenant_id(&services, "shop")
            .await
            .unwrap();
        let conn = services.db.conn();
        let (from, to) = (start().epoch_seconds(), start().plus(HOURS).epoch_seconds());

        let mut parts = Vec::new();
        let base = for_each_event(conn, tenant_id, from, to, &Scope::default(), |part| {
            parts.push(part)
        })
        .await
        .unwrap();
        assert_eq!(base.data, vec![true; HOURS as usize], "{label}");
        assert!(
            base.overall.is_empty() && base.releases.is_empty(),
            "{label}"
        );
        let mut events: Vec<&str> = Vec::new();
        for part in &parts {
            let [event] = part.overall.keys().map(String::as_str).collect::<Vec<_>>()[..] else {
                panic!(
                    "{label}: one event overall per part: {:?}",
                    part.overall.keys()
                );
            };
            assert!(
                part.releases.keys().all(|series| series.event == event),
                "{label}: {event}'s part holds only its releases"
            );
            assert_eq!(part.releases.len(), 3, "{label}: {event}");
            events.push(event);
        }
        events.sort();
        assert_eq!(events, ["checkout", "view_item"], "{label}");

        let whole = load(conn, tenant_id, from, to, &Scope::default())
            .await
            .unwrap();
        for part in &parts {
            for (event, overall) in &part.overall {
                assert_eq!(whole.overall.get(event), Some(overall), "{label}: {event}");
            }
            for (series, release) in &part.releases {
                assert_eq!(whole.releases.get(series), Some(release), "{label}");
            }
        }
        assert_eq!(whole.overall.len(), 2, "{label}");
        assert_eq!(whole.releases.len(), 6, "{label}");

        // Every hourly count is the number of lines written for that release and event.
        for offset in 0..HOURS {
            let file = root
                .join("shop")
                .join(start().plus(offset).folder())
                .join("part-0.jsonl");
            let mut lines: std::collections::BTreeMap<Series, i64> = Default::default();
            for line in std::fs::read_to_string(file).unwrap().lines() {
                let value: serde_json::Value = serde_json::from_str(line).unwrap();
                let text = |pointer: &str| value.pointer(pointer).unwrap().as_str().unwrap();
                let series = Series::release(
                    text("/event"),
                    text("/context/app/name"),
                    text("/context/app/version"),
                    text("/context/os/name"),
                );
                *lines.entry(series).or_default() += 1;
            }
            assert_eq!(lines.len(), 6, "{label}: hour {offset}");
            for (series, count) in lines {
                let counted = whole.releases[&series].counts.counts[offset as usize];
                assert_eq!(counted, Some(count), "{label}: {series:?} in hour {offset}");
            }
        }
    }
}
