//! The hours, drawn and written: sessions per release, events per session, the injections, and
//! the files (the demo's writer). Three random streams: `base` draws every count of the clean
//! traffic (whatever is injected, it draws the same), `inject` thins or multiplies the injected
//! series, and `detail` places lines (times, screens, property values) and files.

use std::io;
use std::path::Path;

use chrono::DateTime;

use super::model::{EVENTS, RELEASES, SCREENS, rate, sessions_mean, shares};
use super::random::{gamma_mean_one, poisson};
use super::{EvalOptions, HourTraffic, Kind, Truth};
use crate::rng::Rng;
use crate::write;

const HOUR_MS: i64 = 3_600_000;

/// How often a screen call shows each screen.
const SCREEN_WEIGHTS: [f64; 5] = [0.35, 0.2, 0.25, 0.12, 0.08];

/// The properties of each event (by index in `EVENTS`), before its varying number.
const PROPERTIES: [&str; 12] = [
    "",
    "\"sku\":\"P",
    "\"query\":\"shoes\",\"results\":",
    "\"coldStart\":true,\"launch\":",
    "\"quantity\":1,\"sku\":\"P",
    "\"items\":",
    "\"currency\":\"EUR\",\"total\":",
    "\"campaign\":\"c",
    "\"code\":\"SAVE",
    "\"code\":\"E",
    "\"stars\":",
    "\"channel\":\"mail\",\"list\":",
];

/// The line count after the anomalies active on this series.
fn injected(n: u64, event: usize, release: usize, active: &[&Truth], rng: &mut Rng) -> u64 {
    let mut n = n;
    for t in active {
        if t.series != Some((event, release)) {
            continue;
        }
        n = match t.kind {
            Kind::Drop => (0..n).filter(|_| rng.unit() < t.factor).count() as u64,
            Kind::Stopped | Kind::Outage => 0,
            Kind::Spike => n + (0..n).map(|_| poisson(rng, t.factor - 1.0)).sum::<u64>(),
        };
    }
    n
}

fn line(event: usize, release: usize, session: &str, at_ms: i64, rng: &mut Rng) -> String {
    let r = &RELEASES[release];
    let at = DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let context = format!(
        "\"context\":{{\"app\":{{\"name\":\"{}\",\"version\":\"{}\"}},\"os\":{{\"name\":\"{}\"}},\"sessionId\":\"{session}\"",
        r.application, r.version, r.platform
    );
    let def = &EVENTS[event];
    match def.screen {
        None if event == 0 => {
            let screen = SCREENS[rng.weighted(&SCREEN_WEIGHTS)];
            format!(
                "{{\"type\":\"screen\",\"name\":\"{screen}\",\"timestamp\":\"{at}\",{context}}},\"properties\":{{}}}}"
            )
        }
        screen => {
            let screen = screen
                .map(|s| format!(",\"screen\":{{\"name\":\"{s}\"}}"))
                .unwrap_or_default();
            let props = PROPERTIES[event];
            let value = rng.below(50);
            // A property whose value is a string is left open for its number: close it.
            let close = if props.matches('"').count() % 2 == 1 {
                "\""
            } else {
                ""
            };
            format!(
                "{{\"type\":\"track\",\"event\":\"{}\",\"timestamp\":\"{at}\",{context}{screen}}},\"properties\":{{{props}{value}{close}}}}}",
                def.name
            )
        }
    }
}

/// Draws, injects and writes every hour; returns what each hour holds.
pub(crate) fn write(
    root: &Path,
    tenant: &str,
    o: &EvalOptions,
    truth: &[Truth],
) -> io::Result<Vec<HourTraffic>> {
    let mut base = Rng::derive(o.seed, "evaluation-traffic");
    let mut inject = Rng::derive(o.seed, "evaluation-inject");
    let mut detail = Rng::derive(o.seed, "evaluation-detail");
    let mut day_level = 1.0;
    let mut counter = 0u64;
    let mut out = Vec::with_capacity(o.hours() as usize);
    for h in 0..o.hours() {
        if h % 24 == 0 {
            day_level = gamma_mean_one(&mut base, 400.0);
        }
        let level = sessions_mean(o, h) * day_level * gamma_mean_one(&mut base, 100.0);
        let shares = shares(o, h);
        let hour = o.hour(h);
        let active: Vec<&Truth> = truth.iter().filter(|t| t.contains(h)).collect();
        let outage = active.iter().any(|t| t.kind == Kind::Outage);
        let mut held = HourTraffic {
            written: !outage,
            ..HourTraffic::default()
        };
        let mut lines: Vec<(i64, String)> = Vec::new();
        for (r, share) in shares.iter().enumerate() {
            for _ in 0..poisson(&mut base, level * share) {
                counter += 1;
                let session = format!("s{}-{counter:x}", o.seed % 1000);
                let engagement = gamma_mean_one(&mut base, 6.0);
                let start = detail.range(0, HOUR_MS * 3 / 4);
                let mut any = false;
                for (e, def) in EVENTS.iter().enumerate() {
                    let rate = rate(def, &RELEASES[r]);
                    if rate == 0.0 {
                        continue;
                    }
                    // Every session loads a screen first.
                    let drawn = if e == 0 {
                        1 + poisson(&mut base, (rate - 1.0) * engagement)
                    } else {
                        poisson(&mut base, rate * engagement)
                    };
                    let n = injected(drawn, e, r, &active, &mut inject);
                    if outage || n == 0 {
                        continue;
                    }
                    any = true;
                    *held.events.entry((r, e)).or_default() += n;
                    for _ in 0..n {
                        let at = start + detail.range(0, HOUR_MS / 4 - 1);
                        let at_ms = hour.timestamp_millis() + at;
                        lines.push((at, line(e, r, &session, at_ms, &mut detail)));
                    }
                }
                if any {
                    held.sessions[r] += 1;
                }
            }
        }
        if outage {
            write::clear_hour(root, tenant, hour)?;
        } else {
            lines.sort_by_key(|(at, _)| *at);
            let lines: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
            write::write_hour(root, tenant, hour, &lines, &mut detail)?;
        }
        out.push(held);
    }
    Ok(out)
}
