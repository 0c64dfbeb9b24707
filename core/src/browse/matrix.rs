//! `/t/{tenant}/matrix`: events × versions (of one application and platform) or events × screens,
//! as counts over the range — to see at a glance what a new version stopped or started sending.

use std::collections::HashMap;

use blueprint_types::catalog::{Matrix, MatrixRow};
use sea_orm::FromQueryResult;

use super::query::{VersionInfo, names_of, versions};
use super::{Range, TenantRef, version_order};
use crate::Services;
use crate::accounts::ServiceError;
use crate::sql::{fetch, ids};

/// A version "stopped" an event only when, at the event's earlier share of traffic, it would have
/// sent at least this many: a version with little traffic yet is not flagged for what it could not
/// be expected to send (at 3, a real sender stays silent by chance about 5% of the time).
pub const MIN_EXPECTED: f64 = 3.0;

/// Rows (events) and screen columns shown at most.
pub const MAX_ROWS: usize = 100;
pub const MAX_SCREENS: usize = 24;

#[derive(FromQueryResult)]
struct Cell {
    event: i64,
    column_id: i64,
    events: i64,
}

#[derive(FromQueryResult)]
struct AppVolume {
    application: String,
    platform: String,
    events: i64,
}

/// The columns shown, in order, with their names and all events per column.
struct Columns {
    ids: Vec<i64>,
    names: HashMap<i64, String>,
    totals: HashMap<i64, i64>,
}

/// `by` is `version` (default) or `screen`; `application` is `NAME (PLATFORM)`, by default the
/// application with the most events in the range.
pub async fn matrix(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    by: Option<&str>,
    application: Option<&str>,
) -> Result<Matrix, ServiceError> {
    let by = parse_by(by)?;
    let versions = versions(services, tenant.id).await?;
    let (applications, chosen) =
        choose_application(services, tenant, range, &versions, application).await?;
    let version_ids: Vec<i64> = versions
        .values()
        .filter(|v| {
            chosen.as_deref() == Some(application_label(&v.application, &v.platform).as_str())
        })
        .map(|v| v.id)
        .collect();
    // Events per version of the application in the range, from the day totals.
    let by_version: Vec<Cell> = fetch(
        services.db.conn(),
        &format!(
            "SELECT event_id AS event, version_id AS column_id, CAST(SUM(events) AS BIGINT) AS events \
             FROM version_event_days WHERE tenant_id = ? AND day >= ? AND day < ? AND version_id IN {} \
             GROUP BY event_id, version_id",
            ids(version_ids.iter().copied())
        ),
        vec![tenant.id.into(), range.from.into(), range.to.into()],
    )
    .await?;
    let (ranked, more) = rank_events(&by_version);
    let cells: Vec<Cell> = if by == "version" {
        by_version
    } else {
        screen_cells(services, range, &ranked, &version_ids).await?
    };
    let columns = columns(services, by, &cells, &versions).await?;
    let (rows, max) = matrix_rows(services, by, cells, &ranked, &columns).await?;
    Ok(Matrix {
        range: range.view(),
        by: by.to_owned(),
        application: chosen,
        applications,
        columns: columns
            .ids
            .iter()
            .map(|id| columns.names[id].clone())
            .collect(),
        rows,
        max,
        more,
    })
}

/// The columns asked for: `version` (default) or `screen`.
fn parse_by(by: Option<&str>) -> Result<&'static str, ServiceError> {
    match by.map(str::trim).filter(|b| !b.is_empty()) {
        None | Some("version") => Ok("version"),
        Some("screen") => Ok("screen"),
        Some(other) => Err(ServiceError::Invalid(format!(
            "`by` must be version or screen, not `{other}`"
        ))),
    }
}

/// `Shop (android)`: how the matrix names an application.
fn application_label(name: &str, platform: &str) -> String {
    format!("{name} ({platform})")
}

/// The tenant's applications, sorted, and the one shown: `application` if it is one of them, by
/// default the one with the most events in the range.
async fn choose_application(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    versions: &HashMap<i64, VersionInfo>,
    application: Option<&str>,
) -> Result<(Vec<String>, Option<String>), ServiceError> {
    let volumes: Vec<AppVolume> = fetch(
        services.db.conn(),
        "SELECT a.name AS application, a.platform AS platform, CAST(SUM(s.events) AS BIGINT) AS events \
         FROM daily_sessions s JOIN app_versions v ON v.id = s.version_id JOIN applications a ON a.id = v.application_id \
         WHERE s.tenant_id = ? AND s.day >= ? AND s.day < ? GROUP BY a.name, a.platform",
        vec![tenant.id.into(), range.from.into(), range.to.into()],
    )
    .await?;
    let mut applications: Vec<String> = versions
        .values()
        .map(|v| application_label(&v.application, &v.platform))
        .collect();
    applications.sort();
    applications.dedup();
    let chosen = match application.map(str::trim).filter(|a| !a.is_empty()) {
        Some(name) => {
            if !applications.iter().any(|a| a == name) {
                return Err(ServiceError::Invalid(format!(
                    "there is no application `{name}` in this tenant (write it as NAME (PLATFORM))"
                )));
            }
            Some(name.to_owned())
        }
        None => volumes
            .iter()
            .max_by(|a, b| {
                a.events
                    .cmp(&b.events)
                    .then(b.application.cmp(&a.application))
            })
            .map(|v| application_label(&v.application, &v.platform)),
    };
    Ok((applications, chosen))
}

