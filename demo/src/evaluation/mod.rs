//! The evaluation data set for volume anomalies: five weeks (by default) of seasonal traffic of
//! one tenant, written as raw Segment-style event files in the events-root layout (the demo's
//! writer), with injected anomalies whose truth it returns — and a clean variant with none.
//!
//! Traffic (means in [`model`], noise in `traffic`): sessions per hour follow the hour of the day
//! (busiest in the evening), weekends at 75 %, +1 % a week; a day's level varies by about 5 % and an
//! hour's by about 10 % (gamma multipliers), then each release's sessions are Poisson. Six
//! releases over two applications and three platforms: Android 4.9 rolls out in the history
//! (from day 8, half-way 4 days later), iOS 5.0 rolls out with the news (six hours into the news,
//! half-way 2 days later, so it is too new for its own history). Each session has an engagement
//! (gamma, shape 6) scaling its Poisson count of every event: counts are overdispersed given
//! sessions, as real clickstream is. Three events are low volume (about 0.4, 1 and 3 an hour).
//!
//! Injected anomalies (never in the clean variant), each on a series it names:
//! - `drop`: one event of one release loses 40–70 % of its lines for 2–4 hours;
//! - `spike`: one event of one release sends 2–4 times its lines for 2–3 hours (extra lines in the
//!   same sessions: the sessions do not change);
//! - `stopped`: one event of one release sends nothing for 3–6 hours;
//! - `outage`: no files at all for 3–6 hours (the tenant's pipeline stopped).
//!
//! The news (the last `news_days` days) gets one of each kind; the history gets two of drop,
//! spike and stopped, in its fourth week (three weeks of history before them). Anomalies fall in
//! day-time slots (08:00–14:00 and 15:00–22:00 UTC), one per slot, and the release anomalies of one
//! part are on distinct releases, so no two of them touch one series or one release.
//!
//! **Detectable in principle** — a release anomaly is placed only on a series whose mean count
//! (before noise) in *every* anomalous hour is at least [`MIN_VOLUME`] and large enough that the
//! change is at least four Poisson standard deviations in one hour: a drop of depth `d` needs a
//! mean of `(4 / d)²` (100 for 40 %, 33 for 70 %), a spike of factor `m` needs `(4 / (m − 1))²`;
//! a stop needs a mean of at least [`MIN_STOPPED`] (twice the design's "at least 10 expected").
//! An outage falls where the tenant's mean is hundreds of events an hour.
//!
//! Everything is deterministic per seed, and the clean variant of a seed is the same traffic
//! without the injections: the base noise, the injections and the file layout draw from separate
//! random streams.

pub mod model;

mod inject;
mod random;
mod traffic;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use chrono::{DateTime, Duration, Timelike, Utc};

pub use model::{EVENTS, EventDef, RELEASES, Release};

/// The lowest mean count an hour of a drop or spike series may have.
pub const MIN_VOLUME: f64 = 30.0;
/// The lowest mean count an hour of a stopped series may have.
pub const MIN_STOPPED: f64 = 20.0;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalOptions {
    /// A midnight (UTC): the first hour written.
    pub first_hour: DateTime<Utc>,
    pub weeks: u32,
    /// The last days, ingested hour by hour as news; the rest is history.
    pub news_days: u32,
    /// Mean sessions of the tenant an hour (before seasonality).
    pub sessions_per_hour: f64,
    pub seed: u64,
    /// False: the clean variant, no anomaly at all.
    pub anomalies: bool,
}

impl EvalOptions {
    /// Five weeks, the last three days as news, 120 sessions an hour (about 1,000 events).
    pub fn new(first_hour: DateTime<Utc>, seed: u64, anomalies: bool) -> Self {
        EvalOptions {
            first_hour,
            weeks: 5,
            news_days: 3,
            sessions_per_hour: 120.0,
            seed,
            anomalies,
        }
    }

    /// Number of hours written (or left empty by an outage).
    pub fn hours(&self) -> u32 {
        self.weeks * 7 * 24
    }

