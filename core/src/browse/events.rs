//! `/t/{tenant}/events` (search, filters, sort, pages, a sparkline per row) and
//! `/t/{tenant}/events/{event}` (curation, volume by hour and by day split by version or
//! platform, where it fires, its keys with their types, its discoveries).

use std::collections::{BTreeMap, HashMap};

use blueprint_types::catalog::{
    DiscoveryItem, EventDetail, EventFilter, EventList, EventRow, FilterOptions, KeyRow, SeenRow,
};
use sea_orm::{FromQueryResult, Value};

use super::figures::series;
use super::query::tags_of;
use super::{Range, TenantRef, day_text, hour_text, parse_day};
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::ingest::json::JsonType;
use crate::ledger::rollup::DAY;
use crate::sql::{contains_pattern, fetch, fetch_one, ids};

pub const PER_PAGE: u32 = 50;
const HOUR: i64 = 3_600;
/// Series drawn on a chart; the rest are summed as "other".
const SERIES: usize = 8;

use super::query::CuratedRow as EventCols;

const COLUMNS: &str = "id, name, description, owner, status, first_seen, last_seen";

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

/// Event id → its place when ranked by volume in `range` (most first, then by name).
async fn volume_ranking(
    services: &Services,
    tenant_id: i64,
    range: Range,
) -> Result<HashMap<i64, usize>, sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Ranked {
        id: i64,
        name: String,
        volume: i64,
    }
    let mut rows: Vec<Ranked> = fetch(
        services.db.conn(),
        "SELECT e.id AS id, e.name AS name, CAST(COALESCE(v.volume, 0) AS BIGINT) AS volume FROM events e \
         LEFT JOIN (SELECT event_id, SUM(events) AS volume FROM event_days WHERE tenant_id = ? AND day >= ? AND day < ? \
         GROUP BY event_id) v ON v.event_id = e.id WHERE e.tenant_id = ?",
        vec![tenant_id.into(), range.from.into(), range.to.into(), tenant_id.into()],
    )
    .await?;
    rows.sort_by(|a, b| b.volume.cmp(&a.volume).then(a.name.cmp(&b.name)));
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect())
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct DayVolume {
    id: i64,
    day: i64,
    events: i64,
}

