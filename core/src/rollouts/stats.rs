//! The statistics of a roll-out check, on hourly figures only. Both versions run in the same hours,
//! so each hour gives one paired comparison in which time-of-day and day-of-week effects cancel:
//! the log of the candidate's rate over the baseline's rate. Across hours these log ratios give a
//! mean (hours weigh by their traffic) and a Student-t 95 % interval, turned back into a relative
//! change. A rate passes when the whole interval lies within the tolerance, fails when the whole
//! interval lies outside it, and is inconclusive otherwise.

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
    /// The log of the candidate's rate over the baseline's; half an event is added to both counts
    /// so an hour without any stays finite.
    pub fn log_ratio(&self) -> f64 {
        ((self.candidate + 0.5) / self.candidate_base).ln()
            - ((self.baseline + 0.5) / self.baseline_base).ln()
    }

    /// How much the hour counts: more traffic on both sides, more weight.
    fn weight(&self) -> f64 {
        self.candidate_base * self.baseline_base / (self.candidate_base + self.baseline_base)
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

/// The paired interval across hours; `None` with fewer than two usable hours.
pub fn paired_interval(pairs: &[Pair]) -> Option<Interval> {
    let usable: Vec<&Pair> = pairs
        .iter()
        .filter(|p| p.candidate_base > 0.0 && p.baseline_base > 0.0)
        .collect();
    let n = usable.len();
    if n < 2 {
        return None;
    }
    let weights: Vec<f64> = usable.iter().map(|p| p.weight()).collect();
    let logs: Vec<f64> = usable.iter().map(|p| p.log_ratio()).collect();
    let total: f64 = weights.iter().sum();
    let mean = weights.iter().zip(&logs).map(|(w, x)| w * x).sum::<f64>() / total;
    let spread = weights
        .iter()
        .zip(&logs)
        .map(|(w, x)| w * (x - mean).powi(2))
        .sum::<f64>()
        / total
        * n as f64
        / (n as f64 - 1.0);
    let squares: f64 = weights.iter().map(|w| w * w).sum();
    let se = (spread * squares / (total * total)).sqrt();
    let t = t975(n - 1);
    Some(Interval {
        change: mean.exp() - 1.0,
        low: (mean - t * se).exp() - 1.0,
        high: (mean + t * se).exp() - 1.0,
        hours: n,
    })
}

/// A check's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Pass inside ±`tolerance`, fail wholly outside it, inconclusive when the interval straddles it.
pub fn judge(interval: &Interval, tolerance: f64) -> Verdict {
    if interval.low >= -tolerance && interval.high <= tolerance {
        Verdict::Pass
    } else if interval.high < -tolerance || interval.low > tolerance {
        Verdict::Fail
    } else {
        Verdict::Inconclusive
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
            .map(|h| pair(200.0 + h as f64, 100.0, 300.0 + 1.5 * h as f64, 100.0))
            .collect();
        let interval = paired_interval(&lower).unwrap();
        assert!((interval.change + 0.333).abs() < 0.01, "{interval:?}");
        assert_eq!(judge(&interval, 0.10), Verdict::Fail);

        let equal: Vec<Pair> = (0..6)
            .map(|h| pair(300.0 + h as f64, 100.0, 300.0 - h as f64, 100.0))
            .collect();
        let interval = paired_interval(&equal).unwrap();
        assert!(interval.low > -0.1 && interval.high < 0.1, "{interval:?}");
        assert_eq!(judge(&interval, 0.10), Verdict::Pass);
    }

    #[test]
    fn noisy_or_short_series_are_inconclusive() {
        assert_eq!(paired_interval(&[pair(3.0, 1.0, 3.0, 1.0)]), None);
        let noisy = [
            pair(30.0, 10.0, 300.0, 100.0),
            pair(45.0, 10.0, 300.0, 100.0),
            pair(22.0, 10.0, 300.0, 100.0),
        ];
        let interval = paired_interval(&noisy).unwrap();
        assert_eq!(
            judge(&interval, 0.10),
            Verdict::Inconclusive,
            "{interval:?}"
        );
    }

    #[test]
    fn heavier_hours_weigh_more() {
        // A tiny hour with a wild ratio barely moves the estimate.
        let pairs = [
            pair(300.0, 100.0, 300.0, 100.0),
            pair(310.0, 100.0, 300.0, 100.0),
            pair(1.0, 1.0, 300.0, 100.0),
        ];
        let interval = paired_interval(&pairs).unwrap();
        assert!(interval.change.abs() < 0.05, "{interval:?}");
    }
}
