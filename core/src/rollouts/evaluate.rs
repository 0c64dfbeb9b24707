//! Evaluating a roll-out on the ledger as it stands: the candidate's share of sessions, the stage
//! it reaches, and every check of the plan over the hours in which both versions had sessions.
//! Everything comes from the hourly ledger: sessions and events per version and hour, counts per
//! combination (version × screen × event) and hour, and key statistics per version, event and hour.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use blueprint_types::rollouts::{Check, Evaluation, HourChange, Plan, signed_percent};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::stats::{self, EXPECTED_AT_LEAST, Pair, Verdict};
use crate::entities::{
    app_version, combination, event, event_key, hourly_count, hourly_key, hourly_session, screen,
};
use crate::jobs::hour_text;

const HOUR: i64 = 3_600;
/// The share and the stage are measured over this many latest ingested hours.
pub const SHARE_HOURS: i64 = 24;

/// What is evaluated.
#[derive(Clone, Debug)]
pub(crate) struct Subject {
    pub tenant_id: i64,
    pub candidate: app_version::Model,
    pub baseline: app_version::Model,
    pub plan: Plan,
    /// The tenant mapping's screen-load events.
    pub screen_loads: Vec<String>,
}

/// An evaluation, whether it could compare the versions at all (the baseline still had sessions
/// in the share window), and the events its failing checks are about (their owners are told).
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub evaluation: Evaluation,
    /// The tenant's latest ingested hour (epoch seconds).
    pub latest: Option<i64>,
    pub comparable: bool,
    pub implicated_events: BTreeSet<i64>,
}

/// Something the baseline sent, for a coverage check: how often each version sent it, how often
/// the candidate's traffic would have sent it, and the event it is about (if one).
struct Item {
    label: String,
    event: Option<i64>,
    baseline: f64,
    candidate: f64,
    expected: f64,
}

/// One version's figures in one hour.
#[derive(Clone, Debug, Default)]
struct Figures {
    sessions: f64,
    events: f64,
    screen_loads: f64,
    by_event: HashMap<i64, f64>,
    loads_by_screen: HashMap<i64, f64>,
    events_by_screen: HashMap<i64, f64>,
    by_combination: HashMap<(i64, i64), f64>,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.sessions += other.sessions;
        self.events += other.events;
        self.screen_loads += other.screen_loads;
        for (map, from) in [
            (&mut self.by_event, &other.by_event),
            (&mut self.loads_by_screen, &other.loads_by_screen),
            (&mut self.events_by_screen, &other.events_by_screen),
        ] {
            for (k, v) in from {
                *map.entry(*k).or_default() += v;
            }
        }
        for (k, v) in &other.by_combination {
            *self.by_combination.entry(*k).or_default() += v;
        }
    }
}

/// `−33.2 % (−41.0 % to −24.5 %)`.
fn change_text(check: &Check) -> String {
    match (check.change, check.low, check.high) {
        (Some(c), Some(l), Some(h)) => format!(
            "{} ({} to {})",
            signed_percent(c),
            signed_percent(l),
            signed_percent(h)
        ),
        _ => String::new(),
    }
}

fn pending(share: f64, latest: Option<i64>, reason: String) -> Evaluation {
    Evaluation {
        share,
        stage: None,
        verdict: "pending".into(),
        reason,
        latest_hour: latest.map(hour_text),
        hours_compared: 0,
        candidate_sessions: 0,
        baseline_sessions: 0,
        checks: Vec::new(),
    }
}

/// The highest stage `share` reaches. 100 % is reached from 99 %: at a full 100 the baseline has
/// no sessions left to compare with.
pub(crate) fn stage_of(plan: &Plan, share: f64) -> Option<i32> {
    plan.stages
        .iter()
        .copied()
        .filter(|s| share * 100.0 + 1e-9 >= f64::from(*s).min(99.0))
        .max()
}

