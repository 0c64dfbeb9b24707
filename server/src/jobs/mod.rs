//! The job runtime of a `blueprint` process: apalis workers on the named queues (ingestion's
//! three, webhook deliveries and email digests), a heartbeat that also takes over dead workers'
//! hours and queues what the notification outboxes hold, and (in `serve` and `worker`) the hourly
//! schedule.
//! Everything the workers do is a call into `blueprint_core::jobs`.
//!
//! Each background job is one file here implementing [`job::BackgroundJob`] (its payload, queue
//! and handler) and one line in [`register_jobs`]; `registry` gives each its worker.
//!
//! `serve` and `worker` start it for as long as they run; `backfill --wait` starts one without the
//! schedule when no worker is alive, so a lone SQLite install needs no server to re-ingest.

mod backfill;
mod discover_tenants;
mod ingest_hour;
mod job;
mod loops;
mod mail_digest;
mod outbox;
mod registry;
mod webhook;

use std::sync::Arc;

use blueprint_core::Services;
use blueprint_core::channels::Channels;
use blueprint_core::channels::mail::SendDigestJob;
use blueprint_core::channels::webhooks::{self, DeliverJob};
use blueprint_core::jobs::workers::{self, WorkerKind};
use blueprint_core::jobs::{Clock, JobSettings};
use blueprint_core::queue::{BackfillJob, DiscoverJob, IngestHourJob, JobQueue, Queue};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::jobs::job::JobContext;
use crate::jobs::registry::Registry;

/// Every background job, one line each.
fn register_jobs(registry: Registry) -> Registry {
    registry
        .register::<IngestHourJob>()
        .register::<BackfillJob>()
        .register::<DiscoverJob>()
        .register::<DeliverJob>()
        .register::<SendDigestJob>()
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
            webhooks: webhooks::Sender::new(channels.webhook_hosts.clone())?,
            channels,
            clock: clock.clone(),
        });
        let queues: Vec<Queue> = match kind {
            WorkerKind::Cli => vec![Queue::IngestHour, Queue::Backfill],
            _ => Queue::ALL.to_vec(),
        };
        let mut handles = vec![
            tokio::spawn(loops::supervise(
                ctx.clone(),
                queues,
                register_jobs,
                stopped.clone(),
            )),
            tokio::spawn(loops::heartbeat(ctx.clone(), stopped.clone())),
        ];
        if let Some(clock) = clock.filter(|_| settings.schedule) {
            handles.push(tokio::spawn(loops::run_schedule(
                ctx.clone(),
                clock,
                stopped,
            )));
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
