//! The coverage checks: does the candidate send every event, screen and event × screen
//! combination the baseline sends, as often as its traffic lets one expect?

use std::collections::BTreeSet;

use blueprint_types::rollouts::{Check, CheckKind, CheckVerdict, Plan};
use blueprint_types::words::quoted;

use super::figures::{Ledger, ratio};
use crate::rollouts::stats::EXPECTED_AT_LEAST;

/// Something the baseline sent, for a coverage check: how often each version sent it, how often
/// the candidate's traffic would have sent it, and the event it is about (if one).
pub(super) struct Item {
    pub label: String,
    pub event: Option<i64>,
    pub baseline: f64,
    pub candidate: f64,
    pub expected: f64,
}

/// The items a coverage check considered, sorted by what the candidate did with them.
#[derive(Default)]
struct Tally {
    considered: usize,
    /// Never sent although expected often enough, with what was expected.
    missing: Vec<String>,
    /// Not sent yet, but too little traffic to expect them.
    unsure: Vec<String>,
    /// The events the missing items are about.
    about: Vec<i64>,
}

fn tally(items: Vec<Item>, plan: &Plan) -> Tally {
    let mut tally = Tally::default();
    for item in items {
        if item.baseline < plan.min_count as f64 {
            continue;
        }
        tally.considered += 1;
        if item.candidate > 0.0 {
            continue;
        }
        if item.expected >= EXPECTED_AT_LEAST {
            tally.missing.push(format!(
                "{} (expected about {:.0})",
                item.label, item.expected
            ));
            tally.about.extend(item.event);
        } else {
            tally.unsure.push(item.label);
        }
    }
    tally
}

/// A coverage check of `items`, and the events its missing items are about (their owners are
/// told).
pub(super) fn coverage_check(name: &str, items: Vec<Item>, plan: &Plan) -> (Check, Vec<i64>) {
    let tally = tally(items, plan);
    let (verdict, detail) = if !tally.missing.is_empty() {
        (
            CheckVerdict::Fail,
            format!("the candidate never sent {} of them", tally.missing.len()),
        )
    } else if !tally.unsure.is_empty() {
        (
            CheckVerdict::Inconclusive,
            format!(
                "{} not sent yet, but too little traffic to expect them: {}",
                tally.unsure.len(),
                tally.unsure.join(", ")
            ),
        )
    } else {
        (
            CheckVerdict::Pass,
            format!("the candidate sent all {} of them", tally.considered),
        )
    };
    let check = Check {
        kind: CheckKind::Coverage,
        name: name.into(),
        headline: true,
        verdict,
        candidate: None,
        baseline: Some(tally.considered as f64),
        change: None,
        low: None,
        high: None,
        level: None,
        hours: Vec::new(),
        missing: tally.missing,
        detail,
    };
    (check, tally.about)
}

/// The candidate's sessions per baseline session: what scales the baseline's counts to expected.
fn scale(ledger: &Ledger) -> f64 {
    ratio(ledger.candidate.sessions, ledger.baseline.sessions)
}

fn event_items(ledger: &Ledger) -> Vec<Item> {
    let scale = scale(ledger);
    ledger
        .baseline_events
        .iter()
        .map(|(e, n)| Item {
            label: quoted(&ledger.event_names.get(e).cloned().unwrap_or_default()),
            event: Some(*e),
            baseline: *n,
            candidate: ledger.candidate_events.get(e).copied().unwrap_or(0.0),
            expected: n * scale,
        })
        .collect()
}

fn screen_items(ledger: &Ledger) -> Vec<Item> {
    let scale = scale(ledger);
    let names = &ledger.screen_names;
    ledger
        .baseline
        .events_by_screen
        .iter()
        .filter(|(s, _)| names.get(s).is_some_and(|n| !n.is_empty()))
        .map(|(s, n)| Item {
            label: quoted(&names[s]),
            event: None,
            baseline: *n,
            candidate: (ledger.candidate.events_by_screen.get(s).copied()).unwrap_or(0.0),
            expected: n * scale,
        })
        .collect()
}

fn combination_items(ledger: &Ledger) -> Vec<Item> {
    let scale = scale(ledger);
    let names = &ledger.screen_names;
    ledger
        .baseline
        .by_combination
        .iter()
        .filter(|((_, s), _)| names.get(s).is_some_and(|n| !n.is_empty()))
        .map(|((e, s), n)| Item {
            label: format!(
                "{} on {}",
                quoted(&ledger.event_names.get(e).cloned().unwrap_or_default()),
                quoted(&names[s])
            ),
            event: None,
            baseline: *n,
            candidate: (ledger.candidate.by_combination.get(&(*e, *s)).copied()).unwrap_or(0.0),
            expected: n * scale,
        })
        .collect()
}

/// The coverage of events, screens and combinations, and the events the candidate never sent.
pub(super) fn coverage_checks(ledger: &Ledger, plan: &Plan) -> (Vec<Check>, BTreeSet<i64>) {
    let (events, about) = coverage_check("events the baseline sends", event_items(ledger), plan);
    let (screens, _) = coverage_check("screens the baseline sends", screen_items(ledger), plan);
    let (combinations, _) = coverage_check(
        "event × screen combinations",
        combination_items(ledger),
        plan,
    );
    (
        vec![events, screens, combinations],
        about.into_iter().collect(),
    )
}
