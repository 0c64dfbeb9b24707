//! Giving every registered background job its apalis worker, written once for every job and both
//! storages: the job's named queue, its batch size and concurrency, the poll interval and
//! heartbeat, retries with a doubling back-off for the jobs that retry, and panics caught as the
//! job's failure. A worker whose backend fails is started again by the monitor.

use std::time::Duration;

use apalis::layers::catch_panic::CatchPanicLayer;
use apalis::layers::retry::HasherRng;
use apalis::layers::retry::backoff::{ExponentialBackoff, ExponentialBackoffMaker, MakeBackoff};
use apalis::layers::retry::{BackoffRetryPolicy, RetryLayer};
use apalis::prelude::*;
use blueprint_core::queue::{Queue, QueueBackend};

use crate::jobs::job::{BackgroundJob, Shared};

/// The monitor being built, and which queues this process runs.
pub(crate) struct Registry {
    monitor: Monitor,
    ctx: Shared,
    queues: Vec<Queue>,
}

/// How one job's worker is set up.
#[derive(Clone)]
struct WorkerSpec {
    name: String,
    queue: String,
    concurrency: usize,
    poll: Duration,
    heartbeat: Duration,
    retry: Option<RetryLayer<BackoffRetryPolicy<ExponentialBackoff<HasherRng>>>>,
}

impl WorkerSpec {
    fn of<J: BackgroundJob>(ctx: &Shared) -> Self {
        let settings = &ctx.settings;
        let retry = J::RETRIES.then(|| {
            let backoff = ExponentialBackoffMaker::new(
                settings.retry_backoff,
                settings.retry_backoff * 16,
                0.1,
                HasherRng::default(),
            )
            .expect("a valid back-off")
            .make_backoff();
            RetryLayer::new(RetryPolicy::retries(settings.retries as usize).with_backoff(backoff))
        });
        Self {
            name: format!("{}.{}", ctx.worker_id, J::QUEUE.suffix()),
            queue: ctx.queue.name(J::QUEUE),
            concurrency: J::concurrency(ctx),
            poll: settings.poll,
            heartbeat: settings.heartbeat,
            retry,
        }
    }
}

/// Runs one job: what apalis calls for each job it takes off the queue.
async fn handle<J: BackgroundJob>(job: J, Data(ctx): Data<Shared>) -> Result<(), BoxDynError> {
    job.run(&ctx).await
}

/// Registers job `J`'s worker on one storage type (SQLite's and Postgres' differ only in type).
macro_rules! register_worker {
    ($monitor:expr, $storage:ty, $config:ty, $pool:expr, $spec:expr, $ctx:expr, $job:ty) => {{
        let (pool, spec, ctx) = ($pool, $spec, $ctx);
        $monitor.register(move |_| {
            let config = <$config>::default()
                .queue(spec.queue.clone())
                .batch_size(spec.concurrency)
                .heartbeat_interval(spec.heartbeat);
            let backend = <$storage>::new(&pool)
                .with_config(config)
                .poll_with_interval(spec.poll);
            WorkerBuilder::new(spec.name.clone())
                .backend(backend)
                .data(ctx.clone())
                .concurrency(spec.concurrency)
                .option_layer(spec.retry.clone())
                .layer(CatchPanicLayer::new())
                .build(handle::<$job>)
        })
    }};
}

impl Registry {
    /// An empty monitor for the process's `queues`.
    pub(crate) fn new(ctx: Shared, queues: Vec<Queue>) -> Self {
        // A worker whose backend fails (the database went away for a moment, say) is started
        // again; connecting waits up to the pool's timeout, so this does not spin.
        let monitor = Monitor::new()
            .shutdown_timeout(Duration::from_secs(60))
            .should_restart(|worker, error| {
                tracing::warn!(worker = worker.name(), %error, "job worker failed; starting it again");
                true
            });
        Self {
            monitor,
            ctx,
            queues,
        }
    }

    /// Adds job `J`'s worker when this process runs its queue.
    pub(crate) fn register<J: BackgroundJob>(mut self) -> Self {
        if !self.queues.contains(&J::QUEUE) || !J::enabled(&self.ctx) {
            return self;
        }
        let spec = WorkerSpec::of::<J>(&self.ctx);
        let ctx = self.ctx.clone();
        self.monitor = match self.ctx.queue.backend().clone() {
            QueueBackend::Sqlite(pool) => register_worker!(
                self.monitor,
                apalis_sqlite::SqliteStorage<J>,
                apalis_sqlite::Config,
                pool,
                spec,
                ctx,
                J
            ),
            QueueBackend::Postgres(pool) => register_worker!(
                self.monitor,
                apalis_postgres::PostgresStorage<J>,
                apalis_postgres::Config,
                pool,
                spec,
                ctx,
                J
            ),
        };
        self
    }

    pub(crate) fn into_monitor(self) -> Monitor {
        self.monitor
    }
}
