//! The one configuration struct, loaded and validated at start-up and passed down; nothing else
//! reads the environment. Each setting comes from (first wins) its command-line flag, its
//! `BLUEPRINT_*` variable, the optional TOML file (`--config` / `BLUEPRINT_CONFIG`), or its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use blueprint_core::channels::Channels;
use blueprint_core::channels::mail::{MailError, Mailer};
use blueprint_core::channels::text::password_hidden;
use blueprint_core::channels::webhooks::{AllowedHosts, BadAllowedHost};
use blueprint_core::ingest::{ReadLimits, Reading};
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
    #[error(transparent)]
    WebhookHosts(#[from] BadAllowedHost),
    #[error("public_url: `{value}` is not an http:// or https:// address")]
    PublicUrl { value: String },
    #[error("trusted_proxies: `{value}` is not an IP address or CIDR block such as 10.0.0.0/8")]
    TrustedProxy { value: String },
    #[error("{name}: {value} is out of range ({range})")]
    OutOfRange {
        name: &'static str,
        value: String,
        range: &'static str,
    },
}

/// Settings as given, before validation: every field optional. `Debug` hides the URLs' passwords.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub database_url: Option<String>,
    pub events_url: Option<String>,
    pub listen: Option<String>,
    pub site_root: Option<PathBuf>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    pub ingest_workers: Option<usize>,
    pub ingest_max_line_bytes: Option<usize>,
    pub ingest_max_inflation_ratio: Option<u64>,
    pub ingest_max_hour_bytes: Option<u64>,
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
    pub webhook_allowed_hosts: Option<String>,
    pub trusted_proxies: Option<String>,
    pub max_counts_hours: Option<i64>,
}

impl std::fmt::Debug for RawSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |url: &Option<String>| url.as_deref().map(password_hidden);
        f.debug_struct("RawSettings")
            .field("database_url", &hidden(&self.database_url))
            .field("events_url", &self.events_url)
            .field("listen", &self.listen)
            .field("site_root", &self.site_root)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("ingest_workers", &self.ingest_workers)
            .field("secure_cookies", &self.secure_cookies)
            .field("job_concurrency", &self.job_concurrency)
            .field("job_retries", &self.job_retries)
            .field("job_retry_backoff_seconds", &self.job_retry_backoff_seconds)
            .field("schedule_delay_minutes", &self.schedule_delay_minutes)
            .field("lookback_hours", &self.lookback_hours)
            .field("heartbeat_seconds", &self.heartbeat_seconds)
            .field("schedule", &self.schedule)
            .field("smtp_url", &hidden(&self.smtp_url))
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("webhook_allowed_hosts", &self.webhook_allowed_hosts)
            .field("ingest_max_line_bytes", &self.ingest_max_line_bytes)
            .field(
                "ingest_max_inflation_ratio",
                &self.ingest_max_inflation_ratio,
            )
            .field("ingest_max_hour_bytes", &self.ingest_max_hour_bytes)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("max_counts_hours", &self.max_counts_hours)
            .finish_non_exhaustive()
    }
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
            ingest_max_line_bytes: self.ingest_max_line_bytes.or(lower.ingest_max_line_bytes),
            ingest_max_inflation_ratio: self
                .ingest_max_inflation_ratio
                .or(lower.ingest_max_inflation_ratio),
            ingest_max_hour_bytes: self.ingest_max_hour_bytes.or(lower.ingest_max_hour_bytes),
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
            webhook_allowed_hosts: self.webhook_allowed_hosts.or(lower.webhook_allowed_hosts),
            trusted_proxies: self.trusted_proxies.or(lower.trusted_proxies),
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
    /// Mark session cookies `Secure` (default: when `public_url` is `https://`).
    pub secure_cookies: bool,
    /// The web's public address as configured (`None`: not set; requests are then checked
    /// against their Host header).
    pub public_url: Option<url::Url>,
    /// Proxies whose forwarded client address is believed (`X-Forwarded-For`, `Forwarded`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The background jobs: concurrency, retries, the schedule's delay and look-back.
    pub jobs: JobSettings,
    /// Email (SMTP), the public address links point to, and the hosts webhooks may reach.
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
        let public_url = raw.public_url.as_ref().map(|_| &channels.public_url);
        let public_url = public_url.and_then(|u| url::Url::parse(u).ok());
        let secure_cookies = raw
            .secure_cookies
            .unwrap_or_else(|| public_url.as_ref().is_some_and(|u| u.scheme() == "https"));
        let max_counts_hours = within(
            "max_counts_hours",
            raw.max_counts_hours,
            1..=24 * 3660,
            "1 to 87840",
            DEFAULT_MAX_COUNTS_HOURS,
        )?;
        Ok(Self {
            trusted_proxies: trusted_proxies(raw.trusted_proxies.as_deref())?,
            public_url,
            max_counts_hours,
            channels,
            database_url,
            events,
            listen,
            site_root: raw.site_root,
            log,
            log_format,
            secure_cookies,
            ingest_workers,
            jobs,
        })
    }
}

