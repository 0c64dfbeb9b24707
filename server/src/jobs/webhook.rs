//! `webhook`: delivers one webhook delivery (signed POST to the endpoint).

use apalis::prelude::BoxDynError;
use blueprint_core::channels::webhooks::{self, DeliverJob};
use blueprint_core::queue::Queue;

use crate::jobs::job::{BackgroundJob, JobContext};
use crate::jobs::outbox::attempted;

impl BackgroundJob for DeliverJob {
    const QUEUE: Queue = Queue::Webhook;

    fn concurrency(_ctx: &JobContext) -> usize {
        4
    }

    async fn run(self, ctx: &JobContext) -> Result<(), BoxDynError> {
        let attempt = webhooks::deliver(
            &ctx.services,
            &ctx.webhooks,
            &ctx.channels.public_url,
            self.delivery_id,
            ctx.settings.retry_backoff,
        )
        .await;
        attempted("webhook delivery", self.delivery_id, attempt)
    }
}
