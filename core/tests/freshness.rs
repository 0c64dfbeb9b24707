//! Data freshness on both databases (DESIGN.md, "Ledger semantics"): a tenant's latest hour is its
//! latest hour with data. A week of hours ingested without files (a stopped upstream pipeline, as
//! `serve` ingests them hour by hour) marks nothing gone, tells no owner anything gone, keeps the
//! pages' default ranges on the last data, and is one outage incident told once when found and
//! once when data returns. A small tenant's quiet night is no outage; an hour still inside the
//! schedule's delay raises nothing; an outage changes no roll-out verdict.

use std::path::Path;
use std::sync::Arc;

use blueprint_core::Services;
use blueprint_core::accounts::{Actor, Role};
use blueprint_core::entities::quiet_mark;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::jobs::ManualClock;
use blueprint_core::notify::{self, InboxQuery};
use blueprint_core::signals::store::{self, Filter};
use blueprint_core::signals::{IncidentKind, IncidentState};
use blueprint_core::testing::{actor, test_databases};
use blueprint_core::{browse, pipeline, rollouts, tenants};
use blueprint_types::notify::WatchRequest;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn line(event: &str) -> String {
    format!(
        r#"{{"event":"{event}","context":{{"app":{{"name":"Shop","version":"1.0"}},"os":{{"name":"iOS"}}}}}}"#
    )
}

fn write(root: &Path, tenant: &str, hour: Hour, lines: usize) {
    let dir = root.join(tenant).join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    let mut text: Vec<String> = (0..lines).map(|_| line("open")).collect();
    text.push(line("checkout"));
    std::fs::write(dir.join("part-0.jsonl"), text.join("\n")).unwrap();
}

/// The clock just after the schedule's delay past the end of `hour`.
fn after(clock: &ManualClock, hour: Hour, minutes: i64) {
    clock.set(hour.plus(1).start() + chrono::Duration::minutes(minutes));
}

