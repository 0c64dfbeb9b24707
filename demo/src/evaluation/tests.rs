//! The generator itself: deterministic per seed, the clean variant is the same traffic without
//! the injections, the truth follows the placement rules, and the traffic has its seasonality.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use chrono::{Datelike, TimeZone, Timelike, Utc, Weekday};

use super::inject::needed;
use super::model::{EVENTS, RELEASES, event_mean, tenant_mean};
use super::{EvalOptions, Kind, Traffic, generate};

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("blueprint-eval-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn options(seed: u64, anomalies: bool) -> EvalOptions {
    let first = Utc
        .with_ymd_and_hms(2026, 9, 7, 0, 0, 0)
        .single()
        .expect("date");
    EvalOptions::new(first, seed, anomalies)
}

fn run(name: &str, o: &EvalOptions) -> (Scratch, Traffic) {
    let dir = Scratch::new(name);
    let traffic = generate(&dir.0, "eval", o).expect("generate");
    (dir, traffic)
}

#[test]
fn the_same_seed_writes_the_same_files_and_the_clean_variant_differs_only_where_injected() {
    let o = options(11, true);
    let (a, ta) = run("det-a", &o);
    let (b, tb) = run("det-b", &o);
    assert_eq!(ta, tb);
    assert_eq!(
        crate::tests::files(&a.0.join("eval")),
        crate::tests::files(&b.0.join("eval"))
    );
    let (_c, clean) = run("det-c", &options(11, false));
    assert!(clean.truth.is_empty());
    assert!(clean.hours.iter().all(|h| h.written));
    let mut differing = 0;
    for h in 0..o.hours() {
        let active: Vec<_> = ta.truth.iter().filter(|t| t.contains(h)).collect();
        let got = &ta.hours[h as usize];
        let want = &clean.hours[h as usize];
        if active.iter().any(|t| t.kind == Kind::Outage) {
            assert!(!got.written && got.events.is_empty());
            assert!(
                !a.0.join("eval")
                    .join(o.hour(h).format("dt=%Y-%m-%d/hr=%H").to_string())
                    .exists()
            );
            continue;
        }
        for (key, count) in &want.events {
            let touched = active.iter().any(|t| t.series == Some((key.1, key.0)));
            let got = got.events.get(key).copied().unwrap_or(0);
            if touched {
                differing += 1;
            } else {
                assert_eq!(got, *count, "hour {h} series {key:?}");
            }
        }
    }
    assert!(differing > 0);
    // A different seed is different traffic.
    let (_d, other) = run("det-d", &options(12, true));
    assert_ne!(other.hours, ta.hours);
}

#[test]
fn the_truth_follows_the_placement_rules() {
    for seed in 1..=12 {
        let o = options(seed, true);
        let truth = super::inject::place(&o).expect("placed");
        let news: Vec<_> = truth.iter().filter(|t| t.news).collect();
        let kinds: BTreeSet<Kind> = news.iter().map(|t| t.kind).collect();
        assert_eq!(news.len(), 4, "seed {seed}");
        assert_eq!(kinds.len(), 4, "seed {seed}: one of each kind in the news");
        let history: Vec<_> = truth.iter().filter(|t| !t.news).collect();
        assert_eq!(history.len(), 2, "seed {seed}");
        for t in &truth {
            assert_eq!(t.news, t.first >= o.news_start(), "seed {seed}: {t:?}");
            if !t.news {
                assert!(t.first >= 21 * 24 && t.end <= 28 * 24, "seed {seed}: {t:?}");
            }
            let (from, to) = (o.hour(t.first).hour(), o.hour(t.end - 1).hour());
            assert!(from >= 8 && to < 22 && o.hour(t.first).day() == o.hour(t.end - 1).day());
            let length = t.end - t.first;
            match t.kind {
                Kind::Drop => assert!((2..=4).contains(&length) && (0.3..=0.6).contains(&t.factor)),
                Kind::Spike => {
                    assert!((2..=3).contains(&length) && (2.0..=4.0).contains(&t.factor))
                }
                Kind::Stopped | Kind::Outage => assert!((3..=6).contains(&length)),
            }
            if let Some((e, r)) = t.series {
                for h in t.first..t.end {
                    let mean = event_mean(&o, h, e, r);
                    assert!(
                        mean >= needed(t.kind, t.factor),
                        "seed {seed}: {t:?} at {h}: {mean}"
                    );
                }
            } else {
                assert!((t.first..t.end).all(|h| tenant_mean(&o, h) > 300.0));
            }
        }
        for (i, a) in truth.iter().enumerate() {
            for b in &truth[i + 1..] {
                assert!(a.end <= b.first || b.end <= a.first, "seed {seed}: overlap");
                if a.news == b.news && a.series.is_some() && b.series.is_some() {
                    assert_ne!(a.series.map(|s| s.1), b.series.map(|s| s.1), "seed {seed}");
                }
            }
        }
    }
}

