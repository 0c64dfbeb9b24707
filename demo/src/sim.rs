//! One tenant over the range, hour by hour: plan, render, add noise, record, write.

use std::io;
use std::path::Path;

use chrono::{Duration, Timelike};

use crate::DemoOptions;
use crate::anomalies;
use crate::catalog::TenantDef;
use crate::expected::TenantExpected;
use crate::ledger::{Ledger, Outcome};
use crate::noise;
use crate::planner::Planner;
use crate::render::{Planned, render};
use crate::rng::Rng;
use crate::write;

/// Relative traffic per hour of the day (UTC).
const DIURNAL: [f64; 24] = [
    0.45, 0.35, 0.3, 0.3, 0.35, 0.45, 0.6, 0.8, 1.0, 1.1, 1.2, 1.25, 1.3, 1.25, 1.2, 1.2, 1.25,
    1.35, 1.5, 1.6, 1.5, 1.3, 1.0, 0.7,
];

/// Hour indices with no folder: the tenant's gaps, when the range is long enough to hold them.
fn gap_hours(def: &TenantDef, hours: u32) -> Vec<u32> {
    if hours < 8 {
        return Vec::new();
    }
    let starts = def.gaps.iter().map(|&(frac, len)| {
        let start = ((f64::from(hours) * frac) as u32).max(1);
        start..start + len
    });
    starts.flatten().filter(|h| *h < hours).collect()
}

/// Writes one tenant's hours and returns what ingesting them must give.
pub(crate) fn run_tenant(
    root: &Path,
    def: &'static TenantDef,
    o: &DemoOptions,
) -> io::Result<TenantExpected> {
    let mut planner = Planner::new(def, Rng::derive(o.seed, def.slug));
    let gaps = gap_hours(def, o.hours);
    let mean = DIURNAL.iter().sum::<f64>() / 24.0;
    let mut ledger = Ledger::default();
    let mut carry = Vec::new();
    for h in 0..o.hours {
        let hour = o.first_hour + Duration::hours(i64::from(h));
        if gaps.contains(&h) {
            carry.clear();
            write::clear_hour(root, def.slug, hour)?;
            continue;
        }
        let frac = f64::from(h) / f64::from(o.hours);
        let jitter = 0.85 + 0.3 * planner.rng.unit();
        let busy = DIURNAL[hour.hour() as usize] / mean;
        let target = f64::from(o.events_per_hour) * def.volume * busy * jitter;
        let target = (target.round() as usize).max(3);
        let mut planned: Vec<Planned> = std::mem::take(&mut carry);
        while planned.len() < target {
            planner.session(frac, &mut planned, &mut carry);
        }
        for anomaly in anomalies::active(def.anomalies, o.first_hour, o.hours, hour) {
            anomaly.apply(&mut planned, &mut planner.rng);
        }
        planner.server_events(&mut planned);
        planner.quirks(&mut planned);
        planner.times(&mut planned);
        planned.sort_by_key(|p| p.offset_ms);

        let rng = &mut planner.rng;
        let hour_ms = hour.timestamp_millis();
        let mut lines = Vec::with_capacity(planned.len() + 8);
        let mut outcomes = Vec::with_capacity(planned.len() + 8);
        for p in &planned {
            let (line, accepted) = render(def, p, hour_ms, rng);
            lines.push(line);
            outcomes.push(Outcome::Accepted(Box::new(accepted)));
        }
        for _ in 0..[0, 1, 1, 1, 2, 2, 3][rng.index(7)] {
            let at = rng.index(lines.len() + 1);
            let sample = lines.get(rng.index(lines.len())).cloned();
            lines.insert(at, noise::rejected(rng, sample.as_deref()));
            outcomes.push(Outcome::Rejected);
        }
        for _ in 0..[0, 0, 1, 2][rng.index(4)] {
            let at = rng.index(lines.len() + 1);
            lines.insert(at, noise::blank(rng));
            outcomes.push(Outcome::Blank);
        }
        ledger.begin_hour(&hour.format("%Y-%m-%dT%H:00:00Z").to_string());
        for outcome in &outcomes {
            ledger.record(outcome);
        }
        ledger.end_hour();
        write::write_hour(root, def.slug, hour, &lines, rng)?;
    }
    Ok(ledger.finish())
}