async fn titles(services: &Services, who: &Actor) -> Vec<String> {
    let query = InboxQuery {
        limit: 500,
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

async fn outages(services: &Services, tenant_id: i64) -> Vec<blueprint_core::signals::Incident> {
    let from: Hour = "2026-01-01T00".parse().unwrap();
    let to: Hour = "2027-01-01T00".parse().unwrap();
    store::list(services.db.conn(), tenant_id, from, to, &Filter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == IncidentKind::Outage)
        .collect()
}

#[tokio::test]
async fn a_week_without_data_marks_nothing_gone_and_is_one_outage_told_twice() {
    // Monday 2026-11-02 00:00 UTC: two weeks of data, then a week of hours without files.
    let start: Hour = "2026-11-02T00".parse().unwrap();
    let first_empty = start.plus(14 * 24);
    let last_data = first_empty.plus(-1);
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        for hour in start.until(first_empty) {
            write(&root, "acme", hour, 20);
        }
        let clock = Arc::new(ManualClock::new(first_empty.start()));
        let mut services = db.services(&root);
        services.db = services.db.clone().with_clock(clock.clone());
        pipeline::backfill(&services, "acme", start, first_empty, 1, |_, _, _| {})
            .await
            .unwrap();
        let owner = actor(
            &services,
            "owner@example.com",
            false,
            &[("acme", Role::Owner)],
        )
        .await;
        let watcher = actor(
            &services,
            "watcher@example.com",
            false,
            &[("acme", Role::Viewer)],
        )
        .await;
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let bystander = actor(
            &services,
            "viewer@example.com",
            false,
            &[("acme", Role::Viewer)],
        )
        .await;
        notify::watch_as(
            &services,
            &watcher,
            &WatchRequest {
                tenant: "acme".into(),
                target: "tenant".into(),
                name: None,
                news: None,
            },
        )
        .await
        .unwrap();
        let acme = blueprint_core::ingestion::tenant_id(&services, "acme")
            .await
            .unwrap();

        // The first empty hour, ingested while still inside the schedule's delay: nothing yet.
        after(&clock, first_empty, 5);
        pipeline::ingest_hour(&services, "acme", first_empty, Trigger::Schedule, None, 1)
            .await
            .unwrap();
        assert!(outages(&services, acme).await.is_empty(), "{label}");
        // Once the delay has passed, the hourly planning finds it and tells it.
        after(&clock, first_empty, 11);
        pipeline::after_planning(&services, acme, "acme").await;
        let found = "anomaly: acme: no events since 2026-11-16 00:00 UTC".to_owned();
        assert_eq!(
            titles(&services, &owner).await,
            vec![found.clone()],
            "{label}"
        );

        // The rest of the week, hour by hour as `serve` ingests them, each followed by the
        // hourly planning (obsolete detection among it).
        for hour in first_empty.plus(1).until(first_empty.plus(7 * 24)) {
            after(&clock, hour, 11);
            pipeline::ingest_hour(&services, "acme", hour, Trigger::Schedule, None, 1)
                .await
                .unwrap();
            pipeline::after_planning(&services, acme, "acme").await;
        }
        assert_eq!(
            tenants::latest_with_data(services.db.conn(), acme)
                .await
                .unwrap(),
            Some(last_data),
            "{label}"
        );
        let gap = tenants::data_gap(services.db.conn(), acme)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((gap.since, gap.hours()), (first_empty, 7 * 24), "{label}");
        let marks = quiet_mark::Entity::find()
            .filter(quiet_mark::Column::TenantId.eq(acme))
            .count(services.db.conn())
            .await
            .unwrap();
        assert_eq!(marks, 0, "{label}: nothing is gone while data is missing");
        for who in [&owner, &watcher, &admin] {
            assert_eq!(titles(&services, who).await, vec![found.clone()], "{label}");
        }
        assert!(titles(&services, &bystander).await.is_empty(), "{label}");

        // The pages' default range ends at the last hour with data.
        let tenant = browse::open_tenant(&services, &owner, "acme")
            .await
            .unwrap();
        assert_eq!(tenant.latest, Some(last_data.epoch_seconds()));
        let range = browse::resolve_range(&tenant, None, None).unwrap().view();
        assert_eq!(
            (range.from.as_str(), range.to.as_str()),
            ("2026-11-09", "2026-11-16")
        );
        let overview = browse::overview::overview(
            &services,
            &tenant,
            browse::resolve_range(&tenant, None, None).unwrap(),
        )
        .await
        .unwrap();
        assert!(overview.events_total > 0, "{label}");
        assert_eq!(
            overview.health.no_data_since.as_deref(),
            Some("2026-11-16T00:00:00Z")
        );

        // One outage, grown to the last empty hour.
        let found_outages = outages(&services, acme).await;
        assert_eq!(found_outages.len(), 1, "{label}: {found_outages:#?}");
        let outage = &found_outages[0];
        assert_eq!(
            (
                outage.from.as_str(),
                outage.to.as_str(),
                outage.observed,
                outage.state
            ),
            (
                "2026-11-16T00:00:00Z",
                "2026-11-23T00:00:00Z",
                0,
                IncidentState::Open
            ),
            "{label}"
        );
        assert!(
            (outage.expected - 21.0 * 168.0).abs() < 1e-6,
            "{label}: {}",
            outage.expected
        );
        assert_eq!(outage.series.len(), 1);
        let series = &outage.series[0];
        assert!(
            series.event.is_none()
                && series.application.is_none()
                && series.version.is_none()
                && series.platform.is_none()
        );
        assert!(outage.event.is_none() && outage.platform.is_none());

        // Re-ingesting empty hours tells nothing again.
        for hour in first_empty.until(first_empty.plus(3)) {
            pipeline::ingest_hour(&services, "acme", hour, Trigger::Retry, None, 1)
                .await
                .unwrap();
        }
        assert_eq!(
            titles(&services, &owner).await,
            vec![found.clone()],
            "{label}"
        );

        // Data returns: the outage is resolved and its return told, once.
        let back = first_empty.plus(7 * 24);
        write(&root, "acme", back, 20);
        after(&clock, back, 11);
        pipeline::ingest_hour(&services, "acme", back, Trigger::Schedule, None, 1)
            .await
            .unwrap();
        pipeline::after_planning(&services, acme, "acme").await;
        let returned = "anomaly: acme: events arriving again since 2026-11-23 00:00 UTC (168 hours without data)".to_owned();
        for who in [&owner, &watcher, &admin] {
            assert_eq!(
                titles(&services, who).await,
                vec![returned.clone(), found.clone()],
                "{label}"
            );
        }
        let resolved = outages(&services, acme).await;
        assert_eq!(resolved.len(), 1, "{label}");
        assert_eq!(resolved[0].state, IncidentState::Resolved);
        assert_eq!(resolved[0].to, "2026-11-23T00:00:00Z");
        for hour in [back, first_empty.plus(5)] {
            pipeline::ingest_hour(&services, "acme", hour, Trigger::Retry, None, 1)
                .await
                .unwrap();
        }
        pipeline::after_planning(&services, acme, "acme").await;
        assert_eq!(titles(&services, &owner).await.len(), 2, "{label}");
        assert_eq!(outages(&services, acme).await.len(), 1, "{label}");
        assert!(
            tenants::data_gap(services.db.conn(), acme)
                .await
                .unwrap()
                .is_none(),
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_quiet_night_of_a_small_tenant_is_no_outage() {
    let start: Hour = "2026-11-02T00".parse().unwrap();
    let night = start.plus(8 * 24);
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        // About half an event an hour: one line (and one more event) every fourth hour.
        for hour in start.until(night).step_by(4) {
            let dir = root.join("tiny").join(hour.folder());
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("part-0.jsonl"),
                [line("open"), line("open")].join("\n"),
            )
            .unwrap();
        }
        let clock = Arc::new(ManualClock::new(night.start()));
        let mut services = db.services(&root);
        services.db = services.db.clone().with_clock(clock.clone());
        pipeline::backfill(&services, "tiny", start, night, 1, |_, _, _| {})
            .await
            .unwrap();
        let owner = actor(
            &services,
            "owner@example.com",
            false,
            &[("tiny", Role::Owner)],
        )
        .await;
        let tiny = blueprint_core::ingestion::tenant_id(&services, "tiny")
            .await
            .unwrap();
        for hour in night.until(night.plus(10)) {
            after(&clock, hour, 11);
            pipeline::ingest_hour(&services, "tiny", hour, Trigger::Schedule, None, 1)
                .await
                .unwrap();
            pipeline::after_planning(&services, tiny, "tiny").await;
        }
        assert!(outages(&services, tiny).await.is_empty(), "{label}");
        assert!(titles(&services, &owner).await.is_empty(), "{label}");
        // The gap is still shown as one.
        let gap = tenants::data_gap(services.db.conn(), tiny)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gap.until, night.plus(10), "{label}");
    }
}

#[tokio::test]
async fn an_outage_changes_no_roll_out_verdict() {
    use blueprint_demo::rollouts::{self as fixture, HOURS};
    let start: Hour = "2026-11-10T00".parse().unwrap();
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        fixture::write(&root, "shop", start.start()).unwrap();
        let clock = Arc::new(ManualClock::new(start.start()));
        let mut services = db.services(&root);
        services.db = services.db.clone().with_clock(clock.clone());
        for hour in start.until(start.plus(HOURS)) {
            after(&clock, hour, 11);
            pipeline::ingest_hour(&services, "shop", hour, Trigger::Schedule, None, 1)
                .await
                .unwrap();
        }
        let shop = blueprint_core::ingestion::tenant_id(&services, "shop")
            .await
            .unwrap();
        let before = rollouts::list_for(&services, "shop").await.unwrap();
        assert!(!before.is_empty(), "{label}");
        // Two days of hours without files: no verdict is judged again, none changes.
        for hour in start.plus(HOURS).until(start.plus(HOURS + 48)) {
            after(&clock, hour, 11);
            pipeline::ingest_hour(&services, "shop", hour, Trigger::Schedule, None, 1)
                .await
                .unwrap();
            pipeline::after_planning(&services, shop, "shop").await;
        }
        let after_outage = rollouts::list_for(&services, "shop").await.unwrap();
        assert_eq!(before, after_outage, "{label}");
    }
}

