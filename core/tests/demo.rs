//! The demo data set, ingested, must give exactly what its generator (which does not use
//! blueprint-core) says: counts, sessions, first/last seen, key types, per-hour health. And
//! re-ingesting hours in any order, any number of times, leaves the ledger byte-for-byte the same.

use std::collections::BTreeMap;

use blueprint_core::Services;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::ledger::{catalog, counts};
use blueprint_core::pipeline;
use blueprint_core::testing::test_databases;
use blueprint_demo::{DemoOptions, Expected, TENANTS, generate};
use chrono::{TimeZone, Utc};
use sea_orm::{FromQueryResult, JsonValue, Statement};

fn options() -> DemoOptions {
    DemoOptions {
        first_hour: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        hours: 30,
        events_per_hour: 60,
        seed: 7,
    }
}

fn range() -> (Hour, Hour) {
    let from = Hour::containing(options().first_hour);
    (from, from.plus(i64::from(options().hours)))
}

async fn check_against(services: &Services, expected: &Expected, label: &str) {
    let (from, to) = range();
    for tenant in TENANTS {
        let want = &expected.tenants[tenant];
        let tenant_id = ingestion::tenant_id(services, tenant).await.unwrap();
        let rows = counts::hourly_counts(services, tenant_id, from, to)
            .await
            .unwrap();
        let got: BTreeMap<_, _> = rows
            .iter()
            .map(|r| {
                (
                    (
                        r.hour.clone(),
                        r.application.clone(),
                        r.version.clone(),
                        r.platform.clone(),
                        r.screen.clone(),
                        r.event.clone(),
                    ),
                    (r.events as u64, r.sessions as u64),
                )
            })
            .collect();
        let wanted: BTreeMap<_, _> = want
            .counts
            .iter()
            .map(|(k, v)| {
                (
                    (
                        k.hour.clone(),
                        k.application.clone(),
                        k.version.clone(),
                        k.platform.clone(),
                        k.screen.clone(),
                        k.event.clone(),
                    ),
                    (v.events, v.sessions),
                )
            })
            .collect();
        assert_eq!(
            got.len(),
            wanted.len(),
            "{tenant} on {label}: number of count rows"
        );
        assert_eq!(got, wanted, "{tenant} on {label}: counts");

        let catalog = catalog::catalog(services, tenant_id, tenant).await.unwrap();
        let apps: BTreeMap<_, _> = catalog
            .applications
            .iter()
            .map(|a| {
                (
                    (a.name.clone(), a.platform.clone(), a.version.clone()),
                    (a.first_seen.clone().unwrap(), a.last_seen.clone().unwrap()),
                )
            })
            .collect();
        let want_apps: BTreeMap<_, _> = want
            .applications
            .iter()
            .map(|(k, s)| (k.clone(), (s.first.clone(), s.last.clone())))
            .collect();
        assert_eq!(apps, want_apps, "{tenant} on {label}: applications");
        let screens: BTreeMap<_, _> = catalog
            .screens
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    (s.first_seen.clone().unwrap(), s.last_seen.clone().unwrap()),
                )
            })
            .collect();
        let want_screens: BTreeMap<_, _> = want
            .screens
            .iter()
            .map(|(k, s)| (k.clone(), (s.first.clone(), s.last.clone())))
            .collect();
        assert_eq!(screens, want_screens, "{tenant} on {label}: screens");
        assert_eq!(
            catalog.events.len(),
            want.events.len(),
            "{tenant} on {label}: events"
        );
        for event in &catalog.events {
            let expected_event = &want.events[&event.name];
            assert_eq!(
                (event.first_seen.as_deref(), event.last_seen.as_deref()),
                (
                    Some(expected_event.seen.first.as_str()),
                    Some(expected_event.seen.last.as_str())
                ),
                "{tenant} on {label}: {}",
                event.name
            );
            let keys: BTreeMap<_, _> = event
                .keys
                .iter()
                .map(|k| {
                    let types: BTreeMap<String, u64> = k
                        .types
                        .iter()
                        .map(|(t, n)| (t.clone(), *n as u64))
                        .collect();
                    (
                        k.path.clone(),
                        (
                            types,
                            k.first_seen.clone().unwrap(),
                            k.last_seen.clone().unwrap(),
                        ),
                    )
                })
                .collect();
            let want_keys: BTreeMap<_, _> = expected_event
                .keys
                .iter()
                .map(|(path, k)| {
                    (
                        path.clone(),
                        (k.types.clone(), k.seen.first.clone(), k.seen.last.clone()),
                    )
                })
                .collect();
            assert_eq!(
                keys, want_keys,
                "{tenant} on {label}: keys of {}",
                event.name
            );
        }
        let sessions = JsonValue::find_by_statement(Statement::from_string(
            services.db.backend(),
            format!(
                "SELECT h.hour AS hour, a.name AS app, v.version AS version, a.platform AS platform, h.sessions AS sessions \
                 FROM hourly_sessions h JOIN app_versions v ON v.id = h.version_id JOIN applications a ON a.id = v.application_id \
                 WHERE h.tenant_id = {tenant_id}"
            ),
        ))
        .all(services.db.conn())
        .await
        .unwrap();
        let got: BTreeMap<_, _> = sessions
            .iter()
            .map(|row| {
                let hour = Hour::from_epoch_seconds(row["hour"].as_i64().unwrap())
                    .unwrap()
                    .to_string();
                let text = |k: &str| row[k].as_str().unwrap().to_owned();
                (
                    (hour, text("app"), text("version"), text("platform")),
                    row["sessions"].as_i64().unwrap() as u64,
                )
            })
            .collect();
        assert_eq!(
            got, want.version_sessions,
            "{tenant} on {label}: sessions per version"
        );
    }
}