    /// Index of the first news hour.
    pub fn news_start(&self) -> u32 {
        self.hours() - self.news_days * 24
    }

    /// The hour of an index.
    pub fn hour(&self, index: u32) -> DateTime<Utc> {
        self.first_hour + Duration::hours(i64::from(index))
    }
}

/// The kind of an injected anomaly (as incidents name it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Drop,
    Spike,
    Stopped,
    Outage,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Drop => "drop",
            Kind::Spike => "spike",
            Kind::Stopped => "stopped",
            Kind::Outage => "outage",
        }
    }
}

/// One injected anomaly: its series (an event of one release; none for an outage), its kind, its
/// hours `[first, end)` as indices, and how strong it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    pub kind: Kind,
    /// Index into [`EVENTS`] and [`RELEASES`]; `None` for an outage.
    pub series: Option<(usize, usize)>,
    pub first: u32,
    pub end: u32,
    /// In the news part (else history).
    pub news: bool,
    /// Lines kept (drop: 1 − depth; stopped 0) or multiplied (spike); 0 for an outage.
    pub factor: f64,
}

impl Truth {
    pub fn event(&self) -> Option<&'static str> {
        self.series.map(|(e, _)| EVENTS[e].name)
    }

    pub fn release(&self) -> Option<Release> {
        self.series.map(|(_, r)| RELEASES[r])
    }

    pub fn contains(&self, index: u32) -> bool {
        (self.first..self.end).contains(&index)
    }

    /// `drop iOS Shop 4.9 screen 2026-11-30T10..13 ×0.45`, for messages.
    pub fn describe(&self, o: &EvalOptions) -> String {
        let what = match (self.event(), self.release()) {
            (Some(e), Some(r)) => format!("{e} on {} {} {}", r.application, r.version, r.platform),
            _ => "the tenant".to_string(),
        };
        format!(
            "{} of {what} in {}..{} (hours {}..{}, ×{:.2}, {})",
            self.kind.as_str(),
            o.hour(self.first).format("%Y-%m-%dT%H"),
            o.hour(self.end).format("%Y-%m-%dT%H"),
            self.first,
            self.end,
            self.factor,
            if self.news { "news" } else { "history" }
        )
    }
}

/// What one hour holds, as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HourTraffic {
    /// False when the hour has no folder (an outage).
    pub written: bool,
    /// Lines per (release, event) index.
    pub events: BTreeMap<(usize, usize), u64>,
    /// Sessions with at least one line, per release index.
    pub sessions: [u64; 6],
}

/// What was generated: the truth and the counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    pub options: EvalOptions,
    pub truth: Vec<Truth>,
    /// One per hour index.
    pub hours: Vec<HourTraffic>,
}

impl Traffic {
    /// Lines of `event` in hour index `h`, over every release.
    pub fn event_total(&self, h: u32, event: usize) -> u64 {
        let hour = &self.hours[h as usize];
        (0..RELEASES.len())
            .map(|r| hour.events.get(&(r, event)).copied().unwrap_or(0))
            .sum()
    }

    /// Lines written in hour index `h`.
    pub fn lines(&self, h: u32) -> u64 {
        self.hours[h as usize].events.values().sum()
    }
}

/// Writes the tenant's hours under `events_root/<tenant>/` and returns what was written.
pub fn generate(events_root: &Path, tenant: &str, options: &EvalOptions) -> io::Result<Traffic> {
    let midnight =
        options.first_hour.hour() == 0 && options.first_hour.timestamp().rem_euclid(3600) == 0;
    if !midnight {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "first_hour must be a midnight (UTC)",
        ));
    }
    if options.weeks < 4 || options.news_days < 2 || options.news_days >= 7 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the evaluation needs at least 4 weeks and 2 to 6 news days",
        ));
    }
    let truth = if options.anomalies {
        inject::place(options)?
    } else {
        Vec::new()
    };
    let hours = traffic::write(events_root, tenant, options, &truth)?;
    Ok(Traffic {
        options: options.clone(),
        truth,
        hours,
    })
}
