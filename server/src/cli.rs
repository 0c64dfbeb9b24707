//! The command line (DESIGN.md, "Command line"): global settings, the subcommands, and the exit
//! status contract — 0 on success, 3 with one line on stderr for any error, usage errors included.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use blueprint_core::db::{Database, PoolSettings};
use blueprint_core::hour::Hour;
use blueprint_core::mapping::Mapping;
use clap::{Args, Parser, Subcommand};

use crate::commands::data::{self, Format};
use crate::commands::incidents::IncidentsArgs;
use crate::commands::{demo, incidents, rollout, users};
use crate::config::{Config, RawSettings};

pub use crate::commands::rollout::{RolloutCommand, RolloutTarget};
pub use crate::commands::users::UserCommand;

/// Exit status for every error (usage errors too).
pub const EXIT_ERROR: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "blueprint",
    version,
    about = "Blueprint: a self-hosted clickstream event catalog",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings every command shares; each flag also reads its `BLUEPRINT_*` variable.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// A TOML file with any of the settings below (keys: database_url, events_url, listen, site_root, log, log_format).
    #[arg(long, env = "BLUEPRINT_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// sqlite://PATH?mode=rwc (default sqlite://data/blueprint.db?mode=rwc) or postgres://…
    #[arg(
        long,
        env = "BLUEPRINT_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Where raw events live: a folder, file:///PATH, or s3://BUCKET/PREFIX (default data/events).
    #[arg(long, env = "BLUEPRINT_EVENTS_URL", global = true)]
    pub events_url: Option<String>,
    /// Address the web server listens on (default 127.0.0.1:3000).
    #[arg(long, env = "BLUEPRINT_LISTEN", global = true)]
    pub listen: Option<String>,
    /// The built site with pkg/ (the WASM bundle); default: `site` beside or above the binary.
    #[arg(long, env = "BLUEPRINT_SITE_ROOT", global = true, value_name = "DIR")]
    pub site_root: Option<PathBuf>,
    /// Log filter (default info).
    #[arg(long, env = "BLUEPRINT_LOG", global = true)]
    pub log: Option<String>,
    /// Log format: text or json (default text).
    #[arg(long, env = "BLUEPRINT_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Parser threads per ingested hour (default: the number of cores).
    #[arg(long, env = "BLUEPRINT_INGEST_WORKERS", global = true)]
    pub ingest_workers: Option<usize>,
    /// Longest event line in bytes; a longer one is rejected (default 1048576, at most 64 MiB).
    #[arg(long, env = "BLUEPRINT_INGEST_MAX_LINE_BYTES", global = true)]
    pub ingest_max_line_bytes: Option<usize>,
    /// How many times its size a .gz/.zst file may inflate before its hour fails (default 200).
    #[arg(long, env = "BLUEPRINT_INGEST_MAX_INFLATION_RATIO", global = true)]
    pub ingest_max_inflation_ratio: Option<u64>,
    /// Bytes an hour's files may hold once decompressed before the hour fails (default 64 GiB).
    #[arg(long, env = "BLUEPRINT_INGEST_MAX_HOUR_BYTES", global = true)]
    pub ingest_max_hour_bytes: Option<u64>,
    /// Mark session cookies Secure (default: true when the public URL is https://).
    #[arg(long, env = "BLUEPRINT_SECURE_COOKIES", global = true)]
    pub secure_cookies: Option<bool>,
    /// Tenant-hours one process ingests at once (default 2).
    #[arg(long, env = "BLUEPRINT_JOB_CONCURRENCY", global = true)]
    pub job_concurrency: Option<usize>,
    /// Further attempts after an hour fails to read (default 2).
    #[arg(long, env = "BLUEPRINT_JOB_RETRIES", global = true)]
    pub job_retries: Option<u32>,
    /// The first back-off before a retry, doubled each time (default 30).
    #[arg(long, env = "BLUEPRINT_JOB_RETRY_BACKOFF_SECONDS", global = true)]
    pub job_retry_backoff_seconds: Option<u64>,
    /// How long after an hour ends it is queued, for late files (default 10).
    #[arg(long, env = "BLUEPRINT_SCHEDULE_DELAY_MINUTES", global = true)]
    pub schedule_delay_minutes: Option<u64>,
    /// Missing hours this far back are caught up at start-up and every hour (default 48).
    #[arg(long, env = "BLUEPRINT_LOOKBACK_HOURS", global = true)]
    pub lookback_hours: Option<i64>,
    /// How often a worker says it is alive; 3 missed make it dead (default 10).
    #[arg(long, env = "BLUEPRINT_HEARTBEAT_SECONDS", global = true)]
    pub heartbeat_seconds: Option<u64>,
    /// Email: `smtp://[user:password@]host[:port]` (add `?tls=required` for STARTTLS) or
    /// `smtps://…`; unset, no email is sent and the inbox still works.
    #[arg(
        long,
        env = "BLUEPRINT_SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The sender of email, such as `Blueprint <blueprint@example.com>`.
    #[arg(long, env = "BLUEPRINT_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// The address people reach the web app at, for links in email and webhooks (default
    /// http:// and the listen address).
    #[arg(long, env = "BLUEPRINT_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Internal hosts webhooks may reach anyway: comma-separated host names, IP addresses and
    /// CIDRs (default none: webhooks go to public addresses only).
    #[arg(long, env = "BLUEPRINT_WEBHOOK_ALLOWED_HOSTS", global = true)]
    pub webhook_allowed_hosts: Option<String>,
    /// Proxies (IP addresses or CIDR blocks, comma-separated) whose X-Forwarded-For or
    /// Forwarded header names the client (default none).
    #[arg(long, env = "BLUEPRINT_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// Run the hourly schedule in this process (default true; false for workers that only
    /// take work).
    #[arg(long, env = "BLUEPRINT_SCHEDULE", global = true)]
    pub schedule: Option<bool>,
    /// The longest range the counts API reads at once, in hours (default 9600, 400 days).
    #[arg(long, env = "BLUEPRINT_MAX_COUNTS_HOURS", global = true)]
    pub max_counts_hours: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and REST API, with job workers and the hourly schedule (the default).
    Serve,
    /// Run job workers and the hourly schedule only (no web server); any number may share a
    /// Postgres database.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Ingest one hour of a tenant (replacing it if it was ingested before).
    Ingest {
        #[arg(long)]
        tenant: String,
        /// The hour, as YYYY-MM-DDTHH (UTC).
        #[arg(long)]
        hour: Hour,
    },
    /// Queue the re-ingestion of every hour of [from, to) of a tenant.
    Backfill {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        from: Hour,
        /// Exclusive.
        #[arg(long)]
        to: Hour,
        /// Wait until the range is done, with progress; works itself when no worker is alive.
        #[arg(long)]
        wait: bool,
    },
    /// Print hourly counts of [from, to) as CSV (default) or JSON.
    Counts {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        from: Hour,
        /// Exclusive.
        #[arg(long)]
        to: Hour,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
    },
    /// Print the tenant's catalog as JSON.
    Catalog {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_parser = ["json"], default_value = "json")]
        format: String,
    },
    /// Set a tenant's field mapping from a preset or a mapping.toml file.
    Mapping {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(Mapping::PRESETS), conflicts_with = "file", required_unless_present = "file")]
        preset: Option<String>,
        #[arg(long, value_name = "mapping.toml")]
        file: Option<PathBuf>,
    },
    /// Write the demo data set into the events root and ingest it.
    Demo {
        /// Hours of data, ending with the last full hour (default: 14 days).
        #[arg(long, default_value_t = 14 * 24, value_parser = clap::value_parser!(u32).range(1..=24 * 400))]
        hours: u32,
        /// Events per hour and tenant, before the daily rhythm.
        #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        events_per_hour: u32,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Roll-outs for release pipelines: open one, or gate on its verdict.
    #[command(subcommand)]
    Rollout(RolloutCommand),
    /// Print a tenant's incidents overlapping [from, to): a table, or JSON as the API answers.
    Incidents(IncidentsArgs),
}

