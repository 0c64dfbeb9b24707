//! The catalog as its pages and the REST API show it. Hours are `YYYY-MM-DDTHH:00:00Z`, days
//! `YYYY-MM-DD`, both UTC. Session figures over more than one hour are sketch estimates.

use serde::{Deserialize, Serialize};

/// The days a page covers: `[from, to)`, whole UTC days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayRange {
    pub from: String,
    pub to: String,
    pub days: i64,
}

/// Values over aligned buckets (hours or days), one series per label.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeSeries {
    /// Bucket starts: hours or days.
    pub buckets: Vec<String>,
    pub series: Vec<Series>,
    /// Buckets in the tenant's gap, the hours ingested without data after its latest hour with
    /// data (an outage of its pipeline): their values are no data, not zero counts. Charts draw
    /// them as a band labelled "no data".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_data: Vec<String>,
    /// Buckets only partly ingested (the day of the tenant's latest ingested hour): their values
    /// are counts so far. Charts draw them lighter or dashed, marked "so far".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<String>,
    /// Buckets wholly after the tenant's latest ingested hour: nothing is known of them yet
    /// (not a zero). Charts leave them undrawn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ingested: Vec<String>,
}

/// How much of a run of day buckets (a sparkline's points) the ledger holds: the first
/// `complete` days are complete, the next one is partial (counts so far) when `partial`, and the
/// rest are not ingested yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub complete: usize,
    pub partial: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// Description, owner, tags and manual status: what people curate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Curation {
    pub description: Option<String>,
    pub owner: Option<String>,
    /// `active`, `deprecated` or `obsolete`.
    pub status: String,
    pub tags: Vec<String>,
    /// Events only: days without a sighting before the event is marked obsolete, when it has
    /// its own period (otherwise the tenant's, 7 days by default).
    #[serde(default)]
    pub quiet_days: Option<i32>,
}

/// A first sighting, dated by its hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscoveryItem {
    pub kind: String,
    pub label: String,
    pub hour: String,
    /// Pushed to watchers (later than everything ingested before), or history.
    pub news: bool,
}

/// Something not seen for a while.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuietItem {
    pub kind: String,
    pub name: String,
    pub last_seen: String,
}

/// An event whose volume changed most from one day to the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mover {
    pub event: String,
    pub before: i64,
    pub after: i64,
}

/// An hour whose ingestion failed, or that has no run at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourProblem {
    pub hour: String,
    /// `failed` or `missing`.
    pub problem: String,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// The latest hour with data.
    pub latest_hour: Option<String>,
    /// The first hour of the tenant's gap (hours ingested without data after its latest hour
    /// with data), and how many hours it spans: "no data since …".
    #[serde(default)]
    pub no_data_since: Option<String>,
    #[serde(default)]
    pub no_data_hours: i64,
    pub hours_ok: i64,
    pub hours_no_data: i64,
    pub problems: Vec<HourProblem>,
    /// Failed or missing hours in the range (the list above is capped).
    pub problem_count: i64,
    pub rejected_lines: i64,
    pub lines: i64,
}

/// `/t/{tenant}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    pub tenant: String,
    pub name: String,
    pub range: DayRange,
    /// Events and (approximate) sessions per hour.
    pub activity: TimeSeries,
    pub events_total: i64,
    pub health: Health,
    /// Discoveries in the range, newest first (capped), and how many of each kind.
    pub discovered: Vec<DiscoveryItem>,
    pub discovered_by_kind: Vec<(String, i64)>,
    pub quiet: Vec<QuietItem>,
    pub movers: Vec<Mover>,
    /// The two days compared by `movers`.
    pub movers_days: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionEntry {
    pub version: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub events: i64,
    pub sessions: i64,
    pub events_per_session: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationEntry {
    pub name: String,
    pub platform: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub curation: Curation,
    /// Newest first.
    pub versions: Vec<VersionEntry>,
    /// Per day, each version's share of the application's sessions (0–1), or of its events
    /// when it sent no session ids in the range.
    pub share: TimeSeries,
    /// What `share` divides: `sessions` or `events`.
    #[serde(default)]
    pub share_of: String,
}

/// `/t/{tenant}/applications`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applications {
    pub range: DayRange,
    /// Whether the caller may edit the applications' curation (owners and admins).
    pub can_edit: bool,
    pub applications: Vec<ApplicationEntry>,
}

