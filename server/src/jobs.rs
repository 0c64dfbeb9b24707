//! The job runtime of a `blueprint` process: apalis workers on the named queues (ingestion's
//! three, webhook deliveries and email digests), a heartbeat that also takes over dead workers'
//! hours and queues what the notification outboxes hold, and (in `serve` and `worker`) the hourly
//! schedule.
//! Everything the workers do is a call into `blueprint_core::jobs`.
//!
//! `serve` and `worker` start it for as long as they run; `backfill --wait` starts one without the
//! schedule when no worker is alive, so a lone SQLite install needs no server to re-ingest.

use std::sync::Arc;
use std::time::Duration;

use apalis::layers::retry::HasherRng;
use apalis::layers::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use apalis::prelude::*;
use blueprint_core::Services;
use blueprint_core::channels::mail::{self, SendDigestJob};
use blueprint_core::channels::webhooks::{self, DeliverJob};
use blueprint_core::channels::{Attempt, Channels};
use blueprint_core::hour::Hour;
use blueprint_core::jobs::queue::{
    BackfillJob, DiscoverJob, IngestHourJob, JobQueue, Queue, QueueBackend,
};
use blueprint_core::jobs::tasks::{self, TaskOutcome};
use blueprint_core::jobs::workers::{self, WorkerKind};
use blueprint_core::jobs::{Clock, JobSettings, backfills, prune, schedule};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What every job handler reaches.
#[derive(Debug)]
struct JobContext {
    services: Services,
    queue: JobQueue,
    settings: JobSettings,
    worker_id: String,
    channels: Channels,
    http: reqwest::Client,
    /// Where digests' periods are read (the schedule's clock); `None` in a waiting CLI.
    clock: Option<Arc<dyn Clock>>,
}

type Shared = Arc<JobContext>;

async fn ingest_hour(job: IngestHourJob, Data(ctx): Data<Shared>) -> Result<(), BoxDynError> {
    match tasks::run_task(&ctx.services, &ctx.settings, &ctx.worker_id, job.task_id).await {
        Ok(TaskOutcome::Failed {
            reason,
            retry: true,
        }) => {
            tracing::warn!(task = job.task_id, %reason, "hour failed; will retry");
            Err(reason.into())
        }
        Ok(outcome) => {
            tracing::debug!(task = job.task_id, ?outcome, "hour task finished");
            Ok(())
        }
        Err(err) => {
            let reason = blueprint_core::error_chain(&err);
            tracing::warn!(task = job.task_id, %reason, "hour task could not run");
            Err(reason.into())
        }
    }
}

async fn fan_out(job: BackfillJob, Data(ctx): Data<Shared>) -> Result<(), BoxDynError> {
    let hours = backfills::fan_out(&ctx.services, &ctx.queue, job.backfill_id)
        .await
        .map_err(|err| blueprint_core::error_chain(&err))?;
    tracing::info!(backfill = job.backfill_id, hours, "backfill fanned out");
    Ok(())
}

async fn discover(job: DiscoverJob, Data(ctx): Data<Shared>) -> Result<(), BoxDynError> {
    let due = Hour::from_epoch_seconds(job.due_hour).ok_or("the job's hour is not an hour")?;
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

/// Reports an outbox attempt: whatever happened, the job is done — a failure to retry is queued
/// again as a new job once its back-off has passed (the worker slot is not held meanwhile).
fn attempted<E: std::error::Error + 'static>(
    what: &str,
    id: i64,
    attempt: Result<Attempt, E>,
) -> Result<(), BoxDynError> {
    match attempt {
        Ok(Attempt::Retry(reason)) => {
            tracing::warn!(what, id, %reason, "sending failed; will retry");
            Ok(())
        }
        Ok(Attempt::GaveUp(reason)) => {
            tracing::warn!(what, id, %reason, "sending failed for the last time");
            Ok(())
        }
        Ok(Attempt::Sent | Attempt::Skipped) => Ok(()),
        Err(err) => Err(blueprint_core::error_chain(&err).into()),
    }
}

async fn deliver(job: DeliverJob, Data(ctx): Data<Shared>) -> Result<(), BoxDynError> {
    let attempt = webhooks::deliver(
        &ctx.services,
        &ctx.http,
        &ctx.channels.public_url,
        job.delivery_id,
        ctx.settings.retry_backoff,
    )
    .await;
    attempted("webhook delivery", job.delivery_id, attempt)
}

async fn send_digest(job: SendDigestJob, Data(ctx): Data<Shared>) -> Result<(), BoxDynError> {
    let Some(mailer) = &ctx.channels.mailer else {
        return Err("email is not configured in this process (BLUEPRINT_SMTP_URL)".into());
    };
    let attempt = mail::send(
        &ctx.services,
        mailer,
        job.digest_id,
        ctx.settings.retry_backoff,
    )
    .await;
    attempted("email digest", job.digest_id, attempt)
}

