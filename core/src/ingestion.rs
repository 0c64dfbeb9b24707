//! The ingestion service: runs one tenant-hour end to end (tenant and mapping lookup, run record,
//! listing, reading, writing the ledger) and backfills of ranges, deciding which discoveries are
//! news (DESIGN.md, "Ledger semantics"). Reading failures are recorded on the run, never half
//! written; the CLI, the jobs and the API all call this.

use std::time::Instant;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entities::{ingested_hour, ingestion_run, tenant};
use crate::hour::Hour;
use crate::ingest::reader::{HourRead, HourStats};
use crate::ingest::{self, aggregate::Counts};
use crate::ledger::write::{HourWrite, Timings, finish_run, write_hour};
use crate::ledger::{LedgerError, now_seconds, rollup};
use crate::{Services, mappings};

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
/// the tenant had ingested before, the tenant has a baseline, and it is not part of a forward
/// backfill of more than 24 hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewsPolicy {
    pub previous_latest: Option<Hour>,
    pub long_forward_backfill: bool,
}

impl NewsPolicy {
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
    pub run_id: i64,
    pub hour: Hour,
    pub status: RunStatus,
    pub stats: HourStats,
    pub discoveries: usize,
    pub news: bool,
    pub seconds: f64,
    pub timings: Timings,
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

/// The latest hour the tenant has ingested (with data or without).
pub async fn latest_ingested(
    services: &Services,
    tenant_id: i64,
) -> Result<Option<Hour>, IngestionError> {
    Ok(latest_hour(services.db.conn(), tenant_id)
        .await?
        .and_then(Hour::from_epoch_seconds))
}

/// [`latest_ingested`] as epoch seconds, on any connection (a transaction too).
pub async fn latest_hour(
    conn: &impl sea_orm::ConnectionTrait,
    tenant_id: i64,
) -> Result<Option<i64>, sea_orm::DbErr> {
    let latest: Option<Option<i64>> = ingested_hour::Entity::find()
        .select_only()
        .column_as(ingested_hour::Column::Hour.max(), "latest")
        .filter(ingested_hour::Column::TenantId.eq(tenant_id))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(latest.flatten())
}

/// Ingests one hour of a tenant. `policy` is given by backfills; a lone run computes its own.
pub async fn ingest_hour(
    services: &Services,
    slug: &str,
    hour: Hour,
    trigger: Trigger,
    policy: Option<NewsPolicy>,
    workers: usize,
) -> Result<RunOutcome, IngestionError> {
    ingest_hour_by(services, slug, hour, trigger, policy, workers, None).await
}

/// [`ingest_hour`], recording the job worker that runs it (so a run cut short by a dead worker
/// can be closed by another).
pub async fn ingest_hour_by(
    services: &Services,
    slug: &str,
    hour: Hour,
    trigger: Trigger,
    policy: Option<NewsPolicy>,
    workers: usize,
    worker_id: Option<&str>,
) -> Result<RunOutcome, IngestionError> {
    let started = Instant::now();
    let tenant = tenant(services, slug).await?;
    let tenant_id = tenant.id;
    let latest = latest_ingested(services, tenant_id).await?;
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
    let mapping = mappings::load_mapping(services, tenant_id).await?;
    let policy = policy.unwrap_or(NewsPolicy {
        previous_latest: latest,
        long_forward_backfill: false,
    });
    let run = ingestion_run::ActiveModel {
        tenant_id: Set(tenant_id),
        hour: Set(hour.epoch_seconds()),
        status: Set("running".to_owned()),
        trigger: Set(trigger.as_str().to_owned()),
        started_at: Set(now_seconds()),
        worker_id: Set(worker_id.map(str::to_owned)),
        ..Default::default()
    }
    .insert(services.db.conn())
    .await?;
    let read = async {
        let files = ingest::list_hour(&services.events, slug, hour).await?;
        let read = if files.is_empty() {
            HourRead {
                counts: Counts::default(),
                stats: HourStats::default(),
            }
        } else {
            ingest::read_hour(&services.events, files.clone(), &mapping, hour, workers).await?
        };
        Ok::<_, ingest::IngestError>((files, read))
    };
    let read_started = Instant::now();
    let read_result = read.await;
    let read_ms = read_started.elapsed().as_millis() as i64;
    let (files, read) = match read_result {
        Ok(done) => done,
        Err(err) => {
            let reason = err.to_string();
            tracing::warn!(tenant = slug, %hour, %reason, "ingestion failed");
            finish_run(
                services.db.conn(),
                run.id,
                "failed",
                &HourStats::default(),
                Timings {
                    read_ms,
                    write_ms: 0,
                },
                Some(reason.clone()),
            )
            .await?;
            return Ok(RunOutcome {
                run_id: run.id,
                hour,
                status: RunStatus::Failed(reason),
                stats: HourStats::default(),
                discoveries: 0,
                news: false,
                seconds: started.elapsed().as_secs_f64(),
                timings: Timings {
                    read_ms,
                    write_ms: 0,
                },
            });
        }
    };
    let news = policy.is_news(hour);
    let written = write_hour(
        services.db.conn(),
        HourWrite {
            tenant_id,
            hour,
            read: &read,
            files: &files,
            run_id: run.id,
            news,
            window,
            read_ms,
        },
    )
    .await;
    let written = match written {
        Ok(written) => written,
        Err(err) => {
            let reason = format!("cannot write the hour: {err}");
            let _ = finish_run(
                services.db.conn(),
                run.id,
                "failed",
                &read.stats,
                Timings {
                    read_ms,
                    write_ms: 0,
                },
                Some(reason),
            )
            .await;
            return Err(err.into());
        }
    };
    if news && !written.discoveries.is_empty() {
        // The hour is written; news that cannot be told now is logged, not lost from the ledger.
        match crate::notify::notify_run(services.db.conn(), tenant_id, run.id).await {
            Ok(told) if told > 0 => {
                tracing::info!(tenant = slug, %hour, notifications = told, "news told")
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(tenant = slug, %hour, error = %err, "cannot produce the hour's notifications")
            }
        }
    }
    // Roll-outs: a new version that is news opens one; every open one is judged again.
    match crate::rollouts::after_hour(services, tenant_id, run.id).await {
        Ok(0) => {}
        Ok(changed) => tracing::info!(tenant = slug, %hour, changed, "roll-out verdicts changed"),
        Err(err) => {
            tracing::warn!(tenant = slug, %hour, error = %err, "cannot evaluate the roll-outs")
        }
    }
    let rolled = rollup::roll_up(services.db.conn(), tenant_id, window).await?;
    if rolled > 0 {
        tracing::info!(tenant = slug, %window, rows = rolled, "rolled hourly detail up into days");
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
        run_id: run.id,
        hour,
        status,
        stats: read.stats,
        discoveries: written.discoveries.len(),
        news,
        seconds: started.elapsed().as_secs_f64(),
        timings: written.timings,
    })
}

/// Ingests every hour of `[from, to)` in order, reporting each outcome to `progress`. The news
/// rule is decided once, from the tenant's state before the backfill.
pub async fn backfill(
    services: &Services,
    slug: &str,
    from: Hour,
    to: Hour,
    workers: usize,
    mut progress: impl FnMut(usize, usize, &RunOutcome),
) -> Result<Vec<RunOutcome>, IngestionError> {
    if to <= from {
        return Err(IngestionError::EmptyRange { from, to });
    }
    let tenant_id = tenant_id(services, slug).await?;
    let previous_latest = latest_ingested(services, tenant_id).await?;
    let forward = from
        .until(to)
        .filter(|hour| previous_latest.is_none_or(|latest| *hour > latest))
        .count();
    let policy = NewsPolicy {
        previous_latest,
        long_forward_backfill: forward > 24,
    };
    let total = from.until(to).count();
    let mut outcomes = Vec::with_capacity(total);
    for (index, hour) in from.until(to).enumerate() {
        let outcome = ingest_hour(
            services,
            slug,
            hour,
            Trigger::Backfill,
            Some(policy),
            workers,
        )
        .await?;
        progress(index + 1, total, &outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
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
