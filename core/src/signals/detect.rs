//! After an hour is ingested: judge every series of the tenant in that hour, replace the hour's
//! anomalous rows, group them into incidents ([`super::group`]), resolve the incidents whose
//! series are back in their bands, wake the snoozed ones whose time has come, and tell what is
//! new and news ([`super::tell`]).
//!
//! Hours without data (`no_data`, never ingested) are never judged: re-ingesting an hour as
//! `no_data` only removes what was found in it before.

use std::collections::BTreeSet;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
    StreamTrait,
};

use super::judge::{Judgement, band_at, judge};
use super::load::{Loaded, Scope, for_each_event};
use super::model::Input;
use super::series::Series;
use super::thresholds::Thresholds;
use super::{group, store, tell};
use crate::entities::{anomaly, incident};
use crate::hour::Hour;
use blueprint_types::signals::{IncidentKind, IncidentState};

/// What detection did after one hour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Detected {
    /// Anomalous series-hours written (the hour's, and the previous hour's found with it).
    pub anomalies: usize,
    /// Incidents opened.
    pub opened: usize,
    /// Incidents resolved because their series were back in their bands.
    pub resolved: u64,
    /// Snoozed incidents woken.
    pub woken: u64,
    /// Incidents told (once each).
    pub told: usize,
}

/// One anomalous hour of one series.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub series: Series,
    pub hour: i64,
    pub kind: IncidentKind,
    pub observed: i64,
    pub expected: f64,
    pub low: f64,
    pub high: f64,
}

/// Judges slot `i` of every series of `loaded`: the anomalies of the hour, and those of the hour
/// before that the two-hour test found with it. With `previous_only`, only the latter.
pub fn findings(loaded: &Loaded, i: usize, previous_only: bool, th: &Thresholds) -> Vec<Finding> {
    let hour = loaded.start + i as i64 * 3600;
    let mut found = Vec::new();
    let mut add = |series: Series, input: Input<'_>, j: Judgement| {
        if let (Some(kind), false, Some(observed), Some(e)) =
            (j.kind, previous_only, j.observed, j.expected)
        {
            found.push(Finding {
                series: series.clone(),
                hour,
                kind,
                observed,
                expected: e.mean,
                low: j.low,
                high: j.high,
            });
        }
        if let (Some(kind), Some(p)) = (j.previous, i.checked_sub(1))
            && let (Some(observed), Some((expected, low, high))) =
                (input.history().counts[p], band_at(input, p, th))
        {
            found.push(Finding {
                series,
                hour: hour - 3600,
                kind,
                observed,
                expected,
                low,
                high,
            });
        }
    };
    for (event, history) in &loaded.overall {
        let input = Input::Overall(history);
        add(Series::event(event.clone()), input, judge(input, i, th));
    }
    for (series, own) in &loaded.releases {
        let siblings = loaded.siblings(series);
        let input = Input::Release {
            own,
            siblings: &siblings,
        };
        add(series.clone(), input, judge(input, i, th));
    }
    found
}

fn row(tenant_id: i64, f: &Finding) -> anomaly::ActiveModel {
    anomaly::ActiveModel {
        tenant_id: Set(tenant_id),
        hour: Set(f.hour),
        event: Set(f.series.event.clone()),
        application: Set(f.series.application.clone()),
        version: Set(f.series.version.clone()),
        platform: Set(f.series.platform.clone()),
        kind: Set(f.kind.as_str().to_owned()),
        observed: Set(f.observed),
        expected: Set(f.expected),
        low: Set(f.low),
        high: Set(f.high.min(1e300)),
        incident_id: Set(None),
        ..Default::default()
    }
}

