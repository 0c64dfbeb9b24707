//! `blueprint demo`: writes the demo data set (two tenants, 14 days of hours ending with the last
//! full hour) into the local events root and ingests it, tenant by tenant, with progress.

use anyhow::{Context, bail};
use blueprint_core::events_root::EventsLocation;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunStatus};
use blueprint_demo::{DemoOptions, TENANTS, generate};

use crate::commands::open_services;
use crate::commands::progress::Progress;
use crate::config::Config;

pub async fn demo(config: &Config) -> anyhow::Result<()> {
    let EventsLocation::Local(root) = &config.events else {
        bail!("demo writes its events to a local folder; set BLUEPRINT_EVENTS_URL to a path");
    };
    let options = DemoOptions::demo(chrono::Utc::now());
    let from = Hour::containing(options.first_hour);
    let to = from.plus(i64::from(options.hours));
    eprintln!(
        "writing demo events for {} into {} ({from} to {to})",
        TENANTS.join(", "),
        root.display()
    );
    let root_for_writer = root.clone();
    let expected = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&root_for_writer)?;
        generate(&root_for_writer, &options)
    })
    .await
    .context("demo writer stopped")?
    .context("cannot write the demo events")?;
    let services = open_services(config).await?;
    for tenant in TENANTS {
        let total = from.until(to).count();
        let mut progress = Progress::new(format!("ingest {tenant}"), total);
        let outcomes = ingestion::backfill(
            &services,
            tenant,
            from,
            to,
            config.ingest_workers,
            |done, _, outcome| {
                progress.update(done, &outcome.hour.to_string());
            },
        )
        .await?;
        if let Some(failed) = outcomes
            .iter()
            .find(|o| matches!(o.status, RunStatus::Failed(_)))
        {
            bail!("{tenant} {}: {:?}", failed.hour, failed.status);
        }
        let events: u64 = outcomes.iter().map(|o| o.stats.events).sum();
        let wanted: u64 = expected
            .tenants
            .get(tenant)
            .map_or(0, |t| t.hours.values().map(|h| h.events).sum());
        println!(
            "{tenant}: {} hours ingested, {events} events (the generator wrote {wanted})",
            outcomes.len()
        );
    }
    println!(
        "demo data ready: run `blueprint serve` and open http://{}",
        config.listen
    );
    Ok(())
}