pub(crate) async fn evaluate(
    conn: &impl ConnectionTrait,
    subject: &Subject,
) -> Result<Outcome, DbErr> {
    let (c_id, b_id) = (subject.candidate.id, subject.baseline.id);
    let Some(latest) = crate::ingestion::latest_hour(conn, subject.tenant_id).await? else {
        return Ok(Outcome {
            evaluation: pending(0.0, None, "nothing has been ingested yet".into()),
            latest: None,
            comparable: false,
            implicated_events: BTreeSet::new(),
        });
    };
    let window_start = latest - (SHARE_HOURS - 1) * HOUR;
    let from = subject
        .candidate
        .first_seen
        .unwrap_or(window_start)
        .min(window_start);

    // Sessions and events per version and hour.
    let mut figures: BTreeMap<(i64, i64), Figures> = BTreeMap::new();
    for row in hourly_session::Entity::find()
        .filter(hourly_session::Column::TenantId.eq(subject.tenant_id))
        .filter(hourly_session::Column::VersionId.is_in([c_id, b_id]))
        .filter(hourly_session::Column::Hour.between(from, latest))
        .all(conn)
        .await?
    {
        let f = figures.entry((row.hour, row.version_id)).or_default();
        f.sessions = row.sessions as f64;
        f.events = row.events as f64;
    }
    let in_window = |version: i64| -> f64 {
        figures
            .iter()
            .filter(|((h, v), _)| *v == version && *h >= window_start)
            .map(|(_, f)| f.sessions)
            .sum()
    };
    let (c_window, b_window) = (in_window(c_id), in_window(b_id));
    let share = if c_window + b_window > 0.0 {
        c_window / (c_window + b_window)
    } else {
        0.0
    };
    if b_window == 0.0 {
        return Ok(Outcome {
            evaluation: pending(
                share,
                Some(latest),
                format!(
                    "the baseline {} had no sessions in the last {SHARE_HOURS} ingested hours",
                    subject.baseline.version
                ),
            ),
            latest: Some(latest),
            comparable: false,
            implicated_events: BTreeSet::new(),
        });
    }
    let stage = stage_of(&subject.plan, share);
    let Some(stage) = stage else {
        let first = subject.plan.stages.first().copied().unwrap_or(1);
        let mut evaluation = pending(
            share,
            Some(latest),
            format!(
                "the candidate has {} of the sessions; the first stage is {first} %",
                signed_percent(share).trim_start_matches('+')
            ),
        );
        evaluation.candidate_sessions = c_window as i64;
        evaluation.baseline_sessions = b_window as i64;
        return Ok(Outcome {
            evaluation,
            latest: Some(latest),
            comparable: true,
            implicated_events: BTreeSet::new(),
        });
    };

    // The hours in which both ran.
    let hours: Vec<i64> = figures
        .keys()
        .filter(|(_, v)| *v == c_id)
        .map(|(h, _)| *h)
        .filter(|h| {
            figures.get(&(*h, c_id)).is_some_and(|f| f.sessions > 0.0)
                && figures.get(&(*h, b_id)).is_some_and(|f| f.sessions > 0.0)
        })
        .collect();
    let compared: BTreeSet<i64> = hours.iter().copied().collect();

    // Counts per combination.
    let combos: HashMap<i64, combination::Model> = combination::Entity::find()
        .filter(combination::Column::VersionId.is_in([c_id, b_id]))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let event_names: HashMap<i64, String> = event::Entity::find()
        .filter(event::Column::TenantId.eq(subject.tenant_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let screen_names: HashMap<i64, String> = screen::Entity::find()
        .filter(screen::Column::TenantId.eq(subject.tenant_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let loads: BTreeSet<i64> = event_names
        .iter()
        .filter(|(_, name)| subject.screen_loads.contains(name))
        .map(|(id, _)| *id)
        .collect();
    let combo_ids: Vec<i64> = combos.keys().copied().collect();
    for chunk in combo_ids.chunks(500) {
        for row in hourly_count::Entity::find()
            .filter(hourly_count::Column::CombinationId.is_in(chunk.iter().copied()))
            .filter(hourly_count::Column::Hour.between(from, latest))
            .all(conn)
            .await?
        {
            if !compared.contains(&row.hour) {
                continue;
            }
            let Some(combo) = combos.get(&row.combination_id) else {
                continue;
            };
            let f = figures.entry((row.hour, combo.version_id)).or_default();
            let n = row.events as f64;
            if loads.contains(&combo.event_id) {
                f.screen_loads += n;
                *f.loads_by_screen.entry(combo.screen_id).or_default() += n;
            } else {
                *f.by_event.entry(combo.event_id).or_default() += n;
            }
            *f.events_by_screen.entry(combo.screen_id).or_default() += n;
            *f.by_combination
                .entry((combo.event_id, combo.screen_id))
                .or_default() += n;
        }
    }
    let total = |version: i64| -> Figures {
        let mut sum = Figures::default();
        for h in &hours {
            if let Some(f) = figures.get(&(*h, version)) {
                sum.add(f);
            }
        }
        sum
    };
    let (c_total, b_total) = (total(c_id), total(b_id));
    let plan = &subject.plan;
    let mut checks: Vec<Check> = Vec::new();
    let mut implicated: BTreeSet<i64> = BTreeSet::new();

    let pairs_of = |count: &dyn Fn(&Figures) -> f64, base: &dyn Fn(&Figures) -> f64| {
        hours
            .iter()
            .map(|h| {
                let c = &figures[&(*h, c_id)];
                let b = &figures[&(*h, b_id)];
                (
                    *h,
                    Pair {
                        candidate: count(c),
                        candidate_base: base(c),
                        baseline: count(b),
                        baseline_base: base(b),
                    },
                )
            })
            .collect::<Vec<_>>()
    };
    let rate_check = |kind: &str,
                      name: String,
                      headline: bool,
                      pairs: Vec<(i64, Pair)>,
                      candidate: f64,
                      baseline: f64| {
        let only: Vec<Pair> = pairs.iter().map(|(_, p)| *p).collect();
        let interval = stats::standardized_interval(&only);
        let verdict = interval.map_or(Verdict::Inconclusive, |i| stats::judge(&i, plan.tolerance));
        let mut check = Check {
            kind: kind.into(),
            name,
            headline,
            verdict: verdict.as_str().into(),
            candidate: Some(candidate),
            baseline: Some(baseline),
            change: interval.map(|i| i.change),
            low: interval.map(|i| i.low),
            high: interval.map(|i| i.high),
            hours: pairs
                .iter()
                .map(|(h, p)| HourChange {
                    hour: hour_text(*h),
                    change: p.change(),
                    candidate_rate: p.candidate_rate().unwrap_or(0.0),
                    baseline_rate: p.baseline_rate().unwrap_or(0.0),
                    candidate_sessions: figures[&(*h, c_id)].sessions as i64,
                    baseline_sessions: figures[&(*h, b_id)].sessions as i64,
                })
                .collect(),
            missing: Vec::new(),
            detail: String::new(),
        };
        let tolerance = signed_percent(plan.tolerance)
            .trim_start_matches('+')
            .to_owned();
        check.detail = match verdict {
            _ if interval.is_none() => {
                "needs at least two hours in which both versions ran".to_owned()
            }
            Verdict::Pass => format!("{} lies within ±{tolerance}", change_text(&check)),
            Verdict::Fail => format!("{} lies outside ±{tolerance}", change_text(&check)),
            Verdict::Inconclusive => format!(
                "{} straddles ±{tolerance}: more traffic will tell",
                change_text(&check)
            ),
        };
        check
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };

    // Headline rates.
    if b_total.screen_loads >= plan.min_count as f64 {
        checks.push(rate_check(
            "rate",
            "screen loads per session".into(),
            true,
            pairs_of(&|f| f.screen_loads, &|f| f.sessions),
            ratio(c_total.screen_loads, c_total.sessions),
            ratio(b_total.screen_loads, b_total.sessions),
        ));
    }
    checks.push(rate_check(
        "rate",
        "events per session".into(),
        true,
        pairs_of(&|f| f.events, &|f| f.sessions),
        ratio(c_total.events, c_total.sessions),
        ratio(b_total.events, b_total.sessions),
    ));
    // The baseline's top events and screens.
    let top = |map: &HashMap<i64, f64>, names: &HashMap<i64, String>| -> Vec<i64> {
        let mut items: Vec<(i64, f64)> = map
            .iter()
            .filter(|(id, n)| {
                **n >= plan.min_count as f64 && names.get(id).is_some_and(|s| !s.is_empty())
            })
            .map(|(id, n)| (*id, *n))
            .collect();
        items.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        items.into_iter().take(plan.top).map(|(id, _)| id).collect()
    };
    let top_events = top(&b_total.by_event, &event_names);
    let use_loads = b_total.screen_loads > 0.0;
    let screens_map = if use_loads {
        &b_total.loads_by_screen
    } else {
        &b_total.events_by_screen
    };
    let top_screens = top(screens_map, &screen_names);
    let mut rate_event_checks = Vec::new();
    for e in &top_events {
        let name = &event_names[e];
        let get = |f: &Figures| f.by_event.get(e).copied().unwrap_or(0.0);
        let check = rate_check(
            "rate",
            format!("{name} per session"),
            false,
            pairs_of(&get, &|f| f.sessions),
            ratio(get(&c_total), c_total.sessions),
            ratio(get(&b_total), b_total.sessions),
        );
        rate_event_checks.push((*e, check));
    }
    for s in &top_screens {
        let name = &screen_names[s];
        let get = |f: &Figures| {
            let map = if use_loads {
                &f.loads_by_screen
            } else {
                &f.events_by_screen
            };
            map.get(s).copied().unwrap_or(0.0)
        };
        let what = if use_loads { "loads" } else { "events" };
        checks.push(rate_check(
            "rate",
            format!("{name} {what} per session"),
            false,
            pairs_of(&get, &|f| f.sessions),
            ratio(get(&c_total), c_total.sessions),
            ratio(get(&b_total), b_total.sessions),
        ));
    }
    for e in &top_events {
        let name = &event_names[e];
        let get = |f: &Figures| f.by_event.get(e).copied().unwrap_or(0.0);
        // The mix among the other events: screen loads have checks of their own.
        let others = |f: &Figures| f.events - f.screen_loads;
        let check = rate_check(
            "mix",
            format!("{name} share of events"),
            false,
            pairs_of(&get, &others),
            ratio(get(&c_total), others(&c_total)),
            ratio(get(&b_total), others(&b_total)),
        );
        rate_event_checks.push((*e, check));
    }
    for (e, check) in rate_event_checks {
        if check.verdict == "fail" {
            implicated.insert(e);
        }
        checks.push(check);
    }

    // Coverage.
    let scale = ratio(c_total.sessions, b_total.sessions);
    // Each coverage check, and the events its missing items are about (their owners are told).
    let coverage = |name: &str, items: Vec<Item>| -> (Check, Vec<i64>) {
        let mut missing = Vec::new();
        let mut unsure = Vec::new();
        let mut about = Vec::new();
        let mut considered = 0;
        for item in items {
            if item.baseline < plan.min_count as f64 {
                continue;
            }
            considered += 1;
            if item.candidate > 0.0 {
                continue;
            }
            if item.expected >= EXPECTED_AT_LEAST {
                missing.push(format!(
                    "{} (expected about {:.0})",
                    item.label, item.expected
                ));
                about.extend(item.event);
            } else {
                unsure.push(item.label);
            }
        }
        let (verdict, detail) = if !missing.is_empty() {
            (
                Verdict::Fail,
                format!("the candidate never sent {} of them", missing.len()),
            )
        } else if !unsure.is_empty() {
            (
                Verdict::Inconclusive,
                format!(
                    "{} not sent yet, but too little traffic to expect them: {}",
                    unsure.len(),
                    unsure.join(", ")
                ),
            )
        } else {
            (
                Verdict::Pass,
                format!("the candidate sent all {considered} of them"),
            )
        };
        let check = Check {
            kind: "coverage".into(),
            name: name.into(),
            headline: true,
            verdict: verdict.as_str().into(),
            candidate: None,
            baseline: Some(considered as f64),
            change: None,
            low: None,
            high: None,
            hours: Vec::new(),
            missing,
            detail,
        };
        (check, about)
    };
    let mut all_events: BTreeMap<i64, f64> = BTreeMap::new();
    for (combo_key, n) in &b_total.by_combination {
        *all_events.entry(combo_key.0).or_default() += n;
    }
    let mut c_events: BTreeMap<i64, f64> = BTreeMap::new();
    for (combo_key, n) in &c_total.by_combination {
        *c_events.entry(combo_key.0).or_default() += n;
    }
    let event_items: Vec<Item> = all_events
        .iter()
        .map(|(e, n)| Item {
            label: event_names.get(e).cloned().unwrap_or_default(),
            event: Some(*e),
            baseline: *n,
            candidate: c_events.get(e).copied().unwrap_or(0.0),
            expected: n * scale,
        })
        .collect();
    let (check, about) = coverage("events the baseline sends", event_items);
    implicated.extend(about);
    checks.push(check);
    let screen_items: Vec<Item> = b_total
        .events_by_screen
        .iter()
        .filter(|(s, _)| screen_names.get(s).is_some_and(|n| !n.is_empty()))
        .map(|(s, n)| Item {
            label: screen_names[s].clone(),
            event: None,
            baseline: *n,
            candidate: c_total.events_by_screen.get(s).copied().unwrap_or(0.0),
            expected: n * scale,
        })
        .collect();
    checks.push(coverage("screens the baseline sends", screen_items).0);
    let combo_items: Vec<Item> = b_total
        .by_combination
        .iter()
        .filter(|((_, s), _)| screen_names.get(s).is_some_and(|n| !n.is_empty()))
        .map(|((e, s), n)| Item {
            label: format!(
                "{} on {}",
                event_names.get(e).cloned().unwrap_or_default(),
                screen_names[s]
            ),
            event: None,
            baseline: *n,
            candidate: c_total
                .by_combination
                .get(&(*e, *s))
                .copied()
                .unwrap_or(0.0),
            expected: n * scale,
        })
        .collect();
    checks.push(coverage("event × screen combinations", combo_items).0);

    // Keys and their types, per event.
    let hour_list: Vec<i64> = hours.clone();
    let mut key_totals: HashMap<(i64, i64), [f64; 7]> = HashMap::new();
    for chunk in hour_list.chunks(200) {
        for row in hourly_key::Entity::find()
            .filter(hourly_key::Column::TenantId.eq(subject.tenant_id))
            .filter(hourly_key::Column::VersionId.is_in([c_id, b_id]))
            .filter(hourly_key::Column::Hour.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            let t = key_totals.entry((row.version_id, row.key_id)).or_default();
            for (i, n) in [
                row.string_count,
                row.integer_count,
                row.number_count,
                row.boolean_count,
                row.object_count,
                row.array_count,
                row.null_count,
            ]
            .into_iter()
            .enumerate()
            {
                t[i] += n as f64;
            }
        }
    }
    const TYPES: [&str; 7] = [
        "string", "integer", "number", "boolean", "object", "array", "null",
    ];
    let key_ids: BTreeSet<i64> = key_totals.keys().map(|(_, k)| *k).collect();
    let keys: HashMap<i64, event_key::Model> = event_key::Entity::find()
        .filter(event_key::Column::Id.is_in(key_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|k| (k.id, k))
        .collect();
    let mut key_items = Vec::new();
    let mut conflicts = Vec::new();
    let mut conflict_events = BTreeSet::new();
    let mut key_list: Vec<&event_key::Model> = keys.values().collect();
    key_list.sort_by(|a, b| (a.event_id, &a.path).cmp(&(b.event_id, &b.path)));
    for key in key_list {
        let b_types = key_totals.get(&(b_id, key.id)).copied().unwrap_or_default();
        let c_types = key_totals.get(&(c_id, key.id)).copied().unwrap_or_default();
        let b_count: f64 = b_types.iter().sum();
        let c_count: f64 = c_types.iter().sum();
        let name = event_names.get(&key.event_id).cloned().unwrap_or_default();
        let (be, ce) = (
            all_events.get(&key.event_id).copied().unwrap_or(0.0),
            c_events.get(&key.event_id).copied().unwrap_or(0.0),
        );
        if ce > 0.0 {
            key_items.push(Item {
                label: format!("{name}: {}", key.path),
                event: Some(key.event_id),
                baseline: b_count,
                candidate: c_count,
                expected: b_count * ratio(ce, be),
            });
        }
        if b_count >= plan.min_count as f64 && c_count > 0.0 {
            let was: Vec<&str> = (0..6)
                .filter(|i| b_types[*i] > 0.0)
                .map(|i| TYPES[i])
                .collect();
            for i in 0..6 {
                if c_types[i] > 0.0 && b_types[i] == 0.0 {
                    conflicts.push(format!(
                        "{name}: {} is {} ({} times; baseline: {})",
                        key.path,
                        TYPES[i],
                        c_types[i],
                        was.join(", ")
                    ));
                    conflict_events.insert(key.event_id);
                }
            }
        }
    }
    let (key_check, about) = coverage("keys the baseline's events carry", key_items);
    implicated.extend(about);
    checks.push(key_check);
    implicated.extend(conflict_events);
    checks.push(Check {
        kind: "coverage".into(),
        name: "new type conflicts".into(),
        headline: true,
        verdict: if conflicts.is_empty() { "pass" } else { "fail" }.into(),
        candidate: None,
        baseline: None,
        change: None,
        low: None,
        high: None,
        hours: Vec::new(),
        detail: if conflicts.is_empty() {
            "every key keeps the baseline's types".into()
        } else {
            format!(
                "{} key(s) now carry a type the baseline never sent",
                conflicts.len()
            )
        },
        missing: conflicts,
    });

    // Too little traffic decides nothing.
    let (c_sessions, b_sessions) = (c_total.sessions as i64, b_total.sessions as i64);
    let enough = c_sessions >= plan.min_sessions && b_sessions >= plan.min_sessions;
    if !enough {
        for check in &mut checks {
            if check.verdict == "fail" {
                check.verdict = "inconclusive".into();
            }
        }
        implicated.clear();
    }
    // The reason names the failing headline checks first, then counts the rest.
    let mut failed: Vec<&Check> = checks.iter().filter(|c| c.verdict == "fail").collect();
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
    let (verdict, reason) = if !enough {
        (
            "inconclusive",
            format!(
                "too little traffic: the candidate had {c_sessions} sessions and the baseline {b_sessions} in the hours both ran (at least {} each)",
                plan.min_sessions
            ),
        )
    } else if !failing.is_empty() {
        ("fail", failing.join("; "))
    } else if let Some(open) = checks.iter().find(|c| c.headline && c.verdict != "pass") {
        ("inconclusive", format!("{}: {}", open.name, open.detail))
    } else {
        (
            "pass",
            format!(
                "every headline check passed over {} hours ({c_sessions} candidate and {b_sessions} baseline sessions)",
                hours.len()
            ),
        )
    };
    Ok(Outcome {
        evaluation: Evaluation {
            share,
            stage: Some(stage),
            verdict: verdict.into(),
            reason,
            latest_hour: Some(hour_text(latest)),
            hours_compared: hours.len(),
            candidate_sessions: c_sessions,
            baseline_sessions: b_sessions,
            checks,
        },
        latest: Some(latest),
        comparable: true,
        implicated_events: implicated,
    })
}
