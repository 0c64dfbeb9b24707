//! Telling incidents: each incident found in hours that were news is told once (notification kind
//! `anomaly`, dedupe key `incident:{id}`, and `told_at` set), to the owners and watchers of the
//! events and applications it touches, the tenant's watchers, and its webhooks. History (a
//! baseline, an old backfill) raises incidents on the page and pushes nothing; re-ingesting hours
//! never tells an incident twice.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::series::Series;
use super::store;
use crate::entities::{application, event, incident, incident_series, tenant};
use crate::notify::{self, NewsContext, NewsKind, Subject};
use blueprint_types::signals::IncidentKind;

/// `1,240` for 1240.
fn grouped(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `09:00` when the hour is within a day of `at`, else `Dec 1 09:00`.
fn since(hour: i64, at: i64) -> String {
    let Some(start) = DateTime::<Utc>::from_timestamp(hour, 0) else {
        return String::new();
    };
    if (at - hour).abs() < 86_400 {
        start.format("%H:%M UTC").to_string()
    } else {
        start.format("%b %-d %H:%M UTC").to_string()
    }
}

/// The title of an incident: "Drop: checkout −52 % on Shop 5.2 iOS since 09:00 UTC (expected
/// 1,240, saw 598)".
pub fn title(row: &incident::Model, series: &[Series], at: i64) -> String {
    let kind: IncidentKind = row.kind.parse().unwrap_or(IncidentKind::Drop);
    let kind = match kind {
        IncidentKind::Drop => "Drop",
        IncidentKind::Spike => "Spike",
        IncidentKind::Stopped => "Stopped",
        IncidentKind::Outage => "Outage",
    };
    let events: BTreeSet<&str> = series.iter().map(|s| s.event.as_str()).collect();
    let what = match (&row.event, events.len()) {
        (Some(event), _) => event.clone(),
        (None, n) => format!("{n} events"),
    };
    let change = if row.expected > 0.0 {
        let percent = ((row.observed as f64 - row.expected) / row.expected * 100.0).round() as i64;
        if percent < 0 {
            format!(" \u{2212}{} %", -percent)
        } else {
            format!(" +{percent} %")
        }
    } else {
        String::new()
    };
    let versions: BTreeSet<&str> = series
        .iter()
        .filter(|s| !s.version.is_empty())
        .map(|s| s.version.as_str())
        .collect();
    let on = match (&row.application, &row.version, &row.platform) {
        (Some(a), Some(v), Some(p)) => format!(" on {a} {v} {p}"),
        (Some(a), None, Some(p)) => format!(" on {a} {p} ({} versions)", versions.len()),
        (Some(a), None, None) => format!(" on {a} ({} versions)", versions.len()),
        _ => String::new(),
    };
    format!(
        "{kind}: {what}{change}{on} since {} (expected {}, saw {})",
        since(row.start_hour, at),
        grouped(row.expected.round() as i64),
        grouped(row.observed)
    )
}

/// Tells every news incident of the tenant not told yet; how many were told.
pub async fn tell_new(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    at: i64,
) -> Result<usize, DbErr> {
    let due = incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant_id))
        .filter(incident::Column::News.eq(true))
        .filter(incident::Column::ToldAt.is_null())
        .filter(incident::Column::Kind.ne(IncidentKind::Outage.as_str()))
        .all(conn)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
        return Ok(0);
    };
    let watches = notify::watches_in(conn, tenant_id).await?;
    let readers = notify::readers(conn, tenant_id).await?;
    let mut told = 0;
    for row in due {
        let series: Vec<Series> = incident_series::Entity::find()
            .filter(incident_series::Column::IncidentId.eq(row.id))
            .all(conn)
            .await?
            .iter()
            .map(store::series_of)
            .collect();
        let to = recipients(conn, tenant_id, &series, &watches, &readers).await?;
        let link = format!(
            "/t/{}/incidents/{}",
            notify::path_segment(&tenant.slug),
            row.id
        );
        notify::tell(
            conn,
            NewsContext { tenant_id, at },
            &to,
            NewsKind::Anomaly,
            &title(&row, &series, at),
            &link,
            &format!("incident:{}", row.id),
        )
        .await?;
        told += incident::Entity::update_many()
            .filter(incident::Column::Id.eq(row.id))
            .filter(incident::Column::ToldAt.is_null())
            .col_expr(incident::Column::ToldAt, Expr::value(at))
            .exec(conn)
            .await?
            .rows_affected as usize;
    }
    Ok(told)
}

/// The owners and watchers of the events and applications an incident touches, and the tenant's
/// watchers (members and admins only).
async fn recipients(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    series: &[Series],
    watches: &[crate::entities::watch::Model],
    readers: &std::collections::HashMap<String, i64>,
) -> Result<BTreeSet<i64>, DbErr> {
    let events: BTreeSet<&str> = series.iter().map(|s| s.event.as_str()).collect();
    let applications: BTreeSet<&str> = series
        .iter()
        .filter(|s| !s.application.is_empty())
        .map(|s| s.application.as_str())
        .collect();
    let mut owners: Vec<String> = event::Entity::find()
        .filter(event::Column::TenantId.eq(tenant_id))
        .filter(event::Column::Name.is_in(events.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|e| e.owner)
        .collect();
    owners.extend(
        application::Entity::find()
            .filter(application::Column::TenantId.eq(tenant_id))
            .filter(application::Column::Name.is_in(applications.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|a| a.owner),
    );
    let mut to = BTreeSet::new();
    let apps: Vec<Option<&str>> = if applications.is_empty() {
        vec![None]
    } else {
        applications.iter().map(|a| Some(*a)).collect()
    };
    for event in &events {
        for app in &apps {
            let subject = Subject {
                event: Some(event),
                application: *app,
                owners: owners.clone(),
                ..Subject::default()
            };
            to.extend(notify::recipients(
                watches,
                readers,
                NewsKind::Anomaly,
                &subject,
            ));
        }
    }
    Ok(to)
}
