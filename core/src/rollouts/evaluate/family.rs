//! How many checks a stage judges at once, and so the level of each: a stage that judged 30
//! checks at 95 % each would fail a healthy release by chance alone. A stage's chance of failing
//! a release that changed nothing is held to [`STAGE_ALPHA`] (5 %) over all its rate checks:
//!
//! - the headline rates (screen loads and events per session) share half of it, the other rate
//!   and mix checks (top screens and events per session, top events' shares) the other half;
//! - within each family, Holm's step-down procedure: the check most clearly beyond the tolerance
//!   is judged at the family's level divided by the family's size; if it fails, the next at the
//!   level divided by one fewer, and so on; once one does not fail, the rest are judged at that
//!   same level, and none of them fails.
//!
//! Each check shows its interval at the level it was judged at, so a failing check's interval
//! always lies wholly outside the tolerance and a passing one's wholly inside. Coverage checks
//! are not part of it: they fail only on an item the candidate never sent although its traffic
//! made at least 10 expected (by chance less than 0.005 % likely).

use blueprint_types::rollouts::{Check, CheckVerdict};

use crate::rollouts::stats::{self, Estimate, Interval};

/// A stage's chance of failing, by its rate checks, a release that changed nothing.
pub const STAGE_ALPHA: f64 = 0.05;

/// The share of [`STAGE_ALPHA`] the headline rates get; the other rate checks get the rest.
pub const HEADLINE_SHARE: f64 = 0.5;

/// A rate or mix check before its level is known: the check, its estimate (none with too few
/// hours), and the event it is about (if one).
pub(super) struct Rated {
    pub check: Check,
    pub estimate: Option<Estimate>,
    pub event: Option<i64>,
}

/// Sets `rated`'s interval and verdict at `alpha`, and returns the verdict.
fn judge_at(rated: &mut Rated, alpha: f64, tolerance: f64) -> CheckVerdict {
    let Some(estimate) = rated.estimate else {
        rated.check.verdict = CheckVerdict::Inconclusive;
        return CheckVerdict::Inconclusive;
    };
    let interval: Interval = estimate.interval(alpha);
    let check = &mut rated.check;
    check.verdict = stats::judge(&interval, tolerance);
    check.change = Some(interval.change);
    check.low = Some(interval.low);
    check.high = Some(interval.high);
    check.level = Some(interval.level);
    check.verdict
}

/// Judges one family of checks sharing `alpha` by Holm's step-down procedure.
pub(super) fn judge_family(family: &mut [&mut Rated], alpha: f64, tolerance: f64) {
    let mut order: Vec<(f64, usize)> = Vec::new();
    for (i, rated) in family.iter_mut().enumerate() {
        match rated.estimate {
            Some(e) => order.push((e.fail_p(tolerance), i)),
            None => {
                judge_at(rated, alpha, tolerance);
            }
        }
    }
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let m = order.len();
    let mut level = alpha / m.max(1) as f64;
    let mut stepping = true;
    for (k, (_, i)) in order.into_iter().enumerate() {
        if stepping {
            level = alpha / (m - k) as f64;
        }
        let verdict = judge_at(family[i], level, tolerance);
        if stepping && verdict != CheckVerdict::Fail {
            stepping = false;
        }
    }
}

/// Judges a stage's rate checks: the headline family and the others, each by Holm's procedure
/// with its share of [`STAGE_ALPHA`].
pub(super) fn judge_stage(rated: &mut [Rated], tolerance: f64) {
    let (mut headline, mut others): (Vec<&mut Rated>, Vec<&mut Rated>) =
        rated.iter_mut().partition(|r| r.check.headline);
    judge_family(&mut headline, STAGE_ALPHA * HEADLINE_SHARE, tolerance);
    judge_family(&mut others, STAGE_ALPHA * (1.0 - HEADLINE_SHARE), tolerance);
}

#[cfg(test)]
mod tests {
    use blueprint_types::rollouts::CheckKind;

    use super::*;

    fn rated(ratio: f64, se_log: f64) -> Rated {
        Rated {
            check: Check {
                kind: CheckKind::Rate,
                name: format!("{ratio}"),
                headline: false,
                verdict: CheckVerdict::Inconclusive,
                candidate: None,
                baseline: None,
                change: None,
                low: None,
                high: None,
                level: None,
                hours: Vec::new(),
                missing: Vec::new(),
                detail: String::new(),
            },
            estimate: Some(Estimate {
                ratio,
                se_log,
                expected: 100.0,
                hours: 24,
            }),
            event: None,
        }
    }

    #[test]
    fn holm_steps_down_and_stops_at_the_first_check_that_holds() {
        // Five checks: a clear drop, a moderate one, and three that changed nothing.
        let mut checks = vec![
            rated(1.0, 0.05),
            rated(0.6, 0.05),
            rated(0.8, 0.02),
            rated(1.02, 0.02),
            rated(0.99, 0.03),
        ];
        let mut family: Vec<&mut Rated> = checks.iter_mut().collect();
        judge_family(&mut family, 0.05, 0.10);
        let verdicts: Vec<&str> = checks.iter().map(|r| r.check.verdict.as_str()).collect();
        assert_eq!(
            verdicts,
            ["inconclusive", "fail", "fail", "pass", "pass"],
            "{:#?}",
            checks.iter().map(|r| &r.check).collect::<Vec<_>>()
        );
        let level = |i: usize| checks[i].check.level.unwrap();
        // The clearest drop at 5 % / 5, the next at 5 % / 4, the rest where Holm stopped.
        assert!((level(1) - 0.99).abs() < 1e-12, "{}", level(1));
        assert!((level(2) - 0.9875).abs() < 1e-12, "{}", level(2));
        for i in [0, 3, 4] {
            assert!(
                (level(i) - (1.0 - 0.05 / 3.0)).abs() < 1e-12,
                "{}",
                level(i)
            );
        }
        // Every shown interval agrees with its verdict.
        for r in &checks {
            let c = &r.check;
            let (low, high) = (c.low.unwrap(), c.high.unwrap());
            match c.verdict {
                CheckVerdict::Fail => assert!(high < -0.10 || low > 0.10, "{c:?}"),
                CheckVerdict::Pass => assert!(low >= -0.10 && high <= 0.10, "{c:?}"),
                CheckVerdict::Inconclusive => {
                    assert!(low < 0.10 && high > -0.10 && (low < -0.10 || high > 0.10))
                }
            }
        }
    }

    #[test]
    fn a_change_that_fails_alone_may_not_fail_among_many() {
        // 95 % alone: −20 % with a standard error of 0.045 on the log lies outside ±10 %.
        let alone = rated(0.8, 0.045);
        let interval = alone.estimate.unwrap().interval(0.05);
        assert_eq!(stats::judge(&interval, 0.10), CheckVerdict::Fail);
        let mut checks: Vec<Rated> = (0..30).map(|_| rated(1.0, 0.045)).collect();
        checks.push(alone);
        let mut family: Vec<&mut Rated> = checks.iter_mut().collect();
        judge_family(&mut family, 0.025, 0.10);
        assert_ne!(checks[30].check.verdict, CheckVerdict::Fail);
        assert!(checks.iter().all(|r| r.check.verdict != CheckVerdict::Fail));
    }
}
