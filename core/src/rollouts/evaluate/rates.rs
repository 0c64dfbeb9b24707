//! The rate checks, hour by hour: screen loads and events per session (the headline rates), the
//! baseline's top screens and events per session, and the top events' share of events (mix).

use std::collections::{BTreeSet, HashMap};

use blueprint_types::rollouts::{
    Check, CheckKind, CheckVerdict, HourChange, Plan, level_percent, signed_percent,
};

use super::family::{self, Rated};
use super::figures::{Figures, Ledger, ratio};
use crate::rollouts::stats::{self, Pair};
use crate::time::hour_text;

/// `−33.2 % (−41.0 % to −24.5 %, 98.75 % interval)`.
pub(super) fn change_text(check: &Check) -> String {
    match (check.change, check.low, check.high) {
        (Some(c), Some(l), Some(h)) => format!(
            "{} ({} to {}, {} interval)",
            signed_percent(c),
            signed_percent(l),
            signed_percent(h),
            level_percent(check.level)
        ),
        _ => String::new(),
    }
}

/// A figure of each version's hour.
type Count<'a> = &'a dyn Fn(&Figures) -> f64;

/// What a rate check divides by what.
struct Rate<'a> {
    kind: CheckKind,
    name: String,
    headline: bool,
    count: Count<'a>,
    base: Count<'a>,
}

fn sessions(f: &Figures) -> f64 {
    f.sessions
}

/// Each compared hour's counts and bases of both versions.
fn pairs_of(ledger: &Ledger, rate: &Rate<'_>) -> Vec<(i64, Pair)> {
    ledger
        .hours
        .iter()
        .map(|h| {
            let (c, b) = ledger.in_hour(*h);
            let pair = Pair {
                candidate: (rate.count)(c),
                candidate_base: (rate.base)(c),
                baseline: (rate.count)(b),
                baseline_base: (rate.base)(b),
            };
            (*h, pair)
        })
        .collect()
}

fn hour_changes(ledger: &Ledger, pairs: &[(i64, Pair)]) -> Vec<HourChange> {
    pairs
        .iter()
        .map(|(h, p)| {
            let (c, b) = ledger.in_hour(*h);
            HourChange {
                hour: hour_text(*h),
                change: p.change(),
                candidate_rate: p.candidate_rate().unwrap_or(0.0),
                baseline_rate: p.baseline_rate().unwrap_or(0.0),
                candidate_sessions: c.sessions as i64,
                baseline_sessions: b.sessions as i64,
            }
        })
        .collect()
}

/// Why a rate check has its verdict, against ±`tolerance`.
fn rate_detail(check: &Check, tolerance: f64) -> String {
    let tolerance = signed_percent(tolerance).trim_start_matches('+').to_owned();
    match check.verdict {
        _ if check.change.is_none() => {
            "needs at least two hours in which both versions ran".to_owned()
        }
        CheckVerdict::Pass => format!("{} lies within ±{tolerance}", change_text(check)),
        CheckVerdict::Fail => format!("{} lies outside ±{tolerance}", change_text(check)),
        CheckVerdict::Inconclusive => format!(
            "{} straddles ±{tolerance}: more traffic will tell",
            change_text(check)
        ),
    }
}

/// One rate check: the hour-matched change of the candidate's rate, judged later with the
/// stage's other rate checks (`family`).
fn rate_check(ledger: &Ledger, rate: Rate<'_>, event: Option<i64>) -> Rated {
    let pairs = pairs_of(ledger, &rate);
    let only: Vec<Pair> = pairs.iter().map(|(_, p)| *p).collect();
    let value = |f: &Figures| ratio((rate.count)(f), (rate.base)(f));
    let check = Check {
        kind: rate.kind,
        name: rate.name,
        headline: rate.headline,
        verdict: CheckVerdict::Inconclusive,
        candidate: Some(value(&ledger.candidate)),
        baseline: Some(value(&ledger.baseline)),
        change: None,
        low: None,
        high: None,
        level: None,
        hours: hour_changes(ledger, &pairs),
        missing: Vec::new(),
        detail: String::new(),
    };
    Rated {
        check,
        estimate: stats::estimate(&only),
        event,
    }
}

