//! What admins see of ingestion: each tenant's recent hours coloured by state, one hour in detail
//! (its runs, error and rejected samples), and the job monitor (live workers and what they are
//! doing, the queue, recent backfills).
//!
//! An hour's state, most telling first: `running` or `queued` (a task is open), `failed` (its
//! latest run failed), `ingested` or `no_data` (in the ledger), `not_due` (its end plus the
//! schedule's delay has not passed yet, so nothing has asked for it), else `missing`.

use std::collections::HashMap;

use blueprint_types::jobs::{
    HourCell, HourDetail, HourState, Ingestion, RejectedLine, RunRow, TenantTimeline, WorkerRow,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::{hour_task, ingested_hour, ingestion_run, tenant};
use crate::hour::Hour;
use crate::ingest::reader::RejectedSample;
use crate::jobs::tasks::{self, TaskState};
use crate::jobs::{JobSettings, backfills, workers};
use crate::time::{hour_text, instant, process_seconds};

/// Hours a timeline shows on the monitor page.
pub const TIMELINE_HOURS: i64 = 48;

fn cell_of(hour: i64, state: HourState, run: Option<&ingestion_run::Model>) -> HourCell {
    HourCell {
        hour: hour_text(hour),
        state: state.as_str().to_owned(),
        events: run.map_or(0, |r| r.events),
        rejected: run.map_or(0, |r| r.rejected),
        files: run.map_or(0, |r| r.files),
        duration_ms: run
            .filter(|r| r.finished_at.is_some())
            .map(|r| r.read_ms + r.write_ms),
        error: run.and_then(|r| r.error.clone()),
    }
}

/// The latest hour due at the services' clock: it ended at least the schedule's `delay` ago.
pub fn due_hour(services: &Services, delay: std::time::Duration) -> Hour {
    crate::jobs::schedule::due_hour(services.db.now(), delay)
}

/// The hours `[from, to)` of a tenant, each with its state and latest figures; an hour after
/// `due` (the latest hour due) that nothing wrote is `not_due`, not `missing`.
pub async fn timeline(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    from: Hour,
    to: Hour,
    due: Hour,
) -> Result<Vec<HourCell>, DbErr> {
    let (start, end) = (from.epoch_seconds(), to.epoch_seconds());
    let ingested: HashMap<i64, ingested_hour::Model> = ingested_hour::Entity::find()
        .filter(ingested_hour::Column::TenantId.eq(tenant_id))
        .filter(ingested_hour::Column::Hour.gte(start))
        .filter(ingested_hour::Column::Hour.lt(end))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.hour, row))
        .collect();
    let mut latest_run: HashMap<i64, ingestion_run::Model> = HashMap::new();
    let mut ingesting_run: HashMap<i64, ingestion_run::Model> = HashMap::new();
    let runs = ingestion_run::Entity::find()
        .filter(ingestion_run::Column::TenantId.eq(tenant_id))
        .filter(ingestion_run::Column::Hour.gte(start))
        .filter(ingestion_run::Column::Hour.lt(end))
        .order_by_asc(ingestion_run::Column::Id)
        .all(conn)
        .await?;
    for run in runs {
        if ingested.get(&run.hour).is_some_and(|i| i.run_id == run.id) {
            ingesting_run.insert(run.hour, run.clone());
        }
        if run.status != "running" {
            latest_run.insert(run.hour, run);
        }
    }
    let mut open: HashMap<i64, HourState> = HashMap::new();
    for task in tasks::open_tasks(conn, tenant_id, from, to).await? {
        let state = if TaskState::Running.is(&task.state) {
            HourState::Running
        } else {
            HourState::Queued
        };
        let entry = open.entry(task.hour).or_insert(state);
        if state == HourState::Running {
            *entry = state;
        }
    }
    Ok(from
        .until(to)
        .map(|hour| {
            let at = hour.epoch_seconds();
            let latest = latest_run.get(&at);
            if let Some(&state) = open.get(&at) {
                return cell_of(at, state, ingesting_run.get(&at).or(latest));
            }
            if let Some(run) = latest.filter(|r| r.status == "failed") {
                return cell_of(at, HourState::Failed, Some(run));
            }
            match ingested.get(&at) {
                Some(row) if row.status == "no_data" => {
                    cell_of(at, HourState::NoData, ingesting_run.get(&at))
                }
                Some(_) => cell_of(at, HourState::Ingested, ingesting_run.get(&at)),
                None if hour > due => cell_of(at, HourState::NotDue, None),
                None => cell_of(at, HourState::Missing, None),
            }
        })
        .collect())
}

fn run_row(run: &ingestion_run::Model) -> RunRow {
    RunRow {
        id: run.id,
        status: run.status.clone(),
        trigger: run.trigger.clone(),
        started_at: instant(run.started_at),
        finished_at: run.finished_at.map(instant),
        files: run.files,
        bytes: run.bytes,
        events: run.events,
        rejected: run.rejected,
        keys_cut: run.keys_cut,
        read_ms: run.read_ms,
        write_ms: run.write_ms,
        error: run.error.clone(),
        worker: run.worker_id.clone(),
    }
}