#[test]
fn the_traffic_has_its_seasonality_and_a_modest_volume() {
    let o = options(5, false);
    let (_dir, traffic) = run("season", &o);
    let hours = o.hours();
    let mean_at = |keep: &dyn Fn(u32) -> bool| {
        let picked: Vec<u32> = (0..hours).filter(|h| keep(*h)).collect();
        picked.iter().map(|h| traffic.lines(*h) as f64).sum::<f64>() / picked.len() as f64
    };
    let weekday = |h: u32| !matches!(o.hour(h).weekday(), Weekday::Sat | Weekday::Sun);
    let evening = mean_at(&|h| weekday(h) && o.hour(h).hour() == 19);
    let night = mean_at(&|h| weekday(h) && o.hour(h).hour() == 3);
    assert!(evening > 5.0 * night, "evening {evening}, night {night}");
    let weekdays = mean_at(&|h| weekday(h));
    let weekends = mean_at(&|h| !weekday(h));
    let ratio = weekends / weekdays;
    assert!((0.68..0.82).contains(&ratio), "weekend ratio {ratio}");
    let all = mean_at(&|_| true);
    assert!((600.0..1500.0).contains(&all), "{all} lines an hour");
    // The counts follow the model's means (over the five weeks, within 3 %).
    let drawn: f64 = (0..hours).map(|h| traffic.lines(h) as f64).sum();
    let mean: f64 = (0..hours).map(|h| tenant_mean(&o, h)).sum();
    assert!(
        (drawn / mean - 1.0).abs() < 0.03,
        "drawn {drawn}, mean {mean}"
    );
    // Overdispersed: an event's hourly count varies more than Poisson around its mean.
    let (e, r) = (0, 1);
    let noon: Vec<u32> = (0..hours)
        .filter(|h| weekday(*h) && o.hour(*h).hour() == 12 && *h < 20 * 24)
        .collect();
    let ratios: Vec<f64> = noon
        .iter()
        .map(|h| {
            let got = traffic.hours[*h as usize].events[&(r, e)] as f64;
            let want = event_mean(&o, *h, e, r);
            (got - want).powi(2) / want
        })
        .collect();
    let dispersion = ratios.iter().sum::<f64>() / ratios.len() as f64;
    assert!(dispersion > 1.5, "dispersion {dispersion}");
    // The roll-outs: Android 4.9 grows through the history; iOS 5.0 appears with the news.
    let sessions = |h: u32, r: usize| traffic.hours[h as usize].sessions[r];
    assert_eq!(
        (0..o.news_start() + 6).map(|h| sessions(h, 2)).sum::<u64>(),
        0
    );
    assert!(sessions(hours - 5, 2) > 0);
    assert_eq!((0..8 * 24).map(|h| sessions(h, 4)).sum::<u64>(), 0);
    assert!(sessions(20 * 24 + 12, 4) > 3 * sessions(20 * 24 + 12, 3));
    // Low-volume events: below one an hour on average.
    let low = EVENTS
        .iter()
        .position(|e| e.name == "wishlistShared")
        .unwrap_or(0);
    let total: u64 = (0..hours).map(|h| traffic.event_total(h, low)).sum();
    assert!(total > 0 && (total as f64) < f64::from(hours), "{total}");
    assert_eq!(RELEASES.len(), traffic.hours[0].sessions.len());
}

#[test]
fn every_line_is_a_segment_event_the_counts_name() {
    let o = options(3, true);
    let (dir, traffic) = run("lines", &o);
    let t = traffic
        .truth
        .iter()
        .find(|t| t.kind == Kind::Drop)
        .expect("a drop");
    for h in [0, 13, 200, t.first, o.hours() - 1] {
        let folder = dir
            .0
            .join("eval")
            .join(o.hour(h).format("dt=%Y-%m-%d/hr=%H").to_string());
        let mut got: std::collections::BTreeMap<(String, String, String, String), u64> =
            Default::default();
        let mut sessions: BTreeSet<(String, String)> = BTreeSet::new();
        for entry in fs::read_dir(&folder).expect("hour folder") {
            let text = crate::tests::recount::read_text(&entry.expect("file").path());
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
                let event = v["event"].as_str().or(v["type"].as_str()).expect("named");
                let app = &v["context"]["app"];
                let text = |x: &serde_json::Value| x.as_str().expect("text").to_string();
                let key = (
                    event.to_string(),
                    text(&app["name"]),
                    text(&app["version"]),
                    text(&v["context"]["os"]["name"]),
                );
                sessions.insert((key.2.clone() + &key.3, text(&v["context"]["sessionId"])));
                assert!(v["timestamp"].as_str().is_some_and(|s| s.ends_with('Z')));
                *got.entry(key).or_default() += 1;
            }
        }
        let want: std::collections::BTreeMap<_, _> = traffic.hours[h as usize]
            .events
            .iter()
            .map(|((r, e), n)| {
                let rel = RELEASES[*r];
                let name = if *e == 0 { "screen" } else { EVENTS[*e].name };
                let key = (
                    name.to_string(),
                    rel.application.into(),
                    rel.version.into(),
                    rel.platform.into(),
                );
                (key, *n)
            })
            .collect();
        assert_eq!(got, want, "hour {h}");
        let held: u64 = traffic.hours[h as usize].sessions.iter().sum();
        assert_eq!(sessions.len() as u64, held, "hour {h}");
        assert!(want.len() >= 20, "hour {h}: {} series", want.len());
    }
}
