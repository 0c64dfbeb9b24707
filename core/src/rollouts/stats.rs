//! The statistics of a roll-out check, on hourly figures only. Both versions run in the same hours,
//! so each hour is a fair comparison: time-of-day and day-of-week effects touch both alike. In
//! each hour the baseline's rate, applied to the candidate's sessions (or events), says how many
//! the candidate would have sent had nothing changed; the ratio of what it sent to that expectation,
//! over all compared hours, is the relative change (an hour-matched, standardised ratio: each hour
//! counts as much as its traffic, and an hour with no event at all counts exactly, with no pseudo
//! counts to bias small rates). Its 95 % interval comes from how much that ratio varies from hour
//! to hour (Student's t with one fewer degrees of freedom than hours) plus the baseline's own
//! counting noise. A rate passes when the whole interval lies within the tolerance, fails when the
//! whole interval lies outside it, and is inconclusive otherwise.

use blueprint_types::rollouts::CheckVerdict;

/// Student's t, 97.5 % quantile, for 1 to 30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The two-sided 95 % critical value of Student's t with `df` degrees of freedom (rounded up to
/// the tabulated value of the band, so never narrower than the exact one).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df - 1],
        31..=40 => 2.042,
        41..=60 => 2.021,
        61..=120 => 2.000,
        _ => 1.980,
    }
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

/// A relative change and its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub change: f64,
    pub low: f64,
    pub high: f64,
    pub hours: usize,
}

/// The hour-matched ratio of the candidate's count to what the baseline's rate predicts, and its
/// interval; `None` with fewer than two usable hours or nothing expected at all.
pub fn standardized_interval(pairs: &[Pair]) -> Option<Interval> {
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
    let t = t975(n - 1);
    if observed == 0.0 {
        // None sent: at most 3 expected by chance (95 %), so the rate is at most 3 / expected.
        return Some(Interval {
            change: -1.0,
            low: -1.0,
            high: (3.0 / total_expected).min(1.0) - 1.0,
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
    let se_log = (spread + baseline_noise).sqrt() / total_expected / ratio;
    Some(Interval {
        change: ratio - 1.0,
        low: (ratio.ln() - t * se_log).exp() - 1.0,
        high: (ratio.ln() + t * se_log).exp() - 1.0,
        hours: n,
    })
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
    fn t_values_follow_the_table() {
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(10), 2.228);
        assert_eq!(t975(35), 2.042);
        assert_eq!(t975(1000), 1.980);
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