#[tokio::test]
async fn an_hour_of_only_rejected_lines_is_no_data() {
    let data: Hour = "2026-11-20T09".parse().unwrap();
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        write(&root, "acme", data, 3);
        let dir = root.join("acme").join(data.plus(1).folder());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("part-0.jsonl"), "not json\n{\"no\":\"event\"}\n").unwrap();
        let services = db.services(&root);
        for hour in [data, data.plus(1), data.plus(2)] {
            pipeline::ingest_hour(&services, "acme", hour, Trigger::Cli, None, 1)
                .await
                .unwrap();
        }
        let acme = blueprint_core::ingestion::tenant_id(&services, "acme")
            .await
            .unwrap();
        let conn = services.db.conn();
        let rejected = blueprint_core::entities::ingested_hour::Entity::find_by_id((
            acme,
            data.plus(1).epoch_seconds(),
        ))
        .one(conn)
        .await
        .unwrap()
        .unwrap();
        assert_eq!(rejected.status, "ok", "{label}: the hour had files");
        assert_eq!(
            tenants::latest_with_data(conn, acme).await.unwrap(),
            Some(data),
            "{label}"
        );
        assert_eq!(
            tenants::latest_ingested_any(conn, acme).await.unwrap(),
            Some(data.plus(2)),
            "{label}"
        );
        let gap = tenants::data_gap(conn, acme).await.unwrap().unwrap();
        assert_eq!(
            (gap.since, gap.until, gap.hours()),
            (data.plus(1), data.plus(3), 2)
        );
    }
}

