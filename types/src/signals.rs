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
