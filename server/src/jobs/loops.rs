//! The loops a job runtime runs beside its workers: the apalis monitor (started again if it ends
//! on its own), the heartbeat (which also takes over dead workers' hours and queues what the
//! notification outboxes hold), and the hourly schedule.

use std::sync::Arc;
use std::time::Duration;

use blueprint_core::channels::{mail, webhooks};
use blueprint_core::hour::Hour;
use blueprint_core::jobs::{Clock, schedule, workers};
use blueprint_core::queue::Queue;
use tokio::sync::watch;

use crate::jobs::job::{JobContext, Shared};
use crate::jobs::registry::Registry;

/// Resolves once the runtime is told to stop.
pub(crate) async fn wait_stop(mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow_and_update() {
        if stopped.changed().await.is_err() {
            return;
        }
    }
}

/// Runs the apalis monitor with the workers `jobs` registers until shutdown; starts it again if
/// it ends on its own (say, the database was unreachable for a while).
pub(crate) async fn supervise(
    ctx: Shared,
    queues: Vec<Queue>,
    jobs: fn(Registry) -> Registry,
    stopped: watch::Receiver<bool>,
) {
    loop {
        let signal = {
            let stopped = stopped.clone();
            async move {
                wait_stop(stopped).await;
                Ok(())
            }
        };
        let monitor = jobs(Registry::new(ctx.clone(), queues.clone())).into_monitor();
        let result = monitor.run_with_signal(signal).await;
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
pub(crate) async fn heartbeat(ctx: Shared, stopped: watch::Receiver<bool>) {
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
pub(crate) async fn run_schedule(
    ctx: Shared,
    clock: Arc<dyn Clock>,
    stopped: watch::Receiver<bool>,
) {
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