#[derive(FromQueryResult)]
struct Text {
    value: String,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The events matching `filter`, one page of them, sorted.
pub async fn list(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    filter: &EventFilter,
) -> Result<EventList, ServiceError> {
    // `sql` is the FROM and WHERE of the matching events; the queries below add what they read.
    let mut sql = String::from(" FROM events e WHERE tenant_id = ? AND first_seen IS NOT NULL");
    let mut values: Vec<Value> = vec![tenant.id.into()];
    if let Some(q) = given(&filter.q) {
        sql.push_str(
            " AND (LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(description, '')) LIKE ? ESCAPE '\\')",
        );
        let pattern = contains_pattern(q);
        values.push(pattern.clone().into());
        values.push(pattern.into());
    }
    if let Some(status) = given(&filter.status) {
        match status {
            "active" | "deprecated" | "obsolete" => {
                sql.push_str(" AND status = ?");
                values.push(status.into());
            }
            "quiet" => {
                let before = tenant.latest.unwrap_or(0) - super::overview::QUIET_AFTER_HOURS * HOUR;
                sql.push_str(" AND last_seen < ?");
                values.push(before.into());
            }
            other => {
                return Err(ServiceError::Invalid(format!(
                    "status `{other}` is not active, deprecated, obsolete or quiet"
                )));
            }
        }
    }
    if let Some(owner) = given(&filter.owner) {
        sql.push_str(" AND owner = ?");
        values.push(owner.into());
    }
    if let Some(tag) = given(&filter.tag) {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM tags t WHERE t.kind = 'event' AND t.subject_id = e.id AND t.tag = ?)",
        );
        values.push(tag.to_lowercase().into());
    }
    let (application, platform, version, screen) = (
        given(&filter.application),
        given(&filter.platform),
        given(&filter.version),
        given(&filter.screen),
    );
    if application.is_some() || platform.is_some() || version.is_some() || screen.is_some() {
        // Resolved to ids first, so the sub-query reads the combinations' own indexes.
        let mut conditions = Vec::new();
        if application.is_some() || platform.is_some() || version.is_some() {
            let mut version_sql = String::from(
                "SELECT v.id AS id FROM app_versions v JOIN applications a ON a.id = v.application_id WHERE v.tenant_id = ?",
            );
            let mut version_values: Vec<Value> = vec![tenant.id.into()];
            for (column, value) in [
                ("a.name", application),
                ("a.platform", platform),
                ("v.version", version),
            ] {
                if let Some(value) = value {
                    version_sql.push_str(&format!(" AND {column} = ?"));
                    version_values.push(value.into());
                }
            }
            let version_ids = fetch::<Id>(services.db.conn(), &version_sql, version_values).await?;
            conditions.push(format!(
                "version_id IN {}",
                ids(version_ids.into_iter().map(|v| v.id))
            ));
        }
        if let Some(screen) = screen {
            let found = fetch_one::<Id>(
                services.db.conn(),
                "SELECT id FROM screens WHERE tenant_id = ? AND name = ?",
                vec![tenant.id.into(), screen.into()],
            )
            .await?;
            conditions.push(format!("screen_id = {}", found.map_or(-1, |s| s.id)));
        }
        sql.push_str(&format!(
            " AND id IN (SELECT event_id FROM combinations WHERE {})",
            conditions.join(" AND ")
        ));
    }
    if let Some(day) = given(&filter.new_since) {
        sql.push_str(" AND first_seen >= ?");
        values.push(parse_day("new_since", day)?.into());
    }
    if let Some(day) = given(&filter.not_seen_since) {
        sql.push_str(" AND last_seen < ?");
        values.push(parse_day("not_seen_since", day)?.into());
    }
    let sort = given(&filter.sort).unwrap_or("name");
    let descending = match given(&filter.order) {
        Some("desc") => true,
        Some("asc") => false,
        Some(other) => {
            return Err(ServiceError::Invalid(format!(
                "order `{other}` is not asc or desc"
            )));
        }
        None => sort == "volume",
    };
    let direction = if descending { "DESC" } else { "ASC" };
    // Names sort by their bytes on every database.
    let by_name = match services.db.backend() {
        sea_orm::DbBackend::Postgres => "name COLLATE \"C\"",
        _ => "name",
    };
    let total = fetch_one::<Count>(
        services.db.conn(),
        &format!("SELECT COUNT(*) AS n{sql}"),
        values.clone(),
    )
    .await?
    .map_or(0, |c| c.n) as u64;
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1) as u32;
    let page = filter.page.unwrap_or(1).clamp(1, pages);
    let start = u64::from((page - 1) * PER_PAGE);
    let shown: Vec<EventCols> = match sort {
        "name" | "first_seen" | "last_seen" => {
            let order = if sort == "name" {
                format!("{by_name} {direction}")
            } else {
                format!("{sort} {direction}, {by_name} {direction}")
            };
            fetch(
                services.db.conn(),
                &format!("SELECT {COLUMNS}{sql} ORDER BY {order} LIMIT {PER_PAGE} OFFSET {start}"),
                values,
            )
            .await?
        }
        "volume" => {
            // Every event of the tenant ranked by its volume in the range (most first, then by
            // name), computed once per ledger version; the matching ones are paged in that order.
            let ranking = super::cache::cached(
                &services.db,
                format!("volume-rank:{}:{}:{}", tenant.id, range.from, range.to),
                tenant.version,
                volume_ranking(services, tenant.id, range),
            )
            .await?;
            let mut matching: Vec<(usize, i64)> =
                fetch::<Id>(services.db.conn(), &format!("SELECT id{sql}"), values)
                    .await?
                    .into_iter()
                    .map(|r| (ranking.get(&r.id).copied().unwrap_or(usize::MAX), r.id))
                    .collect();
            matching.sort_unstable();
            if !descending {
                matching.reverse();
            }
            let page_ids: Vec<i64> = matching
                .iter()
                .skip(start as usize)
                .take(PER_PAGE as usize)
                .map(|(_, id)| *id)
                .collect();
            let mut rows: HashMap<i64, EventCols> = fetch::<EventCols>(
                services.db.conn(),
                &format!(
                    "SELECT {COLUMNS} FROM events WHERE id IN {}",
                    ids(page_ids.iter().copied())
                ),
                vec![],
            )
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
            page_ids.iter().filter_map(|id| rows.remove(id)).collect()
        }
        other => {
            return Err(ServiceError::Invalid(format!(
                "sort `{other}` is not name, volume, first_seen or last_seen"
            )));
        }
    };
    let shown_ids: Vec<i64> = shown.iter().map(|r| r.id).collect();

    let days: Vec<DayVolume> = fetch(
        services.db.conn(),
        &format!(
            "SELECT event_id AS id, day, events FROM event_days WHERE event_id IN {} AND day >= ? AND day < ?",
            ids(shown_ids.iter().copied())
        ),
        vec![range.from.into(), range.to.into()],
    )
    .await?;
    let mut sparks: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in days {
        let spark = sparks
            .entry(row.id)
            .or_insert_with(|| vec![0; range.days() as usize]);
        if let Some(slot) = spark.get_mut(((row.day - range.from) / DAY) as usize) {
            *slot += row.events;
        }
    }
    let tags = tags_of(services, "event", &shown_ids).await?;
    let rows = shown
        .into_iter()
        .map(|r| {
            let sparkline = sparks
                .remove(&r.id)
                .unwrap_or_else(|| vec![0; range.days() as usize]);
            EventRow {
                volume: sparkline.iter().sum(),
                sparkline,
                tags: tags.get(&r.id).cloned().unwrap_or_default(),
                name: r.name,
                description: r.description,
                owner: r.owner,
                status: r.status,
                first_seen: hour_text(r.first_seen),
                last_seen: hour_text(r.last_seen),
            }
        })
        .collect();
    Ok(EventList {
        range: range.view(),
        total,
        page,
        per_page: PER_PAGE,
        rows,
        options: options(services, tenant).await?,
    })
}