/// The baseline's `plan.top` items of `map` it sent at least `plan.min_count` times, busiest
/// first (ties: lower id), leaving out those without a name.
fn top(map: &HashMap<i64, f64>, names: &HashMap<i64, String>, plan: &Plan) -> Vec<i64> {
    let mut items: Vec<(i64, f64)> = map
        .iter()
        .filter(|(id, n)| {
            **n >= plan.min_count as f64 && names.get(id).is_some_and(|s| !s.is_empty())
        })
        .map(|(id, n)| (*id, *n))
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    items.into_iter().take(plan.top).map(|(id, _)| id).collect()
}

/// The headline rates: screen loads per session (when the baseline loads enough screens) and
/// events per session.
fn headline_checks(ledger: &Ledger, plan: &Plan) -> Vec<Rated> {
    let mut checks = Vec::new();
    if ledger.baseline.screen_loads >= plan.min_count as f64 {
        let rate = Rate {
            kind: CheckKind::Rate,
            name: "screen loads per session".into(),
            headline: true,
            count: &|f| f.screen_loads,
            base: &sessions,
        };
        checks.push(rate_check(ledger, rate, None));
    }
    let rate = Rate {
        kind: CheckKind::Rate,
        name: "events per session".into(),
        headline: true,
        count: &|f| f.events,
        base: &sessions,
    };
    checks.push(rate_check(ledger, rate, None));
    checks
}

/// The baseline's top screens per session: their loads, or their events when the tenant has no
/// screen loads.
fn screen_checks(ledger: &Ledger, plan: &Plan) -> Vec<Rated> {
    let use_loads = ledger.baseline.screen_loads > 0.0;
    let screens = if use_loads {
        &ledger.baseline.loads_by_screen
    } else {
        &ledger.baseline.events_by_screen
    };
    let what = if use_loads { "loads" } else { "events" };
    top(screens, &ledger.screen_names, plan)
        .into_iter()
        .map(|s| {
            let get = |f: &Figures| {
                let map = if use_loads {
                    &f.loads_by_screen
                } else {
                    &f.events_by_screen
                };
                map.get(&s).copied().unwrap_or(0.0)
            };
            let rate = Rate {
                kind: CheckKind::Rate,
                name: format!("{} {what} per session", ledger.screen_names[&s]),
                headline: false,
                count: &get,
                base: &sessions,
            };
            rate_check(ledger, rate, None)
        })
        .collect()
}

/// The baseline's top events, each per session and then each as a share of the events that are
/// not screen loads (which have checks of their own).
fn event_checks(ledger: &Ledger, plan: &Plan) -> Vec<Rated> {
    let top_events = top(&ledger.baseline.by_event, &ledger.event_names, plan);
    let others = |f: &Figures| f.events - f.screen_loads;
    let mut checks = Vec::new();
    for (kind, label, base) in [
        (CheckKind::Rate, "per session", &sessions as Count<'_>),
        (CheckKind::Mix, "share of events", &others),
    ] {
        for e in &top_events {
            let get = |f: &Figures| f.by_event.get(e).copied().unwrap_or(0.0);
            let rate = Rate {
                kind,
                name: format!("{} {label}", ledger.event_names[e]),
                headline: false,
                count: &get,
                base,
            };
            checks.push(rate_check(ledger, rate, Some(*e)));
        }
    }
    checks
}

/// Every rate check, judged together as the stage's families (`family`), and the events of
/// the failing ones (their owners are told).
pub(super) fn rate_checks(ledger: &Ledger, plan: &Plan) -> (Vec<Check>, BTreeSet<i64>) {
    let mut rated = headline_checks(ledger, plan);
    rated.extend(screen_checks(ledger, plan));
    rated.extend(event_checks(ledger, plan));
    family::judge_stage(&mut rated, plan.tolerance);
    let mut implicated = BTreeSet::new();
    let mut checks = Vec::with_capacity(rated.len());
    for Rated {
        mut check, event, ..
    } in rated
    {
        if check.verdict == CheckVerdict::Fail {
            implicated.extend(event);
        }
        check.detail = rate_detail(&check, plan.tolerance);
        checks.push(check);
    }
    (checks, implicated)
}
