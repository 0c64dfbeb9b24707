//! News grouped before it is told (DESIGN.md, "Ledger semantics"): a new event's combinations,
//! keys and key types are part of its one notice; the new combinations, keys and key types of an
//! event already known are grouped per event and kind (a new key's types are part of the key's
//! notice), except the combinations of an event first seen less than a day before, which its own
//! notice told; applications, versions and screens are told one by one. Notices come in a fixed
//! order — applications, versions, new events, screens, then what is new in known events — so
//! the bound per reader keeps the most telling ones.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use blueprint_types::notify::NewsKind;

use super::discoveries::{Found, Subjects};
use super::paths::catalog_link;
use super::recipients::recipients;
use crate::entities::{event, watch};
use crate::time::hour_text;

/// Hours after its first sighting during which an event's new combinations are part of its
/// notice, not news of their own.
pub(crate) const YOUNG_HOURS: i64 = 24;

/// Names listed in a grouped title before the rest is counted.
const NAMES_LISTED: usize = 5;

/// One notice: what it says, where it points, the hour of what it tells and who hears it.
pub(super) struct Notice {
    pub kind: NewsKind,
    /// The other kinds it tells of.
    pub also: Vec<NewsKind>,
    pub title: String,
    pub link: String,
    /// The earliest first-seen hour of what it tells.
    pub hour: i64,
    /// `discovery:{id}` of its first discovery (the event's, for a new event).
    pub dedupe: String,
    pub to: BTreeSet<i64>,
    /// What a grouped notice groups, a JSON array; none for news of one thing.
    pub items: Option<String>,
}

/// What a notice is about; the order of the variants is the order notices are told in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bucket {
    Application(i64),
    Version(i64),
    NewEvent(i64),
    Screen(i64),
    Keys(i64),
    KeyTypes(i64),
    Combinations(i64),
    /// A discovery whose event cannot be found: told by itself.
    Alone(i64),
}

/// The notices of a run's discoveries, in the order they are told; `told_events` are the events
/// whose own discovery was news.
pub(super) fn notices(
    found: &[Found],
    subjects: &Subjects,
    told_events: &BTreeSet<i64>,
    slug: &str,
    watches: &[watch::Model],
    readers: &HashMap<String, i64>,
) -> Vec<Notice> {
    let new_events: BTreeSet<i64> = found
        .iter()
        .filter(|d| d.kind == NewsKind::Event)
        .map(|d| d.row.subject_id)
        .collect();
    let new_keys: BTreeSet<i64> = found
        .iter()
        .filter(|d| d.kind == NewsKind::Key)
        .map(|d| d.row.subject_id)
        .collect();
    let mut buckets: BTreeMap<Bucket, Vec<&Found>> = BTreeMap::new();
    for d in found {
        let on = subjects.of(d);
        let told_young = |e: &event::Model| told_events.contains(&e.id) && young(e, d.row.hour);
        if d.kind == NewsKind::Combination && on.event.is_some_and(told_young) {
            // Its event's notice told it already: the combinations a young event adds as it
            // spreads (screens, versions) are part of it.
            continue;
        }
        let event = on.event.map(|e| e.id);
        let s = d.row.subject_id;
        let bucket = match (d.kind, event) {
            (NewsKind::Application, _) => Bucket::Application(s),
            (NewsKind::Version, _) => Bucket::Version(s),
            (NewsKind::Screen, _) => Bucket::Screen(s),
            (NewsKind::Event, _) => Bucket::NewEvent(s),
            (_, Some(e)) if new_events.contains(&e) => Bucket::NewEvent(e),
            (NewsKind::Key, Some(e)) => Bucket::Keys(e),
            (NewsKind::KeyType, Some(e)) if on.key.is_some_and(|k| new_keys.contains(&k)) => {
                Bucket::Keys(e)
            }
            (NewsKind::KeyType, Some(e)) => Bucket::KeyTypes(e),
            (NewsKind::Combination, Some(e)) => Bucket::Combinations(e),
            _ => Bucket::Alone(d.row.id),
        };
        buckets.entry(bucket).or_default().push(d);
    }
    buckets
        .into_iter()
        .map(|(bucket, mut members)| {
            // The event's own discovery leads its notice.
            members.sort_by_key(|d| (d.kind != NewsKind::Event, d.row.id));
            notice(bucket, &members, subjects, slug, watches, readers)
        })
        .collect()
}

/// Whether an event was first seen less than [`YOUNG_HOURS`] before `hour`, in an earlier hour.
fn young(event: &event::Model, hour: i64) -> bool {
    event
        .first_seen
        .is_some_and(|first| first < hour && hour - first < YOUNG_HOURS * 3600)
}

