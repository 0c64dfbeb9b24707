//! Backfills as people see them: one with its progress, the newest ones, and how a finished
//! backfill's hours ended (for the command line).

use std::collections::HashSet;

use blueprint_types::jobs::{Backfill, BackfillStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::{backfill, hour_task, ingestion_run, tenant};
use crate::hour::Hour;
use crate::jobs::tasks::{self, StateCount, TaskState};
use crate::time::{hour_text, instant};

/// A backfill with its progress.
pub async fn view_of(conn: &impl ConnectionTrait, row: backfill::Model) -> Result<Backfill, DbErr> {
    let tenant = tenant::Entity::find_by_id(row.tenant_id)
        .one(conn)
        .await?
        .map_or_else(|| row.tenant_id.to_string(), |t| t.slug);
    let counts = tasks::counts(conn, row.id).await?;
    let hours = |states: &[TaskState]| hours_in(&counts, states);
    let before_fan_out = counts.is_empty() && row.status == BackfillStatus::Queued.as_str();
    Ok(Backfill {
        id: row.id,
        tenant,
        from: hour_text(row.from_hour),
        to: hour_text(row.to_hour),
        status: row.status.clone(),
        origin: row.origin.clone(),
        requested_by: row.requested_by.clone(),
        hours_total: i64::from(row.hours_total),
        hours_done: hours(&[TaskState::Done, TaskState::Skipped]),
        hours_failed: hours(&[TaskState::Failed]),
        hours_running: hours(&[TaskState::Running]),
        hours_queued: if before_fan_out {
            i64::from(row.hours_total)
        } else {
            hours(&[TaskState::Queued])
        },
        hours_cancelled: hours(&[TaskState::Cancelled]),
        events: counts.iter().filter_map(|c| c.events).sum(),
        created_at: instant(row.created_at),
        started_at: row.started_at.map(instant),
        finished_at: row.finished_at.map(instant),
    })
}

/// The hours whose task is in one of `states`.
fn hours_in(counts: &[StateCount], states: &[TaskState]) -> i64 {
    counts
        .iter()
        .filter(|c| states.iter().any(|state| state.is(&c.state)))
        .map(|c| c.hours)
        .sum()
}

pub async fn view(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Backfill>, DbErr> {
    match backfill::Entity::find_by_id(id).one(conn).await? {
        Some(row) => Ok(Some(view_of(conn, row).await?)),
        None => Ok(None),
    }
}

/// One backfill, for admins.
pub async fn get_as(services: &Services, actor: &Actor, id: i64) -> Result<Backfill, ServiceError> {
    actor.require_admin()?;
    view(services.db.conn(), id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The newest backfills (of one tenant, or of all), newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Backfill>, DbErr> {
    let mut query = backfill::Entity::find().order_by_desc(backfill::Column::Id);
    if let Some(tenant_id) = tenant_id {
        query = query.filter(backfill::Column::TenantId.eq(tenant_id));
    }
    let rows = query.limit(limit).all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(view_of(conn, row).await?);
    }
    Ok(out)
}

/// Whether a tenant has a backfill still queued or running.
pub(crate) async fn has_open(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<bool, DbErr> {
    Ok(backfill::Entity::find()
        .filter(backfill::Column::TenantId.eq(tenant_id))
        .filter(backfill::Column::Status.is_in(BackfillStatus::OPEN.map(BackfillStatus::as_str)))
        .one(conn)
        .await?
        .is_some())
}

/// How a backfill's hours ended, for the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HoursOutcome {
    /// Ingested with data, or already done by a later run.
    pub ok: usize,
    pub no_data: usize,
    /// Hours that failed for good, with their errors, in hour order.
    pub failed: Vec<(Hour, String)>,
    pub cancelled: usize,
    pub events: i64,
}

pub async fn hours_outcome(conn: &impl ConnectionTrait, id: i64) -> Result<HoursOutcome, DbErr> {
    let rows = hour_task::Entity::find()
        .filter(hour_task::Column::BackfillId.eq(id))
        .order_by_asc(hour_task::Column::Hour)
        .all(conn)
        .await?;
    let run_ids: Vec<i64> = rows.iter().filter_map(|t| t.run_id).collect();
    let without_data =
        ingestion_run::Entity::find().filter(ingestion_run::Column::Status.eq("no_data"));
    let no_data: HashSet<i64> =
        crate::sql::find_in(conn, without_data, ingestion_run::Column::Id, run_ids)
            .await?
            .into_iter()
            .map(|run| run.id)
            .collect();
    let mut outcome = HoursOutcome::default();
    for task in rows {
        outcome.events += task.events;
        match task.state.parse::<TaskState>() {
            Ok(TaskState::Done) if task.run_id.is_some_and(|id| no_data.contains(&id)) => {
                outcome.no_data += 1;
            }
            Ok(TaskState::Done | TaskState::Skipped) => outcome.ok += 1,
            Ok(TaskState::Failed) => outcome.failed.push((
                Hour::containing(
                    chrono::DateTime::from_timestamp(task.hour, 0).unwrap_or_default(),
                ),
                task.error.unwrap_or_default(),
            )),
            Ok(TaskState::Cancelled) => outcome.cancelled += 1,
            Ok(TaskState::Queued | TaskState::Running) | Err(_) => {}
        }
    }
    Ok(outcome)
}
