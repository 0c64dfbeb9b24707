//! `/t/{tenant}/events/{event}`: an event's curation, its volume by hour and by day split by
//! version or platform, where it fires, its keys with their types, and its discoveries.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use blueprint_types::catalog::{DiscoveryItem, EventDetail, KeyRow, SeenRow, TimeSeries};
use sea_orm::FromQueryResult;

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::browse::figures::{mark_buckets, seen_row, series, widen};
use crate::browse::query::{Discovered, VersionInfo, curated_row, curation_of, versions};
use crate::browse::{Range, TenantRef, day_text, hour_text};
use crate::hour::Hour;
use crate::ingest::json::JsonType;
use crate::sql::{fetch, ids};

/// Series drawn on a chart; the rest are summed as "other".
const SERIES: usize = 8;

#[derive(FromQueryResult)]
struct Combo {
    id: i64,
    version_id: i64,
    screen: String,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
}

#[derive(FromQueryResult)]
struct PeriodCount {
    combination_id: i64,
    period: i64,
    events: i64,
}

#[derive(FromQueryResult)]
struct KeyCols {
    id: i64,
    path: String,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
}

/// How an event page splits its charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Version,
    Platform,
}

impl Split {
    pub fn parse(text: Option<&str>) -> Result<Self, ServiceError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None | Some("version") => Ok(Self::Version),
            Some("platform") => Ok(Self::Platform),
            Some(other) => Err(ServiceError::Invalid(format!(
                "split `{other}` is not version or platform"
            ))),
        }
    }
}

/// The event's charts and its events per combination in the range.
struct Volume {
    hourly: TimeSeries,
    daily: TimeSeries,
    in_range: HashMap<i64, i64>,
    total: i64,
}

pub async fn detail(
    services: &Services,
    actor: &Actor,
    tenant: &TenantRef,
    name: &str,
    range: Range,
    split: Split,
) -> Result<EventDetail, ServiceError> {
    let event = curated_row(services, "events", tenant.id, name).await?;
    let versions = versions(services, tenant.id).await?;
    let combos: Vec<Combo> = fetch(
        services.db.conn(),
        "SELECT c.id AS id, c.version_id AS version_id, s.name AS screen, c.first_seen AS first_seen, c.last_seen AS last_seen \
         FROM combinations c JOIN screens s ON s.id = c.screen_id WHERE c.event_id = ?",
        vec![event.id.into()],
    )
    .await?;
    let volume = volume(services, &combos, &versions, range, split, tenant).await?;
    let (screens, on_versions) = where_it_fires(&combos, &versions, &volume.in_range);

    // Keys and their types in the range.
    let keys: Vec<KeyCols> = fetch(
        services.db.conn(),
        "SELECT id, path, first_seen, last_seen FROM event_keys WHERE event_id = ? AND first_seen IS NOT NULL ORDER BY path",
        vec![event.id.into()],
    )
    .await?;
    let key_rows = key_rows(services, &keys, &versions, range, volume.total).await?;
    let discoveries = discoveries(services, tenant.id, event.id, &combos, &keys).await?;
    let curation = curation_of(services, "event", &event).await?;
    Ok(EventDetail {
        tenant: tenant.slug.clone(),
        name: event.name,
        first_seen: hour_text(event.first_seen),
        last_seen: hour_text(event.last_seen),
        shown_status: tenant.shown_status(&curation.status, event.last_seen),
        curation,
        can_edit: actor.can_own(tenant.id),
        range: range.view(),
        split: match split {
            Split::Version => "version",
            Split::Platform => "platform",
        }
        .to_owned(),
        hourly: volume.hourly,
        daily: volume.daily,
        events_total: volume.total,
        screens,
        versions: on_versions,
        keys: key_rows,
        discoveries,
    })
}

