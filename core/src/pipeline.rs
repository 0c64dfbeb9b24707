//! The pipeline: what follows an ingested hour, a finished backfill and the hourly planning, in
//! one place and in a visible order. Ingestion writes an hour and nothing after it; the jobs and
//! the command line call these functions, so a lone install without workers runs the same steps.
//!
//! After an ingested hour, in order:
//! 1. **news** — the hour's discoveries told to watchers and owners, grouped, when the hour is
//!    news. The hour is written with its news owed (`news_pending`); telling clears it. An hour of
//!    a forward backfill run by the workers stays owed until the backfill's earlier hours are in,
//!    so what it tells carries the true first-seen hour. When telling fails,
//!    the outcome says so (`news_owed`) and the news stays owed: the hour's job fails so it is
//!    tried again, and every later hour of the tenant and its hourly planning tell what is still
//!    owed first — never twice, as notifications are unique per discovery;
//! 2. **anomalies** — every series judged in the hour; anomalous hours grouped into incidents,
//!    resolved when back in their bands, told once when the hour is news (`signals::detect`);
//! 3. **roll-outs** — a new version that is news opens one; every open roll-out is judged again,
//!    except after an hour without data (a gap changes no verdict);
//! 4. **outage** — the tenant's gap after its latest hour with data judged: an outage opened,
//!    grown or resolved, told once when found and once when data returns (`signals::outage`).
//!
//! After a finished backfill: its history told as one summary, then obsolete detection.
//! After the hourly planning of a tenant: obsolete detection, then the outage step.
//!
//! A step that fails is logged with the tenant and hour and does not stop the steps after it:
//! the hour is already in the ledger.

use sea_orm::{ConnectionTrait, DbErr};

use crate::Services;
use crate::hour::Hour;
use crate::ingest::Reading;
use crate::ingestion::{self, IngestionError, NewsPolicy, RunOutcome, RunStatus, Trigger};
use crate::{notify, obsolete, rollouts, signals};

/// What the steps after an hour did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AfterHour {
    /// Notifications produced for the hour's news.
    pub told: u64,
    /// Roll-outs whose verdict changed.
    pub verdicts_changed: usize,
    /// Notifications of the tenant's outage (found, or data returned).
    pub outage_told: u64,
    /// Incidents opened from the hour's anomalies.
    pub incidents_opened: usize,
}

/// What the steps after an hour did, and why the hour's news is still owed if it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AfterHourOutcome {
    pub done: AfterHour,
    pub news_owed: Option<String>,
}

/// Ingests one hour, then runs the steps that follow it.
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

/// [`ingest_hour`], recording the job worker that runs it.
pub async fn ingest_hour_by(
    services: &Services,
    slug: &str,
    hour: Hour,
    trigger: Trigger,
    policy: Option<NewsPolicy>,
    reading: impl Into<Reading>,
    worker_id: Option<&str>,
) -> Result<RunOutcome, IngestionError> {
    let mut outcome =
        ingestion::ingest_hour_by(services, slug, hour, trigger, policy, reading, worker_id)
            .await?;
    outcome.news_owed = after_hour(services, slug, &outcome).await.news_owed;
    Ok(outcome)
}

/// Tells the tenant's owed news (see the module's first lines); the reason when some is still
/// owed.
pub async fn tell_owed_news(
    services: &Services,
    tenant_id: i64,
    slug: &str,
) -> Result<u64, String> {
    let at = services.db.now_seconds();
    match notify::tell_pending(services.db.conn(), tenant_id, at).await {
        Ok(told) => {
            if told > 0 {
                tracing::info!(tenant = slug, notifications = told, "news told");
            }
            Ok(told)
        }
        Err(err) => {
            let reason = format!(
                "the hour is ingested but its news could not be told ({}); it stays owed and is told at the next attempt",
                crate::error_chain(&err)
            );
            tracing::warn!(tenant = slug, %reason, "news owed");
            Err(reason)
        }
    }
}

