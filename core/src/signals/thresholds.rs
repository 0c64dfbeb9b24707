//! The defaults of volume anomaly detection, in one place, each with why.

/// What detection judges and how strictly. [`Thresholds::DEFAULT`] is what Blueprint uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Per-hour tail probability below which a count is anomalous (each tail, each test). One
    /// in a million: over five weeks of hundreds of series (~10⁵–10⁶ series-hours, two tails, two
    /// tests) chance alone raises about one hour, so a tenant's incidents are real ones.
    pub alpha: f64,
    /// Drops and spikes are judged only where at least this many events were expected in the
    /// hour: below it, a 30 % change is a handful of events, noise for a person.
    pub min_expected: f64,
    /// `stopped` (zero events) is judged where at least this many were expected in the hour.
    pub min_expected_stopped: f64,
    /// The least relative change (|observed − expected| / expected) that is anomalous, whatever
    /// the volume: a 5 % dip of a huge series is significant but not worth a person's time.
    pub min_relative_change: f64,
    /// Past weeks whose same hour of the week make an event's seasonal expectation. At least one
    /// week of history is needed; with none, the series is not judged.
    pub weeks: usize,
    /// Hours of the recent level: the last this many hours (before the previous hour) observed
    /// against their seasonal expectation.
    pub level_hours: usize,
    /// The recent level factor is clamped to this range, so a day's odd level cannot move the
    /// expectation by more than this.
    pub level_clamp: (f64, f64),
    /// Events added to both sides of the level ratio: a low-volume series' level stays near one.
    pub level_prior: f64,
    /// Hours of a series' own residuals used to estimate its dispersion.
    pub dispersion_hours: usize,
    /// Dispersion (1/r of the negative binomial) at least this: an hour's count always varies a
    /// little more than Poisson (5 % of the mean as standard deviation).
    pub min_dispersion: f64,
    /// Dispersion when a series has fewer than `min_dispersion_hours` residuals: wide on
    /// purpose (30 % of the mean).
    pub default_dispersion: f64,
    pub min_dispersion_hours: usize,
    /// Hours of a release's own per-session rate (the last week).
    pub rate_hours: usize,
    /// A release's own rate is used when it has at least this many hours with sessions…
    pub min_own_hours: usize,
    /// …and this many sessions; otherwise the rate pooled over the other versions of the same
    /// application and platform (which must have as many).
    pub min_own_sessions: i64,
    /// Normal hours tolerated inside an incident: an anomaly this close to an incident of its
    /// series (or release) joins it.
    pub gap_hours: i64,
    /// An open incident whose series have been back in their bands for this many hours with data
    /// is resolved.
    pub resolve_after_hours: i64,
    /// An event-overall anomaly is part of a release's incident when the release's series of the
    /// same event account for at least this share of its deviation (same direction).
    pub explained_share: f64,
}

impl Thresholds {
    pub const DEFAULT: Thresholds = Thresholds {
        alpha: 1e-6,
        min_expected: 20.0,
        min_expected_stopped: 10.0,
        min_relative_change: 0.3,
        weeks: 4,
        level_hours: 24,
        level_clamp: (0.5, 2.0),
        level_prior: 50.0,
        dispersion_hours: 72,
        min_dispersion: 0.0025,
        default_dispersion: 0.09,
        min_dispersion_hours: 12,
        rate_hours: 168,
        min_own_hours: 24,
        min_own_sessions: 300,
        gap_hours: 2,
        resolve_after_hours: 3,
        explained_share: 0.5,
    };

    /// Hours of history the model reads before the judged hour: the seasonal weeks before the
    /// level and dispersion windows, or the rate window, whichever reaches further, plus the
    /// previous hour.
    pub fn history_hours(&self) -> i64 {
        let seasonal = self.weeks * 168 + self.level_hours.max(self.dispersion_hours);
        (seasonal.max(self.rate_hours) + 2) as i64
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Self::DEFAULT
    }
}
