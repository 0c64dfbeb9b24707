//! Signals as the pages, the API and the command line show them: incidents (volume anomalies and
//! tenant outages) with the series they group. Hours are `YYYY-MM-DDTHH:00:00Z`; `to` is exclusive.

use serde::{Deserialize, Serialize};

use crate::rollouts::closed_set;

closed_set! {
    /// What an incident is, strongest first: `stopped` > `drop` > `spike`; `outage` is a tenant
    /// whose data stopped arriving.
    IncidentKind {
        /// Zero events in hours where at least 10 were expected.
        Stopped = "stopped",
        /// Fewer events than the expected interval allows.
        Drop = "drop",
        /// More events than the expected interval allows.
        Spike = "spike",
        /// No files at all for the tenant in hours where data was expected.
        Outage = "outage",
    }
}

impl IncidentKind {
    /// Rank for "the strongest of its series' kinds": higher is stronger.
    pub fn strength(self) -> u8 {
        match self {
            IncidentKind::Outage => 4,
            IncidentKind::Stopped => 3,
            IncidentKind::Drop => 2,
            IncidentKind::Spike => 1,
        }
    }
}

closed_set! {
    /// Where an incident stands.
    IncidentState {
        /// Still anomalous, or not yet back in its band for long enough.
        Open = "open",
        /// Back in its band for a while (set by Blueprint), or closed by hand.
        Resolved = "resolved",
        /// Someone has seen it and said so, with a comment.
        Acknowledged = "acknowledged",
        /// Out of sight until `snoozed_until`, then open again if still anomalous.
        Snoozed = "snoozed",
    }
}

/// One series of an incident: an event overall (application, version and platform `null`), an
/// event of one release, or — for an outage — the tenant (every dimension `null`). Sums over the
/// incident's hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentSeries {
    pub event: Option<String>,
    pub application: Option<String>,
    pub version: Option<String>,
    pub platform: Option<String>,
    pub observed: i64,
    pub expected: f64,
}

/// An incident, in the exact shape of `blueprint incidents --format json` and
/// `GET /api/v1/tenants/{tenant}/incidents`. A dimension its series do not share is `null`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    pub id: i64,
    pub kind: IncidentKind,
    pub event: Option<String>,
    pub application: Option<String>,
    pub version: Option<String>,
    pub platform: Option<String>,
    /// First anomalous hour.
    pub from: String,
    /// The last anomalous hour + 1 (exclusive); grows while the incident is open.
    pub to: String,
    /// Events observed, summed over its hours and series.
    pub observed: i64,
    /// Events expected, summed over its hours and series.
    pub expected: f64,
    pub state: IncidentState,
    pub series: Vec<IncidentSeries>,
}

/// An incident with what a person acting on it needs: who acted, the comment, the snooze, and
/// whether it was pushed as news.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub incident: Incident,
    pub tenant: String,
    pub comment: Option<String>,
    /// RFC 3339 UTC, while snoozed.
    pub snoozed_until: Option<String>,
    /// The email of the person who last acknowledged, snoozed, resolved or reopened it.
    pub acted_by: Option<String>,
    pub acted_at: Option<String>,
    /// Found in hours that were news (told to watchers) rather than history.
    pub news: bool,
    /// RFC 3339 UTC when it was told; `null` for history and for what is not told yet.
    pub told_at: Option<String>,
    /// The caller may acknowledge, snooze or resolve it (owners of the tenant and admins).
    pub can_act: bool,
}

/// `PATCH /api/v1/incidents/{id}`: one change of state. `{"state":"acknowledged","comment":…}`,
/// `{"snooze_until":"2026-12-02T09:00:00Z"}`, `{"state":"resolved"}` or `{"state":"open"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentChange {
    #[serde(default)]
    pub state: Option<IncidentState>,
    #[serde(default)]
    pub comment: Option<String>,
    /// RFC 3339 or `YYYY-MM-DDTHH`; implies `snoozed`.
    #[serde(default)]
    pub snooze_until: Option<String>,
}

/// One hour of one series on an incident's chart: what was counted against the band expected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandPoint {
    /// `YYYY-MM-DDTHH:00:00Z`.
    pub hour: String,
    /// The count; `null` where the tenant had no data in the hour (a gap, not zero).
    pub observed: Option<i64>,
    /// The expected count; `null` where there is not enough history for any model.
    pub expected: Option<f64>,
    /// The lowest count the expected interval allows.
    pub low: Option<f64>,
    /// The highest count the expected interval allows.
    pub high: Option<f64>,
    /// Detection found the hour anomalous (on an incident's chart: one of its hours).
    pub anomalous: bool,
}

