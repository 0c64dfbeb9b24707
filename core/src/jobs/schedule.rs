//! The hourly schedule. Shortly after each hour ends (`schedule_delay`, for late files), one
//! process takes the turn for that hour and queues a `discover-tenants` job; the job discovers
//! tenant folders and plans, per tenant:
//!
//! - a tenant with no ingested hour yet: one backfill from its first day folder (within the
//!   retention window) up to the due hour — its baseline, history rather than news;
//! - else every hour of the look-back window that is missing from the ledger (the one just ended
//!   included), and every ingested hour whose file listing has changed since (late files);
//! - more than 24 such hours after the tenant's latest hour with data become one `catch-up`
//!   backfill, so a long outage is summarised instead of pushed item by item.
//!
//! Start-up takes a turn too, so a server that was down catches up as soon as it is back. Hours
//! already queued or running are left alone; a queued hour whose job seems lost (queued over an
//! hour ago) has its job pushed again, which is harmless (a duplicate is skipped).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::Services;
use crate::entities::{ingested_hour, job_schedule, tenant};
use crate::hour::Hour;
use crate::ingest::{self, reader::HourFile};
use crate::ingestion::{self, NewsPolicy};
use crate::jobs::backfills::{self, NewBackfill};
use crate::jobs::tasks::{self, NewTask, Origin, TaskState};
use crate::jobs::{JobError, JobSettings};
use crate::ledger::rollup;
use crate::queue::{DiscoverJob, JobQueue, Queue};
use crate::time::{process_hour, process_seconds};

const TURN: &str = "hourly";

/// The latest hour that ended at least `delay` ago.
pub fn due_hour(now: DateTime<Utc>, delay: std::time::Duration) -> Hour {
    let delay = chrono::Duration::from_std(delay).unwrap_or_default();
    Hour::containing(now - delay).plus(-1)
}

