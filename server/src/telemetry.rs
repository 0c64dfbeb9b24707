//! Structured logs (tracing), as text for people or JSON lines for log collectors.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber; logs go to stderr so command output on stdout stays clean.
/// `default_filter` applies when the configuration sets none.
pub fn init(config: &Config, default_filter: &str) {
    // `Config` has validated the filter already.
    let filter = EnvFilter::try_new(config.log.as_deref().unwrap_or(default_filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