/// Every ledger table, in a fixed order, without run ids and wall-clock times.
async fn dump(services: &Services) -> String {
    let queries = [
        "SELECT * FROM applications ORDER BY id",
        "SELECT * FROM app_versions ORDER BY id",
        "SELECT * FROM screens ORDER BY id",
        "SELECT * FROM events ORDER BY id",
        "SELECT * FROM combinations ORDER BY id",
        "SELECT * FROM event_keys ORDER BY id",
        "SELECT * FROM key_types ORDER BY id",
        "SELECT * FROM hourly_counts ORDER BY combination_id, hour",
        "SELECT tenant_id, hour, version_id, sessions FROM hourly_sessions ORDER BY version_id, hour",
        "SELECT * FROM hourly_keys ORDER BY version_id, key_id, hour",
        "SELECT * FROM daily_counts ORDER BY combination_id, day",
        "SELECT * FROM daily_keys ORDER BY version_id, key_id, day",
        "SELECT tenant_id, day, version_id, sessions, events FROM daily_sessions ORDER BY version_id, day",
        "SELECT * FROM event_days ORDER BY event_id, day",
        "SELECT * FROM version_event_days ORDER BY version_id, event_id, day",
        "SELECT * FROM screen_days ORDER BY screen_id, day",
        "SELECT id, tenant_id, kind, subject_id, label, hour, news FROM discoveries ORDER BY id",
        "SELECT tenant_id, hour, status, files FROM ingested_hours ORDER BY tenant_id, hour",
    ];
    let mut out = String::new();
    for sql in queries {
        let rows = JsonValue::find_by_statement(Statement::from_string(
            services.db.backend(),
            sql.to_owned(),
        ))
        .all(services.db.conn())
        .await
        .unwrap();
        out.push_str(sql);
        out.push('\n');
        for row in rows {
            out.push_str(&row.to_string());
            out.push('\n');
        }
    }
    let sketches = JsonValue::find_by_statement(Statement::from_string(
        services.db.backend(),
        "SELECT version_id, hour FROM hourly_sessions ORDER BY version_id, hour".to_owned(),
    ))
    .all(services.db.conn())
    .await
    .unwrap();
    out.push_str(&format!("{} sketches\n", sketches.len()));
    out
}