/// Builds the monitor with the workers for one storage type (the two differ only in type).
macro_rules! monitor_for {
    ($storage:ty, $config:ty, $pool:expr, $ctx:expr, $queues:expr) => {{
        let ctx: Shared = $ctx;
        let pool = $pool;
        let settings = ctx.settings.clone();
        let queue_names = ctx.queue.clone();
        let config = move |queue: Queue, batch: usize| {
            <$config>::default()
                .queue(queue_names.name(queue))
                .batch_size(batch)
                .heartbeat_interval(settings.heartbeat)
        };
        let retry = {
            let backoff = ExponentialBackoffMaker::new(
                settings.retry_backoff,
                settings.retry_backoff * 16,
                0.1,
                HasherRng::default(),
            )
            .expect("a valid back-off")
            .make_backoff();
            RetryPolicy::retries(settings.retries as usize).with_backoff(backoff)
        };
        // A worker whose backend fails (the database went away for a moment, say) is started
        // again; connecting waits up to the pool's timeout, so this does not spin.
        let mut monitor = Monitor::new()
            .shutdown_timeout(Duration::from_secs(60))
            .should_restart(|worker, error| {
                tracing::warn!(worker = worker.name(), %error, "job worker failed; starting it again");
                true
            });
        let name = |queue: Queue| format!("{}.{}", ctx.worker_id, queue.suffix());
        let poll = settings.poll;
        let concurrency = settings.concurrency;
        if $queues.contains(&Queue::IngestHour) {
            let (ctx, pool, config, retry, name) = (
                ctx.clone(),
                pool.clone(),
                config.clone(),
                retry.clone(),
                name(Queue::IngestHour),
            );
            monitor = monitor.register(move |_| {
                let backend = <$storage>::new(&pool)
                    .with_config(config(Queue::IngestHour, concurrency))
                    .poll_with_interval(poll);
                WorkerBuilder::new(name.clone())
                    .backend(backend)
                    .data(ctx.clone())
                    .concurrency(concurrency)
                    .retry(retry.clone())
                    .build(ingest_hour)
            });
        }
        if $queues.contains(&Queue::Backfill) {
            let (ctx, pool, config, name) = (
                ctx.clone(),
                pool.clone(),
                config.clone(),
                name(Queue::Backfill),
            );
            monitor = monitor.register(move |_| {
                let backend = <$storage>::new(&pool)
                    .with_config(config(Queue::Backfill, 1))
                    .poll_with_interval(poll);
                WorkerBuilder::new(name.clone())
                    .backend(backend)
                    .data(ctx.clone())
                    .concurrency(1)
                    .build(fan_out)
            });
        }
        if $queues.contains(&Queue::Discover) {
            let (ctx, pool, config, name) = (
                ctx.clone(),
                pool.clone(),
                config.clone(),
                name(Queue::Discover),
            );
            monitor = monitor.register(move |_| {
                let backend = <$storage>::new(&pool)
                    .with_config(config(Queue::Discover, 1))
                    .poll_with_interval(poll);
                WorkerBuilder::new(name.clone())
                    .backend(backend)
                    .data(ctx.clone())
                    .concurrency(1)
                    .build(discover)
            });
        }
        if $queues.contains(&Queue::Webhook) {
            let (ctx, pool, config, name) = (
                ctx.clone(),
                pool.clone(),
                config.clone(),
                name(Queue::Webhook),
            );
            monitor = monitor.register(move |_| {
                let backend = <$storage>::new(&pool)
                    .with_config(config(Queue::Webhook, 4))
                    .poll_with_interval(poll);
                WorkerBuilder::new(name.clone())
                    .backend(backend)
                    .data(ctx.clone())
                    .concurrency(4)
                    .build(deliver)
            });
        }
        if $queues.contains(&Queue::Mail) && ctx.channels.mailer.is_some() {
            let (ctx, pool, config, name) = (
                ctx.clone(),
                pool.clone(),
                config.clone(),
                name(Queue::Mail),
            );
            monitor = monitor.register(move |_| {
                let backend = <$storage>::new(&pool)
                    .with_config(config(Queue::Mail, 2))
                    .poll_with_interval(poll);
                WorkerBuilder::new(name.clone())
                    .backend(backend)
                    .data(ctx.clone())
                    .concurrency(2)
                    .build(send_digest)
            });
        }
        monitor
    }};
}