/// One hour of a tenant in detail, for admins; `delay` is the schedule's.
pub async fn hour_detail_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    hour: Hour,
    delay: std::time::Duration,
) -> Result<HourDetail, ServiceError> {
    actor.require_admin()?;
    let conn = services.db.conn();
    let tenant = tenant_by_slug(conn, slug).await?;
    let due = due_hour(services, delay);
    let cell = timeline(conn, tenant.id, hour, hour.plus(1), due)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)?;
    let runs = ingestion_run::Entity::find()
        .filter(ingestion_run::Column::TenantId.eq(tenant.id))
        .filter(ingestion_run::Column::Hour.eq(hour.epoch_seconds()))
        .order_by_desc(ingestion_run::Column::Id)
        .limit(20)
        .all(conn)
        .await?;
    let rejected = runs
        .iter()
        .find(|run| run.status != "running")
        .and_then(|run| run.rejected_samples.as_deref())
        .and_then(|text| serde_json::from_str::<Vec<RejectedSample>>(text).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|s| RejectedLine {
            file: s.file,
            offset: s.offset,
            reason: s.reason,
            text: s.text,
        })
        .collect();
    Ok(HourDetail {
        tenant: tenant.slug,
        cell,
        runs: runs.iter().map(run_row).collect(),
        rejected,
    })
}

/// The job monitor and every tenant's last [`TIMELINE_HOURS`] hours up to the current one.
pub async fn ingestion_as(
    services: &Services,
    actor: &Actor,
    settings: &JobSettings,
) -> Result<Ingestion, ServiceError> {
    actor.require_admin()?;
    let conn = services.db.conn();
    let alive = workers::alive(conn, settings.dead_after()).await?;
    let running = hour_task::Entity::find()
        .filter(hour_task::Column::State.eq(TaskState::Running.as_str()))
        .all(conn)
        .await?;
    let slugs: HashMap<i64, String> = tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    let workers = alive
        .into_iter()
        .map(|w| WorkerRow {
            running: running
                .iter()
                .filter(|t| t.worker_id.as_deref() == Some(w.id.as_str()))
                .map(|t| {
                    format!(
                        "{} {}",
                        slugs.get(&t.tenant_id).map_or("?", String::as_str),
                        hour_text(t.hour)
                    )
                })
                .collect(),
            id: w.id,
            kind: w.kind,
            host: w.host,
            pid: w.pid,
            concurrency: i64::from(w.concurrency),
            started_at: instant(w.started_at),
            heartbeat_at: instant(w.heartbeat_at),
        })
        .collect();
    let count = |state: TaskState, since: Option<i64>| async move {
        let mut query =
            hour_task::Entity::find().filter(hour_task::Column::State.eq(state.as_str()));
        if let Some(since) = since {
            query = query.filter(hour_task::Column::FinishedAt.gte(since));
        }
        sea_orm::PaginatorTrait::count(query, conn).await
    };
    let hours_queued = count(TaskState::Queued, None).await? as i64;
    let hours_running = count(TaskState::Running, None).await? as i64;
    let hours_failed_recently =
        count(TaskState::Failed, Some(process_seconds() - 86_400)).await? as i64;
    let backfills = backfills::list(conn, None, 10).await?;
    let end = services.db.clock().hour().plus(1);
    let from = end.plus(-TIMELINE_HOURS);
    let due = due_hour(services, settings.schedule_delay);
    let mut tenants = Vec::new();
    for row in tenant::Entity::find()
        .order_by_asc(tenant::Column::Slug)
        .all(conn)
        .await?
    {
        let latest = crate::ingestion::latest_with_data(services, row.id)
            .await
            .map_err(ServiceError::failed)?;
        let gap = crate::tenants::data_gap(conn, row.id).await?;
        tenants.push(TenantTimeline {
            hours: timeline(conn, row.id, from, end, due).await?,
            latest: latest.map(|h| h.to_string()),
            no_data_since: gap.map(|gap| gap.since.to_string()),
            tenant: row.slug,
            name: row.name,
        });
    }
    Ok(Ingestion {
        workers,
        hours_queued,
        hours_running,
        hours_failed_recently,
        backfills,
        tenants,
    })
}

/// One tenant's hours `[from, to)`, for admins (`GET /api/v1/tenants/{tenant}/hours`); `delay`
/// is the schedule's, which says which hours are not due yet.
pub async fn timeline_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    from: Hour,
    to: Hour,
    delay: std::time::Duration,
) -> Result<Vec<HourCell>, ServiceError> {
    actor.require_admin()?;
    if to <= from || to.epoch_seconds() - from.epoch_seconds() > 24 * 3600 * 40 {
        return Err(ServiceError::Invalid(format!(
            "the range {from} to {to} must be non-empty and at most 40 days (`to` is exclusive)"
        )));
    }
    let conn = services.db.conn();
    let tenant = tenant_by_slug(conn, slug).await?;
    let due = due_hour(services, delay);
    Ok(timeline(conn, tenant.id, from, to, due).await?)
}

async fn tenant_by_slug(
    conn: &impl ConnectionTrait,
    slug: &str,
) -> Result<tenant::Model, ServiceError> {
    crate::tenants::by_slug(conn, slug)
        .await?
        .ok_or(ServiceError::NotFound)
}
