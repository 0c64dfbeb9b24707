//! `/t/{tenant}/matrix`: events × versions (of one application and platform) or events × screens,
//! as counts over the range — to see at a glance what a new version stopped or started sending.

use std::collections::HashMap;

use blueprint_types::catalog::{Matrix, MatrixRow};
use sea_orm::FromQueryResult;

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

/// `by` is `version` (default) or `screen`; `application` is `NAME (PLATFORM)`, by default the
/// application with the most events in the range.
pub async fn matrix(
    services: &Services,
    tenant: &TenantRef,
    range: Range,
    by: Option<&str>,
    application: Option<&str>,
) -> Result<Matrix, ServiceError> {
    let by = match by.map(str::trim).filter(|b| !b.is_empty()) {
        None | Some("version") => "version",
        Some("screen") => "screen",
        Some(other) => {
            return Err(ServiceError::Invalid(format!(
                "`by` must be version or screen, not `{other}`"
            )));
        }
    };
    let versions = super::query::versions(services, tenant.id).await?;
    let volumes: Vec<AppVolume> = fetch(
        services.db.conn(),
        "SELECT a.name AS application, a.platform AS platform, CAST(SUM(s.events) AS BIGINT) AS events \
         FROM daily_sessions s JOIN app_versions v ON v.id = s.version_id JOIN applications a ON a.id = v.application_id \
         WHERE s.tenant_id = ? AND s.day >= ? AND s.day < ? GROUP BY a.name, a.platform",
        vec![tenant.id.into(), range.from.into(), range.to.into()],
    )
    .await?;
    let label = |name: &str, platform: &str| format!("{name} ({platform})");
    let mut applications: Vec<String> = versions
        .values()
        .map(|v| label(&v.application, &v.platform))
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
            .map(|v| label(&v.application, &v.platform)),
    };
    let version_ids: Vec<i64> = versions
        .values()
        .filter(|v| chosen.as_deref() == Some(label(&v.application, &v.platform).as_str()))
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
    let mut event_totals: HashMap<i64, i64> = HashMap::new();
    for cell in &by_version {
        *event_totals.entry(cell.event).or_default() += cell.events;
    }
    let mut ranked: Vec<(i64, i64)> = event_totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let more = ranked.len().saturating_sub(MAX_ROWS) as u64;
    ranked.truncate(MAX_ROWS);
    let cells: Vec<Cell> = if by == "version" {
        by_version
    } else {
        // Screens: the combinations of the shown events in this application's versions.
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
        .await?
    };
    // Columns: the versions with traffic in the range, oldest first; or the biggest screens.
    let mut column_totals: HashMap<i64, i64> = HashMap::new();
    for cell in &cells {
        *column_totals.entry(cell.column_id).or_default() += cell.events;
    }
    let mut column_ids: Vec<i64> = column_totals.keys().copied().collect();
    let names: HashMap<i64, String> = if by == "version" {
        column_ids.sort_by(|a, b| version_order(&versions[a].version, &versions[b].version));
        column_ids
            .iter()
            .map(|id| (*id, versions[id].version.clone()))
            .collect()
    } else {
        column_ids.sort_by(|a, b| column_totals[b].cmp(&column_totals[a]).then(a.cmp(b)));
        column_ids.truncate(MAX_SCREENS);
        super::query::names_of(services, "screens", column_ids.iter().copied()).await?
    };
    let position: HashMap<i64, usize> = column_ids
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
                .or_insert_with(|| vec![0; column_ids.len()])[*i] += cell.events;
        }
    }
    let event_names = super::query::names_of(services, "events", by_event.keys().copied()).await?;
    let mut rows: Vec<(String, Vec<i64>)> = by_event
        .into_iter()
        .map(|(id, cells)| (event_names.get(&id).cloned().unwrap_or_default(), cells))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let totals: Vec<i64> = column_ids.iter().map(|id| column_totals[id]).collect();
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
    Ok(Matrix {
        range: range.view(),
        by: by.to_owned(),
        application: chosen,
        applications,
        columns: column_ids.iter().map(|id| names[id].clone()).collect(),
        rows,
        max,
        more,
    })
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
