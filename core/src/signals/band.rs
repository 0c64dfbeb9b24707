//! The expected band of one series over a range of hours, as the pages draw it (the event page's
//! chart, an incident's chart): observed against expected, with the interval outside which an
//! hour is anomalous, and the kind detection found where it found one.

use blueprint_types::signals::IncidentKind;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, StreamTrait};

use super::judge::band_at;
use super::load::{Scope, load};
use super::model::Input;
use super::series::Series;
use super::thresholds::Thresholds;
use crate::entities::anomaly;
use crate::hour::Hour;

/// One hour of a series against its expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub hour: Hour,
    /// The count; `None` where the tenant had no data in the hour (drawn as a gap, not zero).
    pub observed: Option<i64>,
    /// The expected count; `None` where there is not enough history for any model.
    pub expected: Option<f64>,
    /// Counts from `low` to `high` are normal (`None` with `expected`).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// What detection found in the hour, if it found it anomalous.
    pub anomaly: Option<IncidentKind>,
}

/// The band of `series` of the tenant over `[from, to)`, hour by hour.
pub async fn expected_band(
    conn: &(impl ConnectionTrait + StreamTrait),
    tenant_id: i64,
    series: &Series,
    from: Hour,
    to: Hour,
) -> Result<Vec<Band>, DbErr> {
    if to <= from {
        return Ok(Vec::new());
    }
    let th = Thresholds::DEFAULT;
    let start = from.plus(-th.history_hours());
    let scope = Scope {
        event: Some(series.event.clone()),
        application_platform: (!series.is_event_overall())
            .then(|| (series.application.clone(), series.platform.clone())),
        spans: Vec::new(),
    };
    let loaded = load(
        conn,
        tenant_id,
        start.epoch_seconds(),
        to.epoch_seconds(),
        &scope,
    )
    .await?;
    let found: std::collections::HashMap<i64, IncidentKind> = anomaly::Entity::find()
        .filter(anomaly::Column::TenantId.eq(tenant_id))
        .filter(anomaly::Column::Event.eq(&series.event))
        .filter(anomaly::Column::Application.eq(&series.application))
        .filter(anomaly::Column::Version.eq(&series.version))
        .filter(anomaly::Column::Platform.eq(&series.platform))
        .filter(anomaly::Column::Hour.gte(from.epoch_seconds()))
        .filter(anomaly::Column::Hour.lt(to.epoch_seconds()))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|row| Some((row.hour, row.kind.parse().ok()?)))
        .collect();
    let siblings = loaded.siblings(series);
    let input = if series.is_event_overall() {
        loaded.overall.get(&series.event).map(Input::Overall)
    } else {
        loaded.releases.get(series).map(|own| Input::Release {
            own,
            siblings: &siblings,
        })
    };
    Ok(from
        .until(to)
        .map(|hour| {
            let i = loaded.index(hour.epoch_seconds());
            let observed = i.and_then(|i| {
                input.map_or_else(
                    || loaded.data[i].then_some(0),
                    |input| input.history().counts[i],
                )
            });
            let drawn = i.zip(input).and_then(|(i, input)| band_at(input, i, &th));
            Band {
                hour,
                observed,
                expected: drawn.map(|d| d.0),
                low: drawn.map(|d| d.1),
                high: drawn.map(|d| d.2),
                anomaly: found.get(&hour.epoch_seconds()).copied(),
            }
        })
        .collect())
}