/// The running job side of a process.
pub struct JobRuntime {
    pub worker_id: String,
    services: Services,
    queue: JobQueue,
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl JobRuntime {
    /// Registers this process as a worker and starts its workers and loops. `clock` starts the
    /// hourly schedule too (serve and worker); a waiting CLI passes `None`.
    pub async fn start(
        services: Services,
        settings: JobSettings,
        channels: Channels,
        kind: WorkerKind,
        clock: Option<Arc<dyn Clock>>,
    ) -> anyhow::Result<Self> {
        let queue = JobQueue::open(&services.db).await?;
        let worker_id = workers::register(services.db.conn(), kind, settings.concurrency).await?;
        let (stop, stopped) = watch::channel(false);
        let ctx = Arc::new(JobContext {
            services: services.clone(),
            queue: queue.clone(),
            settings: settings.clone(),
            worker_id: worker_id.clone(),
            channels,
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .build()?,
            clock: clock.clone(),
        });
        let queues: Vec<Queue> = match kind {
            WorkerKind::Cli => vec![Queue::IngestHour, Queue::Backfill],
            _ => Queue::ALL.to_vec(),
        };
        let mut handles = vec![
            tokio::spawn(supervise(ctx.clone(), queues, stopped.clone())),
            tokio::spawn(heartbeat(ctx.clone(), stopped.clone())),
        ];
        if let Some(clock) = clock.filter(|_| settings.schedule) {
            handles.push(tokio::spawn(run_schedule(ctx.clone(), clock, stopped)));
        }
        tracing::info!(
            worker = worker_id,
            kind = kind.as_str(),
            concurrency = settings.concurrency,
            "job workers started"
        );
        Ok(Self {
            worker_id,
            services,
            queue,
            stop,
            handles,
        })
    }

    /// Stops taking work, lets running hours finish (up to a minute), and marks this worker
    /// stopped; hours it could not finish are queued again for others.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for handle in self.handles {
            let _ = handle.await;
        }
        match workers::retire(&self.services, &self.queue, &self.worker_id).await {
            Ok(requeued) if !requeued.is_empty() => {
                tracing::info!(hours = requeued.len(), "queued unfinished hours again")
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot mark the worker stopped"),
        }
        tracing::info!(worker = self.worker_id, "job workers stopped");
    }
}

async fn wait_stop(mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow_and_update() {
        if stopped.changed().await.is_err() {
            return;
        }
    }
}

/// Runs the apalis monitor until shutdown; starts it again if it ends on its own (say, the
/// database was unreachable for a while).
async fn supervise(ctx: Shared, queues: Vec<Queue>, stopped: watch::Receiver<bool>) {
    loop {
        let signal = {
            let stopped = stopped.clone();
            async move {
                wait_stop(stopped).await;
                Ok(())
            }
        };
        let result = match ctx.queue.backend().clone() {
            QueueBackend::Sqlite(pool) => {
                monitor_for!(
                    apalis_sqlite::SqliteStorage<_>,
                    apalis_sqlite::Config,
                    pool,
                    ctx.clone(),
                    queues
                )
                .run_with_signal(signal)
                .await
            }
            QueueBackend::Postgres(pool) => {
                monitor_for!(
                    apalis_postgres::PostgresStorage<_>,
                    apalis_postgres::Config,
                    pool,
                    ctx.clone(),
                    queues
                )
                .run_with_signal(signal)
                .await
            }
        };
        if *stopped.borrow() {
            return;
        }
        tracing::warn!(
            ?result,
            "job workers stopped unexpectedly; restarting in 5 s"
        );
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Says this worker is alive, and takes over dead workers' hours.
async fn heartbeat(ctx: Shared, stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(ctx.settings.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stop = wait_stop(stopped);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = tick.tick() => {}
        }
        let conn = ctx.services.db.conn();
        if let Err(err) = workers::heartbeat(conn, &ctx.worker_id).await {
            tracing::warn!(error = %err, "heartbeat failed");
            continue;
        }
        dispatch(&ctx).await;
        match workers::recover(&ctx.services, &ctx.queue, ctx.settings.dead_after()).await {
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot take over dead workers"),
        }
    }
}

/// Queues the webhook deliveries and (when email is on) the digests that are due.
async fn dispatch(ctx: &JobContext) {
    match webhooks::dispatch(&ctx.services, &ctx.queue).await {
        Ok(0) => {}
        Ok(queued) => tracing::debug!(queued, "webhook deliveries queued"),
        Err(err) => tracing::warn!(error = %err, "cannot queue webhook deliveries"),
    }
    if let (Some(_), Some(clock)) = (&ctx.channels.mailer, &ctx.clock) {
        match mail::dispatch(&ctx.services, &ctx.queue, clock.now()).await {
            Ok(0) => {}
            Ok(queued) => tracing::debug!(queued, "email digests queued"),
            Err(err) => tracing::warn!(error = %err, "cannot queue email digests"),
        }
    }
}

/// The hourly schedule: a turn at start-up, then whenever the clock passes a due hour.
async fn run_schedule(ctx: Shared, clock: Arc<dyn Clock>, stopped: watch::Receiver<bool>) {
    let stop = wait_stop(stopped);
    tokio::pin!(stop);
    let mut last: Option<Hour> = None;
    loop {
        let now = clock.now();
        let due = schedule::due_hour(now, ctx.settings.schedule_delay);
        if last != Some(due) {
            let force = last.is_none();
            match schedule::tick(
                &ctx.services,
                &ctx.queue,
                &ctx.settings,
                now,
                &ctx.worker_id,
                force,
            )
            .await
            {
                Ok(Some(hour)) => {
                    tracing::info!(due = %hour, "schedule: planning queued");
                    last = Some(due);
                }
                Ok(None) => last = Some(due),
                Err(err) => tracing::warn!(error = %err, "schedule tick failed; will retry"),
            }
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(ctx.settings.poll) => {}
        }
    }
}