fn notice(
    bucket: Bucket,
    members: &[&Found],
    subjects: &Subjects,
    slug: &str,
    watches: &[watch::Model],
    readers: &HashMap<String, i64>,
) -> Notice {
    let lead = members[0];
    let on = subjects.of(lead);
    let event = on.event.map(|e| e.name.as_str());
    let screen = on.screen.map(|s| s.name.as_str());
    let to = members
        .iter()
        .flat_map(|d| recipients(watches, readers, d.kind, &subjects.of(d).subject()))
        .collect();
    let kind = match bucket {
        Bucket::NewEvent(_) => NewsKind::Event,
        _ => lead.kind,
    };
    let also: Vec<NewsKind> = members
        .iter()
        .map(|d| d.kind)
        .filter(|k| *k != kind)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let title = title(bucket, members, subjects, event);
    let items = (members.len() > 1).then(|| {
        let items: Vec<serde_json::Value> = members
            .iter()
            .map(|d| {
                serde_json::json!({
                    "kind": d.kind.as_str(),
                    "label": d.row.label,
                    "hour": hour_text(d.row.hour),
                })
            })
            .collect();
        serde_json::Value::Array(items).to_string()
    });
    Notice {
        kind,
        also,
        title,
        link: catalog_link(slug, event, screen),
        hour: members
            .iter()
            .map(|d| d.row.hour)
            .min()
            .unwrap_or(lead.row.hour),
        dedupe: format!("discovery:{}", lead.row.id),
        to,
        items,
    }
}

/// What a notice says: `New key: open: b` for one thing; `New event: couponShown (4
/// applications, 12 screens; keys code, value)`, `New keys of open: b, c`, `New key types of open:
/// a is string`, `12 new combinations of open (3 screens, 2 applications)` for a group.
fn title(bucket: Bucket, members: &[&Found], subjects: &Subjects, event: Option<&str>) -> String {
    let lead = members[0];
    let of_kind = |kind: NewsKind| -> Vec<&Found> {
        members.iter().copied().filter(|d| d.kind == kind).collect()
    };
    // A label without its event's name in front (`open: b` is `b` in a notice about `open`).
    let short = |d: &Found| -> String {
        let label = d.row.label.as_str();
        event
            .and_then(|e| label.strip_prefix(&format!("{e}: ")))
            .unwrap_or(label)
            .to_owned()
    };
    let spread = |combos: &[&Found]| -> (usize, usize) {
        let screens: BTreeSet<i64> = combos
            .iter()
            .filter_map(|d| subjects.of(d).screen.map(|s| s.id))
            .collect();
        let apps: BTreeSet<i64> = combos
            .iter()
            .filter_map(|d| subjects.of(d).application.map(|a| a.id))
            .collect();
        (apps.len(), screens.len())
    };
    let name = event.unwrap_or(lead.row.label.as_str());
    match bucket {
        Bucket::NewEvent(_) => {
            let mut parts = Vec::new();
            let combos = of_kind(NewsKind::Combination);
            let (apps, screens) = spread(&combos);
            if apps > 1 || screens > 1 {
                parts.push(format!(
                    "{}, {}",
                    counted(apps, "application"),
                    counted(screens, "screen")
                ));
            }
            let keys: Vec<String> = of_kind(NewsKind::Key).into_iter().map(short).collect();
            if !keys.is_empty() {
                let word = if keys.len() == 1 { "key" } else { "keys" };
                parts.push(format!("{word} {}", listed(&keys)));
            }
            if parts.is_empty() {
                format!("New event: {name}")
            } else {
                format!("New event: {name} ({})", parts.join("; "))
            }
        }
        _ if members.len() == 1 => {
            format!("New {}: {}", lead.kind.label(), lead.row.label)
        }
        Bucket::Keys(_) => {
            let keys: Vec<String> = of_kind(NewsKind::Key).into_iter().map(short).collect();
            match keys.len() {
                1 => format!("New key: {}", of_kind(NewsKind::Key)[0].row.label),
                _ => format!("New keys of {name}: {}", listed(&keys)),
            }
        }
        Bucket::KeyTypes(_) => {
            let types: Vec<String> = members.iter().map(|d| short(d)).collect();
            format!("New key types of {name}: {}", listed(&types))
        }
        Bucket::Combinations(_) => {
            let (apps, screens) = spread(members);
            format!(
                "{} new combinations of {name} ({}, {})",
                members.len(),
                counted(screens, "screen"),
                counted(apps, "application")
            )
        }
        _ => format!("New {}: {}", lead.kind.label(), lead.row.label),
    }
}

/// `1 screen`, `12 screens`.
fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `a, b, c`; past [`NAMES_LISTED`], `a, b, c, d, e and 7 more`.
fn listed(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(NAMES_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(NAMES_LISTED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}
