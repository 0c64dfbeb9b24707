//! Tests of grouping one hour's anomalies.

use blueprint_types::signals::IncidentKind;

use super::group::groups;
use super::series::Series;
use super::thresholds::Thresholds;
use crate::entities::anomaly;

fn row(
    id: i64,
    series: Series,
    kind: IncidentKind,
    observed: i64,
    expected: f64,
) -> anomaly::Model {
    anomaly::Model {
        id,
        tenant_id: 1,
        hour: 0,
        event: series.event,
        application: series.application,
        version: series.version,
        platform: series.platform,
        kind: kind.as_str().to_owned(),
        observed,
        expected,
        low: 0.0,
        high: 0.0,
        incident_id: None,
    }
}

fn ids(groups: &[Vec<anomaly::Model>]) -> Vec<Vec<i64>> {
    let mut ids: Vec<Vec<i64>> = groups
        .iter()
        .map(|g| {
            let mut ids: Vec<i64> = g.iter().map(|r| r.id).collect();
            ids.sort();
            ids
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_release_groups_its_series_and_explains_the_event_overall() {
    let th = Thresholds::DEFAULT;
    let rows = vec![
        row(
            1,
            Series::release("checkout", "Shop", "5.2", "iOS"),
            IncidentKind::Drop,
            40,
            100.0,
        ),
        row(
            2,
            Series::release("pay", "Shop", "5.2", "iOS"),
            IncidentKind::Drop,
            10,
            50.0,
        ),
        row(3, Series::event("checkout"), IncidentKind::Drop, 150, 220.0),
        // Another release's spike: its own group, and it explains no drop.
        row(
            4,
            Series::release("search", "Shop", "5.1", "Android"),
            IncidentKind::Spike,
            90,
            40.0,
        ),
        // An event overall nothing explains: alone.
        row(5, Series::event("search"), IncidentKind::Drop, 100, 300.0),
    ];
    assert_eq!(ids(&groups(rows, &th)), [vec![1, 2, 3], vec![4], vec![5]]);
}

#[test]
fn versions_of_one_application_that_all_stop_are_one_group() {
    let th = Thresholds::DEFAULT;
    let stopped = |id, version| {
        row(
            id,
            Series::release("open", "Shop", version, "iOS"),
            IncidentKind::Stopped,
            0,
            30.0,
        )
    };
    let rows = vec![
        stopped(1, "5.1"),
        stopped(2, "5.2"),
        row(3, Series::event("open"), IncidentKind::Stopped, 0, 60.0),
        // A drop on another application stays its own.
        row(
            4,
            Series::release("open", "Travel", "1.0", "iOS"),
            IncidentKind::Drop,
            5,
            40.0,
        ),
    ];
    assert_eq!(ids(&groups(rows, &th)), [vec![1, 2, 3], vec![4]]);
}

#[test]
fn an_overall_drop_a_release_explains_only_in_part_is_its_own() {
    let th = Thresholds::DEFAULT;
    let rows = vec![
        row(
            1,
            Series::release("checkout", "Shop", "5.2", "iOS"),
            IncidentKind::Drop,
            70,
            100.0,
        ),
        row(2, Series::event("checkout"), IncidentKind::Drop, 300, 500.0),
    ];
    assert_eq!(ids(&groups(rows, &th)), [vec![1], vec![2]]);
}
