//! `ingest`, `backfill`, `counts`, `catalog` and `mapping`.

use anyhow::{Context, bail};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunOutcome, RunStatus, Trigger};
use blueprint_core::ledger::{catalog, counts};
use blueprint_core::mapping::Mapping;
use blueprint_core::mappings;

use crate::commands::open_services;
use crate::commands::progress::Progress;
use crate::config::Config;

/// Output formats of `counts` and `catalog`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

fn describe(tenant: &str, outcome: &RunOutcome) -> String {
    let stats = &outcome.stats;
    let status = match &outcome.status {
        RunStatus::Ok => "ok".to_owned(),
        RunStatus::NoData => "no data".to_owned(),
        RunStatus::Failed(reason) => format!("failed: {reason}"),
    };
    format!(
        "{tenant} {}: {status}; {} events, {} rejected, {} skewed, {} untimed, {} duplicates; {} files, {} bytes; {} discoveries{} in {:.2} s (read {:.2} s, write {:.2} s)",
        outcome.hour,
        stats.events,
        stats.rejected,
        stats.skewed,
        stats.untimed,
        stats.duplicates,
        stats.files,
        stats.bytes,
        outcome.discoveries,
        if outcome.news { " (news)" } else { "" },
        outcome.seconds,
        outcome.timings.read_ms as f64 / 1000.0,
        outcome.timings.write_ms as f64 / 1000.0
    )
}

pub async fn ingest(config: &Config, tenant: &str, hour: Hour) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let outcome = ingestion::ingest_hour(
        &services,
        tenant,
        hour,
        Trigger::Cli,
        None,
        config.ingest_workers,
    )
    .await?;
    if let RunStatus::Failed(reason) = &outcome.status {
        bail!(
            "{tenant} {hour}: {reason} (recorded as failed run {})",
            outcome.run_id
        );
    }
    println!("{}", describe(tenant, &outcome));
    Ok(())
}

pub async fn backfill(config: &Config, tenant: &str, from: Hour, to: Hour) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let total = from.until(to).count();
    let mut progress = Progress::new(format!("backfill {tenant}"), total);
    let mut events = 0u64;
    let outcomes = ingestion::backfill(
        &services,
        tenant,
        from,
        to,
        config.ingest_workers,
        |done, _, outcome| {
            events += outcome.stats.events;
            progress.update(done, &format!("{} ({events} events)", outcome.hour));
        },
    )
    .await?;
    let failed: Vec<&RunOutcome> = outcomes
        .iter()
        .filter(|o| matches!(o.status, RunStatus::Failed(_)))
        .collect();
    let no_data = outcomes
        .iter()
        .filter(|o| o.status == RunStatus::NoData)
        .count();
    println!(
        "{tenant} {from} to {to}: {} hours, {} ok, {no_data} without data, {} failed; {events} events",
        outcomes.len(),
        outcomes.len() - no_data - failed.len(),
        failed.len()
    );
    if let Some(first) = failed.first() {
        bail!(
            "{} hours failed, the first: {}",
            failed.len(),
            describe(tenant, first)
        );
    }
    Ok(())
}

pub async fn counts(
    config: &Config,
    tenant: &str,
    from: Hour,
    to: Hour,
    format: Format,
) -> anyhow::Result<()> {
    if to <= from {
        bail!("the range {from} to {to} is empty: `to` is exclusive and must be after `from`");
    }
    let services = open_services(config).await?;
    let tenant_id = ingestion::tenant_id(&services, tenant).await?;
    let rows = counts::hourly_counts(&services, tenant_id, from, to).await?;
    match format {
        Format::Csv => print!("{}", counts::to_csv(&rows)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&rows).context("encode counts")?
        ),
    }
    Ok(())
}

pub async fn catalog(config: &Config, tenant: &str) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let tenant_id = ingestion::tenant_id(&services, tenant).await?;
    let catalog = catalog::catalog(&services, tenant_id, tenant).await?;
    println!(
        "{}",
        serde_json::to_string_pretty(&catalog).context("encode catalog")?
    );
    Ok(())
}

pub async fn mapping(
    config: &Config,
    tenant: &str,
    preset: Option<&str>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let mapping = match (preset, file) {
        (Some(preset), None) => Mapping::preset(preset)?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping file {}", path.display()))?;
            Mapping::from_toml(&text).with_context(|| format!("{}", path.display()))?
        }
        _ => bail!("give either --preset or --file"),
    };
    let services = open_services(config).await?;
    let tenant_id = ingestion::tenant_id(&services, tenant).await?;
    mappings::save_mapping(&services, tenant_id, &mapping).await?;
    let source = match (preset, file) {
        (Some(preset), _) => format!("preset {preset}"),
        (_, Some(path)) => format!("file {}", path.display()),
        _ => String::new(),
    };
    println!("mapping of {tenant} set from {source}; re-ingest hours to apply it to past data");
    Ok(())
}
