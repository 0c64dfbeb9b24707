//! `/t/{tenant}/screens` and `/t/{tenant}/screens/{screen}`: screens with their volume in the
//! range and how many events fire on them; a screen's events per day and where each was seen.

use std::collections::{BTreeMap, HashMap};

use blueprint_types::catalog::{ScreenDetail, ScreenList, ScreenRow, SeenRow};
use sea_orm::FromQueryResult;

use super::figures::series;
use super::{Range, TenantRef, day_text, hour_text};
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::ledger::rollup::DAY;
use crate::sql::{contains_pattern, fetch};

use super::query::CuratedRow as ScreenCols;

#[derive(FromQueryResult)]
struct Count {
    id: i64,
    n: i64,
}

pub async fn list(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    q: Option<&str>,
) -> Result<ScreenList, ServiceError> {
    let mut sql = String::from(
        "SELECT id, name, description, owner, status, first_seen, last_seen FROM screens WHERE tenant_id = ? AND first_seen IS NOT NULL",
    );
    let mut values = vec![tenant.id.into()];
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        sql.push_str(" AND LOWER(name) LIKE ? ESCAPE '\\'");
        values.push(contains_pattern(q).into());
    }
    let screens: Vec<ScreenCols> = fetch(services.db.conn(), &sql, values).await?;
    let volumes: HashMap<i64, i64> = fetch::<Count>(
        services.db.conn(),
        "SELECT screen_id AS id, CAST(SUM(events) AS BIGINT) AS n FROM screen_days \
         WHERE tenant_id = ? AND day >= ? AND day < ? GROUP BY screen_id",
        vec![tenant.id.into(), range.from.into(), range.to.into()],
    )
    .await?
    .into_iter()
    .map(|c| (c.id, c.n))
    .collect();
    let mut rows: Vec<ScreenRow> = screens
        .into_iter()
        .map(|s| ScreenRow {
            volume: volumes.get(&s.id).copied().unwrap_or(0),
            name: s.name,
            description: s.description,
            status: s.status,
            first_seen: hour_text(s.first_seen),
            last_seen: hour_text(s.last_seen),
        })
        .collect();
    rows.sort_by(|a, b| b.volume.cmp(&a.volume).then(a.name.cmp(&b.name)));
    Ok(ScreenList {
        range: range.view(),
        rows,
    })
}

#[derive(FromQueryResult)]
struct ComboDay {
    event: String,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
    day: Option<i64>,
    events: Option<i64>,
}

pub async fn detail(
    services: &Services,
    actor: &Actor,
    tenant: &TenantRef,
    name: &str,
    range: Range,
) -> Result<ScreenDetail, ServiceError> {
    let screen = super::query::curated_row(services, "screens", tenant.id, name).await?;
    let rows: Vec<ComboDay> = fetch(
        services.db.conn(),
        "SELECT e.name AS event, c.first_seen AS first_seen, c.last_seen AS last_seen, d.day AS day, d.events AS events \
         FROM combinations c JOIN events e ON e.id = c.event_id \
         LEFT JOIN daily_counts d ON d.combination_id = c.id AND d.day >= ? AND d.day < ? \
         WHERE c.screen_id = ? AND c.first_seen IS NOT NULL",
        vec![range.from.into(), range.to.into(), screen.id.into()],
    )
    .await?;
    let mut events: BTreeMap<String, SeenRow> = BTreeMap::new();
    for row in &rows {
        let entry = super::figures::seen_row(&mut events, &row.event);
        entry.events += row.events.unwrap_or(0);
        super::figures::widen(entry, row.first_seen, row.last_seen);
    }
    let day_starts = range.day_starts();
    let mut daily = series(
        &day_starts,
        day_text,
        rows.iter()
            .filter_map(|r| Some((r.event.clone(), r.day?, r.events.unwrap_or(0) as f64))),
        8,
    );
    super::figures::mark_buckets(&mut daily, &day_starts, DAY, tenant);
    let mut events: Vec<SeenRow> = events.into_values().collect();
    events.sort_by(|a, b| b.events.cmp(&a.events).then(a.name.cmp(&b.name)));
    let curation = super::query::curation_of(services, "screen", &screen).await?;
    Ok(ScreenDetail {
        tenant: tenant.slug.clone(),
        name: screen.name,
        first_seen: hour_text(screen.first_seen),
        last_seen: hour_text(screen.last_seen),
        curation,
        can_edit: actor.can_own(tenant.id),
        range: range.view(),
        daily,
        events,
    })
}
