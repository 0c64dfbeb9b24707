//! Volume anomalies planted in the demo data, so that its pages show incidents (a drop, a spike, an
//! event stopped by one release) beside the tenants' gaps (an outage, once there is a week of data
//! before one). Each is placed by the hour of the day it starts at, in the last days of the range,
//! on a release that is busy there, so that it is large enough to be judged whatever the hour the
//! demo is written at; a range too short to give it a day of history before it has none.
//!
//! The generator records every line it writes, so the expected ledger includes what an anomaly
//! changed (fewer lines, or more): only the volume differs from the untouched data.
//!
//! Placed by hour of day, not by distance from the end: the evening is busy enough for a release's
//! event to be judged (a night hour of a small release is a handful of lines), and a range of two
//! days always holds a busy hour with a day of history before it.

use chrono::{DateTime, Duration, Timelike, Utc};

use crate::render::{Call, Planned};
use crate::rng::Rng;

/// What an anomaly does to the lines it touches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Effect {
    /// Keeps this share of them (a drop).
    Keep(f64),
    /// Keeps none (the release stopped sending the event).
    Stop,
    /// Sends each this many times (a spike).
    Times(u32),
}

/// One anomaly: an event of one release (application, platform, version), for some hours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Planted {
    pub app: &'static str,
    pub platform: &'static str,
    pub version: &'static str,
    /// A track event by name; `None` is the release's screen calls (event `screen`, or `page` on
    /// the web).
    pub event: Option<&'static str>,
    /// It starts at the latest hour of the range at one of these hours of the day (UTC)…
    pub starts_utc: &'static [u32],
    /// …that begins at least this many hours before the range ends.
    pub before_end: u32,
    pub hours: u32,
    pub effect: Effect,
}

/// The least history before an anomaly: a day, so its release (or its siblings) has a rate to be
/// judged by.
const HISTORY_HOURS: i64 = 24;

impl Planted {
    /// Its first hour in a range of `hours` from `first`, if the range holds it with its history.
    pub(crate) fn start(&self, first: DateTime<Utc>, hours: u32) -> Option<DateTime<Utc>> {
        let end = first + Duration::hours(i64::from(hours));
        let latest = end - Duration::hours(i64::from(self.before_end.max(self.hours)));
        let back = self
            .starts_utc
            .iter()
            .map(|&at| (i64::from(latest.hour()) - i64::from(at)).rem_euclid(24))
            .min()?;
        let start = latest - Duration::hours(back);
        (start - first >= Duration::hours(HISTORY_HOURS)).then_some(start)
    }

    fn touches(&self, p: &Planned) -> bool {
        let Some(source) = p.source else {
            return false;
        };
        let event = match (self.event, p.call) {
            (None, Call::Screen) => true,
            (Some(name), Call::Track(def)) => def.name == name,
            _ => false,
        };
        event
            && source.app.name == self.app
            && source.platform.name == self.platform
            && source.version.text == self.version
    }

    /// Applies the effect to an hour's planned lines.
    pub(crate) fn apply(&self, planned: &mut Vec<Planned>, rng: &mut Rng) {
        match self.effect {
            Effect::Stop => planned.retain(|p| !self.touches(p)),
            Effect::Keep(share) => planned.retain(|p| !self.touches(p) || rng.unit() < share),
            Effect::Times(times) => {
                let extra: Vec<Planned> = planned
                    .iter()
                    .filter(|p| self.touches(p))
                    .flat_map(|p| std::iter::repeat_n(p.clone(), times.saturating_sub(1) as usize))
                    .collect();
                planned.extend(extra);
            }
        }
    }
}

/// The anomalies active in the hour at `hour`.
pub(crate) fn active(
    planted: &'static [Planted],
    first: DateTime<Utc>,
    hours: u32,
    hour: DateTime<Utc>,
) -> impl Iterator<Item = &'static Planted> {
    planted.iter().filter(move |a| {
        a.start(first, hours).is_some_and(|start| {
            hour >= start && hour < start + Duration::hours(i64::from(a.hours))
        })
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    static STOP: [Planted; 1] = [Planted {
        app: "Shopwave",
        platform: "iOS",
        version: "3.10.0",
        event: None,
        starts_utc: &[17],
        before_end: 8,
        hours: 4,
        effect: Effect::Stop,
    }];

    #[test]
    fn an_anomaly_starts_at_its_hour_of_the_day_before_the_end() {
        let first = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        // The range ends at 2026-11-15T23:00; 8 hours before is 15:00, so the latest 17:00 is
        // the day before.
        let start = STOP[0].start(first, 14 * 24 + 23).unwrap();
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 14, 17, 0, 0).unwrap());
        // Ending at 01:00 the next day, that day's 17:00 is far enough.
        let hours = 15 * 24 + 1;
        let start = STOP[0].start(first, hours).unwrap();
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 15, 17, 0, 0).unwrap());
        let active: Vec<_> = (0..hours)
            .map(|h| first + Duration::hours(i64::from(h)))
            .filter(|h| active(&STOP, first, hours, *h).count() > 0)
            .collect();
        assert_eq!(active.len(), 4);
        assert_eq!(active[0], start);
    }

    #[test]
    fn a_range_without_a_day_before_it_has_none() {
        let first = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        assert_eq!(STOP[0].start(first, 30), None);
        // Two days ending at 00:00: the only 17:00 far enough from the end is the first day's,
        // 17 hours after the range starts.
        assert_eq!(STOP[0].start(first, 48), None);
        assert!(STOP[0].start(first, 48 + 8).is_some());
    }

    #[test]
    fn two_days_always_hold_an_evening_start() {
        static EVENING: [Planted; 1] = [Planted {
            starts_utc: &[15, 16, 17, 18, 19],
            before_end: 4,
            ..STOP[0]
        }];
        for end_hour in 0..24 {
            let first = Utc.with_ymd_and_hms(2026, 11, 1, end_hour, 0, 0).unwrap();
            let start = EVENING[0].start(first, 48).unwrap();
            assert!((15..=19).contains(&start.hour()), "{start}");
        }
    }
}