/// The values each filter can take: what the ledger holds (cached per ledger version), and the
/// owners and tags people set (read each time).
pub async fn options(
    services: &Services,
    tenant: &TenantRef,
) -> Result<FilterOptions, sea_orm::DbErr> {
    let tenant_id = tenant.id;
    let list = |sql: &'static str| async move {
        let mut values: Vec<String> =
            fetch::<Text>(services.db.conn(), sql, vec![tenant_id.into()])
                .await?
                .into_iter()
                .map(|t| t.value)
                .collect();
        values.sort_by(|a, b| super::version_order(a, b).then(a.cmp(b)));
        values.dedup();
        Ok::<_, sea_orm::DbErr>(values)
    };
    let ledger = super::cache::cached(
        &services.db,
        format!("filter-options:{tenant_id}"),
        tenant.version,
        async {
            Ok::<_, sea_orm::DbErr>(FilterOptions {
                applications: list(
                    "SELECT DISTINCT name AS value FROM applications WHERE tenant_id = ?",
                )
                .await?,
                platforms: list(
                    "SELECT DISTINCT platform AS value FROM applications WHERE tenant_id = ?",
                )
                .await?,
                versions: list(
                    "SELECT DISTINCT version AS value FROM app_versions WHERE tenant_id = ?",
                )
                .await?,
                screens: list("SELECT name AS value FROM screens WHERE tenant_id = ?").await?,
                owners: Vec::new(),
                tags: Vec::new(),
            })
        },
    )
    .await?;
    Ok(FilterOptions {
        owners: list(
            "SELECT DISTINCT owner AS value FROM events WHERE tenant_id = ? AND owner IS NOT NULL",
        )
        .await?,
        tags: list("SELECT DISTINCT tag AS value FROM tags WHERE tenant_id = ? AND kind = 'event'")
            .await?,
        ..ledger.as_ref().clone()
    })
}

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