#[tokio::test]
async fn the_demo_data_ingests_to_exactly_what_the_generator_wrote() {
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        let expected = generate(&root, &options()).unwrap();
        let services = db.services(&root);
        let (from, to) = range();
        for tenant in TENANTS {
            let outcomes = pipeline::backfill(&services, tenant, from, to, 2, |_, _, _| {})
                .await
                .unwrap();
            let want = &expected.tenants[tenant];
            for outcome in &outcomes {
                let hour = outcome.hour.to_string();
                let stats = &outcome.stats;
                match want.hours.get(&hour) {
                    Some(h) => assert_eq!(
                        (
                            stats.lines,
                            stats.rejected,
                            stats.skewed,
                            stats.untimed,
                            stats.events
                        ),
                        (h.lines, h.rejected, h.skewed, h.untimed, h.events),
                        "{tenant} {hour} on {}",
                        db.label
                    ),
                    None => assert_eq!(stats.lines, 0, "{tenant} {hour}: no folder"),
                }
            }
        }
        check_against(&services, &expected, db.label).await;

        let before = dump(&services).await;
        // Re-ingest every hour again in a scrambled order, some twice.
        let hours: Vec<Hour> = from.until(to).collect();
        let mut order: Vec<Hour> = (0..hours.len())
            .map(|i| hours[(i * 7 + 3) % hours.len()])
            .collect();
        order.extend(hours.iter().rev().step_by(5));
        for tenant in TENANTS {
            for hour in &order {
                pipeline::ingest_hour(&services, tenant, *hour, Trigger::Cli, None, 2)
                    .await
                    .unwrap();
            }
        }
        let after = dump(&services).await;
        assert!(
            before == after,
            "{}: the ledger changed after re-ingesting",
            db.label
        );
        check_against(&services, &expected, db.label).await;
    }
}

/// The demo plants volume anomalies in its last days (see `blueprint_demo`'s `anomalies`); a
/// range of two days always holds the evening one: iOS 3.10.0 of the shopping app sends no screen
/// loads for four hours. Ingested like `blueprint demo` (a backfill: history, told to no one),
/// it is one incident of kind `stopped` on that release, and the rest of the data raises none.
#[tokio::test]
async fn the_demo_shows_its_planted_stop_as_one_incident_and_nothing_else() {
    use blueprint_core::signals::store::{self, Filter};
    use blueprint_types::signals::{IncidentKind, IncidentState};

    let options = DemoOptions {
        first_hour: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        hours: 48,
        events_per_hour: 1500,
        seed: 7,
    };
    let from = Hour::containing(options.first_hour);
    let to = from.plus(48);
    for db in test_databases().await {
        let root = db.scratch_dir().join("events");
        generate(&root, &options).unwrap();
        let services = db.services(&root);
        let mut found = BTreeMap::new();
        for tenant in TENANTS {
            pipeline::backfill(&services, tenant, from, to, 2, |_, _, _| {})
                .await
                .unwrap();
            let tenant_id = ingestion::tenant_id(&services, tenant).await.unwrap();
            let incidents =
                store::list(services.db.conn(), tenant_id, from, to, &Filter::default())
                    .await
                    .unwrap();
            found.insert(tenant, incidents);
        }
        assert!(
            found["travelnest"].is_empty(),
            "{}: {:?}",
            db.label,
            found["travelnest"]
        );
        let [stop] = found["shopwave"].as_slice() else {
            panic!("{}: one incident wanted: {:?}", db.label, found["shopwave"]);
        };
        assert_eq!(stop.kind, IncidentKind::Stopped, "{}", db.label);
        assert_eq!(
            (
                stop.event.as_deref(),
                stop.application.as_deref(),
                stop.version.as_deref(),
                stop.platform.as_deref()
            ),
            (
                Some("screen"),
                Some("Shopwave"),
                Some("3.10.0"),
                Some("iOS")
            ),
            "{}",
            db.label
        );
        // 19:00 on the second day (the latest evening hour at least four hours before the end),
        // for its four hours.
        assert_eq!(
            (stop.from.as_str(), stop.to.as_str()),
            ("2026-11-02T19:00:00Z", "2026-11-02T23:00:00Z"),
            "{}",
            db.label
        );
        assert_eq!(stop.observed, 0, "{}", db.label);
        assert!(stop.expected >= 40.0, "{}: {}", db.label, stop.expected);
        assert_eq!(stop.state, IncidentState::Open, "{}", db.label);
    }
}
