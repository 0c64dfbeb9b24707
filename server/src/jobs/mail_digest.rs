//! `mail`: sends one email digest; its queue runs only in processes with email configured.

use apalis::prelude::BoxDynError;
use blueprint_core::channels::mail::{self, SendDigestJob};
use blueprint_core::queue::Queue;

use crate::jobs::job::{BackgroundJob, JobContext};
use crate::jobs::outbox::attempted;

impl BackgroundJob for SendDigestJob {
    const QUEUE: Queue = Queue::Mail;

    fn concurrency(_ctx: &JobContext) -> usize {
        2
    }

    fn enabled(ctx: &JobContext) -> bool {
        ctx.channels.mailer.is_some()
    }

    async fn run(self, ctx: &JobContext) -> Result<(), BoxDynError> {
        let Some(mailer) = &ctx.channels.mailer else {
            return Err("email is not configured in this process (BLUEPRINT_SMTP_URL)".into());
        };
        let attempt = mail::send(
            &ctx.services,
            mailer,
            self.digest_id,
            ctx.settings.retry_backoff,
        )
        .await;
        attempted("email digest", self.digest_id, attempt)
    }
}
