//! Grouping anomalous hours into incidents, and keeping each incident's figures in sync with its
//! hours.
//!
//! In one hour, the anomalous series of one release (application, version, platform) are one
//! group; the versions of one application that all stopped are one group; an event-overall
//! anomaly that a group's series of the same event explain (same direction, at least
//! [`Thresholds::explained_share`] of its deviation) joins that group, otherwise it is a group
//! of its own. A group joins an incident that has one of its series, or is of its release or
//! application, within [`Thresholds::gap_hours`] normal hours; otherwise it opens one. Muted
//! series open nothing. An incident's figures are then recomputed from its anomalous hours:
//! start, end (last hour + 1), kind (strongest), its series with their sums, and its sums —
//! over its release series when it has any (an event-overall series that a release explains is
//! listed, but not counted twice).

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::series::Series;
use super::store;
use super::thresholds::Thresholds;
use crate::entities::{anomaly, incident, incident_series};
use crate::hour::Hour;
use blueprint_types::signals::{IncidentKind, IncidentState};

/// What grouping did.
#[derive(Clone, Debug, Default)]
pub struct Grouped {
    pub opened: usize,
    pub touched: BTreeSet<i64>,
}

fn series_of(row: &anomaly::Model) -> Series {
    Series::release(
        row.event.clone(),
        row.application.clone(),
        row.version.clone(),
        row.platform.clone(),
    )
}

fn kind_of(text: &str) -> IncidentKind {
    text.parse().unwrap_or(IncidentKind::Drop)
}

fn is_down(row: &anomaly::Model) -> bool {
    kind_of(&row.kind) != IncidentKind::Spike
}

/// The groups of one hour's anomalies (see the module's first lines).
fn groups(rows: Vec<anomaly::Model>, th: &Thresholds) -> Vec<Vec<anomaly::Model>> {
    let (overall, releases): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| series_of(r).is_event_overall());
    let mut by_release: BTreeMap<(String, String, String), Vec<anomaly::Model>> = BTreeMap::new();
    for r in releases {
        let key = (r.application.clone(), r.version.clone(), r.platform.clone());
        by_release.entry(key).or_default().push(r);
    }
    // The versions of one application that all stopped: one group.
    let mut stopped_by_app: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for (key, rows) in &by_release {
        if rows
            .iter()
            .all(|r| kind_of(&r.kind) == IncidentKind::Stopped)
        {
            stopped_by_app
                .entry(key.0.clone())
                .or_default()
                .push(key.clone());
        }
    }
    let mut groups: Vec<Vec<anomaly::Model>> = Vec::new();
    for keys in stopped_by_app.values().filter(|keys| keys.len() >= 2) {
        let mut group = Vec::new();
        for key in keys {
            group.extend(by_release.remove(key).unwrap_or_default());
        }
        groups.push(group);
    }
    groups.extend(by_release.into_values());
    for row in overall {
        let deviation = row.observed as f64 - row.expected;
        let down = is_down(&row);
        let best = groups
            .iter()
            .enumerate()
            .map(|(index, group)| {
                let explained: f64 = group
                    .iter()
                    .filter(|r| r.event == row.event && is_down(r) == down)
                    .map(|r| r.observed as f64 - r.expected)
                    .sum();
                (index, explained / deviation)
            })
            .filter(|(_, share)| share.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((index, share)) if share >= th.explained_share => groups[index].push(row),
            _ => groups.push(vec![row]),
        }
    }
    groups
}

/// An incident that may take the anomalies of hour `hour`, with its series.
struct Candidate {
    row: incident::Model,
    series: BTreeSet<Series>,
}

impl Candidate {
    fn near(&self, hour: i64, th: &Thresholds) -> bool {
        let gap = th.gap_hours * 3600;
        hour >= self.row.start_hour - gap - 3600 && hour <= self.row.end_hour + gap
    }

    /// Whether `group` belongs to this incident: a series in common, or the same release, or the
    /// same application for an application's versions.
    fn takes(&self, group: &[anomaly::Model]) -> bool {
        if group.iter().any(|r| self.series.contains(&series_of(r))) {
            return true;
        }
        let releases: BTreeSet<(&str, &str, &str)> = group
            .iter()
            .filter(|r| !r.application.is_empty())
            .map(|r| {
                (
                    r.application.as_str(),
                    r.version.as_str(),
                    r.platform.as_str(),
                )
            })
            .collect();
        let mine = (
            self.row.application.as_deref(),
            self.row.version.as_deref(),
            self.row.platform.as_deref(),
        );
        match releases.len() {
            0 => false,
            1 => {
                let (a, v, p) = *releases.iter().next().expect("one");
                mine == (Some(a), Some(v), Some(p))
                    || (self.row.scope == "application" && mine.0 == Some(a))
            }
            _ => {
                let apps: BTreeSet<&str> = releases.iter().map(|r| r.0).collect();
                apps.len() == 1 && mine.0 == apps.iter().next().copied()
            }
        }
    }
}

