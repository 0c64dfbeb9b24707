//! Where the anomalies go (see the module above for the rules): day-time slots, one anomaly per
//! slot, release anomalies of one part on distinct releases, only on series with the volume
//! that makes them detectable in principle.

use std::io;

use super::model::{EVENTS, RELEASES, event_mean};
use super::{EvalOptions, Kind, MIN_STOPPED, MIN_VOLUME, Truth};
use crate::rng::Rng;

/// Day-time slots, as hours of the day `[from, to)`.
const SLOTS: [(u32, u32); 2] = [(8, 14), (15, 22)];

/// The first day of the history's anomalies (the fourth week).
const HISTORY_DAY: u32 = 21;

/// The lowest mean an hour must have for this anomaly to be detectable in principle.
pub(crate) fn needed(kind: Kind, factor: f64) -> f64 {
    match kind {
        Kind::Drop => MIN_VOLUME.max((4.0 / (1.0 - factor)).powi(2)),
        Kind::Spike => MIN_VOLUME.max((4.0 / (factor - 1.0)).powi(2)),
        Kind::Stopped => MIN_STOPPED,
        Kind::Outage => 0.0,
    }
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.index(i + 1));
    }
}

/// The slots of days `[from, to)`, as `(first hour index, end index)`.
fn slots(from: u32, to: u32) -> Vec<(u32, u32)> {
    (from..to)
        .flat_map(|day| SLOTS.iter().map(move |(a, b)| (day * 24 + a, day * 24 + b)))
        .collect()
}

/// Places one anomaly of `kind` in `slot`, on a release not in `used`.
fn place_one(
    o: &EvalOptions,
    rng: &mut Rng,
    kind: Kind,
    slot: (u32, u32),
    used: &mut Vec<usize>,
    news: bool,
) -> io::Result<Truth> {
    let (length, factor) = match kind {
        Kind::Drop => (rng.range(2, 4) as u32, 1.0 - (0.4 + 0.3 * rng.unit())),
        Kind::Spike => (rng.range(2, 3) as u32, 2.0 + 2.0 * rng.unit()),
        Kind::Stopped | Kind::Outage => (rng.range(3, 6) as u32, 0.0),
    };
    let mut starts: Vec<u32> = (slot.0..=slot.1 - length).collect();
    shuffle(rng, &mut starts);
    if kind == Kind::Outage {
        let first = starts[0];
        return Ok(Truth {
            kind,
            series: None,
            first,
            end: first + length,
            news,
            factor,
        });
    }
    let need = needed(kind, factor);
    for first in starts {
        let fits = |&(e, r): &(usize, usize)| {
            !used.contains(&r) && (first..first + length).all(|h| event_mean(o, h, e, r) >= need)
        };
        let candidates: Vec<(usize, usize)> = (0..EVENTS.len())
            .flat_map(|e| (0..RELEASES.len()).map(move |r| (e, r)))
            .filter(fits)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let series = *rng.pick(&candidates);
        used.push(series.1);
        return Ok(Truth {
            kind,
            series: Some(series),
            first,
            end: first + length,
            news,
            factor,
        });
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "no series has the volume for a {} in hours {}..{}: raise sessions_per_hour",
            kind.as_str(),
            slot.0,
            slot.1
        ),
    ))
}

/// Places `kind` in the first of `slots` where it fits, and takes that slot.
fn first_fit(
    o: &EvalOptions,
    rng: &mut Rng,
    kind: Kind,
    slots: &mut Vec<(u32, u32)>,
    used: &mut Vec<usize>,
    news: bool,
) -> io::Result<Truth> {
    let mut last = None;
    for i in 0..slots.len() {
        match place_one(o, rng, kind, slots[i], used, news) {
            Ok(truth) => {
                slots.remove(i);
                return Ok(truth);
            }
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no slot left")))
}

/// The anomalies of a seed: one of each kind in the news, two in the history's fourth week.
pub(crate) fn place(o: &EvalOptions) -> io::Result<Vec<Truth>> {
    let mut rng = Rng::derive(o.seed, "evaluation-place");
    let news_day = o.news_start() / 24;
    let mut truth = Vec::new();

    let mut history_kinds = [Kind::Drop, Kind::Spike, Kind::Stopped];
    shuffle(&mut rng, &mut history_kinds);
    let mut history_slots = slots(HISTORY_DAY, (HISTORY_DAY + 7).min(news_day));
    shuffle(&mut rng, &mut history_slots);
    let mut used = Vec::new();
    for kind in &history_kinds[..2] {
        truth.push(first_fit(
            o,
            &mut rng,
            *kind,
            &mut history_slots,
            &mut used,
            false,
        )?);
    }

    let mut news_slots = slots(news_day, news_day + o.news_days);
    shuffle(&mut rng, &mut news_slots);
    let mut used = Vec::new();
    for kind in [Kind::Drop, Kind::Spike, Kind::Stopped, Kind::Outage] {
        truth.push(first_fit(
            o,
            &mut rng,
            kind,
            &mut news_slots,
            &mut used,
            true,
        )?);
    }
    truth.sort_by_key(|t| t.first);
    Ok(truth)
}
