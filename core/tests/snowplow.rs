//! The `snowplow` preset on real Snowplow enriched events (`../shared/data/real/snowplow`, read in
//! place): every line is accepted and the ledger's counts equal an independent count made here
//! with serde_json, on every test database.

use std::collections::{BTreeMap, BTreeSet};

use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunStatus};
use blueprint_core::ledger::counts;
use blueprint_core::mapping::Mapping;
use blueprint_core::mappings;
use blueprint_core::pipeline;
use blueprint_core::testing::test_databases;
use serde_json::Value;

#[path = "support/snowplow_samples.rs"]
mod snowplow_samples;

use snowplow_samples::real_root;

/// (hour, application, version, platform, screen, event).
type CountKey = (String, String, String, String, String, String);

fn first(value: &Value, paths: &[&[&str]]) -> String {
    for path in paths {
        let mut at = value;
        let mut found = true;
        for step in *path {
            at = match step.parse::<usize>() {
                Ok(index) => match at.get(index) {
                    Some(next) => next,
                    None => {
                        found = false;
                        break;
                    }
                },
                Err(_) => match at.get(*step) {
                    Some(next) => next,
                    None => {
                        found = false;
                        break;
                    }
                },
            };
        }
        if !found {
            continue;
        }
        match at {
            Value::String(s) if !s.is_empty() => return s.clone(),
            Value::Number(n) => return n.to_string(),
            _ => {}
        }
    }
    "(none)".to_owned()
}

/// (hour, app, version, platform, screen, event) → (events, distinct sessions), by reading the
/// files with serde_json.
fn expected(tenant: &str) -> BTreeMap<CountKey, (i64, i64)> {
    let mut sessions: BTreeMap<_, BTreeSet<String>> = BTreeMap::new();
    let mut events: BTreeMap<_, i64> = BTreeMap::new();
    for day in std::fs::read_dir(real_root().join(tenant)).unwrap() {
        let day = day.unwrap().path();
        for hour in std::fs::read_dir(&day).unwrap() {
            let hour = hour.unwrap().path();
            let label = format!(
                "{}T{}:00:00Z",
                day.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .trim_start_matches("dt="),
                hour.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .trim_start_matches("hr=")
            );
            for file in std::fs::read_dir(&hour).unwrap() {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    let v: Value = serde_json::from_str(line).unwrap();
                    let key = (
                        label.clone(),
                        first(&v, &[&["app_id"]]),
                        first(
                            &v,
                            &[&[
                                "contexts_com_snowplowanalytics_mobile_application_1",
                                "0",
                                "version",
                            ]],
                        ),
                        first(&v, &[&["platform"]]),
                        first(
                            &v,
                            &[
                                &[
                                    "unstruct_event_com_snowplowanalytics_mobile_screen_view_1",
                                    "name",
                                ],
                                &[
                                    "contexts_com_snowplowanalytics_mobile_screen_1",
                                    "0",
                                    "name",
                                ],
                                &["page_urlpath"],
                            ],
                        ),
                        first(&v, &[&["event_name"], &["event"]]),
                    );
                    let session = first(
                        &v,
                        &[
                            &[
                                "contexts_com_snowplowanalytics_snowplow_client_session_1",
                                "0",
                                "sessionId",
                            ],
                            &[
                                "contexts_com_snowplowanalytics_snowplow_client_session_1",
                                "0",
                                "session_id",
                            ],
                            &["domain_sessionid"],
                        ],
                    );
                    *events.entry(key.clone()).or_default() += 1;
                    let set = sessions.entry(key).or_default();
                    if session != "(none)" {
                        set.insert(session);
                    }
                }
            }
        }
    }
    events
        .into_iter()
        .map(|(key, n)| {
            let s = sessions.get(&key).map_or(0, |s| s.len() as i64);
            (key, (n, s))
        })
        .collect()
}

#[tokio::test]
async fn the_snowplow_preset_ingests_real_snowplow_events_exactly() {
    let from: Hour = "2020-07-01T00".parse().unwrap();
    let to: Hour = "2021-05-01T00".parse().unwrap();
    for db in test_databases().await {
        let services = db.services(&real_root());
        for tenant in ["snowplow-mobile", "snowplow-web"] {
            let tenant_id = ingestion::tenant_id(&services, tenant).await.unwrap();
            // The samples span months; keep them all in hourly detail to compare every hour.
            blueprint_core::tenants::set_retention_days(&services, tenant, 1000)
                .await
                .unwrap();
            mappings::save_mapping(&services, tenant_id, &Mapping::preset("snowplow").unwrap())
                .await
                .unwrap();
            let mut hours = BTreeSet::new();
            let day_dirs = std::fs::read_dir(real_root().join(tenant)).unwrap();
            for day in day_dirs {
                let day = day.unwrap();
                for hour in std::fs::read_dir(day.path()).unwrap() {
                    let name = format!(
                        "{}T{}",
                        day.file_name().to_str().unwrap().trim_start_matches("dt="),
                        hour.unwrap()
                            .file_name()
                            .to_str()
                            .unwrap()
                            .trim_start_matches("hr=")
                    );
                    hours.insert(name.parse::<Hour>().unwrap());
                }
            }
            let mut lines = 0;
            for hour in &hours {
                let outcome = pipeline::ingest_hour(
                    &services,
                    tenant,
                    *hour,
                    ingestion::Trigger::Cli,
                    None,
                    2,
                )
                .await
                .unwrap();
                assert_eq!(outcome.status, RunStatus::Ok, "{tenant} {hour}");
                assert_eq!(
                    outcome.stats.rejected, 0,
                    "{tenant} {hour}: {:?}",
                    outcome.stats.samples
                );
                lines += outcome.stats.events;
            }
            assert_eq!(
                lines,
                if tenant == "snowplow-mobile" {
                    130
                } else {
                    161
                },
                "{}",
                db.label
            );
            let rows = counts::hourly_counts(&services, tenant_id, from, to)
                .await
                .unwrap();
            let got: BTreeMap<_, _> = rows
                .into_iter()
                .map(|r| {
                    (
                        (
                            r.hour,
                            r.application,
                            r.version,
                            r.platform,
                            r.screen,
                            r.event,
                        ),
                        (r.events, r.sessions),
                    )
                })
                .collect();
            assert_eq!(got, expected(tenant), "{tenant} on {}", db.label);
        }
    }
}
