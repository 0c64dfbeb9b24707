//! What a background job is: its payload type (the type implementing [`BackgroundJob`], stored
//! as JSON on its queue), the queue it travels on, and its handler — and what every handler
//! reaches ([`JobContext`]). Each job lives in a file of its own beside this one.

use std::future::Future;
use std::sync::Arc;

use apalis::prelude::BoxDynError;
use blueprint_core::Services;
use blueprint_core::channels::Channels;
use blueprint_core::channels::webhooks::Sender;
use blueprint_core::jobs::{Clock, JobSettings};
use blueprint_core::queue::{JobQueue, Queue};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What every job handler reaches.
#[derive(Debug)]
pub(crate) struct JobContext {
    pub services: Services,
    pub queue: JobQueue,
    pub settings: JobSettings,
    pub worker_id: String,
    pub channels: Channels,
    /// Delivers webhooks (to public or allowed addresses only).
    pub webhooks: Sender,
    /// Where digests' periods are read (the schedule's clock); `None` in a waiting CLI.
    pub clock: Option<Arc<dyn Clock>>,
}

/// The context as the workers share it.
pub(crate) type Shared = Arc<JobContext>;

/// A background job: the payload pushed onto [`BackgroundJob::QUEUE`] and what a worker does
/// with it. Registering it (one line in `jobs/mod.rs`) gives it a worker in every process that
/// runs its queue.
pub(crate) trait BackgroundJob:
    Clone + Serialize + DeserializeOwned + Send + Sync + Unpin + 'static
{
    /// The queue its jobs travel on.
    const QUEUE: Queue;

    /// Whether a failed job is tried again, with a doubling back-off (`BLUEPRINT_JOB_RETRIES`).
    const RETRIES: bool = false;

    /// Jobs of its queue one process runs at once.
    fn concurrency(_ctx: &JobContext) -> usize {
        1
    }

    /// Whether this process runs its queue at all.
    fn enabled(_ctx: &JobContext) -> bool {
        true
    }

    /// Runs one job; an error fails it (and retries it when [`BackgroundJob::RETRIES`]).
    fn run(self, ctx: &JobContext) -> impl Future<Output = Result<(), BoxDynError>> + Send;
}
