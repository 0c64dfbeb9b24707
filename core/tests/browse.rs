//! The catalog as its pages read it, over the demo data set on SQLite and Postgres: totals agree
//! with what the generator wrote, search/filter/sort/pages hold together, the matrix marks an
//! event that later versions stopped sending, curation is for owners only and bad input changes
//! nothing, the comparison and the JSON Schema reflect the observed keys.

use std::collections::BTreeMap;

use blueprint_core::accounts::{Role, ServiceError};
use blueprint_core::browse::{
    self, applications, compare, curate, events, export, matrix, overview, screens,
};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion;
use blueprint_core::pipeline;
use blueprint_core::testing::{actor, test_databases};
use blueprint_demo::{DemoOptions, TENANTS, generate};
use blueprint_types::catalog::{CurationEdit, EventFilter};
use chrono::{TimeZone, Utc};

fn options() -> DemoOptions {
    DemoOptions {
        first_hour: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        hours: 48,
        events_per_hour: 50,
        seed: 11,
    }
}

#[tokio::test]
async fn the_catalog_reads_what_was_ingested() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let expected = generate(&root, &options()).unwrap();
        let services = db.services(&root);
        let from = Hour::containing(options().first_hour);
        for tenant in TENANTS {
            pipeline::backfill(&services, tenant, from, from.plus(48), 2, |_, _, _| {})
                .await
                .unwrap();
        }
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let viewer = actor(
            &services,
            "viewer@example.com",
            false,
            &[("shopwave", Role::Viewer)],
        )
        .await;
        let owner = actor(
            &services,
            "owner@example.com",
            false,
            &[("shopwave", Role::Owner)],
        )
        .await;
        let stranger = actor(
            &services,
            "stranger@example.com",
            false,
            &[("travelnest", Role::Viewer)],
        )
        .await;

        // A tenant the caller may not see does not exist for them.
        assert!(matches!(
            browse::open_tenant(&services, &stranger, "shopwave").await,
            Err(ServiceError::NotFound)
        ));
        let tenant = browse::open_tenant(&services, &viewer, "shopwave")
            .await
            .unwrap();
        let range = browse::resolve_range(&tenant, None, None).unwrap();
        assert_eq!(range.view().to, "2026-11-03", "{label}");
        assert_eq!(range.days(), 7);
        let want = &expected.tenants["shopwave"];
        let total: u64 = want.counts.values().map(|c| c.events).sum();

        // Overview: the activity adds up to every event ingested; every hour is healthy.
        let o = overview::overview(&services, &tenant, range).await.unwrap();
        assert_eq!(o.events_total as u64, total, "{label}");
        let drawn: f64 = o
            .activity
            .series
            .iter()
            .find(|s| s.label == "events")
            .unwrap()
            .values
            .iter()
            .sum();
        assert_eq!(drawn as u64, total, "{label}: the activity chart");
        assert_eq!(o.activity.buckets.len(), 7 * 24);
        assert_eq!(
            o.health.problem_count, 0,
            "{label}: {:?}",
            o.health.problems
        );
        assert_eq!(o.health.hours_ok as usize, want.hours_with_data.len());
        let rejected: u64 = want.hours.values().map(|h| h.rejected).sum();
        assert_eq!(o.health.rejected_lines as u64, rejected);
        assert!(
            o.discovered_by_kind
                .iter()
                .any(|(k, n)| k == "event" && *n as usize == want.events.len())
        );

        // Movers: the last two full days, per event, as the generator counted them.
        assert_eq!(
            o.movers_days,
            Some(("2026-11-01".into(), "2026-11-02".into()))
        );
        let mut per_day: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (k, v) in &want.counts {
            let entry = per_day.entry(k.event.clone()).or_default();
            if k.hour.starts_with("2026-11-01") {
                entry.0 += v.events as i64;
            } else if k.hour.starts_with("2026-11-02") {
                entry.1 += v.events as i64;
            }
        }
        let biggest = per_day.values().map(|(b, a)| (a - b).abs()).max().unwrap();
        assert_eq!(
            (o.movers[0].after - o.movers[0].before).abs(),
            biggest,
            "{label}"
        );
        for m in &o.movers {
            assert_eq!(
                per_day[&m.event],
                (m.before, m.after),
                "{label}: {}",
                m.event
            );
        }

        // Events: every page together holds every event once, and the volumes add up.
        let mut names = Vec::new();
        let mut volume = 0;
        for page in 1..=2 {
            let filter = EventFilter {
                sort: Some("volume".into()),
                page: Some(page),
                ..Default::default()
            };
            let list = events::list(&services, &tenant, range, &filter)
                .await
                .unwrap();
            assert_eq!(list.total as usize, want.events.len(), "{label}");
            assert!(
                list.rows.windows(2).all(|w| w[0].volume >= w[1].volume),
                "sorted by volume"
            );
            for row in &list.rows {
                assert_eq!(row.sparkline.iter().sum::<i64>(), row.volume);
                assert_eq!(row.sparkline.len(), 7);
            }
            volume += list.rows.iter().map(|r| r.volume).sum::<i64>();
            names.extend(list.rows.into_iter().map(|r| r.name));
        }
        names.sort();
        assert_eq!(
            names,
            want.events.keys().cloned().collect::<Vec<_>>(),
            "{label}"
        );
        assert_eq!(volume as u64, total);
        let mut by_name = Vec::new();
        for page in [1, 2] {
            let filter = EventFilter {
                page: Some(page),
                ..Default::default()
            };
            let list = events::list(&services, &tenant, range, &filter)
                .await
                .unwrap();
            by_name.extend(list.rows.into_iter().map(|r| r.name));
        }
        assert_eq!(by_name, names, "{label}: pages by name, in byte order");
        let last = EventFilter {
            sort: Some("last_seen".into()),
            order: Some("desc".into()),
            page: Some(1),
            ..Default::default()
        };
        let recent = events::list(&services, &tenant, range, &last)
            .await
            .unwrap();
        assert!(
            recent
                .rows
                .windows(2)
                .all(|w| w[0].last_seen >= w[1].last_seen)
        );
        let search = |q: &str| EventFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        let found = events::list(&services, &tenant, range, &search("LEGACYpromo"))
            .await
            .unwrap();
        assert_eq!(
            found
                .rows
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["legacyPromoViewed"]
        );
        let none = events::list(&services, &tenant, range, &search("%"))
            .await
            .unwrap();
        assert_eq!(none.total, 0, "a % is searched for, not a wildcard");
        let on_screen = events::list(
            &services,
            &tenant,
            range,
            &EventFilter {
                screen: Some("Wishlist".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut on_wishlist: Vec<String> = want
            .counts
            .keys()
            .filter(|k| k.screen == "Wishlist")
            .map(|k| k.event.clone())
            .collect();
        on_wishlist.sort();
        on_wishlist.dedup();
        assert_eq!(
            on_screen
                .rows
                .iter()
                .map(|r| r.name.clone())
                .collect::<Vec<_>>(),
            on_wishlist,
            "{label}"
        );
        assert!(on_screen.total < want.events.len() as u64);
        let old_version = EventFilter {
            application: Some("Shopwave".into()),
            platform: Some("Android".into()),
            version: Some("3.8".into()),
            ..Default::default()
        };
        let sent_by_old = events::list(&services, &tenant, range, &old_version)
            .await
            .unwrap();
        let mut wanted: Vec<String> = want
            .counts
            .keys()
            .filter(|k| {
                k.application == "Shopwave" && k.platform == "Android" && k.version == "3.8"
            })
            .map(|k| k.event.clone())
            .collect();
        wanted.sort();
        wanted.dedup();
        assert_eq!(
            sent_by_old
                .rows
                .iter()
                .map(|r| r.name.clone())
                .collect::<Vec<_>>(),
            wanted,
            "{label}"
        );
        let bad = events::list(
            &services,
            &tenant,
            range,
            &EventFilter {
                sort: Some("size".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "sort `size` is not name, volume, first_seen or last_seen"
        );

        // An event page: the charts add up, keys and screens are those the generator wrote.
        let name = "legacyPromoViewed";
        let d = events::detail(
            &services,
            &viewer,
            &tenant,
            name,
            range,
            events::Split::Version,
        )
        .await
        .unwrap();
        let event_total: u64 = want
            .counts
            .iter()
            .filter(|(k, _)| k.event == name)
            .map(|(_, v)| v.events)
            .sum();
        assert_eq!(d.events_total as u64, event_total, "{label}");
        let daily: f64 = d.daily.series.iter().flat_map(|s| s.values.iter()).sum();
        let hourly: f64 = d.hourly.series.iter().flat_map(|s| s.values.iter()).sum();
        assert_eq!((daily as u64, hourly as u64), (event_total, event_total));
        let keys: Vec<&str> = d.keys.iter().map(|k| k.path.as_str()).collect();
        assert_eq!(
            keys,
            want.events[name]
                .keys
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
        assert!(!d.can_edit, "a viewer cannot edit");
        assert!(d.discoveries.iter().any(|x| x.kind == "event"));
        let by_platform = events::detail(
            &services,
            &viewer,
            &tenant,
            name,
            range,
            events::Split::Platform,
        )
        .await
        .unwrap();
        assert!(
            by_platform
                .daily
                .series
                .iter()
                .all(|s| ["Android", "iOS"].contains(&s.label.as_str())),
            "{:?}",
            by_platform.daily.series
        );
        assert!(matches!(
            events::detail(
                &services,
                &viewer,
                &tenant,
                "noSuchEvent",
                range,
                events::Split::Version
            )
            .await,
            Err(ServiceError::NotFound)
        ));

        // Applications: per-version events add up to the tenant's total.
        let apps = applications::applications(&services, &viewer, &tenant, range)
            .await
            .unwrap();
        let app_events: i64 = apps
            .applications
            .iter()
            .flat_map(|a| a.versions.iter().map(|v| v.events))
            .sum();
        assert_eq!(app_events as u64, total, "{label}");
        let shop_android = apps
            .applications
            .iter()
            .find(|a| a.name == "Shopwave" && a.platform == "Android")
            .unwrap();
        assert_eq!(shop_android.versions[0].version, "3.10", "newest first");
        for day in 0..shop_android.share.buckets.len() {
            let share: f64 = shop_android
                .share
                .series
                .iter()
                .map(|s| s.values[day])
                .sum();
            assert!(
                share == 0.0 || (share - 1.0).abs() < 1e-9,
                "shares add up to 1: {share}"
            );
        }

        // The matrix: the old-only event stops after the oldest version.
        let m = matrix::matrix(&services, &tenant, range, None, Some("Shopwave (Android)"))
            .await
            .unwrap();
        assert_eq!(m.columns, ["3.8", "3.9", "3.10"], "{label}");
        let row = m.rows.iter().find(|r| r.event == name).unwrap();
        assert!(
            row.cells[0] > 0 && row.cells[1] == 0 && row.cells[2] == 0,
            "{:?}",
            row.cells
        );
        assert_eq!(row.stopped, vec![1, 2]);
        let err = matrix::matrix(&services, &tenant, range, None, Some("Nope (Web)"))
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("there is no application `Nope (Web)`"),
            "{err}"
        );
        let by_screen = matrix::matrix(&services, &tenant, range, Some("screen"), None)
            .await
            .unwrap();
        assert!(by_screen.columns.len() > 3);

        // Screens.
        let list = screens::list(&services, &tenant, range, None)
            .await
            .unwrap();
        let screen_total: i64 = list.rows.iter().map(|r| r.volume).sum();
        assert_eq!(screen_total as u64, total);
        let wishlist = screens::detail(&services, &viewer, &tenant, "Wishlist", range)
            .await
            .unwrap();
        assert_eq!(
            wishlist
                .events
                .iter()
                .filter(|e| e.first_seen.is_some())
                .count(),
            on_wishlist.len()
        );

        // Curation: owners edit, viewers are refused, bad input changes nothing.
        let subject = curate::Subject::Event(name.into());
        let edit = CurationEdit {
            description: Some("Shown when a legacy promo is viewed.".into()),
            owner: Some("Owner@Example.com".into()),
            status: Some("deprecated".into()),
            tags: Some(vec!["promo".into(), " Legacy ".into()]),
            quiet_days: Some(30),
        };
        assert!(matches!(
            curate::update(&services, &viewer, &tenant, &subject, &edit).await,
            Err(ServiceError::Forbidden)
        ));
        let owner_tenant = browse::open_tenant(&services, &owner, "shopwave")
            .await
            .unwrap();
        let saved = curate::update(&services, &owner, &owner_tenant, &subject, &edit)
            .await
            .unwrap();
        assert_eq!(saved.owner.as_deref(), Some("owner@example.com"));
        assert_eq!(saved.tags, ["legacy", "promo"]);
        assert_eq!(saved.quiet_days, Some(30));
        for (bad, message) in [
            (
                CurationEdit {
                    status: Some("retired".into()),
                    ..Default::default()
                },
                "status `retired` is not active, deprecated or obsolete",
            ),
            (
                CurationEdit {
                    owner: Some("stranger@example.com".into()),
                    ..Default::default()
                },
                "stranger@example.com is not a member of shopwave",
            ),
            (
                CurationEdit {
                    tags: Some(vec!["two words".into()]),
                    ..Default::default()
                },
                "tag `two words` is not valid",
            ),
            (
                CurationEdit {
                    quiet_days: Some(400),
                    ..Default::default()
                },
                "a quiet period of 400 days is not from 1 to 365",
            ),
            (
                CurationEdit {
                    description: Some("x".repeat(10_001)),
                    status: Some("active".into()),
                    ..Default::default()
                },
                "longer than 10000 characters",
            ),
        ] {
            let err = curate::update(&services, &owner, &owner_tenant, &subject, &bad)
                .await
                .unwrap_err();
            assert!(err.to_string().contains(message), "{err}");
        }
        let after = events::detail(
            &services,
            &viewer,
            &tenant,
            name,
            range,
            events::Split::Version,
        )
        .await
        .unwrap();
        assert_eq!(
            after.curation, saved,
            "{label}: refused edits changed nothing"
        );
        let tagged = events::list(
            &services,
            &tenant,
            range,
            &EventFilter {
                tag: Some("promo".into()),
                status: Some("deprecated".into()),
                owner: Some("owner@example.com".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            tagged
                .rows
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            [name]
        );
        let audit = blueprint_core::accounts::audit::list_audit(
            &services,
            &admin,
            &blueprint_core::accounts::audit::AuditQuery {
                action: Some("event.update".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(audit.len(), 1, "{label}: one change, one audit entry");
        assert!(audit[0].after.as_deref().unwrap().contains("deprecated"));

        // Comparison across tenants: only the caller's tenants.
        let shared = compare::compare(&services, &admin, "")
            .await
            .unwrap()
            .shared_events;
        assert!(shared.contains(&"appOpened".to_owned()), "{shared:?}");
        let c = compare::compare(&services, &admin, "appOpened")
            .await
            .unwrap();
        assert_eq!(
            c.tenants
                .iter()
                .map(|t| t.tenant.as_str())
                .collect::<Vec<_>>(),
            ["shopwave", "travelnest"]
        );
        assert!(c.keys.iter().all(|k| k.types.len() == 2));
        let alone = compare::compare(&services, &viewer, "appOpened")
            .await
            .unwrap();
        assert_eq!(alone.tenants.len(), 1);
        assert!(alone.shared_events.is_empty());

        // A new hour changes the ledger: what was ranked and cached before is ranked again.
        let by_volume = EventFilter {
            sort: Some("volume".into()),
            ..Default::default()
        };
        let before = events::list(&services, &tenant, range, &by_volume)
            .await
            .unwrap();
        assert_ne!(before.rows[0].name, "zzzBurst");
        let hour: Hour = "2026-11-03T00".parse().unwrap();
        let dir = root.join("shopwave").join(hour.folder());
        std::fs::create_dir_all(&dir).unwrap();
        let burst = r#"{"type":"track","event":"zzzBurst","context":{"app":{"name":"Shopwave","version":"3.9"},"os":{"name":"Android"}}}"#;
        std::fs::write(dir.join("part-0.jsonl"), vec![burst; 5000].join("\n")).unwrap();
        pipeline::ingest_hour(
            &services,
            "shopwave",
            hour,
            ingestion::Trigger::Cli,
            None,
            1,
        )
        .await
        .unwrap();
        let tenant = browse::open_tenant(&services, &viewer, "shopwave")
            .await
            .unwrap();
        let range = browse::resolve_range(&tenant, None, None).unwrap();
        let after = events::list(&services, &tenant, range, &by_volume)
            .await
            .unwrap();
        assert_eq!(after.rows[0].name, "zzzBurst", "{label}");
        assert_eq!(after.rows[0].volume, 5000);
        let o = overview::overview(&services, &tenant, range).await.unwrap();
        assert_eq!(
            o.movers_days,
            Some(("2026-11-01".into(), "2026-11-02".into()))
        );

        // JSON Schema of the observed keys.
        let schema = export::event_schema(&services, &tenant, name)
            .await
            .unwrap();
        let properties: BTreeMap<String, serde_json::Value> =
            serde_json::from_value(schema["properties"].clone()).unwrap();
        assert!(properties.contains_key("promo_id"), "{schema}");
        assert_eq!(
            schema["description"],
            "Shown when a legacy promo is viewed."
        );
    }
}
