//! `backfill`: fans a backfill out into hour tasks and pushes their jobs.

use apalis::prelude::BoxDynError;
use blueprint_core::jobs::backfills;
use blueprint_core::queue::{BackfillJob, Queue};

use crate::jobs::job::{BackgroundJob, JobContext};

impl BackgroundJob for BackfillJob {
    const QUEUE: Queue = Queue::Backfill;

    async fn run(self, ctx: &JobContext) -> Result<(), BoxDynError> {
        let hours = backfills::fan_out(&ctx.services, &ctx.queue, self.backfill_id)
            .await
            .map_err(|err| blueprint_core::error_chain(&err))?;
        tracing::info!(backfill = self.backfill_id, hours, "backfill fanned out");
        Ok(())
    }
}
