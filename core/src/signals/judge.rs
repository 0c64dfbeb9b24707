//! Judging an hour of a series against its expectation (pure): one hour alone, and the hour with
//! the one before it (so a moderate drop of two hours is found by the end of its second), and
//! the band the pages draw.
//!
//! An hour is anomalous when its count is in a tail of probability below [`Thresholds::alpha`],
//! its expectation is at least [`Thresholds::min_expected`] (for `stopped`, zero events where at
//! least [`Thresholds::min_expected_stopped`] were expected) and it is at least
//! [`Thresholds::min_relative_change`] away from it. The two-hour test asks the same of the sum
//! of the hour and the one before, each past the minimum change in the same direction; when it
//! fires, both hours are anomalous.

use super::model::{Expected, Input, expect};
use super::thresholds::Thresholds;
use blueprint_types::signals::IncidentKind;

/// What one hour of a series is, judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judgement {
    pub observed: Option<i64>,
    pub expected: Option<Expected>,
    /// The band: counts from `low` to `high` are normal.
    pub low: f64,
    pub high: f64,
    /// The hour's kind, when anomalous.
    pub kind: Option<IncidentKind>,
    /// The previous hour's kind, when the two-hour test made it anomalous with this one.
    pub previous: Option<IncidentKind>,
}

/// The direction and size of a change: `(observed − expected) / expected`.
fn relative(observed: i64, mean: f64) -> f64 {
    (observed as f64 - mean) / mean
}

/// The kind a count has against its expectation, if anomalous alone.
fn alone(observed: i64, e: &Expected, th: &Thresholds) -> Option<IncidentKind> {
    let counts = e.counts();
    let x = observed.max(0) as u64;
    if observed == 0 && e.mean >= th.min_expected_stopped && counts.lower_tail(0) < th.alpha {
        return Some(IncidentKind::Stopped);
    }
    if e.mean < th.min_expected {
        return None;
    }
    let change = relative(observed, e.mean);
    if change <= -th.min_relative_change && counts.lower_tail(x) < th.alpha {
        Some(IncidentKind::Drop)
    } else if change >= th.min_relative_change && counts.upper_tail(x) < th.alpha {
        Some(IncidentKind::Spike)
    } else {
        None
    }
}

/// The kind of one hour that is part of a two-hour anomaly in direction `down`.
fn part_kind(observed: i64, e: &Expected, down: bool, th: &Thresholds) -> Option<IncidentKind> {
    let change = relative(observed, e.mean);
    if down {
        if observed == 0 && e.mean >= th.min_expected_stopped {
            return Some(IncidentKind::Stopped);
        }
        (e.mean >= th.min_expected && change <= -th.min_relative_change)
            .then_some(IncidentKind::Drop)
    } else {
        (e.mean >= th.min_expected && change >= th.min_relative_change)
            .then_some(IncidentKind::Spike)
    }
}

/// The kinds of the previous hour and this one when their sum is anomalous together.
fn together(
    (prev_observed, prev): (i64, &Expected),
    (observed, now): (i64, &Expected),
    th: &Thresholds,
) -> Option<(IncidentKind, IncidentKind)> {
    let down = observed as f64 <= now.mean;
    let kinds = (
        part_kind(prev_observed, prev, down, th)?,
        part_kind(observed, now, down, th)?,
    );
    let sum = prev.sum(now);
    let x = (prev_observed + observed).max(0) as u64;
    let tail = if down {
        sum.lower_tail(x)
    } else {
        sum.upper_tail(x)
    };
    (tail < th.alpha).then_some(kinds)
}

/// The band of an expectation: the counts that are not anomalous alone.
pub fn bounds(e: &Expected, th: &Thresholds) -> (f64, f64) {
    let counts = e.counts();
    let low = (counts.low(th.alpha) as f64).min(e.mean * (1.0 - th.min_relative_change));
    let high = (counts.high(th.alpha) as f64).max(e.mean * (1.0 + th.min_relative_change));
    (low.max(0.0), high)
}

/// Judges slot `i` of a series (and, with it, slot `i − 1`).
pub fn judge(input: Input<'_>, i: usize, th: &Thresholds) -> Judgement {
    let history = input.history();
    let observed = history.counts.get(i).copied().flatten();
    let expected = observed.and_then(|_| expect(input, i, th));
    let mut judgement = Judgement {
        observed,
        expected,
        low: 0.0,
        high: f64::INFINITY,
        kind: None,
        previous: None,
    };
    let (Some(observed), Some(e)) = (observed, expected) else {
        return judgement;
    };
    (judgement.low, judgement.high) = bounds(&e, th);
    judgement.kind = alone(observed, &e, th);
    let before = i
        .checked_sub(1)
        .and_then(|p| Some((p, history.counts[p]?)))
        .and_then(|(p, c)| Some((c, expect(input, p, th)?)));
    if let Some((prev_observed, prev)) = before
        && let Some((prev_kind, kind)) = together((prev_observed, &prev), (observed, &e), th)
    {
        judgement.kind = Some(match judgement.kind {
            Some(alone) if alone.strength() >= kind.strength() => alone,
            _ => kind,
        });
        judgement.previous = Some(prev_kind);
    }
    judgement
}

/// The expected band of slot `i` as the pages draw it, judged or not (an hour without data still
/// has an expectation).
pub fn band_at(input: Input<'_>, i: usize, th: &Thresholds) -> Option<(f64, f64, f64)> {
    let e = expect(input, i, th)?;
    let (low, high) = bounds(&e, th);
    Some((e.mean, low, high))
}
