//! The one configuration struct, loaded and validated at start-up and passed down; nothing else
//! reads the environment. Each setting comes from (first wins) its command-line flag, its
//! `BLUEPRINT_*` variable, the optional TOML file (`--config` / `BLUEPRINT_CONFIG`), or its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use blueprint_core::channels::Channels;
use blueprint_core::channels::mail::{MailError, Mailer};
use blueprint_core::jobs::JobSettings;

use blueprint_core::db::DatabaseUrl;
use blueprint_core::events_root::EventsLocation;
use serde::Deserialize;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/blueprint.db?mode=rwc";
pub const DEFAULT_EVENTS_URL: &str = "data/events";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {reason}")]
    ParseFile { path: PathBuf, reason: String },
    #[error("database_url: {0}")]
    Database(#[from] blueprint_core::DbError),
    #[error("events_url: {0}")]
    Events(#[from] blueprint_core::EventsRootError),
    #[error("listen: `{value}` is not an address such as 127.0.0.1:3000")]
    Listen { value: String },
    #[error("log: `{value}` is not a log filter such as info or blueprint=debug,warn")]
    Log { value: String },
    #[error("log_format: `{value}` is not one of text, json")]
    LogFormat { value: String },
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("public_url: `{value}` is not an http:// or https:// address")]
    PublicUrl { value: String },
    #[error("{name}: {value} is out of range ({range})")]
    OutOfRange {
        name: &'static str,
        value: String,
        range: &'static str,
    },
}

/// Settings as given, before validation: every field optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub database_url: Option<String>,
    pub events_url: Option<String>,
    pub listen: Option<String>,
    pub site_root: Option<PathBuf>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    pub ingest_workers: Option<usize>,
    pub secure_cookies: Option<bool>,
    pub job_concurrency: Option<usize>,
    pub job_retries: Option<u32>,
    pub job_retry_backoff_seconds: Option<u64>,
    pub schedule_delay_minutes: Option<u64>,
    pub lookback_hours: Option<i64>,
    pub heartbeat_seconds: Option<u64>,
    pub schedule: Option<bool>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub public_url: Option<String>,
    pub max_counts_hours: Option<i64>,
}

