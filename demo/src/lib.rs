//! Blueprint's demo data set: writes realistic Segment-style clickstream files for two tenants and
//! computes, from the generator's own knowledge of every line (never by re-reading the files, and
//! never through `blueprint-core`), what ingesting them with the `segment` preset must give.
//!
//! Layout written: `<root>/<tenant>/dt=YYYY-MM-DD/hr=HH/part-N.jsonl[.gz]`. Rerunning over the same
//! root rewrites the hours in range (stale `part-N.jsonl[.gz]` files this crate wrote are removed;
//! other files are left alone, and would not be in the expected results).
//!
//! Decisions where the design is silent (kept deliberately unambiguous in the data):
//! - A whitespace-only line is blank (ignored), like an empty one.
//! - `(none)` is a value like any other: lines without screen give screen `(none)`, back-end events
//!   without `context` give application, version and platform `(none)`; they appear in the
//!   expected catalog maps.
//! - `version_sessions` has an entry for every (hour, application, version, platform) with events,
//!   0 when none of its lines had a session id.
//! - Arrays of objects nested in arrays of objects give `rooms[].guests[].age`; empty arrays and
//!   objects record only their own path. No array mixes objects and scalars, no key contains `.`.
//! - Timestamps never put a parsable fallback after an unparsable first value (`"yesterday"`), and
//!   epoch values are always JSON integers. A few lines sit exactly on the window's edges
//!   (hour − 1 h: in; hour + 2 h: skewed).
//! - A few accepted lines test the event rule: `"event": ""` (event `track` from `type`),
//!   `"event": null` on a screen call (event `screen`/`page`), `"event": 404` (event `404`).

mod anomalies;
mod catalog;
mod context;
pub mod evaluation;
mod expected;
mod json;
mod ledger;
mod noise;
mod planner;
mod props;
mod render;
mod rng;
pub mod rollouts;
mod shopwave;
mod sim;
mod timestamps;
mod travelnest;
mod write;

#[cfg(test)]
mod tests;

use std::io;
use std::path::Path;

use chrono::{DateTime, Duration, DurationRound, Utc};

pub use expected::{
    CountKey, CountValue, EventExpected, Expected, HourStats, KeyExpected, Seen, TenantExpected,
};

/// The tenant slugs (top-level folders) the generator writes.
pub const TENANTS: [&str; 2] = ["shopwave", "travelnest"];

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    /// Hour-aligned: the first hour written.
    pub first_hour: DateTime<Utc>,
    /// Number of consecutive hours.
    pub hours: u32,
    /// Approximate mean of accepted lines per tenant-hour (busier in the evening, quieter at night).
    pub events_per_hour: u32,
    pub seed: u64,
}

impl DemoOptions {
    /// The demo: 14 days ending with the hour before the one `now` is in, ~400 events per
    /// tenant-hour, a fixed seed.
    pub fn demo(now: DateTime<Utc>) -> Self {
        let current = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
        let hours = 14 * 24;
        DemoOptions {
            first_hour: current - Duration::hours(i64::from(hours)),
            hours,
            events_per_hour: 400,
            seed: 0x5eed_b1e9_2026,
        }
    }
}

/// Writes the data set under `events_root` and returns what ingesting it must give.
pub fn generate(events_root: &Path, options: &DemoOptions) -> io::Result<Expected> {
    let aligned =
        options.first_hour.duration_trunc(Duration::hours(1)).ok() == Some(options.first_hour);
    if !aligned {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "first_hour must be hour-aligned",
        ));
    }
    if options.hours == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "hours must be at least 1",
        ));
    }
    // One thread per tenant: each has its own random stream and folder, so the output is the same.
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = catalog::tenants()
            .into_iter()
            .map(|def| {
                (
                    def.slug,
                    scope.spawn(move || sim::run_tenant(events_root, def, options)),
                )
            })
            .collect();
        handles
            .into_iter()
            .map(|(slug, h)| {
                let result = h
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("generator panicked")));
                (slug, result)
            })
            .collect::<Vec<_>>()
    });
    let mut expected = Expected::default();
    for (slug, result) in results {
        expected.tenants.insert(slug.to_string(), result?);
    }
    Ok(expected)
}