/// Takes the schedule's turn for `due`: true for one process per due hour. `force` (start-up)
/// also takes it when the last turn is older than a minute, so a restart plans again.
pub async fn take_turn(
    conn: &impl ConnectionTrait,
    due: Hour,
    worker_id: &str,
    force: bool,
) -> Result<bool, DbErr> {
    let insert = job_schedule::Entity::insert(job_schedule::ActiveModel {
        name: Set(TURN.to_owned()),
        due_hour: Set(i64::MIN),
        planned_at: Set(0),
        worker_id: Set(worker_id.to_owned()),
    })
    .on_conflict(
        OnConflict::column(job_schedule::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await;
    match insert {
        Ok(_) | Err(DbErr::RecordNotInserted) => {}
        Err(err) => return Err(err),
    }
    let at = process_seconds();
    let mut due_or_stale =
        Condition::any().add(job_schedule::Column::DueHour.lt(due.epoch_seconds()));
    if force {
        due_or_stale = due_or_stale.add(job_schedule::Column::PlannedAt.lt(at - 60));
    }
    let taken = job_schedule::Entity::update_many()
        .col_expr(
            job_schedule::Column::DueHour,
            Expr::value(due.epoch_seconds()),
        )
        .col_expr(job_schedule::Column::PlannedAt, Expr::value(at))
        .col_expr(job_schedule::Column::WorkerId, Expr::value(worker_id))
        .filter(job_schedule::Column::Name.eq(TURN))
        .filter(due_or_stale)
        .exec(conn)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Takes the turn for the hour due at `now` and queues its planning job; true when queued.
pub async fn tick(
    services: &Services,
    queue: &JobQueue,
    settings: &JobSettings,
    now: DateTime<Utc>,
    worker_id: &str,
    force: bool,
) -> Result<Option<Hour>, JobError> {
    let due = due_hour(now, settings.schedule_delay);
    if !take_turn(services.db.conn(), due, worker_id, force).await? {
        return Ok(None);
    }
    queue
        .push(
            Queue::Discover,
            vec![DiscoverJob {
                due_hour: due.epoch_seconds(),
            }],
        )
        .await?;
    Ok(Some(due))
}

/// What planning queued.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub tenants: usize,
    /// Hours queued one by one (due, missing, late files).
    pub hours: usize,
    pub late_files: usize,
    /// Backfills asked for (baselines and long catch-ups).
    pub backfills: usize,
    /// Queued hours whose job was pushed again.
    pub repushed: usize,
}

/// Discovers tenants and queues what each needs up to `due` (see the module comment). A tenant
/// whose folder cannot be listed is logged and skipped; the others are still planned.
pub async fn plan(
    services: &Services,
    queue: &JobQueue,
    settings: &JobSettings,
    due: Hour,
) -> Result<Plan, JobError> {
    crate::tenants::discover_tenants(services).await?;
    let tenants = tenant::Entity::find().all(services.db.conn()).await?;
    let mut plan = Plan::default();
    for tenant in tenants {
        plan.tenants += 1;
        if let Err(err) = plan_tenant(services, queue, settings, &tenant, due, &mut plan).await {
            tracing::warn!(tenant = tenant.slug, error = %crate::error_chain(&err), "cannot plan the tenant's hours");
        }
        crate::pipeline::after_planning(services, tenant.id, &tenant.slug).await;
    }
    tracing::info!(
        %due,
        tenants = plan.tenants,
        hours = plan.hours,
        late_files = plan.late_files,
        backfills = plan.backfills,
        "planned the hour"
    );
    Ok(plan)
}

/// Plans one tenant: its baseline when it has no ingested hour yet, else the missing and changed
/// hours of the look-back window (a long run of them after its latest hour as one catch-up).
async fn plan_tenant(
    services: &Services,
    queue: &JobQueue,
    settings: &JobSettings,
    tenant: &tenant::Model,
    due: Hour,
    plan: &mut Plan,
) -> Result<(), JobError> {
    let end = due.plus(1);
    let current = due.plus(1).max(process_hour());
    // A tenant has its baseline once it has ingested any hour, with data or without; from then
    // on, forward hours and the news rule follow its latest hour with data (an hour of an
    // outage is ingested, so it is not wanted again unless its files change).
    let Some(any) = ingestion::latest_ingested_any(services, tenant.id).await? else {
        return plan_baseline(services, queue, tenant, due, current, plan).await;
    };
    let latest_data = ingestion::latest_with_data(services, tenant.id).await?;
    let latest = latest_data.unwrap_or(any);
    let window = rollup::window_start(latest.max(due), tenant.retention_days);
    let from = due.plus(1 - settings.lookback_hours.max(1)).max(window);
    if from >= end {
        return Ok(());
    }
    let Wanted {
        mut hours,
        repush,
        late_files,
    } = wanted_hours(services, tenant, due, from, end).await?;
    plan.late_files += late_files;
    let forward: Vec<Hour> = hours
        .iter()
        .map(|(hour, _)| *hour)
        .filter(|hour| *hour > latest)
        .collect();
    if forward.len() > 24 {
        // A long gap after downtime: one backfill, summarised rather than pushed hour by hour.
        let first = forward[0];
        let new = NewBackfill {
            from: first,
            to: end,
            origin: "catch-up".to_owned(),
            requested_by: None,
        };
        backfills::request(services, queue, tenant, new, current).await?;
        plan.backfills += 1;
        hours.retain(|(hour, _)| *hour < first);
    }
    let policy = NewsPolicy {
        previous_latest: latest_data,
        long_forward_backfill: false,
    };
    let new: Vec<NewTask> = hours
        .iter()
        .map(|&(hour, origin)| NewTask {
            tenant_id: tenant.id,
            hour,
            backfill_id: None,
            origin,
            policy,
        })
        .collect();
    plan.hours += tasks::queue_tasks(services, queue, &new).await?.len();
    queue.push_hours(&repush).await?;
    plan.repushed += repush.len();
    Ok(())
}

/// A new tenant's baseline: one backfill from its first day folder within the retention window
/// up to the due hour (none while one is open, or when it has no folder yet).
async fn plan_baseline(
    services: &Services,
    queue: &JobQueue,
    tenant: &tenant::Model,
    due: Hour,
    current: Hour,
    plan: &mut Plan,
) -> Result<(), JobError> {
    if backfills::has_open(services.db.conn(), tenant.id).await? {
        return Ok(());
    }
    let end = due.plus(1);
    let window = rollup::window_start(due, tenant.retention_days);
    let Some(first_day) = first_day(services, &tenant.slug, window).await? else {
        return Ok(());
    };
    let from = first_day.max(window);
    if from < end {
        let new = NewBackfill {
            from,
            to: end,
            origin: "baseline".to_owned(),
            requested_by: None,
        };
        backfills::request(services, queue, tenant, new, current).await?;
        plan.backfills += 1;
    }
    Ok(())
}

/// What the hours `[from, end)` of a tenant need.
struct Wanted {
    /// Hours to queue, with why.
    hours: Vec<(Hour, Origin)>,
    /// Queued tasks whose job seems lost.
    repush: Vec<i64>,
    late_files: usize,
}

/// The hours of `[from, end)` missing from the ledger or whose files changed, leaving alone the
/// ones with an open task (but pushing again a task queued over an hour ago).
async fn wanted_hours(
    services: &Services,
    tenant: &tenant::Model,
    due: Hour,
    from: Hour,
    end: Hour,
) -> Result<Wanted, JobError> {
    let conn = services.db.conn();
    let ingested: HashMap<i64, String> = ingested_hour::Entity::find()
        .filter(ingested_hour::Column::TenantId.eq(tenant.id))
        .filter(ingested_hour::Column::Hour.gte(from.epoch_seconds()))
        .filter(ingested_hour::Column::Hour.lt(end.epoch_seconds()))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.hour, row.files))
        .collect();
    let mut open: HashMap<i64, (i64, bool)> = HashMap::new();
    for task in tasks::open_tasks(conn, tenant.id, from, end).await? {
        let stale = TaskState::Queued.is(&task.state) && task.queued_at < process_seconds() - 3600;
        open.insert(task.hour, (task.id, stale));
    }
    let listings = list_days(services, &tenant.slug, from, end).await?;
    let mut wanted = Wanted {
        hours: Vec::new(),
        repush: Vec::new(),
        late_files: 0,
    };
    for hour in from.until(end) {
        if let Some(&(task_id, stale)) = open.get(&hour.epoch_seconds()) {
            if stale {
                wanted.repush.push(task_id);
            }
            continue;
        }
        match ingested.get(&hour.epoch_seconds()) {
            None if hour == due => wanted.hours.push((hour, Origin::Schedule)),
            None => wanted.hours.push((hour, Origin::CatchUp)),
            Some(stored) => {
                if changed(stored, listings.get(&hour).map_or(&[][..], Vec::as_slice)) {
                    wanted.hours.push((hour, Origin::LateFiles));
                    wanted.late_files += 1;
                }
            }
        }
    }
    Ok(wanted)
}