/// The steps after an ingested hour, in order (see the module's first lines).
pub async fn after_hour(services: &Services, slug: &str, outcome: &RunOutcome) -> AfterHourOutcome {
    let hour = outcome.hour;
    let mut done = AfterHour::default();
    let mut news_owed = None;
    match tell_owed_news(services, outcome.tenant_id, slug).await {
        Ok(told) => done.told = told,
        Err(reason) => {
            let owed = notify::is_pending(services.db.conn(), outcome.run_id).await;
            if owed.unwrap_or(true) {
                news_owed = Some(reason);
            }
        }
    }
    if matches!(outcome.status, RunStatus::Ok | RunStatus::NoData) {
        let at = services.db.now_seconds();
        let conn = services.db.conn();
        match signals::detect::after_hour(conn, outcome.tenant_id, hour, outcome.news, at).await {
            Ok(found) => {
                done.incidents_opened = found.opened;
                if found.opened > 0 || found.told > 0 || found.resolved > 0 {
                    tracing::info!(
                        tenant = slug,
                        %hour,
                        opened = found.opened,
                        told = found.told,
                        resolved = found.resolved,
                        "incidents"
                    );
                }
            }
            Err(err) => {
                tracing::warn!(tenant = slug, %hour, error = %err, "cannot detect anomalies")
            }
        }
    }
    // An hour without data is a gap, not evidence: it re-judges no roll-out.
    let without_data = match outcome.status {
        RunStatus::NoData => true,
        RunStatus::Ok => outcome.stats.events == 0,
        RunStatus::Failed(_) => false,
    };
    let judged = if without_data {
        Ok(0)
    } else {
        rollouts::after_hour(services, outcome.tenant_id, outcome.run_id).await
    };
    match judged {
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
    if !matches!(outcome.status, RunStatus::Failed(_)) {
        done.outage_told = outage_step(services, outcome.tenant_id, slug, outcome.news).await;
    }
    AfterHourOutcome { done, news_owed }
}

/// The outage step: the tenant's gap judged (see `signals::outage`), logged; a failure is
/// logged and stops nothing. Returns the notifications written.
async fn outage_step(services: &Services, tenant_id: i64, slug: &str, news: bool) -> u64 {
    let settings = signals::outage::Outage {
        delay_seconds: i64::try_from(services.schedule_delay.as_secs()).unwrap_or(i64::MAX),
        ..signals::outage::Outage::default()
    };
    let now = services.db.now_seconds();
    match signals::outage::check(services.db.conn(), tenant_id, news, settings, now).await {
        Ok(checked) => {
            if checked.told > 0 || checked.resolved > 0 {
                tracing::info!(
                    tenant = slug,
                    told = checked.told,
                    resolved = checked.resolved,
                    "outage"
                );
            }
            checked.told
        }
        Err(err) => {
            tracing::warn!(tenant = slug, error = %err, "cannot judge the tenant's outage");
            0
        }
    }
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

/// The steps after the hourly planning of one tenant: news still owed, then obsolete detection,
/// logged.
pub async fn after_planning(services: &Services, tenant_id: i64, slug: &str) {
    let _ = tell_owed_news(services, tenant_id, slug).await;
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
    // The planning's hours are the live ones: a gap after the latest hour with data is news.
    outage_step(services, tenant_id, slug, true).await;
}

/// Ingests every hour of `[from, to)` in order in this process, each followed by its steps,
/// reporting each outcome to `progress`. The news rule is decided once, from the tenant's state
/// before the backfill.
pub async fn backfill(
    services: &Services,
    slug: &str,
    from: Hour,
    to: Hour,
    reading: impl Into<Reading>,
    mut progress: impl FnMut(usize, usize, &RunOutcome),
) -> Result<Vec<RunOutcome>, IngestionError> {
    if to <= from {
        return Err(IngestionError::EmptyRange { from, to });
    }
    let tenant_id = ingestion::tenant_id(services, slug).await?;
    let previous_latest = crate::tenants::latest_with_data(services.db.conn(), tenant_id).await?;
    let policy = NewsPolicy::for_range(previous_latest, from, to);
    let reading = reading.into();
    let total = from.until(to).count();
    let mut outcomes = Vec::with_capacity(total);
    for (index, hour) in from.until(to).enumerate() {
        let outcome = ingest_hour(
            services,
            slug,
            hour,
            Trigger::Backfill,
            Some(policy),
            reading,
        )
        .await?;
        progress(index + 1, total, &outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
