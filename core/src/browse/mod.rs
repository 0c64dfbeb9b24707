//! Reading the catalog for its pages and the REST API (DESIGN.md, "Web and API"): the tenant
//! overview, applications, events (list and page), screens, the combination matrix, the
//! comparison across tenants, curation (descriptions, owners, tags, status) and the exports.
//!
//! Everything is read for a range of whole UTC days — by default the 7 days up to the tenant's
//! latest ingested hour, so old data still shows. Day figures come from the daily roll-ups, hour
//! figures from the per-version session rows or the hourly rows of the few combinations asked
//! for: no page scans a tenant's hourly counts.

pub mod applications;
mod cache;
pub mod compare;
pub mod curate;
pub mod events;
pub mod export;
pub mod matrix;
pub mod overview;
pub mod screens;

use std::collections::HashMap;

use blueprint_types::catalog::{DayRange, Series, TimeSeries};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DbBackend, FromQueryResult, Statement, Value};

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::hour::Hour;
use crate::ledger::rollup::DAY;

/// The longest range a page reads, in days.
pub const MAX_DAYS: i64 = 400;
/// The default range, in days.
pub const DEFAULT_DAYS: i64 = 7;

/// A tenant the actor can read, with what every page needs to know about it.
#[derive(Clone, Debug)]
pub struct TenantRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// The latest ingested hour (epoch seconds), if any.
    pub latest: Option<i64>,
    /// The first hour kept in hourly detail.
    pub window: Option<i64>,
    /// The ledger's version: the newest run that wrote one of its hours (0 before any).
    pub version: i64,
}

#[derive(FromQueryResult)]
struct Latest {
    latest: Option<i64>,
    version: Option<i64>,
}

/// The tenant `slug` if the actor may read it; `NotFound` otherwise, exactly like a missing one.
pub async fn open_tenant(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<TenantRef, ServiceError> {
    let row = crate::tenants::visible(services, actor, slug).await?;
    let state = fetch_one::<Latest>(
        services,
        "SELECT MAX(hour) AS latest, MAX(run_id) AS version FROM ingested_hours WHERE tenant_id = ?",
        vec![row.id.into()],
    )
    .await?;
    let latest = state.as_ref().and_then(|s| s.latest);
    let version = state.and_then(|s| s.version).unwrap_or(0);
    let window = latest.and_then(|latest| {
        let hour = Hour::from_epoch_seconds(latest)?;
        Some(crate::ledger::rollup::window_start(hour, row.retention_days).epoch_seconds())
    });
    Ok(TenantRef {
        id: row.id,
        slug: row.slug,
        name: row.name,
        latest,
        window,
        version,
    })
}

/// `[from, to)` in epoch seconds, whole days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: i64,
    pub to: i64,
}

impl Range {
    pub fn days(self) -> i64 {
        (self.to - self.from) / DAY
    }

    /// The range as the pages and API show it.
    pub fn view(self) -> DayRange {
        DayRange {
            from: day_text(self.from),
            to: day_text(self.to),
            days: self.days(),
        }
    }

    /// Day starts of the range.
    pub fn day_starts(self) -> Vec<i64> {
        (0..self.days()).map(|i| self.from + i * DAY).collect()
    }

    /// The `days` days up to `to`.
    pub fn last_days(self, days: i64) -> Range {
        Range {
            from: self.to - days * DAY,
            to: self.to,
        }
    }
}