impl RawSettings {
    /// Fills every unset field from `lower`.
    fn or(self, lower: RawSettings) -> RawSettings {
        RawSettings {
            database_url: self.database_url.or(lower.database_url),
            events_url: self.events_url.or(lower.events_url),
            listen: self.listen.or(lower.listen),
            site_root: self.site_root.or(lower.site_root),
            log: self.log.or(lower.log),
            log_format: self.log_format.or(lower.log_format),
            ingest_workers: self.ingest_workers.or(lower.ingest_workers),
            secure_cookies: self.secure_cookies.or(lower.secure_cookies),
            job_concurrency: self.job_concurrency.or(lower.job_concurrency),
            job_retries: self.job_retries.or(lower.job_retries),
            job_retry_backoff_seconds: self
                .job_retry_backoff_seconds
                .or(lower.job_retry_backoff_seconds),
            schedule_delay_minutes: self.schedule_delay_minutes.or(lower.schedule_delay_minutes),
            lookback_hours: self.lookback_hours.or(lower.lookback_hours),
            heartbeat_seconds: self.heartbeat_seconds.or(lower.heartbeat_seconds),
            schedule: self.schedule.or(lower.schedule),
            smtp_url: self.smtp_url.or(lower.smtp_url),
            mail_from: self.mail_from.or(lower.mail_from),
            public_url: self.public_url.or(lower.public_url),
            max_counts_hours: self.max_counts_hours.or(lower.max_counts_hours),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Blueprint's validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub events: EventsLocation,
    pub listen: SocketAddr,
    /// Where the built site (`pkg/` with the WASM bundle) is; `None` means look beside the binary.
    pub site_root: Option<PathBuf>,
    /// A tracing filter such as `info` or `blueprint=debug,sqlx=warn`; unset, `serve` logs at
    /// `info` and the other commands at `warn` (their stderr is for one-line errors).
    pub log: Option<String>,
    pub log_format: LogFormat,
    /// Parser threads per ingested hour (default: the number of cores).
    pub ingest_workers: usize,
    /// Mark session cookies `Secure` (set when Blueprint is served over HTTPS).
    pub secure_cookies: bool,
    /// The background jobs: concurrency, retries, the schedule's delay and look-back.
    pub jobs: JobSettings,
    /// Email (SMTP) and the public address links point to.
    pub channels: Channels,
    /// The longest range `GET /api/v1/tenants/{tenant}/counts` reads at once, in hours.
    pub max_counts_hours: i64,
}

/// The default of `max_counts_hours`: 400 days, the longest range the pages show.
pub const DEFAULT_MAX_COUNTS_HOURS: i64 = 24 * 400;

/// Checks an optional number against its range; unset gives the default.
fn within<T>(
    name: &'static str,
    value: Option<T>,
    range: std::ops::RangeInclusive<T>,
    text: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    match value {
        None => Ok(default),
        Some(value) if range.contains(&value) => Ok(value),
        Some(value) => Err(ConfigError::OutOfRange {
            name,
            value: value.to_string(),
            range: text,
        }),
    }
}

impl Config {
    /// Validates settings from the command line and environment, completed by the file if any.
    pub fn load(given: RawSettings, file: Option<&Path>) -> Result<Self, ConfigError> {
        let from_file = match file {
            Some(path) => read_file(path)?,
            None => RawSettings::default(),
        };
        Self::validate(given.or(from_file))
    }

    /// Checks each area in turn (the first bad setting is the error).
    fn validate(raw: RawSettings) -> Result<Self, ConfigError> {
        let database_url =
            DatabaseUrl::parse(raw.database_url.as_deref().unwrap_or(DEFAULT_DATABASE_URL))?;
        let events =
            EventsLocation::parse(raw.events_url.as_deref().unwrap_or(DEFAULT_EVENTS_URL))?;
        let listen = listen(raw.listen.as_deref())?;
        let log_format = log_format(raw.log_format.as_deref())?;
        let log = log_filter(raw.log.clone())?;
        let ingest_workers = raw
            .ingest_workers
            .filter(|n| *n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
        let jobs = job_settings(&raw, ingest_workers)?;
        let channels = channels(&raw, listen)?;
        let max_counts_hours = within(
            "max_counts_hours",
            raw.max_counts_hours,
            1..=24 * 3660,
            "1 to 87840",
            DEFAULT_MAX_COUNTS_HOURS,
        )?;
        Ok(Self {
            max_counts_hours,
            channels,
            database_url,
            events,
            listen,
            site_root: raw.site_root,
            log,
            log_format,
            secure_cookies: raw.secure_cookies.unwrap_or(false),
            ingest_workers,
            jobs,
        })
    }
}

fn listen(value: Option<&str>) -> Result<SocketAddr, ConfigError> {
    let value = value.unwrap_or(DEFAULT_LISTEN);
    value.parse().map_err(|_| ConfigError::Listen {
        value: value.to_owned(),
    })
}

fn log_format(value: Option<&str>) -> Result<LogFormat, ConfigError> {
    match value.unwrap_or("text") {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(ConfigError::LogFormat {
            value: other.to_owned(),
        }),
    }
}

fn log_filter(log: Option<String>) -> Result<Option<String>, ConfigError> {
    if let Some(filter) = &log
        && tracing_subscriber::EnvFilter::try_new(filter).is_err()
    {
        return Err(ConfigError::Log {
            value: filter.clone(),
        });
    }
    Ok(log)
}

/// The `BLUEPRINT_JOB_*` settings and the schedule's, each within its range.
fn job_settings(raw: &RawSettings, ingest_workers: usize) -> Result<JobSettings, ConfigError> {
    let defaults = JobSettings::default();
    Ok(JobSettings {
        concurrency: within(
            "job_concurrency",
            raw.job_concurrency,
            1..=64,
            "1 to 64",
            defaults.concurrency,
        )?,
        ingest_workers,
        retries: within(
            "job_retries",
            raw.job_retries,
            0..=20,
            "0 to 20",
            defaults.retries,
        )?,
        retry_backoff: Duration::from_secs(within(
            "job_retry_backoff_seconds",
            raw.job_retry_backoff_seconds,
            1..=3600,
            "1 to 3600",
            defaults.retry_backoff.as_secs(),
        )?),
        schedule_delay: Duration::from_secs(
            60 * within(
                "schedule_delay_minutes",
                raw.schedule_delay_minutes,
                0..=1440,
                "0 to 1440",
                defaults.schedule_delay.as_secs() / 60,
            )?,
        ),
        lookback_hours: within(
            "lookback_hours",
            raw.lookback_hours,
            1..=24 * 400,
            "1 to 9600",
            defaults.lookback_hours,
        )?,
        heartbeat: Duration::from_secs(within(
            "heartbeat_seconds",
            raw.heartbeat_seconds,
            1..=300,
            "1 to 300",
            defaults.heartbeat.as_secs(),
        )?),
        poll: defaults.poll,
        schedule: raw.schedule.unwrap_or(defaults.schedule),
    })
}

/// The public address links point to, and email when an SMTP URL is set (it needs a sender).
fn channels(raw: &RawSettings, listen: SocketAddr) -> Result<Channels, ConfigError> {
    let public_url = match &raw.public_url {
        None => format!("http://{listen}"),
        Some(value) => {
            let valid = url::Url::parse(value)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
            if !valid {
                return Err(ConfigError::PublicUrl {
                    value: value.clone(),
                });
            }
            value.trim_end_matches('/').to_owned()
        }
    };
    let smtp_url = raw.smtp_url.as_deref().filter(|u| !u.is_empty());
    let mailer = match (smtp_url, raw.mail_from.as_deref()) {
        (None, _) => None,
        (Some(_), None) => return Err(MailError::NoFrom.into()),
        (Some(url), Some(from)) => Some(Mailer::new(url, from, &public_url)?),
    };
    Ok(Channels { mailer, public_url })
}

fn read_file(path: &Path) -> Result<RawSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|err| ConfigError::ParseFile {
        path: path.to_owned(),
        reason: err.message().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_design() {
        let config = Config::load(RawSettings::default(), None).unwrap();
        assert_eq!(config.database_url.as_str(), DEFAULT_DATABASE_URL);
        assert_eq!(config.events, EventsLocation::Local("data/events".into()));
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn flags_and_variables_win_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("blueprint.toml");
        std::fs::write(
            &file,
            "database_url = \"postgres://postgres@db/blueprint\"\nlisten = \"0.0.0.0:8080\"\nevents_url = \"s3://raw/events\"\n",
        )
        .unwrap();
        let given = RawSettings {
            listen: Some("127.0.0.1:4000".into()),
            ..Default::default()
        };
        let config = Config::load(given, Some(&file)).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:4000");
        assert_eq!(
            config.database_url.as_str(),
            "postgres://postgres@db/blueprint"
        );
        assert_eq!(
            config.events,
            EventsLocation::S3 {
                bucket: "raw".into(),
                prefix: "events".into()
            }
        );
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let cases = [
            (
                RawSettings {
                    listen: Some("localhost".into()),
                    ..Default::default()
                },
                "listen:",
            ),
            (
                RawSettings {
                    database_url: Some("mysql://x/y".into()),
                    ..Default::default()
                },
                "database_url:",
            ),
            (
                RawSettings {
                    events_url: Some("gs://b/p".into()),
                    ..Default::default()
                },
                "events_url:",
            ),
            (
                RawSettings {
                    log_format: Some("xml".into()),
                    ..Default::default()
                },
                "log_format:",
            ),
            (
                RawSettings {
                    log: Some("=[".into()),
                    ..Default::default()
                },
                "log:",
            ),
            (
                RawSettings {
                    job_concurrency: Some(0),
                    ..Default::default()
                },
                "job_concurrency:",
            ),
            (
                RawSettings {
                    lookback_hours: Some(-3),
                    ..Default::default()
                },
                "lookback_hours:",
            ),
        ];
        for (raw, prefix) in cases {
            let err = Config::load(raw, None).unwrap_err().to_string();
            assert!(err.starts_with(prefix), "{err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn a_bad_file_is_named_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "databse_url = \"sqlite://x.db\"\n").unwrap();
        let err = Config::load(RawSettings::default(), Some(&file))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.toml") && err.contains("databse_url"),
            "{err}"
        );
        let missing = Config::load(RawSettings::default(), Some(&dir.path().join("nope.toml")))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("cannot read the config file"), "{missing}");
    }
}