/// The event's volume split by version or platform: by hour over the last 7 days of the range
/// (hourly detail only), by day over the 90 days up to its end.
async fn volume(
    services: &Services,
    combos: &[Combo],
    versions: &HashMap<i64, VersionInfo>,
    range: Range,
    split: Split,
    tenant: &TenantRef,
) -> Result<Volume, sea_orm::DbErr> {
    let combo_ids = ids(combos.iter().map(|c| c.id));
    let by_id: HashMap<i64, &Combo> = combos.iter().map(|c| (c.id, c)).collect();
    let split_label = |combination_id: i64| -> String {
        by_id
            .get(&combination_id)
            .and_then(|c| versions.get(&c.version_id))
            .map(|v| match split {
                Split::Version => v.label(),
                Split::Platform => v.platform.clone(),
            })
            .unwrap_or_default()
    };

    // By hour: the last 7 days of the range (hourly detail only).
    let hours = range.last_days(range.days().min(7));
    let hourly_rows: Vec<PeriodCount> = fetch(
        services.db.conn(),
        &format!(
            "SELECT combination_id, hour AS period, events FROM hourly_counts WHERE combination_id IN {combo_ids} AND hour >= ? AND hour < ?"
        ),
        vec![hours.from.into(), hours.to.into()],
    )
    .await?;
    let hour_buckets: Vec<i64> = (hours.from..hours.to)
        .step_by(Hour::SECONDS as usize)
        .collect();
    let mut hourly = series(
        &hour_buckets,
        |h| hour_text(Some(h)).unwrap_or_default(),
        hourly_rows
            .iter()
            .map(|r| (split_label(r.combination_id), r.period, r.events as f64)),
        SERIES,
    );
    mark_buckets(&mut hourly, &hour_buckets, Hour::SECONDS, tenant);
    // By day: the 90 days up to the range's end.
    let days = range.last_days(90);
    let daily_rows: Vec<PeriodCount> = fetch(
        services.db.conn(),
        &format!(
            "SELECT combination_id, day AS period, events FROM daily_counts WHERE combination_id IN {combo_ids} AND day >= ? AND day < ?"
        ),
        vec![days.from.into(), days.to.into()],
    )
    .await?;
    let day_starts = days.day_starts();
    let mut daily = series(
        &day_starts,
        day_text,
        daily_rows
            .iter()
            .map(|r| (split_label(r.combination_id), r.period, r.events as f64)),
        SERIES,
    );
    mark_buckets(&mut daily, &day_starts, 86_400, tenant);
    let mut in_range: HashMap<i64, i64> = HashMap::new();
    for row in daily_rows
        .iter()
        .filter(|r| r.period >= range.from && r.period < range.to)
    {
        *in_range.entry(row.combination_id).or_default() += row.events;
    }
    let total = in_range.values().sum();
    Ok(Volume {
        hourly,
        daily,
        in_range,
        total,
    })
}

/// Where it fires: its screens and its versions, with their events in the range (`in_range`, per
/// combination), most first.
fn where_it_fires(
    combos: &[Combo],
    versions: &HashMap<i64, VersionInfo>,
    in_range: &HashMap<i64, i64>,
) -> (Vec<SeenRow>, Vec<SeenRow>) {
    let mut screens: BTreeMap<String, SeenRow> = BTreeMap::new();
    let mut on_versions: BTreeMap<String, SeenRow> = BTreeMap::new();
    for combo in combos {
        let count = in_range.get(&combo.id).copied().unwrap_or(0);
        let version = versions
            .get(&combo.version_id)
            .map(|v| v.label())
            .unwrap_or_default();
        for (map, key) in [
            (&mut screens, combo.screen.clone()),
            (&mut on_versions, version),
        ] {
            let row = seen_row(map, &key);
            row.events += count;
            widen(row, combo.first_seen, combo.last_seen);
        }
    }
    (most_first(screens), most_first(on_versions))
}

/// The rows seen at all, the most events first, then by name.
fn most_first(map: BTreeMap<String, SeenRow>) -> Vec<SeenRow> {
    let mut rows: Vec<SeenRow> = map
        .into_values()
        .filter(|r| r.first_seen.is_some())
        .collect();
    rows.sort_by(|a, b| b.events.cmp(&a.events).then(a.name.cmp(&b.name)));
    rows
}