/// `YYYY-MM-DD` of a day start.
pub fn day_text(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Parses `YYYY-MM-DD` (or an hour `YYYY-MM-DDTHH`, meaning its day) into a day start.
pub fn parse_day(name: &str, text: &str) -> Result<i64, ServiceError> {
    let text = text.trim();
    let day_part = text.split('T').next().unwrap_or(text);
    NaiveDate::parse_from_str(day_part, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc().timestamp())
        .ok_or_else(|| {
            ServiceError::Invalid(format!(
                "`{name}` must be a day like 2026-11-20, not `{text}`"
            ))
        })
}

/// The range a page asked for: `from`/`to` days (`to` exclusive), by default the
/// `DEFAULT_DAYS` days up to and including the day of the tenant's latest ingested hour (today
/// for a tenant with no data yet).
pub fn resolve_range(
    tenant: &TenantRef,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Range, ServiceError> {
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    let anchor = tenant.latest.unwrap_or_else(|| Utc::now().timestamp());
    let default_to = anchor - anchor.rem_euclid(DAY) + DAY;
    let to = match given(to) {
        Some(text) => parse_day("to", text)?,
        None => default_to,
    };
    let from = match given(from) {
        Some(text) => parse_day("from", text)?,
        None => to - DEFAULT_DAYS * DAY,
    };
    if to <= from {
        return Err(ServiceError::Invalid(format!(
            "the range {} to {} is empty: `to` is exclusive and must be after `from`",
            day_text(from),
            day_text(to)
        )));
    }
    if (to - from) / DAY > MAX_DAYS {
        return Err(ServiceError::Invalid(format!(
            "the range {} to {} is longer than {MAX_DAYS} days",
            day_text(from),
            day_text(to)
        )));
    }
    Ok(Range { from, to })
}

/// The `days` days up to and including the day of the tenant's latest ingested hour.
pub fn resolve_days(tenant: &TenantRef, days: &str) -> Result<Range, ServiceError> {
    let count: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or_else(|| {
            ServiceError::Invalid(format!(
                "`days` must be a whole number from 1 to {MAX_DAYS}, not `{days}`"
            ))
        })?;
    let range = resolve_range(tenant, None, None)?;
    Ok(range.last_days(count))
}

/// Hours as the ledger prints them.
pub fn hour_text(seconds: Option<i64>) -> Option<String> {
    crate::ledger::hour_text(seconds)
}

/// A statement with `?` placeholders, numbered for Postgres.
pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

pub(crate) async fn fetch<T: FromQueryResult>(
    services: &Services,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, sea_orm::DbErr> {
    let conn = services.db.conn();
    T::find_by_statement(statement(conn.get_database_backend(), sql, values))
        .all(conn)
        .await
}

pub(crate) async fn fetch_one<T: FromQueryResult>(
    services: &Services,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<T>, sea_orm::DbErr> {
    let conn = services.db.conn();
    T::find_by_statement(statement(conn.get_database_backend(), sql, values))
        .one(conn)
        .await
}

/// `IN (…)` of ids the ledger produced itself (never user text); `(NULL)` when empty.
pub(crate) fn ids(list: impl IntoIterator<Item = i64>) -> String {
    let text = list
        .into_iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    if text.is_empty() {
        "(NULL)".to_owned()
    } else {
        format!("({text})")
    }
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` escaped (use `ESCAPE '\'`).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Builds a time series from `(label, bucket, value)` points: the `keep` biggest labels by
/// total, the rest summed as "other".
pub(crate) fn series(
    buckets: &[i64],
    bucket_text: impl Fn(i64) -> String,
    points: impl IntoIterator<Item = (String, i64, f64)>,
    keep: usize,
) -> TimeSeries {
    let index: HashMap<i64, usize> = buckets.iter().enumerate().map(|(i, b)| (*b, i)).collect();
    let mut by_label: HashMap<String, Vec<f64>> = HashMap::new();
    for (label, bucket, value) in points {
        if let Some(i) = index.get(&bucket) {
            by_label
                .entry(label)
                .or_insert_with(|| vec![0.0; buckets.len()])[*i] += value;
        }
    }
    let mut labelled: Vec<(String, Vec<f64>)> = by_label.into_iter().collect();
    labelled.sort_by(|a, b| {
        let (ta, tb) = (a.1.iter().sum::<f64>(), b.1.iter().sum::<f64>());
        tb.total_cmp(&ta).then_with(|| a.0.cmp(&b.0))
    });
    let mut out: Vec<Series> = Vec::new();
    let mut other: Option<Vec<f64>> = None;
    for (i, (label, values)) in labelled.into_iter().enumerate() {
        if i < keep {
            out.push(Series { label, values });
        } else {
            let sum = other.get_or_insert_with(|| vec![0.0; buckets.len()]);
            for (s, v) in sum.iter_mut().zip(values) {
                *s += v;
            }
        }
    }
    if let Some(values) = other {
        out.push(Series {
            label: "other".to_owned(),
            values,
        });
    }
    TimeSeries {
        buckets: buckets.iter().map(|b| bucket_text(*b)).collect(),
        series: out,
    }
}

/// `Shop 3.2 (android)`.
pub(crate) fn version_label(application: &str, version: &str, platform: &str) -> String {
    format!("{application} {version} ({platform})")
}

/// Versions of a tenant: id → (application, platform, version, first seen, last seen).
#[derive(Clone, Debug, FromQueryResult)]
pub(crate) struct VersionInfo {
    pub id: i64,
    pub application_id: i64,
    pub application: String,
    pub platform: String,
    pub version: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

impl VersionInfo {
    pub fn label(&self) -> String {
        version_label(&self.application, &self.version, &self.platform)
    }
}

pub(crate) async fn versions(
    services: &Services,
    tenant_id: i64,
) -> Result<HashMap<i64, VersionInfo>, sea_orm::DbErr> {
    Ok(fetch::<VersionInfo>(
        services,
        "SELECT v.id AS id, v.application_id AS application_id, a.name AS application, a.platform AS platform, \
         v.version AS version, v.first_seen AS first_seen, v.last_seen AS last_seen \
         FROM app_versions v JOIN applications a ON a.id = v.application_id WHERE v.tenant_id = ?",
        vec![tenant_id.into()],
    )
    .await?
    .into_iter()
    .map(|v| (v.id, v))
    .collect())
}

/// Compares version strings the way people read them: numeric parts as numbers.
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(['.', '-', '+', ' '])
            .map(|p| (p.parse::<u64>().unwrap_or(u64::MAX), p.to_owned()))
            .collect()
    };
    parts(a).cmp(&parts(b))
}

/// An event or screen row: its name, what people curate on it, first/last seen.
#[derive(FromQueryResult)]
pub(crate) struct CuratedRow {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub status: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Events only (NULL for screens).
    pub quiet_days: Option<i32>,
}

/// The event or screen (`table`) named `name` in the tenant, or `NotFound`.
pub(crate) async fn curated_row(
    services: &Services,
    table: &str,
    tenant_id: i64,
    name: &str,
) -> Result<CuratedRow, ServiceError> {
    let quiet = quiet_column(table);
    fetch_one(
        services,
        &format!(
            "SELECT id, name, description, owner, status, first_seen, last_seen, {quiet} FROM {table} WHERE tenant_id = ? AND name = ?"
        ),
        vec![tenant_id.into(), name.into()],
    )
    .await?
    .ok_or(ServiceError::NotFound)
}

/// What people curate on a row (`kind`: the tags' kind), with its tags.
pub(crate) async fn curation_of(
    services: &Services,
    kind: &str,
    row: &CuratedRow,
) -> Result<blueprint_types::catalog::Curation, sea_orm::DbErr> {
    let tags = tags_of(services, kind, &[row.id]).await?;
    Ok(blueprint_types::catalog::Curation {
        description: row.description.clone(),
        owner: row.owner.clone(),
        status: row.status.clone(),
        tags: tags.get(&row.id).cloned().unwrap_or_default(),
        quiet_days: row.quiet_days,
    })
}

/// The select expression of a row's own quiet period: events have one, others not.
pub(crate) fn quiet_column(table: &str) -> &'static str {
    if table == "events" {
        "quiet_days"
    } else {
        "CAST(NULL AS INTEGER) AS quiet_days"
    }
}

/// A discovery row as the pages list it.
#[derive(FromQueryResult)]
pub(crate) struct Discovered {
    kind: String,
    label: String,
    hour: i64,
    news: bool,
}

impl From<Discovered> for blueprint_types::catalog::DiscoveryItem {
    fn from(d: Discovered) -> Self {
        Self {
            kind: d.kind,
            label: d.label,
            hour: hour_text(Some(d.hour)).unwrap_or_default(),
            news: d.news,
        }
    }
}

/// The row of `name` in `rows`, created empty when missing.
pub(crate) fn seen_row<'a>(
    rows: &'a mut std::collections::BTreeMap<String, blueprint_types::catalog::SeenRow>,
    name: &str,
) -> &'a mut blueprint_types::catalog::SeenRow {
    rows.entry(name.to_owned())
        .or_insert_with(|| blueprint_types::catalog::SeenRow {
            name: name.to_owned(),
            first_seen: None,
            last_seen: None,
            events: 0,
        })
}

/// Widens a row's first/last seen to include a sighting from `first` to `last` (epoch hours).
pub(crate) fn widen(
    row: &mut blueprint_types::catalog::SeenRow,
    first: Option<i64>,
    last: Option<i64>,
) {
    let (first, last) = (hour_text(first), hour_text(last));
    if first.is_some() && (row.first_seen.is_none() || first < row.first_seen) {
        row.first_seen = first;
    }
    if last > row.last_seen {
        row.last_seen = last;
    }
}

/// Names of rows of `table` (a catalog table with `id` and `name`) by id.
pub(crate) async fn names_of(
    services: &Services,
    table: &str,
    list: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Name {
        id: i64,
        name: String,
    }
    let list: Vec<i64> = list.into_iter().collect();
    let mut out = HashMap::with_capacity(list.len());
    for chunk in list.chunks(1000) {
        for row in fetch::<Name>(
            services,
            &format!(
                "SELECT id, name FROM {table} WHERE id IN {}",
                ids(chunk.iter().copied())
            ),
            vec![],
        )
        .await?
        {
            out.insert(row.id, row.name);
        }
    }
    Ok(out)
}

/// Tags of subjects of one kind: subject id → tags, sorted.
pub(crate) async fn tags_of(
    services: &Services,
    kind: &str,
    subject_ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        subject_id: i64,
        tag: String,
    }
    if subject_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in subject_ids.chunks(1000) {
        for row in fetch::<Row>(
            services,
            &format!(
                "SELECT subject_id, tag FROM tags WHERE kind = ? AND subject_id IN {}",
                ids(chunk.iter().copied())
            ),
            vec![kind.into()],
        )
        .await?
        {
            out.entry(row.subject_id).or_default().push(row.tag);
        }
    }
    for tags in out.values_mut() {
        tags.sort();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(latest: Option<&str>) -> TenantRef {
        TenantRef {
            id: 1,
            slug: "t".into(),
            name: "t".into(),
            latest: latest.map(|h| h.parse::<Hour>().unwrap().epoch_seconds()),
            window: None,
            version: 0,
        }
    }

    #[test]
    fn the_default_range_is_the_week_up_to_the_latest_hour() {
        let range = resolve_range(&tenant(Some("2026-03-10T05")), None, None).unwrap();
        assert_eq!(
            range.view(),
            DayRange {
                from: "2026-03-04".into(),
                to: "2026-03-11".into(),
                days: 7
            }
        );
        let range =
            resolve_range(&tenant(None), Some("2026-01-01"), Some("2026-01-03T10")).unwrap();
        assert_eq!(range.days(), 2);
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        let t = tenant(Some("2026-03-10T05"));
        let err = resolve_range(&t, Some("yesterday"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`from` must be a day like 2026-11-20, not `yesterday`"
        );
        let err = resolve_range(&t, Some("2026-03-05"), Some("2026-03-05")).unwrap_err();
        assert!(err.to_string().contains("is empty"), "{err}");
        let err = resolve_range(&t, Some("2024-01-01"), Some("2026-01-01")).unwrap_err();
        assert!(err.to_string().contains("longer than 400 days"), "{err}");
    }

    #[test]
    fn versions_sort_numerically() {
        let mut list = vec!["3.10", "3.9", "10.0", "3.9.1"];
        list.sort_by(|a, b| version_order(a, b));
        assert_eq!(list, ["3.9", "3.9.1", "3.10", "10.0"]);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("Add_to%"), "%add\\_to\\%%");
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        let s = statement(
            DbBackend::Postgres,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(s.sql, "a = $1 AND b = $2");
    }
}
