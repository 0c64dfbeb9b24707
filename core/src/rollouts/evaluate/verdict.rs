//! The verdict of an evaluation and its reason, from its checks (the rate checks already judged
//! together, at the levels `family` gives them): too little traffic decides nothing, any failing
//! check fails the stage, a headline check that has not passed leaves it inconclusive, and
//! otherwise it passes.

use std::collections::BTreeSet;

use blueprint_types::rollouts::{Check, CheckVerdict, Plan, Verdict};

use super::figures::Ledger;
use super::rates::change_text;

/// A verdict and why.
pub(super) struct Decision {
    pub verdict: Verdict,
    pub reason: String,
}

/// Each version's sessions over the compared hours.
pub(super) fn sessions(ledger: &Ledger) -> (i64, i64) {
    (
        ledger.candidate.sessions as i64,
        ledger.baseline.sessions as i64,
    )
}

/// Too little traffic decides nothing: failing checks become inconclusive, and nobody is told.
fn withhold_failures(checks: &mut [Check], implicated: &mut BTreeSet<i64>) {
    for check in checks.iter_mut() {
        if check.verdict == CheckVerdict::Fail {
            check.verdict = CheckVerdict::Inconclusive;
            check.detail = format!("{}, but too little traffic to decide yet", check.detail);
        }
    }
    implicated.clear();
}

/// The failing checks as a reason: the failing headline checks first (or the first failing one),
/// then how many more failed.
fn failing_reasons(checks: &[Check]) -> Vec<String> {
    let mut failed: Vec<&Check> = checks
        .iter()
        .filter(|c| c.verdict == CheckVerdict::Fail)
        .collect();
    failed.sort_by_key(|c| !c.headline);
    let shown = failed.iter().filter(|c| c.headline).count().max(1);
    let more = failed.len().saturating_sub(shown);
    let mut failing: Vec<String> = failed
        .iter()
        .take(shown)
        .map(|c| {
            let figures = change_text(c);
            if figures.is_empty() {
                format!("{}: {}", c.name, c.missing.join(", "))
            } else {
                format!("{} {figures}", c.name)
            }
        })
        .collect();
    if more > 0 {
        failing.push(format!(
            "and {more} more failing check{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    failing
}

/// Decides the evaluation of `checks` over the ledger's compared hours; with too little traffic,
/// first turns failing checks inconclusive and clears the `implicated` events.
pub(super) fn decide(
    checks: &mut [Check],
    implicated: &mut BTreeSet<i64>,
    ledger: &Ledger,
    plan: &Plan,
) -> Decision {
    let (c_sessions, b_sessions) = sessions(ledger);
    let enough = c_sessions >= plan.min_sessions && b_sessions >= plan.min_sessions;
    if !enough {
        withhold_failures(checks, implicated);
        return Decision {
            verdict: Verdict::Inconclusive,
            reason: format!(
                "too little traffic: the candidate had {c_sessions} sessions and the baseline {b_sessions} in the hours both ran (at least {} each)",
                plan.min_sessions
            ),
        };
    }
    let failing = failing_reasons(checks);
    let (verdict, reason) = if !failing.is_empty() {
        (Verdict::Fail, failing.join("; "))
    } else if let Some(open) = checks
        .iter()
        .find(|c| c.headline && c.verdict != CheckVerdict::Pass)
    {
        (
            Verdict::Inconclusive,
            format!("{}: {}", open.name, open.detail),
        )
    } else {
        (
            Verdict::Pass,
            format!(
                "every headline check passed over {} hours ({c_sessions} candidate and {b_sessions} baseline sessions)",
                ledger.hours.len()
            ),
        )
    };
    Decision { verdict, reason }
}
