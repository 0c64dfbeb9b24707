//! The statistics of a roll-out check, on hourly figures only. Both versions run in the same hours,
//! so each hour is a fair comparison: time-of-day and day-of-week effects touch both alike. In
//! each hour the baseline's rate, applied to the candidate's sessions (or events), says how many
//! the candidate would have sent had nothing changed; the ratio of what it sent to that expectation,
//! over all compared hours, is the relative change (an hour-matched, standardised ratio: each hour
//! counts as much as its traffic, and an hour with no event at all counts exactly, with no pseudo
//! counts to bias small rates). Its interval comes from how much that ratio varies from hour to
//! hour (Student's t with one fewer degrees of freedom than hours) plus the baseline's own
//! counting noise, at the level the stage gives the check (see `evaluate::family`: 95 % for one
//! check alone, wider when a stage judges many at once). A rate passes when the whole interval
//! lies within the tolerance, fails when the whole interval lies outside it, and is inconclusive
//! otherwise.

use blueprint_types::rollouts::CheckVerdict;

use super::student;

/// The two-sided 95 % critical value of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    student::critical(0.05, df)
}

/// One hour of a rate: each version's count and what it is divided by (sessions, or all events).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    pub candidate: f64,
    pub candidate_base: f64,
    pub baseline: f64,
    pub baseline_base: f64,
}

impl Pair {
    /// The candidate's rate over the baseline's in this hour, when both have one.
    pub fn change(&self) -> Option<f64> {
        let (c, b) = (self.candidate_rate()?, self.baseline_rate()?);
        (b > 0.0).then(|| c / b - 1.0)
    }

    pub fn candidate_rate(&self) -> Option<f64> {
        (self.candidate_base > 0.0).then(|| self.candidate / self.candidate_base)
    }

    pub fn baseline_rate(&self) -> Option<f64> {
        (self.baseline_base > 0.0).then(|| self.baseline / self.baseline_base)
    }
}

/// A relative change and its interval at `level` (0.95: a 95 % interval).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub change: f64,
    pub low: f64,
    pub high: f64,
    pub hours: usize,
    pub level: f64,
}

/// The hour-matched ratio of the candidate's count to what the baseline's rate predicts, with
/// what its interval at any level needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Sent over expected.
    pub ratio: f64,
    /// The standard error of the ratio's logarithm (unused when nothing was sent).
    pub se_log: f64,
    /// What the baseline's rates predict over all hours.
    pub expected: f64,
    pub hours: usize,
}

impl Estimate {
    /// The interval at level `1 − alpha`. When nothing was sent it is one-sided: from −100 % up
    /// to the rate at which seeing none has probability `alpha` (−ln α expected; the rule of
    /// three at 5 %).
    pub fn interval(&self, alpha: f64) -> Interval {
        let level = 1.0 - alpha;
        if self.ratio == 0.0 {
            return Interval {
                change: -1.0,
                low: -1.0,
                high: (-alpha.ln() / self.expected).min(1.0) - 1.0,
                hours: self.hours,
                level,
            };
        }
        let t = student::critical(alpha, self.hours - 1);
        Interval {
            change: self.ratio - 1.0,
            low: (self.ratio.ln() - t * self.se_log).exp() - 1.0,
            high: (self.ratio.ln() + t * self.se_log).exp() - 1.0,
            hours: self.hours,
            level,
        }
    }

    /// The smallest `alpha` whose interval lies wholly outside ±`tolerance` (1 when the estimate
    /// itself lies within it): the p-value of "the change exceeds the tolerance", which orders a
    /// stage's checks for Holm's procedure.
    pub fn fail_p(&self, tolerance: f64) -> f64 {
        if self.ratio == 0.0 {
            return (-self.expected * (1.0 - tolerance)).exp().min(1.0);
        }
        let r = self.ratio.ln();
        let beyond = (r - (1.0 + tolerance).ln()).max((1.0 - tolerance).ln() - r);
        if beyond <= 0.0 {
            return 1.0;
        }
        if self.se_log <= 0.0 {
            return 0.0;
        }
        (2.0 * student::upper_tail(beyond / self.se_log, self.hours - 1)).min(1.0)
    }
}

/// The standardised ratio of `pairs`; `None` with fewer than two usable hours or nothing
/// expected at all.
pub fn estimate(pairs: &[Pair]) -> Option<Estimate> {
    let usable: Vec<&Pair> = pairs
        .iter()
        .filter(|p| p.candidate_base > 0.0 && p.baseline_base > 0.0)
        .collect();
    let n = usable.len();
    if n < 2 {
        return None;
    }
    let expected: Vec<f64> = usable
        .iter()
        .map(|p| p.baseline / p.baseline_base * p.candidate_base)
        .collect();
    let total_expected: f64 = expected.iter().sum();
    if total_expected <= 0.0 {
        return None;
    }
    let observed: f64 = usable.iter().map(|p| p.candidate).sum();
    let ratio = observed / total_expected;
    if observed == 0.0 {
        return Some(Estimate {
            ratio: 0.0,
            se_log: 0.0,
            expected: total_expected,
            hours: n,
        });
    }
    // Hour-to-hour variation of the candidate around the ratio, and the baseline's Poisson noise.
    let spread: f64 = usable
        .iter()
        .zip(&expected)
        .map(|(p, e)| (p.candidate - ratio * e).powi(2))
        .sum::<f64>()
        * n as f64
        / (n as f64 - 1.0);
    let baseline_noise: f64 = usable
        .iter()
        .map(|p| (p.candidate_base / p.baseline_base).powi(2) * p.baseline)
        .sum::<f64>()
        * ratio
        * ratio;
    Some(Estimate {
        ratio,
        se_log: (spread + baseline_noise).sqrt() / total_expected / ratio,
        expected: total_expected,
        hours: n,
    })
}

