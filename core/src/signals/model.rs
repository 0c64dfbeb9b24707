//! The expected count of a series in an hour, and its interval (pure: no database).
//!
//! - **An event overall**: per session like a release (below), over the sessions of the releases
//!   that send it, once they make enough history; before that, the mean of the same hour of the
//!   week in up to [`Thresholds::weeks`]
//!   past weeks (hours with data that were not anomalous), times the recent level — the last
//!   day's counts over their own seasonal expectation, shrunk towards one and clamped. Without a
//!   week of history, nothing is expected and nothing judged.
//! - **An event of one release**: that release's sessions in the hour times the event's
//!   per-session rate on it over the last week (non-anomalous hours with data) when it has enough
//!   history, otherwise the rate pooled over the other versions of the same application and
//!   platform — so a new release is judged from its first day, and a release growing through a
//!   roll-out is not a spike.
//! - **The interval**: a negative binomial whose dispersion comes from the series' own residuals
//!   (at least [`Thresholds::min_dispersion`], so never below Poisson), widened by the
//!   uncertainty of the expectation itself; its tails are exact ([`super::dist`]).
//!
//! A series' history is a [`History`]: one slot per hour from `start`, `None` where the tenant
//! had no data (never judged, never part of a baseline: missing, not zero).

use super::dist::Counts;
use super::thresholds::Thresholds;

const WEEK: usize = 168;

/// One series' hours from `start` (epoch seconds of slot 0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub start: i64,
    /// The count of each hour; `None` where the tenant had no data.
    pub counts: Vec<Option<i64>>,
    /// Hours already found anomalous for this series (left out of every baseline).
    pub anomalous: Vec<bool>,
}

impl History {
    /// `hours` slots from `start`, every one without data.
    pub fn empty(start: i64, hours: usize) -> Self {
        Self {
            start,
            counts: vec![None; hours],
            anomalous: vec![false; hours],
        }
    }

    /// A history from counts alone (tests): every slot has data and none is anomalous.
    pub fn of(start: i64, counts: &[i64]) -> Self {
        Self {
            start,
            counts: counts.iter().map(|c| Some(*c)).collect(),
            anomalous: vec![false; counts.len()],
        }
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The slot of epoch hour `hour`, if inside.
    pub fn index(&self, hour: i64) -> Option<usize> {
        let i = (hour - self.start).div_euclid(3600);
        (i >= 0 && (i as usize) < self.len()).then_some(i as usize)
    }

    /// The count of slot `i` if it had data and was not anomalous.
    fn usable(&self, i: usize) -> Option<i64> {
        self.counts[i].filter(|_| !self.anomalous[i])
    }
}

/// A release's history: its event counts and its sessions, slot by slot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Release {
    pub counts: History,
    pub sessions: Vec<Option<i64>>,
}

impl From<History> for Release {
    /// Counts whose sessions are unknown.
    fn from(counts: History) -> Self {
        Self {
            counts,
            sessions: Vec::new(),
        }
    }
}

/// What a series' model needs: its own history and, for a release, the other versions of the
/// same application and platform (for the pooled rate).
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// An event overall: its counts, with the sessions of the releases that send it (empty when
    /// unknown: then only the seasonal model judges it).
    Overall(&'a Release),
    Release {
        own: &'a Release,
        siblings: &'a [&'a Release],
    },
}

impl Input<'_> {
    pub fn history(&self) -> &History {
        match self {
            Input::Overall(overall) => &overall.counts,
            Input::Release { own, .. } => &own.counts,
        }
    }
}

/// Where an expectation came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Same hour of past weeks times the recent level.
    Seasonal,
    /// The release's own per-session rate.
    OwnRate,
    /// The rate pooled over the other versions of the application and platform.
    PooledRate,
}

/// The expected count of one hour: its mean, the part of its variance independent from hour to
/// hour, and the part shared by neighbouring hours (as a standard deviation: the error of a rate
/// estimated once).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expected {
    pub mean: f64,
    pub independent_variance: f64,
    pub shared_sd: f64,
    pub basis: Basis,
}

impl Expected {
    /// The count distribution of this hour.
    pub fn counts(&self) -> Counts {
        Counts::with_variance(
            self.mean,
            self.independent_variance + self.shared_sd * self.shared_sd,
        )
    }

    /// The distribution of the sum of two hours.
    pub fn sum(&self, other: &Expected) -> Counts {
        let shared = self.shared_sd + other.shared_sd;
        Counts::with_variance(
            self.mean + other.mean,
            self.independent_variance + other.independent_variance + shared * shared,
        )
    }
}

/// The seasonal mean of slot `j` and how many weeks made it.
fn seasonal(history: &History, j: usize, weeks: usize) -> Option<(f64, usize)> {
    let mut sum = 0i64;
    let mut n = 0usize;
    for k in 1..=weeks {
        let Some(past) = j.checked_sub(k * WEEK) else {
            break;
        };
        if let Some(count) = history.usable(past) {
            sum += count;
            n += 1;
        }
    }
    (n > 0).then(|| (sum as f64 / n as f64, n))
}

/// The hours of slots `[i − back, i − 2]` (the hour before `i` is left out of every window, so
/// that it can be judged with `i` by the two-hour test without having moved its own baseline).
fn window(i: usize, back: usize) -> impl Iterator<Item = usize> {
    let end = i.saturating_sub(1);
    i.saturating_sub(back + 1)..end
}