/// Filters of the events list; every field optional, as the query string gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct EventFilter {
    /// Part of the name or description, any case.
    pub q: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
    pub tag: Option<String>,
    pub application: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub screen: Option<String>,
    /// First seen on or after this day (`YYYY-MM-DD`).
    pub new_since: Option<String>,
    /// Last seen before this day.
    pub not_seen_since: Option<String>,
    /// `name` (default), `volume`, `first_seen` or `last_seen`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    pub page: Option<u32>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventRow {
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub status: String,
    pub tags: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Events in the range.
    pub volume: i64,
    /// Events per day of the range.
    pub sparkline: Vec<i64>,
}

/// Values the filters can take, for the list's pickers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilterOptions {
    pub applications: Vec<String>,
    pub platforms: Vec<String>,
    pub versions: Vec<String>,
    pub screens: Vec<String>,
    pub owners: Vec<String>,
    pub tags: Vec<String>,
}

/// `/t/{tenant}/events`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventList {
    pub range: DayRange,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub rows: Vec<EventRow>,
    /// How much of the range's days (the sparklines' points) is ingested.
    #[serde(default)]
    pub coverage: Coverage,
    pub options: FilterOptions,
}

/// Where an event fires (a screen, or an application version) and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeenRow {
    pub name: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Events in the range.
    pub events: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRow {
    pub path: String,
    /// Each JSON type seen in the range, with its count, most frequent first.
    pub types: Vec<(String, i64)>,
    /// The versions that sent each type in the range (same order as `types`), oldest first.
    #[serde(default)]
    pub type_versions: Vec<Vec<String>>,
    /// More than one type (leaving `null` aside).
    pub conflict: bool,
    /// Share of the event's lines in the range that carried the key (0–1).
    pub coverage: f64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// `/t/{tenant}/events/{event}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventDetail {
    pub tenant: String,
    pub name: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub curation: Curation,
    /// The status shown (the list's badge): the manual status, or `quiet` for an active event
    /// last seen 48 hours or more before the tenant's latest hour.
    #[serde(default)]
    pub shown_status: String,
    pub can_edit: bool,
    pub range: DayRange,
    /// `version` or `platform`.
    pub split: String,
    /// Per hour over the range (at most 7 days), split.
    pub hourly: TimeSeries,
    /// Per day over the 90 days up to the range's end, split.
    pub daily: TimeSeries,
    pub events_total: i64,
    pub screens: Vec<SeenRow>,
    pub versions: Vec<SeenRow>,
    pub keys: Vec<KeyRow>,
    pub discoveries: Vec<DiscoveryItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenRow {
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub volume: i64,
}

/// `/t/{tenant}/screens`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenList {
    pub range: DayRange,
    pub rows: Vec<ScreenRow>,
}

/// `/t/{tenant}/screens/{screen}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenDetail {
    pub tenant: String,
    pub name: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub curation: Curation,
    pub can_edit: bool,
    pub range: DayRange,
    /// Events on the screen per day, the biggest events split out.
    pub daily: TimeSeries,
    pub events: Vec<SeenRow>,
}

/// `/t/{tenant}/matrix`: events × versions (or screens), counts in the range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    pub range: DayRange,
    /// `version` or `screen`.
    pub by: String,
    pub application: Option<String>,
    pub applications: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
    pub max: i64,
    /// Events left out (the matrix shows the biggest ones).
    pub more: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixRow {
    pub event: String,
    pub cells: Vec<i64>,
    /// Column indexes where the event stopped: sent by an earlier column, not by this one nor any
    /// later one (versions only).
    pub stopped: Vec<usize>,
}

/// `/compare`: one event name across the tenants the caller can see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub event: String,
    /// Tenants that have the event.
    pub tenants: Vec<ComparedTenant>,
    pub keys: Vec<ComparedKey>,
    /// Event names found in at least two of the caller's tenants (for picking).
    pub shared_events: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparedTenant {
    pub tenant: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub status: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparedKey {
    pub path: String,
    /// Per tenant (same order as `tenants`): the types seen, or `None` when the key is missing.
    pub types: Vec<Option<Vec<String>>>,
    /// Missing somewhere, or typed differently.
    pub differs: bool,
}

/// An edit of what people curate on an application, screen or event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurationEdit {
    pub description: Option<String>,
    pub owner: Option<String>,
    pub status: Option<String>,
    /// Comma-separated when it comes from a form.
    pub tags: Option<Vec<String>>,
    /// Events only: their own quiet period in days (1 to 365); 0 goes back to the tenant's.
    #[serde(default)]
    pub quiet_days: Option<i32>,
}