/// The events shown: (event, events) most first, at most [`MAX_ROWS`]; and how many more there are.
fn rank_events(cells: &[Cell]) -> (Vec<(i64, i64)>, u64) {
    let mut event_totals: HashMap<i64, i64> = HashMap::new();
    for cell in cells {
        *event_totals.entry(cell.event).or_default() += cell.events;
    }
    let mut ranked: Vec<(i64, i64)> = event_totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let more = ranked.len().saturating_sub(MAX_ROWS) as u64;
    ranked.truncate(MAX_ROWS);
    (ranked, more)
}

/// Screens: the combinations of the shown events in this application's versions.
async fn screen_cells(
    services: &Services,
    range: Range,
    ranked: &[(i64, i64)],
    version_ids: &[i64],
) -> Result<Vec<Cell>, sea_orm::DbErr> {
    fetch(
        services.db.conn(),
        &format!(
            "SELECT c.event_id AS event, c.screen_id AS column_id, CAST(SUM(d.events) AS BIGINT) AS events \
             FROM combinations c JOIN daily_counts d ON d.combination_id = c.id \
             WHERE c.event_id IN {} AND c.version_id IN {} AND d.day >= ? AND d.day < ? \
             GROUP BY c.event_id, c.screen_id",
            ids(ranked.iter().map(|(id, _)| *id)),
            ids(version_ids.iter().copied())
        ),
        vec![range.from.into(), range.to.into()],
    )
    .await
}

/// Columns: the versions with traffic in the range, oldest first; or the biggest screens.
async fn columns(
    services: &Services,
    by: &str,
    cells: &[Cell],
    versions: &HashMap<i64, VersionInfo>,
) -> Result<Columns, sea_orm::DbErr> {
    let mut totals: HashMap<i64, i64> = HashMap::new();
    for cell in cells {
        *totals.entry(cell.column_id).or_default() += cell.events;
    }
    let mut column_ids: Vec<i64> = totals.keys().copied().collect();
    let names: HashMap<i64, String> = if by == "version" {
        column_ids.sort_by(|a, b| version_order(&versions[a].version, &versions[b].version));
        column_ids
            .iter()
            .map(|id| (*id, versions[id].version.clone()))
            .collect()
    } else {
        column_ids.sort_by(|a, b| totals[b].cmp(&totals[a]).then(a.cmp(b)));
        column_ids.truncate(MAX_SCREENS);
        names_of(services, "screens", column_ids.iter().copied()).await?
    };
    Ok(Columns {
        ids: column_ids,
        names,
        totals,
    })
}

/// One row per shown (`ranked`) event, by name, with its cells in column order; and the biggest
/// cell.
async fn matrix_rows(
    services: &Services,
    by: &str,
    cells: Vec<Cell>,
    ranked: &[(i64, i64)],
    columns: &Columns,
) -> Result<(Vec<MatrixRow>, i64), sea_orm::DbErr> {
    let position: HashMap<i64, usize> = columns
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let shown: HashMap<i64, ()> = ranked.iter().map(|(id, _)| (*id, ())).collect();
    let mut by_event: HashMap<i64, Vec<i64>> = HashMap::new();
    for cell in cells {
        if let (Some(i), true) = (
            position.get(&cell.column_id),
            shown.contains_key(&cell.event),
        ) {
            by_event
                .entry(cell.event)
                .or_insert_with(|| vec![0; columns.ids.len()])[*i] += cell.events;
        }
    }
    let event_names = names_of(services, "events", by_event.keys().copied()).await?;
    let mut rows: Vec<(String, Vec<i64>)> = by_event
        .into_iter()
        .map(|(id, cells)| (event_names.get(&id).cloned().unwrap_or_default(), cells))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let totals: Vec<i64> = columns.ids.iter().map(|id| columns.totals[id]).collect();
    let max = rows
        .iter()
        .flat_map(|r| r.1.iter().copied())
        .max()
        .unwrap_or(0);
    let rows = rows
        .into_iter()
        .map(|(event, cells)| {
            let stopped = if by == "version" {
                stopped(&cells, &totals)
            } else {
                Vec::new()
            };
            MatrixRow {
                event,
                cells,
                stopped,
            }
        })
        .collect();
    Ok((rows, max))
}

/// The columns after the last one that sent the event where, at the event's share of the earlier
/// columns' traffic (`totals`: all events per column), at least [`MIN_EXPECTED`] were expected.
pub fn stopped(cells: &[i64], totals: &[i64]) -> Vec<usize> {
    let Some(last) = cells.iter().rposition(|n| *n > 0) else {
        return Vec::new();
    };
    let sent: i64 = cells[..=last].iter().sum();
    let traffic: i64 = totals[..=last].iter().sum();
    if traffic == 0 {
        return Vec::new();
    }
    let share = sent as f64 / traffic as f64;
    (last + 1..cells.len())
        .filter(|j| share * totals[*j] as f64 >= MIN_EXPECTED)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_event_stops_after_its_last_sending_version() {
        let totals = [100, 100, 100, 5];
        // 8 of 200 earlier: 4 expected in a column of 100, 0.2 in a column of 5.
        assert_eq!(super::stopped(&[5, 3, 0, 0], &totals), vec![2]);
        assert_eq!(super::stopped(&[0, 3, 0, 4], &totals), Vec::<usize>::new());
        assert_eq!(super::stopped(&[0, 0, 0, 0], &totals), Vec::<usize>::new());
        assert_eq!(
            super::stopped(&[1, 0, 0, 0], &totals),
            Vec::<usize>::new(),
            "1% of 100 is not enough"
        );
    }
}
