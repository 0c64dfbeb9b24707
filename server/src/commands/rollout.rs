//! `blueprint rollout open|status` for release pipelines (DESIGN.md, "Command line"): open a
//! roll-out by hand (or find the candidate's), and evaluate it on the ledger as it stands, exiting
//! 0 (pass), 1 (fail) or 2 (inconclusive or not yet); errors exit 3 like every command.

use blueprint_core::rollouts;
use blueprint_types::rollouts::{Evaluation, OpenRollout, RolloutReport, Verdict, signed_percent};

use crate::commands::open_services;
use crate::config::Config;

/// Which roll-out: the candidate version of an application on a platform.
#[derive(Debug, clap::Args)]
pub struct RolloutTarget {
    #[arg(long)]
    pub tenant: String,
    #[arg(long)]
    pub application: String,
    #[arg(long)]
    pub platform: String,
    /// The candidate version.
    #[arg(long)]
    pub version: String,
    /// `text` (default) or `json` (the report as the API gives it).
    #[arg(long, value_enum, default_value = "text")]
    pub format: RolloutFormat,
}

#[derive(Debug, clap::Subcommand)]
pub enum RolloutCommand {
    /// Open a roll-out of the candidate by hand (or find its roll-out) and print it.
    #[command(disable_version_flag = true)]
    Open {
        #[command(flatten)]
        target: RolloutTarget,
        /// The baseline version (default: the one with the most sessions in the last 24 hours).
        #[arg(long)]
        baseline: Option<String>,
    },
    /// Evaluate the candidate's roll-out on the ledger as it stands and print the verdict; exit 0
    /// pass, 1 fail, 2 inconclusive or not yet (3 on an error).
    #[command(disable_version_flag = true)]
    Status {
        #[command(flatten)]
        target: RolloutTarget,
        /// The stage (percent) to gate on: not reached yet is "not yet" (exit 2).
        #[arg(long)]
        stage: Option<i32>,
    },
}

/// How `rollout` prints: lines for people, or the report as JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RolloutFormat {
    Text,
    Json,
}

/// The report as lines: the headline, each check, and the reason.
pub fn describe(report: &RolloutReport, verdict: &str, evaluation: Option<&Evaluation>) -> String {
    let r = &report.rollout;
    let mut out = format!(
        "roll-out {}: {} {} ({}) against {} [{}]\n",
        r.id, r.application, r.candidate, r.platform, r.baseline, r.state
    );
    let Some(e) = evaluation else {
        out.push_str(&format!("verdict: {verdict} (not evaluated yet)\n"));
        return out;
    };
    out.push_str(&format!(
        "verdict: {verdict}{} · candidate share {} of sessions over the last 24 hours · {} hours compared ({} candidate, {} baseline sessions)\n",
        e.stage.map(|s| format!(" at stage {s} %")).unwrap_or_default(),
        signed_percent(e.share).trim_start_matches('+'),
        e.hours_compared,
        e.candidate_sessions,
        e.baseline_sessions,
    ));
    for check in &e.checks {
        let figures = match (check.candidate, check.baseline, check.kind.as_str()) {
            (Some(c), Some(b), "rate" | "mix") => format!(" {c:.3} vs {b:.3} ·"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {:<12} {}:{figures} {}\n",
            check.verdict, check.name, check.detail
        ));
        for missing in check.missing.iter().take(10) {
            out.push_str(&format!("               - {missing}\n"));
        }
    }
    out.push_str(&format!("reason: {}\n", e.reason));
    out
}

fn request(
    application: &str,
    platform: &str,
    version: &str,
    baseline: Option<&str>,
) -> OpenRollout {
    OpenRollout {
        application: application.to_owned(),
        platform: platform.to_owned(),
        version: version.to_owned(),
        baseline: baseline.map(str::to_owned),
    }
}

fn print(report: &RolloutReport, verdict: &str, format: RolloutFormat) -> anyhow::Result<()> {
    match format {
        RolloutFormat::Json => println!("{}", serde_json::to_string_pretty(report)?),
        RolloutFormat::Text => print!("{}", describe(report, verdict, report.evaluation.as_ref())),
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn open(
    config: &Config,
    tenant: &str,
    application: &str,
    platform: &str,
    version: &str,
    baseline: Option<&str>,
    format: RolloutFormat,
) -> anyhow::Result<()> {
    let services = open_services(config).await?;
    let report = rollouts::open(
        &services,
        None,
        tenant,
        &request(application, platform, version, baseline),
    )
    .await?;
    print(&report, report.rollout.verdict.as_str(), format)
}

/// Evaluates and prints; returns the exit status of the verdict.
#[allow(clippy::too_many_arguments)]
pub async fn status(
    config: &Config,
    tenant: &str,
    application: &str,
    platform: &str,
    version: &str,
    stage: Option<i32>,
    format: RolloutFormat,
) -> anyhow::Result<u8> {
    if let Some(stage) = stage
        && !(1..=100).contains(&stage)
    {
        anyhow::bail!("--stage {stage} is not a percentage from 1 to 100");
    }
    let services = open_services(config).await?;
    let (report, verdict) = rollouts::status(
        &services,
        tenant,
        &request(application, platform, version, None),
        stage,
    )
    .await?;
    print(&report, verdict.as_str(), format)?;
    if let (Some(wanted), Verdict::Pending) = (stage, verdict) {
        eprintln!(
            "blueprint: the roll-out has not reached {wanted} % yet (candidate share {})",
            report
                .evaluation
                .as_ref()
                .map_or_else(|| "unknown".to_owned(), |e| signed_percent(e.share))
        );
    }
    Ok(rollouts::exit_code(verdict) as u8)
}

/// Runs a `rollout` command; its exit status (the verdict's for `status`).
pub async fn run(config: &Config, command: RolloutCommand) -> anyhow::Result<u8> {
    match command {
        RolloutCommand::Open { target, baseline } => {
            open(
                config,
                &target.tenant,
                &target.application,
                &target.platform,
                &target.version,
                baseline.as_deref(),
                target.format,
            )
            .await?;
            Ok(0)
        }
        RolloutCommand::Status { target, stage } => {
            status(
                config,
                &target.tenant,
                &target.application,
                &target.platform,
                &target.version,
                stage,
                target.format,
            )
            .await
        }
    }
}