/// The outage check's delay is the schedule's (`BLUEPRINT_SCHEDULE_DELAY_MINUTES`): with 30
/// minutes, an empty hour 11 minutes past its end is still incomplete; at 31 it is an outage.
#[tokio::test]
async fn the_outage_check_waits_for_the_schedules_delay() {
    let start: Hour = "2026-11-02T00".parse().unwrap();
    let empty = start.plus(14 * 24);
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        for hour in start.until(empty) {
            write(&root, "acme", hour, 20);
        }
        let clock = Arc::new(ManualClock::new(empty.start()));
        let mut services = db
            .services(&root)
            .with_schedule_delay(std::time::Duration::from_secs(30 * 60));
        services.db = services.db.clone().with_clock(clock.clone());
        pipeline::backfill(&services, "acme", start, empty, 1, |_, _, _| {})
            .await
            .unwrap();
        let acme = blueprint_core::ingestion::tenant_id(&services, "acme")
            .await
            .unwrap();
        after(&clock, empty, 11);
        pipeline::ingest_hour(&services, "acme", empty, Trigger::Schedule, None, 1)
            .await
            .unwrap();
        pipeline::after_planning(&services, acme, "acme").await;
        assert!(outages(&services, acme).await.is_empty(), "{label}");
        after(&clock, empty, 31);
        pipeline::after_planning(&services, acme, "acme").await;
        let found = outages(&services, acme).await;
        assert_eq!(found.len(), 1, "{label}: {found:?}");
        assert_eq!(found[0].from, "2026-11-16T00:00:00Z", "{label}");
    }
}
