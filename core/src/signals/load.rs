//! What the model needs for one tenant over a range of hours, read in a few set-based queries:
//! which hours had data (ingested `ok` with sessions: `no_data` hours, hours never ingested and
//! hours beyond retention are missing, not zero), the counts per event and release, the sessions
//! per release, and the hours already found anomalous.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::StreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, StreamTrait,
};

use super::model::{History, Release};
use super::series::Series;
use crate::entities::anomaly;

/// Narrows what is read: one event, and for its releases one application and platform.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub event: Option<String>,
    pub application_platform: Option<(String, String)>,
    /// Only these spans of hours (`[from, to)` epoch seconds) inside the range; empty for all of
    /// it. Hours outside them read as without data: the detector reads only the hours its model
    /// looks at (the same hours of past weeks, the recent windows).
    pub spans: Vec<(i64, i64)>,
}

impl Scope {
    /// `AND (…)` limiting `column` to the spans, with its values.
    fn spans_sql(&self, column: &str) -> (String, Vec<sea_orm::Value>) {
        if self.spans.is_empty() {
            return (String::new(), Vec::new());
        }
        let parts: Vec<String> = self
            .spans
            .iter()
            .map(|_| format!("({column} >= ? AND {column} < ?)"))
            .collect();
        let values = self
            .spans
            .iter()
            .flat_map(|(from, to)| [(*from).into(), (*to).into()])
            .collect();
        (format!(" AND ({})", parts.join(" OR ")), values)
    }

    fn covers(&self, hour: i64) -> bool {
        self.spans.is_empty() || self.spans.iter().any(|(f, t)| hour >= *f && hour < *t)
    }
}

/// A tenant's series over `hours` slots from `start` (epoch seconds).
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub start: i64,
    pub hours: usize,
    /// Whether each hour had data.
    pub data: Vec<bool>,
    /// Each event overall, with the sessions of the releases that send it.
    pub overall: BTreeMap<String, Release>,
    /// Each event of each release (series with every dimension set).
    pub releases: BTreeMap<Series, Release>,
}

impl Loaded {
    /// The slot of epoch hour `hour`.
    pub fn index(&self, hour: i64) -> Option<usize> {
        let i = (hour - self.start).div_euclid(3600);
        (i >= 0 && (i as usize) < self.hours).then_some(i as usize)
    }

    /// The other versions of the same application and platform with the same event. Series sort
    /// by event, then application, so they are one range of `releases`: a tenant with tens of
    /// thousands of releases is not read once per release.
    pub fn siblings(&self, series: &Series) -> Vec<&Release> {
        let start = Series {
            event: series.event.clone(),
            application: series.application.clone(),
            version: String::new(),
            platform: String::new(),
        };
        self.releases
            .range(start..)
            .take_while(|(s, _)| s.event == series.event && s.application == series.application)
            .filter(|(s, _)| s.platform == series.platform && s.version != series.version)
            .map(|(_, r)| r)
            .collect()
    }
}

#[derive(FromQueryResult)]
struct HourRow {
    hour: i64,
}

#[derive(FromQueryResult)]
struct VersionRow {
    id: i64,
    version: String,
    application: String,
    platform: String,
}

#[derive(FromQueryResult)]
struct NameRow {
    id: i64,
    name: String,
}

#[derive(FromQueryResult)]
struct CountRow {
    hour: i64,
    event_id: i64,
    version_id: i64,
    events: i64,
}

#[derive(FromQueryResult)]
struct SessionRow {
    hour: i64,
    version_id: i64,
    sessions: i64,
}

/// Reads the tenant's series over `[from, to)` (epoch hours), every event at once (a page's
/// band, a scoped read): [`for_each_event`] gathered.
pub async fn load<C: ConnectionTrait + StreamTrait>(
    conn: &C,
    tenant_id: i64,
    from: i64,
    to: i64,
    scope: &Scope,
) -> Result<Loaded, DbErr> {
    let mut parts = Vec::new();
    let mut loaded =
        for_each_event(conn, tenant_id, from, to, scope, |part| parts.push(part)).await?;
    for part in parts {
        loaded.overall.extend(part.overall);
        loaded.releases.extend(part.releases);
    }
    Ok(loaded)
}

