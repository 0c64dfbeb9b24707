//! Incidents written straight into the tables, as the detector would, for the surfaces' tests.

use blueprint_core::Services;
use blueprint_core::entities::{anomaly, incident, incident_series, tenant};
use blueprint_core::hour::Hour;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// A series of an incident: (event, application, version, platform) with `''` for absent,
/// observed and expected summed over its hours.
pub type SeedSeries = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    f64,
);

pub struct SeedIncident {
    pub kind: &'static str,
    pub shared: [Option<&'static str>; 4],
    pub from: &'static str,
    pub hours: i64,
    pub series: Vec<SeedSeries>,
}

/// The id of tenant `slug`.
pub async fn tenant_id(services: &Services, slug: &str) -> i64 {
    tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug))
        .one(services.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Writes an open incident of tenant `slug`, found in news, with its series and, per series,
/// one anomalous hour per hour (the sums spread evenly); returns its id.
pub async fn seed(services: &Services, slug: &str, seed: SeedIncident) -> i64 {
    let conn = services.db.conn();
    let tenant_id = tenant_id(services, slug).await;
    let start: Hour = seed.from.parse().unwrap();
    let observed: i64 = seed.series.iter().map(|s| s.4).sum();
    let expected: f64 = seed.series.iter().map(|s| s.5).sum();
    let [event, application, version, platform] = seed.shared.map(|d| d.map(str::to_owned));
    let row = incident::ActiveModel {
        tenant_id: Set(tenant_id),
        kind: Set(seed.kind.to_owned()),
        scope: Set(if seed.series.len() > 1 {
            "release"
        } else {
            "series"
        }
        .to_owned()),
        event: Set(event),
        application: Set(application),
        version: Set(version),
        platform: Set(platform),
        start_hour: Set(start.epoch_seconds()),
        end_hour: Set(start.plus(seed.hours).epoch_seconds()),
        observed: Set(observed),
        expected: Set(expected),
        state: Set("open".to_owned()),
        comment: Set(None),
        snoozed_until: Set(None),
        acted_by: Set(None),
        acted_at: Set(None),
        news: Set(true),
        told_at: Set(None),
        returned_told_at: Set(None),
        resolved_at: Set(None),
        created_at: Set(start.epoch_seconds()),
        updated_at: Set(start.epoch_seconds()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    for (event, application, version, platform, observed, expected) in seed.series {
        incident_series::ActiveModel {
            incident_id: Set(row.id),
            tenant_id: Set(tenant_id),
            event: Set(event.to_owned()),
            application: Set(application.to_owned()),
            version: Set(version.to_owned()),
            platform: Set(platform.to_owned()),
            kind: Set(seed.kind.to_owned()),
            observed: Set(observed),
            expected: Set(expected),
            ..Default::default()
        }
        .insert(conn)
        .await
        .unwrap();
        for offset in 0..seed.hours {
            let share = expected / seed.hours as f64;
            anomaly::ActiveModel {
                tenant_id: Set(tenant_id),
                hour: Set(start.plus(offset).epoch_seconds()),
                event: Set(event.to_owned()),
                application: Set(application.to_owned()),
                version: Set(version.to_owned()),
                platform: Set(platform.to_owned()),
                kind: Set(seed.kind.to_owned()),
                observed: Set(observed / seed.hours),
                expected: Set(share),
                low: Set(share * 0.8),
                high: Set(share * 1.2),
                incident_id: Set(Some(row.id)),
                ..Default::default()
            }
            .insert(conn)
            .await
            .unwrap();
        }
    }
    row.id
}

/// The two incidents of `shop` the tests read: a drop of release Shop 2.0 (iOS) over events
/// `open` and `tap` from 2026-11-01T00 for 3 hours (its event is not shared), and a spike of
/// event `open` overall from 2026-10-30T10 for 2 hours; and a stopped event of `acme`.
pub async fn seed_shop(services: &Services) -> (i64, i64, i64) {
    let release = seed(
        services,
        "shop",
        SeedIncident {
            kind: "drop",
            shared: [None, Some("Shop"), Some("2.0"), Some("iOS")],
            from: "2026-11-01T00",
            hours: 3,
            series: vec![
                ("open", "Shop", "2.0", "iOS", 21, 72.0),
                ("tap", "Shop", "2.0", "iOS", 9, 30.0),
            ],
        },
    )
    .await;
    let overall = seed(
        services,
        "shop",
        SeedIncident {
            kind: "spike",
            shared: [Some("open"), None, None, None],
            from: "2026-10-30T10",
            hours: 2,
            series: vec![("open", "", "", "", 500, 200.0)],
        },
    )
    .await;
    let foreign = seed(
        services,
        "acme",
        SeedIncident {
            kind: "stopped",
            shared: [Some("open"), None, None, None],
            from: "2026-11-01T00",
            hours: 1,
            series: vec![("open", "", "", "", 0, 40.0)],
        },
    )
    .await;
    (release, overall, foreign)
}

/// The incidents [`seed_shop`] writes (its release drop, then its overall spike), in the exact
/// JSON of `GET /api/v1/tenants/{tenant}/incidents` and `blueprint incidents --format json`.
pub fn shop_incidents_json(release: i64, overall: i64) -> serde_json::Value {
    serde_json::json!([
        {"id": release, "kind": "drop", "event": null, "application": "Shop",
         "version": "2.0", "platform": "iOS", "from": "2026-11-01T00:00:00Z",
         "to": "2026-11-01T03:00:00Z", "observed": 30, "expected": 102.0, "state": "open",
         "series": [
            {"event": "open", "application": "Shop", "version": "2.0", "platform": "iOS",
             "observed": 21, "expected": 72.0},
            {"event": "tap", "application": "Shop", "version": "2.0", "platform": "iOS",
             "observed": 9, "expected": 30.0},
         ]},
        {"id": overall, "kind": "spike", "event": "open", "application": null,
         "version": null, "platform": null, "from": "2026-10-30T10:00:00Z",
         "to": "2026-10-30T12:00:00Z", "observed": 500, "expected": 200.0,
         "state": "open",
         "series": [{"event": "open", "application": null, "version": null,
                     "platform": null, "observed": 500, "expected": 200.0}]},
    ])
}
