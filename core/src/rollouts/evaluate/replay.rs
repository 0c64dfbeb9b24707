//! Replays of whole roll-outs over 50 fixed seeds, through the shipped judgement (`judge`, with
//! `stage_of` and the share window as `evaluate` uses them) after every hour, on counts drawn
//! from the demo generator's own session model (`blueprint_demo::rollouts::draw_session`) with
//! Poisson sessions per hour. A healthy candidate (the generator's `Shop` iOS 3.2, which behaves
//! exactly like 3.1) may fail at some stage in at most 5 % of the seeds; one that loses a third
//! of its screen loads (`Shop` Android 3.2) must fail in at least 95 %. The key checks read key
//! counts from the database and are left out; every rate and coverage check is in. Run with
//! `--nocapture` to see the measured rates.

use std::collections::{BTreeSet, HashMap};

use blueprint_demo::rollouts::{APPS, App, Rng, SCREENS, Sent, draw_session};
use blueprint_types::rollouts::{CheckVerdict, Plan, Verdict};

use super::figures::{ByHour, Figures, Ledger, Versions, compared_hours};
use super::share::{HOUR, Share, window_start};
use super::{judge, stage_of};

const SEEDS: u64 = 50;
const VERSIONS: Versions = Versions {
    tenant: 1,
    candidate: 2,
    baseline: 1,
};
/// The screen-load event's id; tracked events are 1 to 4; `share` is on screen 0 (no name).
const LOAD: i64 = 10;

fn event_id(name: &str) -> i64 {
    match name {
        "addToCart" => 1,
        "view_item" => 2,
        "search" => 3,
        _ => 4,
    }
}

fn screen_id(name: &str) -> i64 {
    1 + SCREENS.iter().position(|s| *s == name).unwrap() as i64
}

/// One version's counts in one hour, by (event, screen): events 1 to 4 and [`LOAD`], screens 0
/// to 4.
#[derive(Default)]
struct Tally {
    sessions: f64,
    counts: HashMap<(i64, i64), f64>,
}

impl Tally {
    fn add(&mut self, sent: &[Sent]) {
        self.sessions += 1.0;
        for s in sent {
            let key = match s {
                Sent::Load(screen) => (LOAD, screen_id(screen)),
                Sent::Track { event, screen, .. } => (event_id(event), screen_id(screen)),
                Sent::Share => (4, 0),
            };
            *self.counts.entry(key).or_default() += 1.0;
        }
    }

    /// The hour's figures as the ledger counts them.
    fn figures(&self) -> Figures {
        let mut f = Figures {
            sessions: self.sessions,
            ..Figures::default()
        };
        for (&(event, screen), &n) in &self.counts {
            f.events += n;
            if event == LOAD {
                f.screen_loads += n;
                *f.loads_by_screen.entry(screen).or_default() += n;
            } else {
                *f.by_event.entry(event).or_default() += n;
            }
            *f.events_by_screen.entry(screen).or_default() += n;
            *f.by_combination.entry((event, screen)).or_default() += n;
        }
        f
    }
}

/// A roll-out's traffic: hours, and each version's mean sessions in an hour.
struct Scenario {
    name: &'static str,
    hours: i64,
    sessions: fn(i64) -> (f64, f64),
}

const SCENARIOS: [Scenario; 3] = [
    Scenario {
        name: "about 300 sessions each over 24 hours (half the traffic each)",
        hours: 24,
        sessions: |_| (12.5, 12.5),
    },
    Scenario {
        name: "the fixture's sizes (baseline 300 an hour, candidate 20 then 100, 12 hours)",
        hours: 12,
        sessions: |h| (if h < 6 { 20.0 } else { 100.0 }, 300.0),
    },
    Scenario {
        name: "1,000 sessions an hour at 1, 5, 20 and 50 % for 12 hours each",
        hours: 48,
        sessions: |h| {
            let share = [0.01, 0.05, 0.20, 0.50][(h / 12) as usize];
            (1000.0 * share, 1000.0 * (1.0 - share))
        },
    },
];

/// What one replay ended with: the stages that ever failed (and the first failure's reason), and
/// the last verdict.
struct Replay {
    failed: BTreeSet<i32>,
    first_failure: Option<String>,
    last: Verdict,
    reason: String,
}