/// The moment estimate of the dispersion from residuals `(observed, mean, inflation)`, where the
/// variance is `inflation × (mean + dispersion × mean²)`.
fn dispersion(residuals: impl Iterator<Item = (f64, f64, f64)>, th: &Thresholds) -> f64 {
    let (mut num, mut den, mut n) = (0.0, 0.0, 0usize);
    for (observed, mean, inflation) in residuals {
        let d = observed - mean;
        num += d * d - inflation * mean;
        den += inflation * mean * mean;
        n += 1;
    }
    if n < th.min_dispersion_hours || den <= 0.0 {
        return th.default_dispersion;
    }
    (num / den).max(th.min_dispersion)
}

/// An event overall: per session, like a release, when the sessions of the releases that send it
/// make enough history (sessions carry the hour of day, the weekday and roll-outs, which a few
/// past weeks estimate only roughly); otherwise the seasonal mean times the recent level.
fn expect_overall(overall: &Release, i: usize, th: &Thresholds) -> Option<Expected> {
    let (_, sessions, hours) = rate_sums(overall, i, th);
    if hours >= th.min_own_hours && sessions >= th.min_own_sessions {
        return expect_release(overall, &[], i, th);
    }
    expect_seasonal(&overall.counts, i, th)
}

/// The seasonal mean of an hour times the recent level.
fn expect_seasonal(history: &History, i: usize, th: &Thresholds) -> Option<Expected> {
    let (m, n) = seasonal(history, i, th.weeks)?;
    let (mut observed, mut expected) = (0.0, 0.0);
    for j in window(i, th.level_hours) {
        if let (Some(c), Some((s, _))) = (history.usable(j), seasonal(history, j, th.weeks)) {
            observed += c as f64;
            expected += s;
        }
    }
    let level = ((observed + th.level_prior) / (expected + th.level_prior))
        .clamp(th.level_clamp.0, th.level_clamp.1);
    let phi = dispersion(
        window(i, th.dispersion_hours).filter_map(|j| {
            let c = history.usable(j)?;
            let (s, n) = seasonal(history, j, th.weeks)?;
            Some((c as f64, s * level, 1.0 + 1.0 / n as f64))
        }),
        th,
    );
    let mean = m * level;
    let inflation = 1.0 + 1.0 / n as f64;
    Some(Expected {
        mean,
        independent_variance: inflation * (mean + phi * mean * mean),
        shared_sd: 0.0,
        basis: Basis::Seasonal,
    })
}

/// The release's events and sessions over the rate window: (events, sessions, hours).
fn rate_sums(release: &Release, i: usize, th: &Thresholds) -> (i64, i64, usize) {
    let (mut events, mut sessions, mut hours) = (0, 0, 0);
    for j in window(i, th.rate_hours) {
        if let (Some(c), Some(Some(s))) = (release.counts.usable(j), release.sessions.get(j))
            && *s > 0
        {
            events += c;
            sessions += *s;
            hours += 1;
        }
    }
    (events, sessions, hours)
}

/// The release's sessions in slot `i`: as observed, or — when the release sent nothing at all in
/// an hour with data — half of its sessions in its latest hour with sessions in the 6 before,
/// when that many make an hour without any session unlikely (Poisson: e^−sessions below
/// `alpha`); a small release with no session in a quiet hour is no stop.
fn sessions_at(release: &Release, i: usize, th: &Thresholds) -> Option<f64> {
    let observed = (*release.sessions.get(i)?)?;
    if observed > 0 {
        return Some(observed as f64);
    }
    (1..=6)
        .filter_map(|back| i.checked_sub(back))
        .find_map(|j| release.sessions[j].filter(|s| *s > 0))
        .map(|s| s as f64 * 0.5)
        .filter(|s| (-s).exp() < th.alpha)
        .or(Some(0.0))
}

/// An event of one release: sessions times the per-session rate (own, else pooled).
fn expect_release(
    own: &Release,
    siblings: &[&Release],
    i: usize,
    th: &Thresholds,
) -> Option<Expected> {
    let enough = |(_, sessions, hours): (i64, i64, usize)| {
        hours >= th.min_own_hours && sessions >= th.min_own_sessions
    };
    let mine = rate_sums(own, i, th);
    let (basis, pool): (Basis, Vec<&Release>) = if enough(mine) {
        (Basis::OwnRate, vec![own])
    } else {
        let with_history: Vec<&Release> = siblings
            .iter()
            .copied()
            .filter(|s| enough(rate_sums(s, i, th)))
            .collect();
        if with_history.is_empty() {
            return None;
        }
        (Basis::PooledRate, with_history)
    };
    let (events, sessions) = pool.iter().fold((0, 0), |(e, s), r| {
        let (re, rs, _) = rate_sums(r, i, th);
        (e + re, s + rs)
    });
    let rate = events as f64 / sessions as f64;
    let phi = dispersion(
        pool.iter().flat_map(|r| {
            window(i, th.rate_hours).filter_map(move |j| {
                let c = r.counts.usable(j)?;
                let s = (*r.sessions.get(j)?)?;
                (s > 0).then_some((c as f64, rate * s as f64, 1.0))
            })
        }),
        th,
    );
    let mean = rate * sessions_at(own, i, th)?;
    Some(Expected {
        mean,
        independent_variance: mean + phi * mean * mean,
        shared_sd: mean / (events.max(1) as f64).sqrt(),
        basis,
    })
}

/// The expected count of slot `i` of a series, if it can be judged at all.
pub fn expect(input: Input<'_>, i: usize, th: &Thresholds) -> Option<Expected> {
    if i >= input.history().len() {
        return None;
    }
    match input {
        Input::Overall(overall) => expect_overall(overall, i, th),
        Input::Release { own, siblings } => expect_release(own, siblings, i, th),
    }
}