/// Reads the tenant's series over `[from, to)` (epoch hours) one event at a time: `each` gets a
/// [`Loaded`] holding one event overall and its releases (the siblings a release is judged with
/// are of the same event), and the call returns the hours with data and no series. The counts are
/// streamed in event order, so memory follows the largest event's releases rather than all the
/// tenant's (an hour of 21,765 releases × events held 537 MB of dense series at once).
pub async fn for_each_event<C: ConnectionTrait + StreamTrait>(
    conn: &C,
    tenant_id: i64,
    from: i64,
    to: i64,
    scope: &Scope,
    mut each: impl FnMut(Loaded),
) -> Result<Loaded, DbErr> {
    let hours = ((to - from).max(0) / 3600) as usize;
    let range = || vec![tenant_id.into(), from.into(), to.into()];
    let ok: BTreeSet<i64> = crate::sql::fetch::<HourRow>(
        conn,
        "SELECT hour FROM ingested_hours WHERE tenant_id = ? AND hour >= ? AND hour < ? \
         AND status = 'ok'",
        range(),
    )
    .await?
    .into_iter()
    .map(|r| r.hour)
    .collect();
    let (spans, span_values) = scope.spans_sql("hour");
    let mut values = range();
    values.extend(span_values.iter().cloned());
    let with_sessions: BTreeSet<i64> = crate::sql::fetch::<HourRow>(
        conn,
        &format!(
            "SELECT DISTINCT hour FROM hourly_sessions WHERE tenant_id = ? AND hour >= ? \
             AND hour < ?{spans}"
        ),
        values,
    )
    .await?
    .into_iter()
    .map(|r| r.hour)
    .collect();
    let mut loaded = Loaded {
        start: from,
        hours,
        data: vec![false; hours],
        ..Loaded::default()
    };
    for hour in ok.intersection(&with_sessions) {
        if let Some(i) = loaded.index(*hour).filter(|_| scope.covers(*hour)) {
            loaded.data[i] = true;
        }
    }

    let mut sql = String::from(
        "SELECT v.id AS id, v.version AS version, a.name AS application, a.platform AS platform \
         FROM app_versions v JOIN applications a ON a.id = v.application_id WHERE v.tenant_id = ?",
    );
    let mut values: Vec<sea_orm::Value> = vec![tenant_id.into()];
    if let Some((application, platform)) = &scope.application_platform {
        sql.push_str(" AND a.name = ? AND a.platform = ?");
        values.push(application.as_str().into());
        values.push(platform.as_str().into());
    }
    let versions: HashMap<i64, VersionRow> = crate::sql::fetch::<VersionRow>(conn, &sql, values)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let mut sql = String::from("SELECT id, name FROM events WHERE tenant_id = ?");
    let mut values: Vec<sea_orm::Value> = vec![tenant_id.into()];
    if let Some(event) = &scope.event {
        sql.push_str(" AND name = ?");
        values.push(event.as_str().into());
    }
    let events: HashMap<i64, String> = crate::sql::fetch::<NameRow>(conn, &sql, values)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();

    let mut sql = String::from(
        "SELECT h.hour AS hour, c.event_id AS event_id, c.version_id AS version_id, \
         CAST(SUM(h.events) AS BIGINT) AS events FROM hourly_counts h \
         JOIN combinations c ON c.id = h.combination_id \
         WHERE h.tenant_id = ? AND h.hour >= ? AND h.hour < ?",
    );
    let mut values = range();
    if let Some(event_id) = (scope.event.is_some())
        .then(|| events.keys().next().copied())
        .flatten()
    {
        sql.push_str(" AND c.event_id = ?");
        values.push(event_id.into());
    } else if scope.event.is_some() {
        return Ok(loaded);
    }
    let (spans, span_values) = scope.spans_sql("h.hour");
    sql.push_str(&spans);
    values.extend(span_values.iter().cloned());
    sql.push_str(" GROUP BY h.hour, c.event_id, c.version_id ORDER BY c.event_id");
    let (spans, span_values) = scope.spans_sql("hour");
    let mut values_of_sessions = range();
    values_of_sessions.extend(span_values);
    let sessions: Vec<SessionRow> = crate::sql::fetch(
        conn,
        &format!(
            "SELECT hour, version_id, sessions FROM hourly_sessions \
             WHERE tenant_id = ? AND hour >= ? AND hour < ?{spans}"
        ),
        values_of_sessions,
    )
    .await?;

    let mut blank = History::empty(from, hours);
    for (i, data) in loaded.data.iter().enumerate() {
        if *data {
            blank.counts[i] = Some(0);
        }
    }
    let mut by_version: HashMap<i64, Vec<Option<i64>>> = HashMap::new();
    for row in &sessions {
        if !versions.contains_key(&row.version_id) {
            continue;
        }
        let slots = by_version
            .entry(row.version_id)
            .or_insert_with(|| blank.counts.clone());
        if let Some(i) = loaded.index(row.hour)
            && let Some(slot) = slots[i].as_mut()
        {
            *slot += row.sessions;
        }
    }
    drop(sessions);

    // The hours already found anomalous, by event (read before the counts' stream opens).
    let mut marked: HashMap<String, Vec<(i64, Series)>> = HashMap::new();
    for row in anomaly::Entity::find()
        .filter(anomaly::Column::TenantId.eq(tenant_id))
        .filter(anomaly::Column::Hour.gte(from))
        .filter(anomaly::Column::Hour.lt(to))
        .all(conn)
        .await?
    {
        let series = Series::release(row.event, row.application, row.version, row.platform);
        marked
            .entry(series.event.clone())
            .or_default()
            .push((row.hour, series));
    }

    let base = Base {
        loaded: &loaded,
        blank: &blank,
        versions: &versions,
        by_version: &by_version,
        marked: &marked,
    };
    let backend = ConnectionTrait::get_database_backend(conn);
    let rows = conn
        .stream_raw(crate::sql::statement(backend, &sql, values))
        .await?;
    let mut rows = std::pin::pin!(rows);
    let mut event_rows: Vec<CountRow> = Vec::new();
    while let Some(row) = rows.next().await {
        let row = CountRow::from_query_result(&row?, "")?;
        if event_rows
            .last()
            .is_some_and(|last| last.event_id != row.event_id)
        {
            if let Some(event) = events.get(&event_rows[0].event_id) {
                each(base.event(event, &event_rows));
            }
            event_rows.clear();
        }
        event_rows.push(row);
    }
    if let Some(first) = event_rows.first()
        && let Some(event) = events.get(&first.event_id)
    {
        each(base.event(event, &event_rows));
    }
    Ok(loaded)
}

