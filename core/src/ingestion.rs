//! The ingestion service: runs one tenant-hour (tenant and mapping lookup, run record, listing,
//! reading, writing the ledger), deciding which discoveries are news (DESIGN.md, "Ledger
//! semantics"). Reading failures are recorded on the run, never half written. It writes the hour
//! and does nothing after it: the steps that follow an ingested hour are the pipeline's
//! (`crate::pipeline`), which the CLI and the jobs call.

use std::time::Instant;

use sea_orm::{ActiveModelTrait, Set};

use crate::entities::{ingestion_run, tenant};
use crate::hour::Hour;
use crate::ingest::reader::{HourFile, HourRead, HourStats, ReadSplit};
use crate::ingest::{self, Reading, aggregate::Counts};
use crate::ledger::write::{HourWrite, RunEnd, Timings, finish_run, write_hour};
use crate::ledger::{LedgerError, RunState, rollup};
use crate::{Services, mappings};

pub use crate::tenants::latest_hour;

#[derive(Debug, thiserror::Error)]
pub enum IngestionError {
    #[error("unknown tenant `{0}`: no folder of that name under the events root")]
    UnknownTenant(String),
    #[error(
        "{hour} is older than the hourly detail kept for this tenant (from {window}, {days} days before its latest hour); it cannot be re-ingested"
    )]
    BeyondRetention { hour: Hour, window: Hour, days: i32 },
    #[error("the range {from} to {to} is empty: `to` is exclusive and must be after `from`")]
    EmptyRange { from: Hour, to: Hour },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Mapping(#[from] mappings::MappingStoreError),
    #[error(transparent)]
    Tenants(#[from] crate::tenants::TenantError),
}

impl From<sea_orm::DbErr> for IngestionError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Ledger(LedgerError::Db(err))
    }
}

/// Who asked for the run (kept on the run record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Cli,
    Backfill,
    Schedule,
    Retry,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Cli => "cli",
            Trigger::Backfill => "backfill",
            Trigger::Schedule => "schedule",
            Trigger::Retry => "retry",
        }
    }
}

/// Decides whether an hour's discoveries are news: only when the hour is later than every hour
/// with data the tenant had ingested before (its latest hour, so data after an outage is news),
/// the tenant has a baseline, and it is not part of a forward backfill of more than 24 hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewsPolicy {
    pub previous_latest: Option<Hour>,
    pub long_forward_backfill: bool,
}

impl NewsPolicy {
    /// The rule for a backfill of `[from, to)`, decided from the tenant's state before it: news
    /// only for hours after its latest, and none when more than 24 of them are forward.
    pub fn for_range(previous_latest: Option<Hour>, from: Hour, to: Hour) -> Self {
        let forward = from
            .until(to)
            .filter(|hour| previous_latest.is_none_or(|latest| *hour > latest))
            .count();
        Self {
            previous_latest,
            long_forward_backfill: forward > 24,
        }
    }