/// Attaches the anomalies of `hour` and the hour before that belong to no incident yet (and are
/// not muted) to incidents, opening those needed. Those already in an incident take part in the
/// grouping, so what joins them joins their incident.
pub async fn attach(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    hour: Hour,
    news: bool,
    at: i64,
    th: &Thresholds,
) -> Result<Grouped, DbErr> {
    let h = hour.epoch_seconds();
    let mutes: BTreeSet<Series> = store::mutes(conn, tenant_id).await?.into_iter().collect();
    let rows: Vec<anomaly::Model> = anomaly::Entity::find()
        .filter(anomaly::Column::TenantId.eq(tenant_id))
        .filter(anomaly::Column::Hour.gte(h - 3600))
        .filter(anomaly::Column::Hour.lte(h))
        .all(conn)
        .await?
        .into_iter()
        .filter(|r| !mutes.contains(&series_of(r)))
        .collect();
    let mut grouped = Grouped::default();
    if rows.iter().all(|r| r.incident_id.is_some()) {
        return Ok(grouped);
    }
    let gap = th.gap_hours * 3600;
    let nearby = incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant_id))
        .filter(incident::Column::Kind.ne(IncidentKind::Outage.as_str()))
        .filter(incident::Column::EndHour.gte(h - 3600 - gap))
        .filter(incident::Column::StartHour.lte(h + gap + 3600))
        .all(conn)
        .await?;
    let ids: Vec<i64> = nearby.iter().map(|r| r.id).collect();
    let mut series: BTreeMap<i64, BTreeSet<Series>> = BTreeMap::new();
    for chunk in ids.chunks(crate::sql::IN_LIST) {
        for s in incident_series::Entity::find()
            .filter(incident_series::Column::IncidentId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            series
                .entry(s.incident_id)
                .or_default()
                .insert(store::series_of(&s));
        }
    }
    let mut candidates: Vec<Candidate> = nearby
        .into_iter()
        .map(|row| Candidate {
            series: series.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect();
    candidates.sort_by_key(|c| c.row.id);
    let mut by_hour: BTreeMap<i64, Vec<anomaly::Model>> = BTreeMap::new();
    for r in rows {
        by_hour.entry(r.hour).or_default().push(r);
    }
    for (at_hour, rows) in by_hour {
        for group in groups(rows, th) {
            if group.iter().all(|r| r.incident_id.is_some()) {
                continue;
            }
            // A group with rows already in an incident joins it (the first by id); otherwise the
            // first nearby incident that takes it.
            let joined = group.iter().filter_map(|r| r.incident_id).min();
            let found = match joined {
                Some(id) => candidates.iter().position(|c| c.row.id == id),
                None => candidates
                    .iter()
                    .position(|c| c.near(at_hour, th) && c.takes(&group)),
            };
            let index = match found {
                Some(index) => {
                    let row = &candidates[index].row;
                    if news && !row.news {
                        incident::Entity::update_many()
                            .filter(incident::Column::Id.eq(row.id))
                            .col_expr(incident::Column::News, Expr::value(true))
                            .exec(conn)
                            .await?;
                    }
                    index
                }
                None => {
                    let row = open(conn, tenant_id, at_hour, &group, news, at).await?;
                    grouped.opened += 1;
                    candidates.push(Candidate {
                        row,
                        series: BTreeSet::new(),
                    });
                    candidates.len() - 1
                }
            };
            let candidate = &mut candidates[index];
            candidate.series.extend(group.iter().map(series_of));
            candidate.row.start_hour = candidate.row.start_hour.min(at_hour);
            candidate.row.end_hour = candidate.row.end_hour.max(at_hour + 3600);
            let id = candidate.row.id;
            grouped.touched.insert(id);
            let new: Vec<i64> = group
                .iter()
                .filter(|r| r.incident_id.is_none())
                .map(|r| r.id)
                .collect();
            anomaly::Entity::update_many()
                .filter(anomaly::Column::Id.is_in(new))
                .col_expr(anomaly::Column::IncidentId, Expr::value(id))
                .exec(conn)
                .await?;
        }
    }
    Ok(grouped)
}

/// Opens an incident for a group of anomalies of one hour (its figures are set by
/// [`recompute`]).
async fn open(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    hour: i64,
    group: &[anomaly::Model],
    news: bool,
    at: i64,
) -> Result<incident::Model, DbErr> {
    let kind = group
        .iter()
        .map(|r| kind_of(&r.kind))
        .max_by_key(|k| k.strength())
        .unwrap_or(IncidentKind::Drop);
    incident::ActiveModel {
        tenant_id: Set(tenant_id),
        kind: Set(kind.as_str().to_owned()),
        scope: Set("series".to_owned()),
        start_hour: Set(hour),
        end_hour: Set(hour + 3600),
        state: Set(IncidentState::Open.as_str().to_owned()),
        news: Set(news),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// The value every series shares in one dimension, if they share it.
fn shared<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let set: BTreeSet<&str> = values.collect();
    (set.len() == 1)
        .then(|| set.into_iter().next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

/// Sets each incident's figures and series from its anomalous hours; an incident left without
/// any (its hours judged normal again) is removed unless it was told.
pub async fn recompute(
    conn: &impl ConnectionTrait,
    ids: &BTreeSet<i64>,
    at: i64,
) -> Result<(), DbErr> {
    for &id in ids {
        let Some(row) = incident::Entity::find_by_id(id).one(conn).await? else {
            continue;
        };
        let hours = anomaly::Entity::find()
            .filter(anomaly::Column::IncidentId.eq(id))
            .all(conn)
            .await?;
        incident_series::Entity::delete_many()
            .filter(incident_series::Column::IncidentId.eq(id))
            .exec(conn)
            .await?;
        if hours.is_empty() {
            if row.told_at.is_none() {
                incident::Entity::delete_by_id(id).exec(conn).await?;
            }
            continue;
        }
        let mut sums: BTreeMap<Series, (IncidentKind, i64, f64)> = BTreeMap::new();
        for h in &hours {
            let kind = kind_of(&h.kind);
            let entry = sums.entry(series_of(h)).or_insert((kind, 0, 0.0));
            if kind.strength() > entry.0.strength() {
                entry.0 = kind;
            }
            entry.1 += h.observed;
            entry.2 += h.expected;
        }
        let releases: Vec<&Series> = sums.keys().filter(|s| !s.is_event_overall()).collect();
        let primary: Vec<&Series> = if releases.is_empty() {
            sums.keys().collect()
        } else {
            releases
        };
        let (observed, expected) = primary
            .iter()
            .map(|s| &sums[*s])
            .fold((0, 0.0), |(o, e), s| (o + s.1, e + s.2));
        let event = shared(primary.iter().map(|s| s.event.as_str()));
        let application = shared(primary.iter().map(|s| s.application.as_str()));
        let version = shared(primary.iter().map(|s| s.version.as_str()));
        let platform = shared(primary.iter().map(|s| s.platform.as_str()));
        let scope = if primary.len() == 1 {
            "series"
        } else if application.is_some() && version.is_some() && platform.is_some() {
            "release"
        } else if application.is_some() {
            "application"
        } else {
            "release"
        };
        let kind = sums
            .values()
            .map(|s| s.0)
            .max_by_key(|k| k.strength())
            .unwrap_or(IncidentKind::Drop);
        let start = hours.iter().map(|h| h.hour).min().unwrap_or(row.start_hour);
        let end = hours.iter().map(|h| h.hour).max().unwrap_or(row.start_hour) + 3600;
        let mut active: incident::ActiveModel = row.into();
        active.kind = Set(kind.as_str().to_owned());
        active.scope = Set(scope.to_owned());
        active.event = Set(event);
        active.application = Set(application);
        active.version = Set(version);
        active.platform = Set(platform);
        active.start_hour = Set(start);
        active.end_hour = Set(end);
        active.observed = Set(observed);
        active.expected = Set(expected);
        active.updated_at = Set(at);
        active.update(conn).await?;
        let tenant_id = hours[0].tenant_id;
        let rows: Vec<incident_series::ActiveModel> = sums
            .iter()
            .map(
                |(s, (kind, observed, expected))| incident_series::ActiveModel {
                    incident_id: Set(id),
                    tenant_id: Set(tenant_id),
                    event: Set(s.event.clone()),
                    application: Set(s.application.clone()),
                    version: Set(s.version.clone()),
                    platform: Set(s.platform.clone()),
                    kind: Set(kind.as_str().to_owned()),
                    observed: Set(*observed),
                    expected: Set(*expected),
                    ..Default::default()
                },
            )
            .collect();
        for chunk in rows.chunks(crate::sql::chunk_len(9)) {
            incident_series::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
