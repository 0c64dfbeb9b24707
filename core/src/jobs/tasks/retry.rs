//! An admin's "retry" of one hour (the ingestion page): the hour is queued again as a task of its
//! own, within the tenant's retention window, and the request is audited.

use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::hour::Hour;
use crate::ingestion::{self, IngestionError, NewsPolicy};
use crate::jobs::JobError;
use crate::jobs::tasks::rows::{NewTask, queue_tasks};
use crate::jobs::tasks::state::Origin;
use crate::queue::JobQueue;

/// Queues one hour again at an admin's request (the ingestion page's "retry").
pub async fn retry_hour_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    hour: Hour,
) -> Result<i64, ServiceError> {
    actor.require_admin()?;
    let tenant = ingestion::tenant(services, slug)
        .await
        .map_err(JobError::from)?;
    let latest = ingestion::latest_with_data(services, tenant.id)
        .await
        .map_err(JobError::from)?;
    let window = crate::ledger::rollup::window_start(
        latest.map_or(hour, |latest| latest.max(hour)),
        tenant.retention_days,
    );
    if hour < window {
        return Err(JobError::from(IngestionError::BeyondRetention {
            hour,
            window,
            days: tenant.retention_days,
        })
        .into());
    }
    let queue = JobQueue::open(&services.db).await.map_err(JobError::from)?;
    let task = NewTask {
        tenant_id: tenant.id,
        hour,
        backfill_id: None,
        origin: Origin::Retry,
        policy: NewsPolicy {
            previous_latest: latest,
            long_forward_backfill: false,
        },
    };
    let ids = queue_tasks(services, &queue, &[task]).await?;
    audit::record(
        services.db.conn(),
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(tenant.id),
            action: "hour.retry",
            target: &format!("{slug} {hour}"),
        },
        None::<&()>,
        None,
    )
    .await?;
    Ok(ids.first().copied().unwrap_or_default())
}
