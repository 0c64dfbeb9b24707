//! `/t/{tenant}/events`: the events matching a search and filters, sorted, one page of them with a
//! sparkline per row.

use std::collections::HashMap;

use blueprint_types::catalog::{EventFilter, EventList, EventRow};
use sea_orm::{FromQueryResult, Value};

use super::filter::{given, matching, options};
use crate::Services;
use crate::accounts::ServiceError;
use crate::browse::cache::cached;
use crate::browse::query::{CuratedRow as EventCols, tags_of};
use crate::browse::{Range, TenantRef, hour_text};
use crate::ledger::rollup::DAY;
use crate::sql::{fetch, fetch_one, ids};

pub const PER_PAGE: u32 = 50;

const COLUMNS: &str = "id, name, description, owner, status, first_seen, last_seen";

#[derive(FromQueryResult)]
struct Id {
    id: i64,
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

/// How the list is sorted: the column asked for (checked when the page is read) and the direction.
struct Order<'a> {
    sort: &'a str,
    descending: bool,
}

/// The events matching `filter`, one page of them, sorted.
pub async fn list(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    filter: &EventFilter,
) -> Result<EventList, ServiceError> {
    // `sql` is the FROM and WHERE of the matching events; the queries below add what they read.
    let (sql, values) = matching(services, tenant, filter).await?;
    let order = sort_order(filter)?;
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
    let shown = page_rows(services, tenant, range, &sql, values, order, start).await?;
    let rows = event_rows(services, tenant, range, shown).await?;
    Ok(EventList {
        range: range.view(),
        total,
        page,
        per_page: PER_PAGE,
        rows,
        coverage: crate::browse::figures::day_coverage(&range.day_starts(), tenant),
        options: options(services, tenant).await?,
    })
}

/// The sort and direction asked for: by default names ascending, volume descending.
fn sort_order(filter: &EventFilter) -> Result<Order<'_>, ServiceError> {
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
    Ok(Order { sort, descending })
}

/// The matching events (`sql`, `values`) of the page starting at `start`, in `order`.
async fn page_rows(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    sql: &str,
    values: Vec<Value>,
    order: Order<'_>,
    start: u64,
) -> Result<Vec<EventCols>, ServiceError> {
    let direction = if order.descending { "DESC" } else { "ASC" };
    // Names sort by their bytes on every database.
    let by_name = match services.db.backend() {
        sea_orm::DbBackend::Postgres => "name COLLATE \"C\"",
        _ => "name",
    };
    match order.sort {
        sort @ ("name" | "first_seen" | "last_seen") => {
            let order = if sort == "name" {
                format!("{by_name} {direction}")
            } else {
                format!("{sort} {direction}, {by_name} {direction}")
            };
            Ok(fetch(
                services.db.conn(),
                &format!("SELECT {COLUMNS}{sql} ORDER BY {order} LIMIT {PER_PAGE} OFFSET {start}"),
                values,
            )
            .await?)
        }
        "volume" => Ok(page_by_volume(
            services,
            tenant,
            range,
            sql,
            values,
            order.descending,
            start,
        )
        .await?),
        other => Err(ServiceError::Invalid(format!(
            "sort `{other}` is not name, volume, first_seen or last_seen"
        ))),
    }
}

/// The page of matching events sorted by volume: every event of the tenant ranked by its volume in
/// the range (most first, then by name), computed once per ledger version; the matching ones are
/// paged in that order.
async fn page_by_volume(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    sql: &str,
    values: Vec<Value>,
    descending: bool,
    start: u64,
) -> Result<Vec<EventCols>, sea_orm::DbErr> {
    let ranking = cached(
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
    Ok(page_ids.iter().filter_map(|id| rows.remove(id)).collect())
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

/// The shown events as the list draws them: with their tags, the status they show and events
/// per day of the range.
async fn event_rows(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    shown: Vec<EventCols>,
) -> Result<Vec<EventRow>, sea_orm::DbErr> {
    let shown_ids: Vec<i64> = shown.iter().map(|r| r.id).collect();
    let mut sparks = sparklines(services, range, &shown_ids).await?;
    let tags = tags_of(services, "event", &shown_ids).await?;
    Ok(shown
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
                status: tenant.shown_status(&r.status, r.last_seen),
                first_seen: hour_text(r.first_seen),
                last_seen: hour_text(r.last_seen),
            }
        })
        .collect())
}

/// Events per day of the range of each of `event_ids` that sent any.
async fn sparklines(
    services: &Services,
    range: Range,
    event_ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, sea_orm::DbErr> {
    let days: Vec<DayVolume> = fetch(
        services.db.conn(),
        &format!(
            "SELECT event_id AS id, day, events FROM event_days WHERE event_id IN {} AND day >= ? AND day < ?",
            ids(event_ids.iter().copied())
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
    Ok(sparks)
}