/// What every event's series are built from.
struct Base<'a> {
    loaded: &'a Loaded,
    blank: &'a History,
    versions: &'a HashMap<i64, VersionRow>,
    /// Sessions per hour of each version.
    by_version: &'a HashMap<i64, Vec<Option<i64>>>,
    marked: &'a HashMap<String, Vec<(i64, Series)>>,
}

impl Base<'_> {
    /// One event overall and its releases, from its count rows.
    fn event(&self, event: &str, rows: &[CountRow]) -> Loaded {
        let mut part = Loaded {
            start: self.loaded.start,
            hours: self.loaded.hours,
            data: self.loaded.data.clone(),
            ..Loaded::default()
        };
        let blank = self.blank;
        for row in rows {
            let Some(i) = self.loaded.index(row.hour) else {
                continue;
            };
            if !self.loaded.data[i] {
                continue;
            }
            let overall = part
                .overall
                .entry(event.to_owned())
                .or_insert_with(|| Release {
                    counts: blank.clone(),
                    sessions: blank.counts.clone(),
                });
            if let Some(slot) = overall.counts.counts[i].as_mut() {
                *slot += row.events;
            }
            let Some(version) = self.versions.get(&row.version_id) else {
                continue;
            };
            let series = Series::release(
                event.to_owned(),
                version.application.clone(),
                version.version.clone(),
                version.platform.clone(),
            );
            let release = part.releases.entry(series).or_insert_with(|| Release {
                counts: blank.clone(),
                sessions: self
                    .by_version
                    .get(&row.version_id)
                    .cloned()
                    .unwrap_or_else(|| blank.counts.clone()),
            });
            if let Some(slot) = release.counts.counts[i].as_mut() {
                *slot += row.events;
            }
        }

        // An event overall is expected per session too: the sessions of the releases that send it.
        for (series, release) in &part.releases {
            let Some(overall) = part.overall.get_mut(&series.event) else {
                continue;
            };
            for (total, sessions) in overall.sessions.iter_mut().zip(&release.sessions) {
                if let (Some(total), Some(sessions)) = (total.as_mut(), sessions) {
                    *total += sessions;
                }
            }
        }

        for (hour, series) in self.marked.get(event).into_iter().flatten() {
            let Some(i) = part.index(*hour) else {
                continue;
            };
            if series.is_event_overall() {
                if let Some(overall) = part.overall.get_mut(&series.event) {
                    overall.counts.anomalous[i] = true;
                }
            } else if let Some(release) = part.releases.get_mut(series) {
                release.counts.anomalous[i] = true;
            }
        }
        part
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_are_the_other_versions_of_the_same_event_application_and_platform() {
        let mut loaded = Loaded::default();
        let names = ["", "a", "ab", "b"];
        let mut n = 0;
        for event in names {
            for application in names {
                for version in names {
                    for platform in names {
                        n += 1;
                        let release = Release {
                            sessions: vec![Some(n)],
                            ..Release::default()
                        };
                        let series = Series {
                            event: event.into(),
                            application: application.into(),
                            version: version.into(),
                            platform: platform.into(),
                        };
                        loaded.releases.insert(series, release);
                    }
                }
            }
        }
        for series in loaded.releases.keys() {
            let expected: Vec<&Release> = loaded
                .releases
                .iter()
                .filter(|(s, _)| {
                    s.event == series.event
                        && s.application == series.application
                        && s.platform == series.platform
                        && s.version != series.version
                })
                .map(|(_, r)| r)
                .collect();
            assert_eq!(loaded.siblings(series), expected, "{series:?}");
            assert_eq!(expected.len(), 3);
        }
    }
}