/// What the event page's hourly chart adds: the event's incidents over its hours, and the event
/// overall against its expected band hour by hour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSignals {
    pub tenant: String,
    pub incidents: Vec<Incident>,
    pub band: Vec<BandPoint>,
}

/// One series of an incident with its hours, for the chart: observed against the expected band.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesChart {
    #[serde(flatten)]
    pub series: IncidentSeries,
    /// The series is muted: its anomalies raise no incident.
    pub muted: bool,
    /// Its hours, oldest first.
    pub points: Vec<BandPoint>,
}

/// `GET /api/v1/incidents/{id}`: an incident as its page shows it — who acted on it, and each
/// series with its hours against the expected band.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentReport {
    #[serde(flatten)]
    pub detail: IncidentDetail,
    pub charts: Vec<SeriesChart>,
}

/// The incidents page: the incidents of a range with the filters applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentList {
    pub tenant: String,
    /// The first hour of the range, `YYYY-MM-DDTHH:00:00Z`.
    pub from: String,
    /// The hour after the range (exclusive).
    pub to: String,
    pub incidents: Vec<Incident>,
    /// Open incidents of the tenant now, whatever the range.
    pub open: usize,
    /// The caller may act on them (owners and admins).
    pub can_act: bool,
}

/// A series to mute or unmute (`PUT`/`DELETE /api/v1/tenants/{tenant}/mutes`): an event overall
/// (application, version and platform absent), an event of one release, or the whole tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesName {
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub application: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
}

impl Incident {
    /// What it touches, in words: the dimensions its series share (`application version
    /// (platform)` for a release), `several events` where they differ, or the tenant for an
    /// outage.
    pub fn what(&self) -> String {
        if self.kind == IncidentKind::Outage {
            return "the whole tenant".to_owned();
        }
        let mut parts = vec![match (&self.event, self.series.len()) {
            (Some(event), _) => event.clone(),
            (None, n) if n > 1 => format!("{n} series"),
            (None, _) => "every event".to_owned(),
        }];
        let release = match (&self.application, &self.version, &self.platform) {
            (None, None, None) => None,
            (application, version, platform) => Some(
                [
                    application.clone(),
                    version.clone(),
                    platform.as_ref().map(|p| format!("({p})")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            ),
        };
        if let Some(release) = release {
            parts.push(format!("on {release}"));
        }
        parts.join(" ")
    }

    /// Observed against expected as a relative change (`-0.5` is half), when something was
    /// expected.
    pub fn change(&self) -> Option<f64> {
        (self.expected > 0.0).then(|| self.observed as f64 / self.expected - 1.0)
    }

    /// `observed vs expected (change)`, as the list and the command line show it.
    pub fn figures(&self) -> String {
        let change = self
            .change()
            .map(|c| format!(" ({:+.0} %)", c * 100.0))
            .unwrap_or_default();
        format!("{} vs {:.0} expected{change}", self.observed, self.expected)
    }
}

/// An hour (`YYYY-MM-DDTHH`, optionally `:00:00Z`) moved by `hours`, as `YYYY-MM-DDTHH:00:00Z`;
/// `None` when it is not an hour. For pages that compute ranges in the browser too.
pub fn shift_hour(hour: &str, hours: i64) -> Option<String> {
    let num = |range: std::ops::Range<usize>| hour.get(range)?.parse::<i64>().ok();
    if hour.get(4..5) != Some("-") || hour.get(7..8) != Some("-") || hour.get(10..11) != Some("T") {
        return None;
    }
    let (y, m, d, h) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(0..24).contains(&h) {
        return None;
    }
    let total = crate::words::days_from_civil(y, m, d) * 24 + h + hours;
    let (days, h) = (total.div_euclid(24), total.rem_euclid(24));
    let (y, m, d) = crate::words::civil_from_days(days);
    Some(format!("{y:04}-{m:02}-{d:02}T{h:02}:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_shift_across_days_months_and_years() {
        assert_eq!(
            shift_hour("2026-12-31T23:00:00Z", 1).as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            shift_hour("2024-03-01T05", -24).as_deref(),
            Some("2024-02-29T05:00:00Z")
        );
        assert_eq!(shift_hour("2026-11-20", 1), None);
        assert_eq!(shift_hour("2026-11-20T24", 1), None);
    }
}
