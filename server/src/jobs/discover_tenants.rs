//! `discover-tenants`: the hourly planning — discover tenants, queue what each needs up to the
//! due hour — then delete job history older than the retention window.

use apalis::prelude::BoxDynError;
use blueprint_core::hour::Hour;
use blueprint_core::jobs::{prune, schedule};
use blueprint_core::queue::{DiscoverJob, Queue};

use crate::jobs::job::{BackgroundJob, JobContext};

impl BackgroundJob for DiscoverJob {
    const QUEUE: Queue = Queue::Discover;

    async fn run(self, ctx: &JobContext) -> Result<(), BoxDynError> {
        let due = Hour::from_epoch_seconds(self.due_hour).ok_or("the job's hour is not an hour")?;
        schedule::plan(&ctx.services, &ctx.queue, &ctx.settings, due)
            .await
            .map_err(|err| blueprint_core::error_chain(&err))?;
        match prune::prune(&ctx.services, &ctx.queue, prune::KEEP_DAYS).await {
            Ok(pruned) if pruned != prune::Pruned::default() => {
                tracing::info!(?pruned, "deleted old job history")
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot delete old job history"),
        }
        Ok(())
    }
}
