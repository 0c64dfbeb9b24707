//! The public description of what ingesting the generated events must give, and its JSON dump.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

/// Everything ingestion must find, per tenant slug.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    pub tenants: BTreeMap<String, TenantExpected>,
}

/// One tenant's ledger. Hours are written `YYYY-MM-DDTHH:00:00Z` everywhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenantExpected {
    /// Hours that have a folder (every one of them holds accepted events).
    pub hours_with_data: BTreeSet<String>,
    /// Per hour and (application, version, platform, screen, event): lines and distinct sessions.
    pub counts: BTreeMap<CountKey, CountValue>,
    /// Distinct non-missing session ids per (hour, application, version, platform), for every
    /// combination with events in that hour (0 when none of its lines had a session).
    pub version_sessions: BTreeMap<(String, String, String, String), u64>,
    /// (name, platform, version) → first/last hour with events.
    pub applications: BTreeMap<(String, String, String), Seen>,
    pub screens: BTreeMap<String, Seen>,
    pub events: BTreeMap<String, EventExpected>,
    /// Per hour with a folder: its ingestion record.
    pub hours: BTreeMap<String, HourStats>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountKey {
    pub hour: String,
    pub application: String,
    pub version: String,
    pub platform: String,
    pub screen: String,
    pub event: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CountValue {
    /// Accepted lines.
    pub events: u64,
    /// Distinct non-missing session ids (compared as text).
    pub sessions: u64,
}

/// First and last hour with a non-zero count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub first: String,
    pub last: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventExpected {
    pub seen: Seen,
    /// Key path (root `properties` left out) → its types and when it was seen in this event.
    pub keys: BTreeMap<String, KeyExpected>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyExpected {
    /// Type name → number of lines of this event where the path had that type (once per line).
    pub types: BTreeMap<String, u64>,
    pub seen: Seen,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HourStats {
    /// Non-blank lines, rejected ones included.
    pub lines: u64,
    pub rejected: u64,
    /// Accepted lines whose own timestamp is outside [hour − 1 h, hour + 2 h).
    pub skewed: u64,
    /// Accepted lines with no usable timestamp.
    pub untimed: u64,
    /// Accepted lines.
    pub events: u64,
}

impl TenantExpected {
    /// Accepted lines over all hours.
    pub fn total_events(&self) -> u64 {
        self.hours.values().map(|h| h.events).sum()
    }
}

impl Expected {
    /// A readable JSON dump (for debugging and for diffing against `blueprint counts`/`catalog`).
    pub fn write_expected_json(&self) -> Value {
        let tenants: serde_json::Map<String, Value> = self
            .tenants
            .iter()
            .map(|(slug, t)| (slug.clone(), tenant_json(t)))
            .collect();
        json!({ "tenants": tenants })
    }
}

fn tenant_json(t: &TenantExpected) -> Value {
    let counts: Vec<Value> = t
        .counts
        .iter()
        .map(|(k, v)| {
            json!({"hour": k.hour, "application": k.application, "version": k.version,
                   "platform": k.platform, "screen": k.screen, "event": k.event,
                   "events": v.events, "sessions": v.sessions})
        })
        .collect();
    let version_sessions: Vec<Value> = t
        .version_sessions
        .iter()
        .map(|((hour, app, version, platform), n)| {
            json!({"hour": hour, "application": app, "version": version, "platform": platform,
                   "sessions": n})
        })
        .collect();
    let applications: Vec<Value> = t
        .applications
        .iter()
        .map(|((name, platform, version), s)| {
            json!({"name": name, "platform": platform, "version": version,
                   "first_seen": s.first, "last_seen": s.last})
        })
        .collect();
    let screens: Vec<Value> = t
        .screens
        .iter()
        .map(|(name, s)| json!({"name": name, "first_seen": s.first, "last_seen": s.last}))
        .collect();
    let events: Vec<Value> = t
        .events
        .iter()
        .map(|(name, e)| {
            let keys: Vec<Value> = e
                .keys
                .iter()
                .map(|(path, k)| {
                    json!({"path": path, "types": k.types, "first_seen": k.seen.first,
                           "last_seen": k.seen.last})
                })
                .collect();
            json!({"name": name, "first_seen": e.seen.first, "last_seen": e.seen.last,
                   "keys": keys})
        })
        .collect();
    let hours: Vec<Value> = t
        .hours
        .iter()
        .map(|(hour, h)| {
            json!({"hour": hour, "lines": h.lines, "rejected": h.rejected, "skewed": h.skewed,
                   "untimed": h.untimed, "events": h.events})
        })
        .collect();
    json!({
        "hours_with_data": t.hours_with_data,
        "counts": counts,
        "version_sessions": version_sessions,
        "applications": applications,
        "screens": screens,
        "events": events,
        "hours": hours,
    })
}
