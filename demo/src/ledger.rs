//! Bookkeeping: turns the generator's knowledge of each line it wrote into the expected ledger.

use std::collections::{BTreeMap, BTreeSet};

use crate::expected::{
    CountKey, CountValue, EventExpected, HourStats, KeyExpected, Seen, TenantExpected,
};
use crate::json::KeyType;

/// How a line's own timestamp relates to its folder's hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeClass {
    InWindow,
    Skewed,
    Untimed,
}

/// What the generator knows a written accepted line means under the `segment` preset.
#[derive(Clone, Debug)]
pub(crate) struct Accepted {
    pub application: String,
    pub version: String,
    pub platform: String,
    pub screen: String,
    pub event: String,
    pub session: Option<String>,
    pub time: TimeClass,
    pub keys: BTreeSet<KeyType>,
}

/// One written line.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Blank,
    Rejected,
    Accepted(Box<Accepted>),
}

type VersionKey = (String, String, String, String);

/// Accumulates one tenant, hour by hour, in increasing hour order.
#[derive(Default)]
pub(crate) struct Ledger {
    out: TenantExpected,
    hour: String,
    stats: HourStats,
    counts: BTreeMap<CountKey, (u64, BTreeSet<String>)>,
    version_sessions: BTreeMap<VersionKey, BTreeSet<String>>,
}

fn touch_map<K: Ord>(map: &mut BTreeMap<K, Seen>, key: K, hour: &str) {
    let entry = map.entry(key).or_insert_with(|| Seen {
        first: hour.to_string(),
        last: hour.to_string(),
    });
    entry.last = hour.to_string();
}

impl Ledger {
    pub(crate) fn begin_hour(&mut self, hour: &str) {
        self.hour = hour.to_string();
        self.stats = HourStats::default();
    }

    pub(crate) fn record(&mut self, outcome: &Outcome) {
        let a = match outcome {
            Outcome::Blank => return,
            Outcome::Rejected => {
                self.stats.lines += 1;
                self.stats.rejected += 1;
                return;
            }
            Outcome::Accepted(a) => a,
        };
        let hour = self.hour.clone();
        self.stats.lines += 1;
        self.stats.events += 1;
        match a.time {
            TimeClass::InWindow => {}
            TimeClass::Skewed => self.stats.skewed += 1,
            TimeClass::Untimed => self.stats.untimed += 1,
        }
        let key = CountKey {
            hour: hour.clone(),
            application: a.application.clone(),
            version: a.version.clone(),
            platform: a.platform.clone(),
            screen: a.screen.clone(),
            event: a.event.clone(),
        };
        let count = self.counts.entry(key).or_default();
        count.0 += 1;
        let vkey = (
            hour.clone(),
            a.application.clone(),
            a.version.clone(),
            a.platform.clone(),
        );
        let vs = self.version_sessions.entry(vkey).or_default();
        if let Some(s) = &a.session {
            count.1.insert(s.clone());
            vs.insert(s.clone());
        }
        let app = (a.application.clone(), a.platform.clone(), a.version.clone());
        touch_map(&mut self.out.applications, app, &hour);
        touch_map(&mut self.out.screens, a.screen.clone(), &hour);
        let event = self
            .out
            .events
            .entry(a.event.clone())
            .or_insert_with(|| EventExpected {
                seen: Seen {
                    first: hour.clone(),
                    last: hour.clone(),
                },
                keys: BTreeMap::new(),
            });
        event.seen.last = hour.clone();
        for (path, ty) in &a.keys {
            let k = event
                .keys
                .entry(path.clone())
                .or_insert_with(|| KeyExpected {
                    types: BTreeMap::new(),
                    seen: Seen {
                        first: hour.clone(),
                        last: hour.clone(),
                    },
                });
            k.seen.last = hour.clone();
            *k.types.entry((*ty).to_string()).or_insert(0) += 1;
        }
    }

    /// Closes the current hour (which had a folder).
    pub(crate) fn end_hour(&mut self) {
        self.out.hours_with_data.insert(self.hour.clone());
        self.out.hours.insert(self.hour.clone(), self.stats);
        for (key, (events, sessions)) in std::mem::take(&mut self.counts) {
            let sessions = sessions.len() as u64;
            self.out.counts.insert(key, CountValue { events, sessions });
        }
        for (key, sessions) in std::mem::take(&mut self.version_sessions) {
            self.out.version_sessions.insert(key, sessions.len() as u64);
        }
    }

    pub(crate) fn finish(self) -> TenantExpected {
        self.out
    }
}
