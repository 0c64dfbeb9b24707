//! `ingest`, `backfill`, `counts`, `catalog` and `mapping`.

use std::io::Write as _;

use anyhow::{Context, bail};
use blueprint_core::Services;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunOutcome, RunStatus, Trigger};
use blueprint_core::ledger::{catalog, counts};
use blueprint_core::mapping::Mapping;
use blueprint_core::mappings;
use blueprint_core::pipeline;

use blueprint_core::jobs::backfills::{self, BackfillStatus, NewBackfill};
use blueprint_core::jobs::workers::{self, WorkerKind};
use blueprint_core::queue::JobQueue;
use blueprint_types::jobs::Backfill;

use crate::commands::open_services;
use crate::commands::progress::Progress;
use crate::config::Config;
use crate::jobs::JobRuntime;

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
        "{tenant} {}: {status}; {} events, {} rejected, {} skewed, {} untimed, {} duplicates, {} keys cut; {} files, {} bytes; {} discoveries{} in {:.2} s (read {:.2} s: list {:.2} s, parse {:.2} s, merge {:.2} s; write {:.2} s; roll-up {:.2} s)",
        outcome.hour,
        stats.events,
        stats.rejected,
        stats.skewed,
        stats.untimed,
        stats.duplicates,
        stats.keys_cut,
        stats.files,
        stats.bytes,
        outcome.discoveries,
        if outcome.news { " (news)" } else { "" },
        outcome.seconds,
        seconds(outcome.timings.read_ms),
        seconds(outcome.split.list_ms),
        seconds(outcome.split.parse_ms),
        seconds(outcome.split.merge_ms),
        seconds(outcome.timings.write_ms),
        seconds(outcome.rollup_ms),
    )
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

pub async fn ingest(config: &Config, tenant: &str, hour: Hour) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let outcome = pipeline::ingest_hour(
        &services,
        tenant,
        hour,
        Trigger::Cli,
        None,
        config.reading(),
    )
    .await?;
    if let RunStatus::Failed(reason) = &outcome.status {
        bail!(
            "{tenant} {hour}: {reason} (recorded as failed run {})",
            outcome.run_id
        );
    }
    println!("{}", describe(tenant, &outcome));
    if let Some(reason) = &outcome.news_owed {
        bail!("{tenant} {hour}: {reason}");
    }
    Ok(())
}

/// Queues a backfill; with `wait`, follows it to the end with a progress bar, doing the work in
/// this process when no worker is alive (a lone SQLite install needs no server for this).
pub async fn backfill(
    config: &Config,
    tenant: &str,
    from: Hour,
    to: Hour,
    wait: bool,
) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let row = ingestion::tenant(&services, tenant).await?;
    let queue = JobQueue::open(&services.db).await?;
    let backfill = backfills::request(
        &services,
        &queue,
        &row,
        NewBackfill {
            from,
            to,
            origin: "cli".to_owned(),
            requested_by: None,
        },
        services.db.clock().hour(),
    )
    .await?;
    let id = backfill.id;
    let total = usize::try_from(backfill.hours_total).unwrap_or_default();
    let conn = services.db.conn();
    let dead_after = config.jobs.dead_after();
    if !wait {
        let plural = if total == 1 { "" } else { "s" };
        println!("queued backfill {id}: {tenant} {from} to {to} ({total} hour{plural})");
        if workers::alive(conn, dead_after).await?.is_empty() {
            println!(
                "no worker is running: it starts when `blueprint serve` or `blueprint worker` runs (or use --wait)"
            );
        }
        return Ok(());
    }
    let view = follow(config, &services, id, tenant, total).await?;
    let outcome = backfills::hours_outcome(conn, id).await?;
    println!(
        "{tenant} {from} to {to}: {total} hours, {} ok, {} without data, {} failed{}; {} events",
        outcome.ok,
        outcome.no_data,
        outcome.failed.len(),
        if outcome.cancelled > 0 {
            format!(", {} cancelled", outcome.cancelled)
        } else {
            String::new()
        },
        outcome.events
    );
    if let Some((hour, reason)) = outcome.failed.first() {
        bail!(
            "{} hours failed, the first: {tenant} {hour}: {reason}",
            outcome.failed.len()
        );
    }
    if view.status == BackfillStatus::Cancelled.as_str() {
        bail!("backfill {id} was cancelled");
    }
    Ok(())
}

/// Follows a backfill with a progress bar until it is closed, running job workers in this process
/// while no other worker is alive.
async fn follow(
    config: &Config,
    services: &Services,
    id: i64,
    tenant: &str,
    total: usize,
) -> anyhow::Result<Backfill> {
    let conn = services.db.conn();
    let dead_after = config.jobs.dead_after();
    let mut runtime = None;
    let mut progress = Progress::new(format!("backfill {id} {tenant}"), total);
    let view = loop {
        if runtime.is_none() && workers::alive(conn, dead_after).await?.is_empty() {
            runtime = Some(
                JobRuntime::start(
                    services.clone(),
                    config.jobs.clone(),
                    config.channels.clone(),
                    WorkerKind::Cli,
                    None,
                )
                .await?,
            );
        }
        let view = backfills::view(conn, id)
            .await?
            .with_context(|| format!("backfill {id} disappeared"))?;
        progress.update(
            usize::try_from(view.hours_finished()).unwrap_or_default(),
            &format!("({} events)", view.events),
        );
        if !view.is_open() {
            break view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    if let Some(runtime) = runtime {
        runtime.shutdown().await;
    }
    Ok(view)
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
    let mut pages = counts::CountsPages::new(
        services,
        tenant_id,
        from,
        to,
        counts::CountsFilter::default(),
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut rows = 0u64;
    match format {
        Format::Csv => writeln!(out, "{}", counts::CSV_HEADER)?,
        Format::Json => write!(out, "[")?,
    }
    // Page by page, so memory stays flat; the JSON is the same as one pretty-printed array.
    while let Some(page) = pages.next_page().await? {
        for row in page {
            match format {
                Format::Csv => write!(out, "{}", counts::csv_line(&row, counts::CsvCells::Exact))?,
                Format::Json => {
                    let text = serde_json::to_string_pretty(&row).context("encode counts")?;
                    let separator = if rows == 0 { "\n" } else { ",\n" };
                    write!(out, "{separator}  {}", text.replace('\n', "\n  "))?;
                }
            }
            rows += 1;
        }
    }
    if format == Format::Json {
        writeln!(out, "{}]", if rows == 0 { "" } else { "\n" })?;
    }
    out.flush().context("write the counts")?;
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