/// Inserts rows, keeping any already there for the same series and hour.
async fn insert_new(
    conn: &impl ConnectionTrait,
    rows: Vec<anomaly::ActiveModel>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(crate::sql::chunk_len(12)) {
        let inserted = anomaly::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    anomaly::Column::TenantId,
                    anomaly::Column::Hour,
                    anomaly::Column::Event,
                    anomaly::Column::Application,
                    anomaly::Column::Version,
                    anomaly::Column::Platform,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await;
        match inserted {
            Ok(_) | Err(DbErr::RecordNotInserted) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// The hours the model looks at to judge `h` and the hour after it: the rate and recent
/// windows before them, and the same hours of past weeks before those windows.
fn spans(h: i64, th: &Thresholds) -> Scope {
    let top = h + 2 * 3600;
    let recent = (th.level_hours.max(th.dispersion_hours) + 8) as i64 * 3600;
    let mut spans = vec![(top - (th.rate_hours as i64 + 4) * 3600 - recent, top)];
    for k in 1..=th.weeks as i64 {
        let week = k * 168 * 3600;
        spans.push((top - week - recent, top - week));
    }
    Scope {
        spans,
        ..Scope::default()
    }
}

/// The anomalies of `hour`, judged again: its rows are replaced; the two-hour test's rows of the
/// hour before are added (and the hour after, if already ingested, adds its own to this hour).
/// Returns the rows written and the incidents the replaced rows belonged to.
async fn replace_hour(
    conn: &(impl ConnectionTrait + StreamTrait),
    tenant_id: i64,
    hour: Hour,
    th: &Thresholds,
) -> Result<(usize, BTreeSet<i64>), DbErr> {
    let h = hour.epoch_seconds();
    let from = hour.plus(-th.history_hours()).epoch_seconds();
    // Judged one event at a time as its series are read; the findings are then put in the order
    // of one whole read (every event overall by name, then every release), each hour's apart.
    let mut this_hour = Vec::new();
    let mut next_hour = Vec::new();
    let slot = |loaded: &Loaded| loaded.index(h).filter(|i| loaded.data[*i]);
    let loaded = for_each_event(conn, tenant_id, from, h + 2 * 3600, &spans(h, th), |part| {
        if let Some(i) = slot(&part) {
            this_hour.extend(findings(&part, i, false, th));
            if part.data.get(i + 1).copied().unwrap_or(false) {
                next_hour.extend(findings(&part, i + 1, true, th));
            }
        }
    })
    .await?;
    let old = anomaly::Entity::find()
        .filter(anomaly::Column::TenantId.eq(tenant_id))
        .filter(anomaly::Column::Hour.eq(h))
        .all(conn)
        .await?;
    let touched: BTreeSet<i64> = old.iter().filter_map(|r| r.incident_id).collect();
    anomaly::Entity::delete_many()
        .filter(anomaly::Column::TenantId.eq(tenant_id))
        .filter(anomaly::Column::Hour.eq(h))
        .exec(conn)
        .await?;
    if slot(&loaded).is_none() {
        return Ok((0, touched));
    }
    let in_read_order = |found: &mut Vec<Finding>| {
        found.sort_by(|a, b| {
            (!a.series.is_event_overall(), &a.series)
                .cmp(&(!b.series.is_event_overall(), &b.series))
        });
    };
    in_read_order(&mut this_hour);
    in_read_order(&mut next_hour);
    let mut found = this_hour;
    found.extend(next_hour);
    // Keep the previous incident of each row that comes back (a re-judged hour stays in it).
    let rows: Vec<anomaly::ActiveModel> = found
        .iter()
        .map(|f| {
            let mut r = row(tenant_id, f);
            if f.hour == h
                && let Some(before) = old.iter().find(|o| {
                    o.event == f.series.event
                        && o.application == f.series.application
                        && o.version == f.series.version
                        && o.platform == f.series.platform
                })
            {
                r.incident_id = Set(before.incident_id);
            }
            r
        })
        .collect();
    insert_new(conn, rows).await?;
    Ok((found.len(), touched))
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// Open and acknowledged incidents whose series have been back in their bands (no anomalous hour)
/// for `resolve_after_hours` hours with data are resolved.
async fn resolve(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    hour: i64,
    at: i64,
    th: &Thresholds,
) -> Result<u64, DbErr> {
    let open = incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant_id))
        .filter(incident::Column::Kind.ne(IncidentKind::Outage.as_str()))
        .filter(incident::Column::State.is_in([
            IncidentState::Open.as_str(),
            IncidentState::Acknowledged.as_str(),
        ]))
        .filter(incident::Column::EndHour.lte(hour))
        .all(conn)
        .await?;
    let mut resolved = 0;
    for row in open {
        let normal: Option<Count> = crate::sql::fetch_one(
            conn,
            "SELECT COUNT(*) AS n FROM ingested_hours WHERE tenant_id = ? AND status = 'ok' \
             AND hour >= ? AND hour <= ?",
            vec![tenant_id.into(), row.end_hour.into(), hour.into()],
        )
        .await?;
        if normal.map_or(0, |c| c.n) >= th.resolve_after_hours {
            resolved += incident::Entity::update_many()
                .filter(incident::Column::Id.eq(row.id))
                .col_expr(
                    incident::Column::State,
                    Expr::value(IncidentState::Resolved.as_str()),
                )
                .col_expr(incident::Column::ResolvedAt, Expr::value(at))
                .col_expr(incident::Column::UpdatedAt, Expr::value(at))
                .exec(conn)
                .await?
                .rows_affected;
        }
    }
    Ok(resolved)
}

/// Detection after hour `hour` of the tenant was ingested; `news` when the hour is news (its
/// incidents are told), otherwise history (shown, never pushed). `at` dates what it writes.
pub async fn after_hour(
    conn: &(impl ConnectionTrait + StreamTrait),
    tenant_id: i64,
    hour: Hour,
    news: bool,
    at: i64,
) -> Result<Detected, DbErr> {
    after_hour_with(conn, tenant_id, hour, news, at, &Thresholds::DEFAULT).await
}

/// [`after_hour`] with other thresholds (evaluation).
pub async fn after_hour_with(
    conn: &(impl ConnectionTrait + StreamTrait),
    tenant_id: i64,
    hour: Hour,
    news: bool,
    at: i64,
    th: &Thresholds,
) -> Result<Detected, DbErr> {
    let (anomalies, mut touched) = replace_hour(conn, tenant_id, hour, th).await?;
    let grouped = group::attach(conn, tenant_id, hour, news, at, th).await?;
    touched.extend(grouped.touched);
    group::recompute(conn, &touched, at).await?;
    let resolved = resolve(conn, tenant_id, hour.epoch_seconds(), at, th).await?;
    let woken = store::wake_snoozed(conn, at).await?;
    let told = tell::tell_new(conn, tenant_id, at).await?;
    Ok(Detected {
        anomalies,
        opened: grouped.opened,
        resolved,
        woken,
        told,
    })
}
