//! An hour of data: the unit of ingestion. Parsed from `YYYY-MM-DDTHH` (or with `:00:00Z`),
//! shown as `YYYY-MM-DDTHH:00:00Z`, stored as epoch seconds, laid out as `dt=YYYY-MM-DD/hr=HH`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hour(i64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not an hour: use YYYY-MM-DDTHH, for example 2026-11-20T09")]
pub struct HourError(pub String);

impl Hour {
    pub const SECONDS: i64 = 3600;

    /// The hour that contains this instant.
    pub fn containing(at: DateTime<Utc>) -> Self {
        Self(at.timestamp().div_euclid(Self::SECONDS) * Self::SECONDS)
    }

    pub fn from_epoch_seconds(seconds: i64) -> Option<Self> {
        (seconds % Self::SECONDS == 0).then_some(Self(seconds))
    }

    pub fn epoch_seconds(self) -> i64 {
        self.0
    }

    pub fn start(self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0, 0).unwrap_or_default()
    }

    pub fn plus(self, hours: i64) -> Self {
        Self(self.0 + hours * Self::SECONDS)
    }

    /// Hours from `self` up to, not including, `end`.
    pub fn until(self, end: Hour) -> impl Iterator<Item = Hour> {
        (self.0..end.0).step_by(Self::SECONDS as usize).map(Hour)
    }

    /// The folder of this hour under a tenant: `dt=YYYY-MM-DD/hr=HH`.
    pub fn folder(self) -> String {
        self.start().format("dt=%Y-%m-%d/hr=%H").to_string()
    }
}

impl fmt::Display for Hour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start().format("%Y-%m-%dT%H:00:00Z"))
    }
}

impl FromStr for Hour {
    type Err = HourError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || HourError(text.to_owned());
        let trimmed = text.trim();
        let core = trimmed
            .strip_suffix(":00:00Z")
            .or_else(|| trimmed.strip_suffix(":00Z"))
            .or_else(|| trimmed.strip_suffix(":00"))
            .unwrap_or(trimmed);
        let at = NaiveDateTime::parse_from_str(&format!("{core}:00"), "%Y-%m-%dT%H:%M")
            .map_err(|_| err())?;
        if at.minute() != 0 {
            return Err(err());
        }
        Ok(Self(at.and_utc().timestamp()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_hours() {
        let hour: Hour = "2026-11-20T09".parse().unwrap();
        assert_eq!(hour.to_string(), "2026-11-20T09:00:00Z");
        assert_eq!("2026-11-20T09:00:00Z".parse::<Hour>().unwrap(), hour);
        assert_eq!(hour.folder(), "dt=2026-11-20/hr=09");
        assert_eq!(hour.plus(15).to_string(), "2026-11-21T00:00:00Z");
        assert_eq!(hour.until(hour.plus(3)).count(), 3);
        for bad in [
            "2026-11-20",
            "2026-13-01T00",
            "2026-11-20T24",
            "yesterday",
            "2026-11-20T09:30",
        ] {
            assert!(bad.parse::<Hour>().is_err(), "{bad}");
        }
    }
}