/// The files of every hour of the days that `[from, end)` touches.
async fn list_days(
    services: &Services,
    slug: &str,
    from: Hour,
    end: Hour,
) -> Result<BTreeMap<Hour, Vec<HourFile>>, JobError> {
    let mut listings = BTreeMap::new();
    let mut day =
        Hour::from_epoch_seconds(from.epoch_seconds().div_euclid(86_400) * 86_400).unwrap_or(from);
    while day < end {
        listings.extend(ingest::list_day(&services.events, slug, day).await?);
        day = day.plus(24);
    }
    Ok(listings)
}

/// The first hour of the tenant's earliest `dt=` day folder from `since` on (older days cannot
/// be ingested: they are beyond the retention window).
async fn first_day(services: &Services, slug: &str, since: Hour) -> Result<Option<Hour>, JobError> {
    let folders = services.events.list_folders(slug).await?;
    Ok(folders
        .iter()
        .filter_map(|name| {
            let day = name.strip_prefix("dt=")?;
            let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
            Some(Hour::containing(date.and_hms_opt(0, 0, 0)?.and_utc()))
        })
        .filter(|day| day.plus(24) > since)
        .min())
}

/// Whether an hour's files differ from the listing stored when it was ingested.
fn changed(stored: &str, now: &[HourFile]) -> bool {
    let Ok(before) = serde_json::from_str::<Vec<HourFile>>(stored) else {
        return true;
    };
    let key = |f: &HourFile| (f.name.clone(), f.size, f.modified.clone(), f.e_tag.clone());
    let mut before: Vec<_> = before.iter().map(key).collect();
    let mut after: Vec<_> = now.iter().map(key).collect();
    before.sort();
    after.sort();
    before != after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_due_hour_waits_for_late_files() {
        let delay = std::time::Duration::from_secs(600);
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let hour = |text: &str| text.parse::<Hour>().unwrap();
        assert_eq!(
            due_hour(at("2026-11-20T11:09:59Z"), delay),
            hour("2026-11-20T09")
        );
        assert_eq!(
            due_hour(at("2026-11-20T11:10:00Z"), delay),
            hour("2026-11-20T10")
        );
        assert_eq!(
            due_hour(at("2026-11-21T00:10:00Z"), delay),
            hour("2026-11-20T23")
        );
    }

    #[test]
    fn a_listing_changes_with_a_new_or_rewritten_file() {
        let file = |name: &str, size: u64| HourFile {
            name: name.to_owned(),
            size,
            modified: "2026-11-20T10:05:00Z".to_owned(),
            e_tag: None,
            location: object_store::path::Path::default(),
        };
        let stored = serde_json::to_string(&vec![file("a.json", 10)]).unwrap();
        assert!(!changed(&stored, &[file("a.json", 10)]));
        assert!(changed(&stored, &[file("a.json", 11)]));
        assert!(changed(&stored, &[file("a.json", 10), file("b.json", 1)]));
        assert!(changed(&stored, &[]));
        assert!(!changed("[]", &[]));
    }
}
