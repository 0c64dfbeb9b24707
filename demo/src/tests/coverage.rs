//! The generated data exercises every rule it is meant to: all key types, shared names with
//! different types, versions coming and going, numeric versions and sessions, noise.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;

use super::recount::{Node, first, get, parse, read_text};
use super::{Scratch, files, hour_text, options};
use crate::generate;

#[test]
fn the_data_exercises_every_rule() {
    let dir = Scratch::new("rules");
    let o = options(5);
    let expected = generate(&dir.0, &o).expect("generate");
    let mut types = BTreeSet::new();
    for t in expected.tenants.values() {
        for e in t.events.values() {
            for k in e.keys.values() {
                types.extend(k.types.keys().cloned());
            }
        }
        let sum = |f: fn(&crate::HourStats) -> u64| t.hours.values().map(f).sum::<u64>();
        assert!(sum(|h| h.rejected) > 0 && sum(|h| h.skewed) > 0 && sum(|h| h.untimed) > 0);
        assert!(t.screens.contains_key("(none)"));
        assert!(t.counts.values().any(|v| v.sessions > 1));
        assert!(t.events.len() >= 40, "{} events", t.events.len());
    }
    let all: BTreeSet<&str> = [
        "string", "integer", "number", "boolean", "object", "array", "null",
    ]
    .into();
    assert_eq!(
        types.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        all
    );
    let names: BTreeSet<&String> = expected
        .tenants
        .values()
        .flat_map(|t| t.events.keys())
        .collect();
    assert!(names.len() >= 90, "{} distinct event names", names.len());

    // Shared event names, different key types.
    let sku = |t: &str| {
        expected.tenants[t].events["addToCart"].keys["sku"]
            .types
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(sku("shopwave"), ["string"]);
    assert_eq!(sku("travelnest"), ["integer"]);
    let shop = &expected.tenants["shopwave"];
    assert!(shop.events["addToCart"].keys.contains_key("items[].sku"));
    assert!(shop.events["addToCart"].keys.contains_key("filters.brand"));
    assert!(
        expected.tenants["travelnest"].events["bookingCompleted"]
            .keys
            .contains_key("rooms[].guests[].age")
    );

    // Versions come and go; numeric versions keep their text.
    let app = |name: &str, platform: &str, version: &str| {
        shop.applications[&(name.to_string(), platform.to_string(), version.to_string())].clone()
    };
    let (first_hour, last) = (
        hour_text(o.first_hour),
        hour_text(o.first_hour + Duration::hours(47)),
    );
    assert!(app("Shopwave", "Android", "3.10").first > first_hour);
    assert!(app("Shopwave", "Android", "3.8").last < last);
    assert_eq!(app("Shopwave", "Android", "3.9").first, first_hour);
    assert!(
        shop.applications
            .contains_key(&("Shopwave Web".into(), "Web".into(), "1042".into()))
    );

    // Read back: numeric versions, one session written as number and string, blank lines.
    let (mut numeric_version, mut blank) = (false, 0);
    let mut session_forms: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for rel in files(&dir.0).keys() {
        for line in read_text(&dir.0.join(rel)).lines() {
            if line.trim().is_empty() {
                blank += 1;
                continue;
            }
            let Some(root) = parse(line) else { continue };
            if let Some(Node::Num(t)) = get(&root, "context.app.version") {
                numeric_version |= t == "3.10";
            }
            match get(&root, "context.sessionId") {
                Some(Node::Num(t)) => session_forms.entry(t.clone()).or_default().0 = true,
                Some(Node::Str(s)) => session_forms.entry(s.clone()).or_default().1 = true,
                _ => {}
            }
            assert!(first(&root, &["event", "type"]).is_none_or(|e| !e.is_empty()));
        }
    }
    assert!(numeric_version, "a version written as the JSON number 3.10");
    assert!(
        session_forms.values().any(|(n, s)| *n && *s),
        "a session written as 12 and \"12\""
    );
    assert!(blank > 0);
}

/// The browser tests read a 48-hour demo (150 lines per tenant-hour) ending with whatever hour they
/// run in, and expect the matrix to mark Shopwave Android 3.9 and 3.10 as having stopped sending
/// `legacyPromoViewed` (sent by 3.8 only). The matrix marks a column only when, at 3.8's rate, at
/// least `MIN_EXPECTED` (3) lines were expected there; this asks for at least 10 at every hour of
/// the day, over three times that, or the specs would fail at some hours and not others.
#[test]
fn the_old_only_event_is_missed_by_later_versions_whatever_the_hour() {
    for end in 0..24 {
        let dir = Scratch::new(&format!("legacy-{end}"));
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 26, end, 30, 0)
            .single()
            .expect("valid date");
        let mut o = crate::DemoOptions::demo(now);
        o.first_hour += Duration::hours(i64::from(o.hours) - 48);
        o.hours = 48;
        o.events_per_hour = 150;
        let expected = generate(&dir.0, &o).expect("generate");
        let mut all: BTreeMap<&str, u64> = BTreeMap::new();
        let mut legacy: BTreeMap<&str, u64> = BTreeMap::new();
        for (k, v) in &expected.tenants["shopwave"].counts {
            if k.application == "Shopwave" && k.platform == "Android" {
                *all.entry(k.version.as_str()).or_default() += v.events;
                if k.event == "legacyPromoViewed" {
                    *legacy.entry(k.version.as_str()).or_default() += v.events;
                }
            }
        }
        assert_eq!(
            legacy.keys().copied().collect::<Vec<_>>(),
            ["3.8"],
            "ending {end}:00"
        );
        let share = legacy["3.8"] as f64 / all["3.8"] as f64;
        for later in ["3.9", "3.10"] {
            let expected_there = share * all[later] as f64;
            assert!(
                expected_there >= 10.0,
                "ending {end}:00: {expected_there:.1} expected from {later}"
            );
        }
    }
}
