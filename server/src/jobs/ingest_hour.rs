//! `ingest-hour`: runs one hour task (claim, duplicate check, ingestion); a failed attempt with
//! attempts left fails the job so apalis tries it again after the back-off.

use apalis::prelude::BoxDynError;
use blueprint_core::jobs::tasks::{self, TaskOutcome};
use blueprint_core::queue::{IngestHourJob, Queue};

use crate::jobs::job::{BackgroundJob, JobContext};

impl BackgroundJob for IngestHourJob {
    const QUEUE: Queue = Queue::IngestHour;
    const RETRIES: bool = true;

    fn concurrency(ctx: &JobContext) -> usize {
        ctx.settings.concurrency
    }

    async fn run(self, ctx: &JobContext) -> Result<(), BoxDynError> {
        match tasks::run_task(&ctx.services, &ctx.settings, &ctx.worker_id, self.task_id).await {
            Ok(TaskOutcome::Failed {
                reason,
                retry: true,
            }) => {
                tracing::warn!(task = self.task_id, %reason, "hour failed; will retry");
                Err(reason.into())
            }
            Ok(outcome) => {
                tracing::debug!(task = self.task_id, ?outcome, "hour task finished");
                Ok(())
            }
            Err(err) => {
                let reason = blueprint_core::error_chain(&err);
                tracing::warn!(task = self.task_id, %reason, "hour task could not run");
                Err(reason.into())
            }
        }
    }
}