pub async fn detail(
    services: &Services,
    actor: &Actor,
    tenant: &TenantRef,
    name: &str,
    range: Range,
    split: Split,
) -> Result<EventDetail, ServiceError> {
    let event = super::query::curated_row(services, "events", tenant.id, name).await?;
    let versions = super::query::versions(services, tenant.id).await?;
    let combos: Vec<Combo> = fetch(
        services.db.conn(),
        "SELECT c.id AS id, c.version_id AS version_id, s.name AS screen, c.first_seen AS first_seen, c.last_seen AS last_seen \
         FROM combinations c JOIN screens s ON s.id = c.screen_id WHERE c.event_id = ?",
        vec![event.id.into()],
    )
    .await?;
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
    let hour_buckets: Vec<i64> = (hours.from..hours.to).step_by(HOUR as usize).collect();
    let hourly = series(
        &hour_buckets,
        |h| hour_text(Some(h)).unwrap_or_default(),
        hourly_rows
            .iter()
            .map(|r| (split_label(r.combination_id), r.period, r.events as f64)),
        SERIES,
    );
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
    let daily = series(
        &days.day_starts(),
        day_text,
        daily_rows
            .iter()
            .map(|r| (split_label(r.combination_id), r.period, r.events as f64)),
        SERIES,
    );
    let mut in_range: HashMap<i64, i64> = HashMap::new();
    for row in daily_rows
        .iter()
        .filter(|r| r.period >= range.from && r.period < range.to)
    {
        *in_range.entry(row.combination_id).or_default() += row.events;
    }
    let events_total = in_range.values().sum();

    // Where it fires.
    let mut screens: BTreeMap<String, SeenRow> = BTreeMap::new();
    let mut on_versions: BTreeMap<String, SeenRow> = BTreeMap::new();
    for combo in &combos {
        let count = in_range.get(&combo.id).copied().unwrap_or(0);
        let version = versions
            .get(&combo.version_id)
            .map(|v| v.label())
            .unwrap_or_default();
        for (map, key) in [
            (&mut screens, combo.screen.clone()),
            (&mut on_versions, version),
        ] {
            let row = super::figures::seen_row(map, &key);
            row.events += count;
            super::figures::widen(row, combo.first_seen, combo.last_seen);
        }
    }
    let seen = |map: BTreeMap<String, SeenRow>| -> Vec<SeenRow> {
        let mut rows: Vec<SeenRow> = map
            .into_values()
            .filter(|r| r.first_seen.is_some())
            .collect();
        rows.sort_by(|a, b| b.events.cmp(&a.events).then(a.name.cmp(&b.name)));
        rows
    };

    // Keys and their types in the range.
    let keys: Vec<KeyCols> = fetch(
        services.db.conn(),
        "SELECT id, path, first_seen, last_seen FROM event_keys WHERE event_id = ? AND first_seen IS NOT NULL ORDER BY path",
        vec![event.id.into()],
    )
    .await?;
    let totals = crate::ledger::key_type_totals(
        services.db.conn(),
        &format!(
            "key_id IN {} AND day >= ? AND day < ?",
            ids(keys.iter().map(|k| k.id))
        ),
        vec![range.from.into(), range.to.into()],
    )
    .await?;
    let key_rows = keys
        .iter()
        .map(|key| {
            let counts = totals.get(&key.id).copied().unwrap_or_default();
            let mut types: Vec<(String, i64)> = JsonType::ALL
                .iter()
                .zip(counts)
                .filter(|(_, n)| *n > 0)
                .map(|(t, n)| (t.name().to_owned(), n))
                .collect();
            types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
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
                first_seen: hour_text(key.first_seen),
                last_seen: hour_text(key.last_seen),
            }
        })
        .collect();

    // Discoveries about the event, its combinations and keys.
    let key_ids = ids(keys.iter().map(|k| k.id));
    let discoveries = fetch::<super::query::Discovered>(
        services.db.conn(),
        &format!(
            "SELECT kind, label, hour, news FROM discoveries WHERE tenant_id = ? AND ( \
             (kind = 'event' AND subject_id = ?) OR (kind = 'combination' AND subject_id IN {combo_ids}) \
             OR (kind = 'key' AND subject_id IN {key_ids}) \
             OR (kind = 'key_type' AND subject_id IN (SELECT id FROM key_types WHERE key_id IN {key_ids}))) \
             ORDER BY hour, id LIMIT 500"
        ),
        vec![tenant.id.into(), event.id.into()],
    )
    .await?
    .into_iter()
    .map(DiscoveryItem::from)
    .collect();
    let curation = super::query::curation_of(services, "event", &event).await?;
    Ok(EventDetail {
        tenant: tenant.slug.clone(),
        name: event.name,
        first_seen: hour_text(event.first_seen),
        last_seen: hour_text(event.last_seen),
        curation,
        can_edit: actor.can_own(tenant.id),
        range: range.view(),
        split: match split {
            Split::Version => "version",
            Split::Platform => "platform",
        }
        .to_owned(),
        hourly,
        daily,
        events_total,
        screens: seen(screens),
        versions: seen(on_versions),
        keys: key_rows,
        discoveries,
    })
}