/// The standardised ratio of `pairs` and its 95 % interval.
pub fn standardized_interval(pairs: &[Pair]) -> Option<Interval> {
    estimate(pairs).map(|e| e.interval(0.05))
}

/// Pass inside ±`tolerance`, fail wholly outside it, inconclusive when the interval straddles it.
pub fn judge(interval: &Interval, tolerance: f64) -> CheckVerdict {
    if interval.low >= -tolerance && interval.high <= tolerance {
        CheckVerdict::Pass
    } else if interval.high < -tolerance || interval.low > tolerance {
        CheckVerdict::Fail
    } else {
        CheckVerdict::Inconclusive
    }
}

/// The smallest count the candidate is expected to send before a missing item counts as missing
/// (P(0 | Poisson 10) < 0.005 %).
pub const EXPECTED_AT_LEAST: f64 = 10.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(c: f64, cs: f64, b: f64, bs: f64) -> Pair {
        Pair {
            candidate: c,
            candidate_base: cs,
            baseline: b,
            baseline_base: bs,
        }
    }

    #[test]
    fn t_values_follow_the_tables() {
        for (df, t) in [(1, 12.706), (10, 2.228), (35, 2.030), (1000, 1.962)] {
            assert!((t975(df) - t).abs() < 0.001, "{df}: {}", t975(df));
        }
        assert!(t975(0).is_infinite());
    }

    #[test]
    fn a_steady_third_lower_rate_fails_and_an_equal_one_passes() {
        let lower: Vec<Pair> = (0..6)
            .map(|h| pair(200.0 + h as f64, 100.0, 3000.0 + 15.0 * h as f64, 1000.0))
            .collect();
        let interval = standardized_interval(&lower).unwrap();
        assert!((interval.change + 0.333).abs() < 0.01, "{interval:?}");
        assert_eq!(judge(&interval, 0.10), CheckVerdict::Fail);

        let equal: Vec<Pair> = (0..6)
            .map(|h| pair(300.0 + h as f64, 100.0, 3000.0 - h as f64, 1000.0))
            .collect();
        let interval = standardized_interval(&equal).unwrap();
        assert!(interval.low > -0.1 && interval.high < 0.1, "{interval:?}");
        assert_eq!(judge(&interval, 0.10), CheckVerdict::Pass);
    }

    #[test]
    fn noisy_or_short_series_are_inconclusive() {
        assert_eq!(standardized_interval(&[pair(3.0, 1.0, 3.0, 1.0)]), None);
        let noisy = [
            pair(30.0, 10.0, 300.0, 100.0),
            pair(45.0, 10.0, 300.0, 100.0),
            pair(22.0, 10.0, 300.0, 100.0),
        ];
        let interval = standardized_interval(&noisy).unwrap();
        assert_eq!(
            judge(&interval, 0.10),
            CheckVerdict::Inconclusive,
            "{interval:?}"
        );
    }

    #[test]
    fn rare_events_at_a_small_stage_do_not_fail() {
        // 0.01 per session; 10 candidate sessions an hour: mostly none, once one. No bias.
        let pairs: Vec<Pair> = (0..12)
            .map(|h| pair(if h == 5 { 1.0 } else { 0.0 }, 10.0, 3.0, 300.0))
            .collect();
        let interval = standardized_interval(&pairs).unwrap();
        assert_ne!(judge(&interval, 0.10), CheckVerdict::Fail, "{interval:?}");
        assert!(interval.low < -0.1 && interval.high > 0.1, "{interval:?}");
    }

    #[test]
    fn time_of_day_cancels() {
        // The candidate's share grows at night, when everyone's rate is higher; same rates.
        let pairs: Vec<Pair> = (0..12)
            .map(|h| {
                let rate = if h < 6 { 2.0 } else { 6.0 };
                let cs = if h < 6 { 10.0 } else { 200.0 };
                pair(rate * cs, cs, rate * 1000.0, 1000.0)
            })
            .collect();
        let interval = standardized_interval(&pairs).unwrap();
        assert!(interval.change.abs() < 1e-9, "{interval:?}");
    }

    #[test]
    fn nothing_sent_where_much_was_expected_fails() {
        let pairs: Vec<Pair> = (0..4).map(|_| pair(0.0, 50.0, 500.0, 1000.0)).collect();
        let interval = standardized_interval(&pairs).unwrap();
        assert_eq!((interval.change, interval.low), (-1.0, -1.0));
        assert_eq!(judge(&interval, 0.10), CheckVerdict::Fail, "{interval:?}");
    }
}