    pub fn is_news(&self, hour: Hour) -> bool {
        match self.previous_latest {
            None => false,
            Some(latest) => hour > latest && !self.long_forward_backfill,
        }
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunStatus {
    Ok,
    NoData,
    Failed(String),
}

#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub tenant_id: i64,
    pub run_id: i64,
    pub hour: Hour,
    pub status: RunStatus,
    pub stats: HourStats,
    pub discoveries: usize,
    pub news: bool,
    pub seconds: f64,
    pub timings: Timings,
    /// How reading split into listing, parsing and merging, and how long rolling up took.
    pub split: ReadSplit,
    pub rollup_ms: i64,
    /// Why the hour's news could not be told (set by the pipeline's step after the hour): the
    /// hour is in the ledger and its news stays owed, told at the next attempt.
    pub news_owed: Option<String>,
}

/// The tenant's id by slug; a folder not yet known is discovered first.
pub async fn tenant_id(services: &Services, slug: &str) -> Result<i64, IngestionError> {
    Ok(tenant(services, slug).await?.id)
}

/// The tenant's row by slug; a folder not yet known is discovered first.
pub async fn tenant(services: &Services, slug: &str) -> Result<tenant::Model, IngestionError> {
    let find = || crate::tenants::by_slug(services.db.conn(), slug);
    if let Some(row) = find().await? {
        return Ok(row);
    }
    crate::tenants::discover_tenants(services).await?;
    find()
        .await?
        .ok_or_else(|| IngestionError::UnknownTenant(slug.to_owned()))
}

/// The tenant's latest hour with data (see [`crate::tenants::latest_with_data`]).
pub async fn latest_with_data(
    services: &Services,
    tenant_id: i64,
) -> Result<Option<Hour>, IngestionError> {
    Ok(crate::tenants::latest_with_data(services.db.conn(), tenant_id).await?)
}

/// The latest hour the tenant has ingested of any status (only for deciding what to ingest).
pub async fn latest_ingested_any(
    services: &Services,
    tenant_id: i64,
) -> Result<Option<Hour>, IngestionError> {
    Ok(crate::tenants::latest_ingested_any(services.db.conn(), tenant_id).await?)
}

/// Ingests one hour of a tenant. `policy` is given by backfills; a lone run computes its own.
/// `reading`: parser threads and read limits (a bare number: threads, default limits).
pub async fn ingest_hour(
    services: &Services,
    slug: &str,
    hour: Hour,
    trigger: Trigger,
    policy: Option<NewsPolicy>,
    reading: impl Into<Reading>,
) -> Result<RunOutcome, IngestionError> {
    ingest_hour_by(services, slug, hour, trigger, policy, reading, None).await
}

/// [`ingest_hour`], recording the job worker that runs it (so a run cut short by a dead worker
/// can be closed by another). It writes the hour and nothing after it: what follows an ingested
/// hour (news, roll-outs) is the pipeline's.
pub async fn ingest_hour_by(
    services: &Services,
    slug: &str,
    hour: Hour,
    trigger: Trigger,
    policy: Option<NewsPolicy>,
    reading: impl Into<Reading>,
    worker_id: Option<&str>,
) -> Result<RunOutcome, IngestionError> {
    let reading = reading.into();
    let started = Instant::now();
    let run = start_run(services, slug, hour, trigger, policy, worker_id).await?;
    let read_started = Instant::now();
    let read_result = read_files(services, slug, hour, &run.mapping, reading).await;
    let read_ms = read_started.elapsed().as_millis() as i64;
    let (files, read) = match read_result {
        Ok(done) => done,
        Err(err) => return record_read_failure(services, &run, err, read_ms, started).await,
    };
    let news = run.policy.is_news(hour);
    let written = write_hour(
        services.db.conn(),
        HourWrite {
            tenant_id: run.tenant_id,
            hour,
            read: &read,
            files: &files,
            run_id: run.run_id,
            news,
            window: run.window,
            read_ms,
            at: services.db.now_seconds(),
        },
    )
    .await;
    let written = match written {
        Ok(written) => written,
        Err(err) => {
            let reason = format!("cannot write the hour: {err}");
            let timings = Timings {
                read_ms,
                write_ms: 0,
            };
            let _ = end_run(
                services,
                run.run_id,
                RunState::Failed,
                &read.stats,
                timings,
                Some(reason),
            )
            .await;
            return Err(err.into());
        }
    };
    // An hour without data does not move the latest hour, so it rolls nothing up.
    let rollup_started = Instant::now();
    let rolled = match (files.is_empty(), run.latest) {
        (false, _) => rollup::roll_up(services.db.conn(), run.tenant_id, run.window).await?,
        (true, Some(latest)) => {
            let window = rollup::window_start(latest, run.retention_days);
            rollup::roll_up(services.db.conn(), run.tenant_id, window).await?
        }
        (true, None) => 0,
    };
    if rolled > 0 {
        tracing::info!(tenant = slug, window = %run.window, rows = rolled, "rolled hourly detail up into days");
    }
    let status = if files.is_empty() {
        RunStatus::NoData
    } else {
        RunStatus::Ok
    };
    tracing::info!(
        tenant = slug,
        %hour,
        events = read.stats.events,
        rejected = read.stats.rejected,
        discoveries = written.discoveries.len(),
        news,
        "ingested"
    );
    Ok(RunOutcome {
        tenant_id: run.tenant_id,
        run_id: run.run_id,
        hour,
        status,
        stats: read.stats,
        discoveries: written.discoveries.len(),
        news,
        seconds: started.elapsed().as_secs_f64(),
        timings: written.timings,
        split: read.split,
        rollup_ms: rollup_started.elapsed().as_millis() as i64,
        news_owed: None,
    })
}

/// A run just started: its row, the tenant's mapping, and the rules it is written under.
struct StartedRun {
    tenant_id: i64,
    run_id: i64,
    hour: Hour,
    mapping: crate::mapping::Mapping,
    policy: NewsPolicy,
    window: Hour,
    /// The tenant's latest hour with data before this run, and its retention.
    latest: Option<Hour>,
    retention_days: i32,
}

/// Checks the hour against the tenant's retention, then records the run as running.
async fn start_run(
    services: &Services,
    slug: &str,
    hour: Hour,
    trigger: Trigger,
    policy: Option<NewsPolicy>,
    worker_id: Option<&str>,
) -> Result<StartedRun, IngestionError> {
    let tenant = tenant(services, slug).await?;
    // Retention and the news rule count from the latest hour with data: hours of an outage
    // neither roll detail up nor make later data history.
    let latest = crate::tenants::latest_with_data(services.db.conn(), tenant.id).await?;
    let window = rollup::window_start(
        latest.map_or(hour, |latest| latest.max(hour)),
        tenant.retention_days,
    );
    if hour < window {
        return Err(IngestionError::BeyondRetention {
            hour,
            window,
            days: tenant.retention_days,
        });
    }
    let mapping = mappings::load_mapping(services, tenant.id).await?;
    let policy = policy.unwrap_or(NewsPolicy {
        previous_latest: latest,
        long_forward_backfill: false,
    });
    let run = ingestion_run::ActiveModel {
        tenant_id: Set(tenant.id),
        hour: Set(hour.epoch_seconds()),
        status: Set(RunState::Running.as_str().to_owned()),
        trigger: Set(trigger.as_str().to_owned()),
        started_at: Set(services.db.now_seconds()),
        worker_id: Set(worker_id.map(str::to_owned)),
        ..Default::default()
    }
    .insert(services.db.conn())
    .await?;
    Ok(StartedRun {
        tenant_id: tenant.id,
        run_id: run.id,
        hour,
        mapping,
        policy,
        window,
        latest,
        retention_days: tenant.retention_days,
    })
}

/// Lists the hour's files and reads them (an hour without files reads as nothing).
async fn read_files(
    services: &Services,
    slug: &str,
    hour: Hour,
    mapping: &crate::mapping::Mapping,
    reading: Reading,
) -> Result<(Vec<HourFile>, HourRead), ingest::IngestError> {
    let listed = Instant::now();
    let files = ingest::list_hour(&services.events, slug, hour).await?;
    let list_ms = listed.elapsed().as_millis() as i64;
    let mut read = if files.is_empty() {
        HourRead {
            counts: Counts::default(),
            stats: HourStats::default(),
            split: ReadSplit::default(),
        }
    } else {
        ingest::read_hour(&services.events, files.clone(), mapping, hour, reading).await?
    };
    read.split.list_ms = list_ms;
    Ok((files, read))
}

/// A reading failure is recorded on the run, and nothing of the hour is written.
async fn record_read_failure(
    services: &Services,
    run: &StartedRun,
    err: ingest::IngestError,
    read_ms: i64,
    started: Instant,
) -> Result<RunOutcome, IngestionError> {
    let reason = err.to_string();
    tracing::warn!(tenant_id = run.tenant_id, hour = %run.hour, %reason, "ingestion failed");
    let timings = Timings {
        read_ms,
        write_ms: 0,
    };
    let stats = HourStats::default();
    end_run(
        services,
        run.run_id,
        RunState::Failed,
        &stats,
        timings,
        Some(reason.clone()),
    )
    .await?;
    Ok(RunOutcome {
        tenant_id: run.tenant_id,
        run_id: run.run_id,
        hour: run.hour,
        status: RunStatus::Failed(reason),
        stats,
        discoveries: 0,
        news: false,
        seconds: started.elapsed().as_secs_f64(),
        timings,
        split: ReadSplit::default(),
        rollup_ms: 0,
        news_owed: None,
    })
}

async fn end_run(
    services: &Services,
    run_id: i64,
    status: RunState,
    stats: &HourStats,
    timings: Timings,
    error: Option<String>,
) -> Result<(), LedgerError> {
    let end = RunEnd {
        status,
        stats,
        timings,
        error,
        at: services.db.now_seconds(),
        news_pending: false,
    };
    finish_run(services.db.conn(), run_id, end).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_only_after_the_baseline_and_forward() {
        let latest: Hour = "2026-11-20T10".parse().unwrap();
        let policy = NewsPolicy {
            previous_latest: Some(latest),
            long_forward_backfill: false,
        };
        assert!(policy.is_news(latest.plus(1)));
        assert!(!policy.is_news(latest));
        assert!(!policy.is_news(latest.plus(-5)));
        let baseline = NewsPolicy {
            previous_latest: None,
            long_forward_backfill: false,
        };
        assert!(!baseline.is_news(latest));
        let long = NewsPolicy {
            previous_latest: Some(latest),
            long_forward_backfill: true,
        };
        assert!(!long.is_news(latest.plus(1)));
    }
}
