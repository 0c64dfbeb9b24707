//! The pipeline: what follows an ingested hour, a finished backfill and the hourly planning, in
//! one place and in a visible order. Ingestion writes an hour and nothing after it; the jobs and
//! the command line call these functions, so a lone install without workers runs the same steps.
//!
//! After an ingested hour, in order:
//! 1. **news** — the hour's discoveries told to watchers and owners, when the hour is news;
//! 2. **roll-outs** — a new version that is news opens one; every open roll-out is judged again.
//!
//! After a finished backfill: its history told as one summary, then obsolete detection.
//! After the hourly planning of a tenant: obsolete detection.
//!
//! A step that fails is logged with the tenant and hour and does not stop the steps after it:
//! the hour is already in the ledger.

use sea_orm::{ConnectionTrait, DbErr};

use crate::Services;
use crate::hour::Hour;
use crate::ingestion::{self, IngestionError, NewsPolicy, RunOutcome, Trigger};
use crate::{notify, obsolete, rollouts};

/// What the steps after an hour did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AfterHour {
    /// Notifications produced for the hour's news.
    pub told: u64,
    /// Roll-outs whose verdict changed.
    pub verdicts_changed: usize,
}

/// Ingests one hour, then runs the steps that follow it.
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

/// [`ingest_hour`], recording the job worker that runs it.
pub async fn ingest_hour_by(
    services: &Services,
    slug: &str,
    hour: Hour,
    trigger: Trigger,
    policy: Option<NewsPolicy>,
    workers: usize,
    worker_id: Option<&str>,
) -> Result<RunOutcome, IngestionError> {
    let outcome =
        ingestion::ingest_hour_by(services, slug, hour, trigger, policy, workers, worker_id)
            .await?;
    after_hour(services, slug, &outcome).await;
    Ok(outcome)
}

/// The steps after an ingested hour, in order (see the module's first lines).
pub async fn after_hour(services: &Services, slug: &str, outcome: &RunOutcome) -> AfterHour {
    let hour = outcome.hour;
    let mut done = AfterHour::default();
    if outcome.news && outcome.discoveries > 0 {
        match notify::notify_run(
            services.db.conn(),
            outcome.tenant_id,
            outcome.run_id,
            services.db.now_seconds(),
        )
        .await
        {
            Ok(told) => {
                done.told = told;
                if told > 0 {
                    tracing::info!(tenant = slug, %hour, notifications = told, "news told");
                }
            }
            Err(err) => {
                tracing::warn!(tenant = slug, %hour, error = %err, "cannot produce the hour's notifications")
            }
        }
    }
    match rollouts::after_hour(services, outcome.tenant_id, outcome.run_id).await {
        Ok(changed) => {
            done.verdicts_changed = changed;
            if changed > 0 {
                tracing::info!(tenant = slug, %hour, changed, "roll-out verdicts changed");
            }
        }
        Err(err) => {
            tracing::warn!(tenant = slug, %hour, error = %err, "cannot evaluate the roll-outs")
        }
    }
    done
}

/// The steps after a backfill ended: its history as one summary for the tenant's watchers, then
/// what it may have made obsolete, or brought back.
pub async fn after_backfill(
    conn: &impl ConnectionTrait,
    backfill_id: i64,
    tenant_id: i64,
    at: i64,
) -> Result<(), DbErr> {
    notify::notify_backfill(conn, backfill_id, at).await?;
    obsolete::detect(conn, tenant_id, at).await?;
    Ok(())
}

/// The steps after the hourly planning of one tenant: obsolete detection, logged.
pub async fn after_planning(services: &Services, tenant_id: i64, slug: &str) {
    match obsolete::detect(services.db.conn(), tenant_id, services.db.now_seconds()).await {
        Ok(found) if found != obsolete::Detected::default() => {
            tracing::info!(
                tenant = slug,
                marked = found.marked,
                lifted = found.lifted,
                "obsolete marks changed"
            )
        }
        Ok(_) => {}
        Err(err) => {
            tracing::warn!(tenant = slug, error = %err, "cannot detect obsolete items")
        }
    }
}

/// Ingests every hour of `[from, to)` in order in this process, each followed by its steps,
/// reporting each outcome to `progress`. The news rule is decided once, from the tenant's state
/// before the backfill.
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
    let tenant_id = ingestion::tenant_id(services, slug).await?;
    let previous_latest = crate::tenants::latest_ingested(services.db.conn(), tenant_id).await?;
    let policy = NewsPolicy::for_range(previous_latest, from, to);
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