/// The event's keys with their types in the range (each with the versions that sent it) and the
/// share of its `events_total` events that carried each.
async fn key_rows(
    services: &Services,
    keys: &[KeyCols],
    versions: &HashMap<i64, VersionInfo>,
    range: Range,
    events_total: i64,
) -> Result<Vec<KeyRow>, sea_orm::DbErr> {
    let by_version = crate::ledger::totals::key_type_totals_by_version(
        services.db.conn(),
        &format!(
            "key_id IN {} AND day >= ? AND day < ?",
            ids(keys.iter().map(|k| k.id))
        ),
        vec![range.from.into(), range.to.into()],
    )
    .await?;
    let mut totals: HashMap<i64, [i64; 7]> = HashMap::new();
    // Key → type index → the versions that sent it.
    let mut senders: HashMap<(i64, usize), BTreeSet<&str>> = HashMap::new();
    for ((key_id, version_id), counts) in &by_version {
        let sum = totals.entry(*key_id).or_default();
        for (i, n) in counts.iter().enumerate() {
            sum[i] += n;
            if let (true, Some(version)) = (*n > 0, versions.get(version_id)) {
                senders
                    .entry((*key_id, i))
                    .or_default()
                    .insert(version.version.as_str());
            }
        }
    }
    Ok(keys
        .iter()
        .map(|key| {
            let counts = totals.get(&key.id).copied().unwrap_or_default();
            let mut types: Vec<(usize, String, i64)> = JsonType::ALL
                .iter()
                .zip(counts)
                .enumerate()
                .filter(|(_, (_, n))| *n > 0)
                .map(|(i, (t, n))| (i, t.name().to_owned(), n))
                .collect();
            types.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
            let type_versions = types
                .iter()
                .map(|(i, _, _)| {
                    let mut sent: Vec<String> = senders
                        .get(&(key.id, *i))
                        .map(|set| set.iter().map(|v| v.to_string()).collect())
                        .unwrap_or_default();
                    sent.sort_by(|a, b| crate::browse::version_order(a, b));
                    sent
                })
                .collect();
            let types: Vec<(String, i64)> = types.into_iter().map(|(_, t, n)| (t, n)).collect();
            let non_null = types.iter().filter(|(t, _)| t != "null").count();
            let carried = counts.iter().copied().max().unwrap_or(0);
            KeyRow {
                path: key.path.clone(),
                conflict: non_null > 1,
                coverage: if events_total > 0 {
                    (carried as f64 / events_total as f64).min(1.0)
                } else {
                    0.0
                },
                types,
                type_versions,
                first_seen: hour_text(key.first_seen),
                last_seen: hour_text(key.last_seen),
            }
        })
        .collect())
}

/// Discoveries about the event, its combinations and keys.
async fn discoveries(
    services: &Services,
    tenant_id: i64,
    event_id: i64,
    combos: &[Combo],
    keys: &[KeyCols],
) -> Result<Vec<DiscoveryItem>, sea_orm::DbErr> {
    let combo_ids = ids(combos.iter().map(|c| c.id));
    let key_ids = ids(keys.iter().map(|k| k.id));
    Ok(fetch::<Discovered>(
        services.db.conn(),
        &format!(
            "SELECT kind, label, hour, news FROM discoveries WHERE tenant_id = ? AND ( \
             (kind = 'event' AND subject_id = ?) OR (kind = 'combination' AND subject_id IN {combo_ids}) \
             OR (kind = 'key' AND subject_id IN {key_ids}) \
             OR (kind = 'key_type' AND subject_id IN (SELECT id FROM key_types WHERE key_id IN {key_ids}))) \
             ORDER BY hour, id LIMIT 500"
        ),
        vec![tenant_id.into(), event_id.into()],
    )
    .await?
    .into_iter()
    .map(DiscoveryItem::from)
    .collect())
}
