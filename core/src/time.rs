//! Time, in one place: the [`Clock`] every "now" of Blueprint goes through (the system clock, or a
//! [`ManualClock`] that tests move), and the texts of instants and hours. Everything is UTC.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::hour::Hour;

/// Where "now" is read: the system clock, or a clock a test moves.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Seconds since the epoch.
    fn seconds(&self) -> i64 {
        self.now().timestamp()
    }

    /// The hour that contains now.
    fn hour(&self) -> Hour {
        Hour::containing(self.now())
    }
}

/// The system clock: the only place Blueprint reads the real time.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock, shared.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// Process time: how long real things take in this process — worker heartbeats, claims, stale
/// sends, retry back-off, webhook signature timestamps. Always the system clock, also when the
/// services run on a test's manual clock: a heartbeat measures a process's life, not the hour
/// the ledger is at.
pub fn process_seconds() -> i64 {
    SystemClock.seconds()
}

/// The hour that contains [`process_seconds`].
pub fn process_hour() -> Hour {
    SystemClock.hour()
}

/// A clock that stands still until it is set (tests drive the schedule and the services with it).
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Epoch seconds as RFC 3339 UTC text (`2026-11-20T09:15:00Z`).
pub fn instant(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Epoch seconds of an hour as `YYYY-MM-DDTHH:00:00Z` (other seconds as their number).
pub fn hour_text(seconds: i64) -> String {
    Hour::from_epoch_seconds(seconds).map_or_else(|| seconds.to_string(), |h| h.to_string())
}

/// [`hour_text`] of an hour that may be missing; `None` stays `None`, as does a non-hour.
pub fn optional_hour_text(seconds: Option<i64>) -> Option<String> {
    seconds
        .and_then(Hour::from_epoch_seconds)
        .map(|hour| hour.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_set() {
        let start = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.seconds(), 1_790_000_000);
        clock.set(start + chrono::Duration::hours(2));
        assert_eq!(clock.seconds(), 1_790_007_200);
        assert_eq!(clock.hour(), Hour::containing(start).plus(2));
    }

    #[test]
    fn texts_of_hours_and_instants() {
        assert_eq!(hour_text(1_790_002_800), "2026-09-21T15:00:00Z");
        assert_eq!(hour_text(1_790_002_801), "1790002801");
        assert_eq!(optional_hour_text(Some(1_790_002_801)), None);
        assert_eq!(optional_hour_text(None), None);
        assert_eq!(instant(1_790_002_815), "2026-09-21T15:00:15Z");
    }
}