fn replay(scenario: &Scenario, candidate_app: &App, seed: u64, plan: &Plan) -> Replay {
    let baseline_app = &APPS[1];
    let mut rng = Rng::new(0x5EED_0000_0000_0000 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let event_names: HashMap<i64, String> = [
        (1, "addToCart"),
        (2, "view_item"),
        (3, "search"),
        (4, "share"),
        (LOAD, "screen"),
    ]
    .into_iter()
    .map(|(id, n)| (id, n.to_owned()))
    .collect();
    let mut screen_names: HashMap<i64, String> = SCREENS
        .iter()
        .map(|s| (screen_id(s), (*s).to_owned()))
        .collect();
    screen_names.insert(0, String::new());
    let mut figures = ByHour::new();
    let mut out = Replay {
        failed: BTreeSet::new(),
        first_failure: None,
        last: Verdict::Pending,
        reason: String::new(),
    };
    for hour in 0..scenario.hours {
        let at = hour * HOUR;
        let (c_mean, b_mean) = (scenario.sessions)(hour);
        for (version, app, mean, candidate) in [
            (VERSIONS.candidate, candidate_app, c_mean, true),
            (VERSIONS.baseline, baseline_app, b_mean, false),
        ] {
            let mut tally = Tally::default();
            for _ in 0..rng.poisson(mean) {
                tally.add(&draw_session(&mut rng, app, candidate));
            }
            figures.insert((at, version), tally.figures());
        }
        // As `evaluate` does after every ingested hour.
        let share = Share::of(&figures, &VERSIONS, window_start(at));
        let Some(stage) = stage_of(plan, share.share).filter(|_| share.baseline > 0.0) else {
            continue;
        };
        let hours = compared_hours(&figures, &VERSIONS);
        let ledger = Ledger::assemble(
            VERSIONS,
            figures.clone(),
            hours,
            event_names.clone(),
            screen_names.clone(),
        );
        let judged = judge(&ledger, plan, (Vec::new(), BTreeSet::new()));
        for c in judged.checks.iter().filter(|c| c.change.is_some()) {
            // Every interval agrees with its verdict at the level it shows.
            let (low, high, t) = (c.low.unwrap(), c.high.unwrap(), plan.tolerance);
            let outside = high < -t || low > t;
            let inside = low >= -t && high <= t;
            let withheld = judged.decision.reason.starts_with("too little traffic");
            assert_eq!(
                c.verdict == CheckVerdict::Fail,
                outside && !withheld,
                "{c:?}"
            );
            assert_eq!(c.verdict == CheckVerdict::Pass, inside, "{c:?}");
            assert!(c.level.unwrap() >= 0.95, "{c:?}");
        }
        if judged.decision.verdict == Verdict::Fail && out.failed.insert(stage) {
            out.first_failure
                .get_or_insert(judged.decision.reason.clone());
        }
        out.last = judged.decision.verdict;
        out.reason = judged.decision.reason;
    }
    out
}

#[test]
fn healthy_releases_rarely_fail_and_a_third_fewer_screen_loads_nearly_always_does() {
    let plan = Plan::default();
    let (healthy, broken) = (&APPS[1], &APPS[0]);
    assert_eq!(
        (healthy.loads_kept_thirds, broken.loads_kept_thirds),
        (3, 2)
    );
    for scenario in &SCENARIOS {
        let mut false_fails = 0;
        let mut passed = 0;
        let mut first_false = None;
        let mut caught = 0;
        let mut missed = Vec::new();
        for seed in 0..SEEDS {
            let run = replay(scenario, healthy, seed, &plan);
            if !run.failed.is_empty() {
                false_fails += 1;
                first_false.get_or_insert((seed, run.failed.clone(), run.first_failure.clone()));
            }
            passed += usize::from(run.last == Verdict::Pass);
            let run = replay(scenario, broken, seed, &plan);
            if run.failed.is_empty() {
                missed.push((seed, run.last, run.reason));
            } else {
                caught += 1;
            }
        }
        let pct = |n: usize| 100.0 * n as f64 / SEEDS as f64;
        println!(
            "{}:\n  healthy: failed at some stage in {false_fails} of {SEEDS} seeds ({:.0} %), passed at the end in {passed} ({:.0} %)\n  a third fewer screen loads: failed in {caught} of {SEEDS} seeds ({:.0} %)",
            scenario.name,
            pct(false_fails),
            pct(passed),
            pct(caught)
        );
        if let Some((seed, stages, reason)) = &first_false {
            println!(
                "  first false fail: seed {seed}, stages {stages:?}: {}",
                reason.as_deref().unwrap_or_default()
            );
        }
        for (seed, last, reason) in missed.iter().take(2) {
            println!("  missed: seed {seed}, last {last}: {reason}");
        }
        assert!(
            pct(false_fails) <= 5.0,
            "{}: healthy releases failed in {false_fails} of {SEEDS}",
            scenario.name
        );
        assert!(
            pct(caught) >= 95.0,
            "{}: the regression failed in only {caught} of {SEEDS}",
            scenario.name
        );
    }
}