/// Runs the process: parses arguments, loads the configuration, runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version: print as clap would, succeed.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            let rendered = err.to_string();
            let first = rendered
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("blueprint: {first} (see blueprint --help)");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("blueprint: {}", one_line(&err));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn one_line(err: &anyhow::Error) -> String {
    format!("{err:#}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl From<SettingsArgs> for RawSettings {
    fn from(args: SettingsArgs) -> Self {
        let SettingsArgs {
            config: _,
            database_url,
            events_url,
            listen,
            site_root,
            log,
            log_format,
            ingest_workers,
            ingest_max_line_bytes,
            ingest_max_inflation_ratio,
            ingest_max_hour_bytes,
            secure_cookies,
            job_concurrency,
            job_retries,
            job_retry_backoff_seconds,
            schedule_delay_minutes,
            lookback_hours,
            heartbeat_seconds,
            schedule,
            smtp_url,
            mail_from,
            public_url,
            webhook_allowed_hosts,
            trusted_proxies,
            max_counts_hours,
        } = args;
        RawSettings {
            database_url,
            events_url,
            listen,
            site_root,
            log,
            log_format,
            ingest_workers,
            ingest_max_line_bytes,
            ingest_max_inflation_ratio,
            ingest_max_hour_bytes,
            secure_cookies,
            job_concurrency,
            job_retries,
            job_retry_backoff_seconds,
            schedule_delay_minutes,
            lookback_hours,
            heartbeat_seconds,
            schedule,
            smtp_url,
            mail_from,
            public_url,
            webhook_allowed_hosts,
            trusted_proxies,
            max_counts_hours,
        }
    }
}

/// Runs the command; its exit status (0, or a roll-out verdict's).
fn run(cli: Cli) -> anyhow::Result<u8> {
    let file = cli.settings.config.clone();
    let config = Config::load(cli.settings.into(), file.as_deref())?;
    let default_log = match cli.command {
        None | Some(Command::Serve | Command::Worker) => "info",
        // A failed run is the command's own one-line error; its log line would say it twice.
        Some(_) => "warn,blueprint_core::ingestion=error",
    };
    crate::telemetry::init(&config, default_log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(dispatch(config, cli.command.unwrap_or(Command::Serve)))
}

/// Runs one command: each group's commands live in `crate::commands`.
async fn dispatch(config: Config, command: Command) -> anyhow::Result<u8> {
    let done = match command {
        Command::Serve => crate::web::serve(config).await,
        Command::Worker => crate::web::work(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Ingest { tenant, hour } => data::ingest(&config, &tenant, hour).await,
        Command::Backfill {
            tenant,
            from,
            to,
            wait,
        } => data::backfill(&config, &tenant, from, to, wait).await,
        Command::Counts {
            tenant,
            from,
            to,
            format,
        } => data::counts(&config, &tenant, from, to, format).await,
        Command::Catalog { tenant, format: _ } => data::catalog(&config, &tenant).await,
        Command::Mapping {
            tenant,
            preset,
            file,
        } => data::mapping(&config, &tenant, preset.as_deref(), file.as_deref()).await,
        Command::Demo {
            hours,
            events_per_hour,
        } => demo::demo(&config, hours, events_per_hour).await,
        Command::User(command) => users::run(&config, command).await,
        Command::Rollout(command) => return rollout::run(&config, command).await,
        Command::Incidents(args) => incidents::incidents(&config, &args).await,
    };
    done.map(|()| 0)
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let database = Database::connect(&config.database_url, &PoolSettings::default()).await?;
    let applied = database.migrate().await?;
    println!(
        "applied {applied} migration{} to {}",
        if applied == 1 { "" } else { "s" },
        database.target()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn every_command_is_well_formed() {
        // clap checks each subcommand only when it is parsed; this checks them all at once
        // (`rollout --version` names the candidate, so those commands have no version flag).
        Cli::command().debug_assert();
        let parsed = Cli::try_parse_from([
            "blueprint",
            "rollout",
            "status",
            "--tenant",
            "t",
            "--application",
            "A",
            "--platform",
            "iOS",
            "--version",
            "1.2",
            "--stage",
            "5",
        ])
        .unwrap();
        assert!(matches!(
            parsed.command,
            Some(Command::Rollout(RolloutCommand::Status {
                stage: Some(5),
                ..
            }))
        ));
    }
}