/// A comma-separated list of IP addresses and CIDR blocks (an address alone is one host).
fn trusted_proxies(value: Option<&str>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let items = value.unwrap_or_default().split(',').map(str::trim);
    items
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::TrustedProxy {
                    value: item.to_owned(),
                })
        })
        .collect()
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
        read_limits: read_limits(raw)?,
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

/// The `BLUEPRINT_INGEST_MAX_*` limits of reading an hour, each within its range.
fn read_limits(raw: &RawSettings) -> Result<ReadLimits, ConfigError> {
    let defaults = ReadLimits::default();
    Ok(ReadLimits {
        max_line_bytes: within(
            "ingest_max_line_bytes",
            raw.ingest_max_line_bytes,
            1024..=ReadLimits::MAX_LINE_BYTES,
            "1024 to 67108864 (64 MiB)",
            defaults.max_line_bytes,
        )?,
        max_inflation_ratio: within(
            "ingest_max_inflation_ratio",
            raw.ingest_max_inflation_ratio,
            2..=100_000,
            "2 to 100000",
            defaults.max_inflation_ratio,
        )?,
        max_hour_bytes: within(
            "ingest_max_hour_bytes",
            raw.ingest_max_hour_bytes,
            1024..=1 << 50,
            "1024 to 1125899906842624 (1 PiB)",
            defaults.max_hour_bytes,
        )?,
    })
}

impl Config {
    /// How `serve`, the workers and the CLI read an hour: parser threads and read limits.
    pub fn reading(&self) -> Reading {
        Reading {
            workers: self.ingest_workers,
            limits: self.jobs.read_limits,
        }
    }
}

/// The public address links point to, email when an SMTP URL is set (it needs a sender), and the
/// internal hosts webhooks may reach.
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
    let webhook_hosts = AllowedHosts::parse(raw.webhook_allowed_hosts.as_deref().unwrap_or(""))?;
    Ok(Channels {
        mailer,
        public_url,
        webhook_hosts,
    })
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
    fn settings_show_no_password_and_refuse_a_bad_smtp_url_without_it() {
        let raw = RawSettings {
            database_url: Some("postgres://bp:dbs3cret@db/bp".into()),
            smtp_url: Some("smtp://bp:s3cret@mail.example.com:nope".into()),
            mail_from: Some("Blueprint <bp@example.com>".into()),
            ..Default::default()
        };
        let shown = format!("{raw:?}");
        assert!(
            shown.contains("smtp://bp:***@mail.example.com:nope"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret"), "{shown}");
        let err = Config::load(raw, None).unwrap_err();
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(text.contains("smtp://bp:***@mail"), "{text}");
            assert!(!text.contains("s3cret"), "{text}");
        }
    }

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
    fn cookies_are_secure_by_default_behind_an_https_public_url() {
        let with = |public_url: Option<&str>, secure_cookies: Option<bool>| {
            let raw = RawSettings {
                public_url: public_url.map(str::to_owned),
                secure_cookies,
                ..Default::default()
            };
            Config::load(raw, None).unwrap()
        };
        assert!(!with(None, None).secure_cookies);
        assert!(with(None, None).public_url.is_none(), "unset stays unset");
        assert!(!with(Some("http://blueprint.internal:3000"), None).secure_cookies);
        let https = with(Some("https://blueprint.example.com/"), None);
        assert!(https.secure_cookies);
        assert_eq!(
            https.public_url.map(|u| u.origin().ascii_serialization()),
            Some("https://blueprint.example.com".to_owned())
        );
        assert!(
            !with(Some("https://blueprint.example.com"), Some(false)).secure_cookies,
            "an explicit setting wins"
        );
        assert!(with(None, Some(true)).secure_cookies);
    }

    #[test]
    fn trusted_proxies_are_addresses_and_blocks() {
        let raw = RawSettings {
            trusted_proxies: Some(" 10.0.0.0/8, 192.0.2.7 ,::1,".into()),
            ..Default::default()
        };
        let proxies = Config::load(raw, None).unwrap().trusted_proxies;
        let texts: Vec<String> = proxies.iter().map(ToString::to_string).collect();
        assert_eq!(texts, ["10.0.0.0/8", "192.0.2.7/32", "::1/128"]);
        assert!(
            Config::load(RawSettings::default(), None)
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
        let bad = RawSettings {
            trusted_proxies: Some("10.0.0.0/8,proxy.local".into()),
            ..Default::default()
        };
        let err = Config::load(bad, None).unwrap_err().to_string();
        assert!(err.starts_with("trusted_proxies: `proxy.local`"), "{err}");
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
