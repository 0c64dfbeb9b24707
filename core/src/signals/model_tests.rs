//! Tests of the pure model: drops, spikes, stops, low volume, clean noise, new versions and
//! roll-outs, on seeded synthetic series.

use super::judge::judge;
use super::model::{Basis, History, Input, Release, expect};
use super::thresholds::Thresholds;
use blueprint_types::signals::IncidentKind;

/// A small seeded generator (xorshift64*), so every test run sees the same numbers.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Poisson by inversion (exact).
    fn poisson(&mut self, mean: f64) -> i64 {
        if mean <= 0.0 {
            return 0;
        }
        let u = self.uniform();
        let (mut k, mut p) = (0i64, (-mean).exp());
        if p == 0.0 {
            // Large means: a rounded normal is close enough for noise.
            return (mean + mean.sqrt() * self.normal()).round().max(0.0) as i64;
        }
        let mut cdf = p;
        while cdf < u && k < 100_000 {
            k += 1;
            p *= mean / k as f64;
            cdf += p;
        }
        k
    }

    /// Gamma(shape, 1) (Marsaglia and Tsang; shape ≥ 1).
    fn gamma(&mut self, shape: f64) -> f64 {
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Negative binomial with this mean and size (a gamma-mixed Poisson).
    fn negative_binomial(&mut self, mean: f64, size: f64) -> i64 {
        let lambda = mean * self.gamma(size) / size;
        self.poisson(lambda)
    }
}

/// A daily and weekly shape around 1 (night low, weekend lower).
fn shape(hour: usize) -> f64 {
    let day = (hour / 24) % 7;
    let of_day = (hour % 24) as f64;
    let daily = 1.0 + 0.6 * ((of_day - 14.0) / 24.0 * 2.0 * std::f64::consts::PI).cos();
    let weekly = if day >= 5 { 0.7 } else { 1.0 };
    daily * weekly
}

const WEEKS5: usize = 5 * 168;
const TH: Thresholds = Thresholds::DEFAULT;

fn flat(rng: &mut Rng, mean: f64, hours: usize) -> Vec<i64> {
    (0..hours).map(|_| rng.poisson(mean)).collect()
}

#[test]
fn a_halved_hour_at_a_hundred_is_found_with_the_second_not_before() {
    let mut rng = Rng(7);
    let mut counts = flat(&mut rng, 100.0, WEEKS5);
    let i = WEEKS5 - 2;
    counts[i] = 50;
    counts[i + 1] = 50;
    let mut history = History::of(0, &counts);
    history.counts.truncate(i + 1);
    history.anomalous.truncate(i + 1);
    let first = judge(Input::Overall(&Release::from(history.clone())), i, &TH);
    assert_eq!(first.kind, None, "{first:?}");
    let history = History::of(0, &counts);
    let second = judge(Input::Overall(&Release::from(history.clone())), i + 1, &TH);
    assert_eq!(second.kind, Some(IncidentKind::Drop), "{second:?}");
    assert_eq!(second.previous, Some(IncidentKind::Drop));
    assert!(second.low > 50.0 && second.high > 100.0);
}

#[test]
fn a_doubled_hour_is_a_spike_and_zero_is_stopped() {
    let mut rng = Rng(11);
    let mut counts = flat(&mut rng, 100.0, WEEKS5);
    let last = WEEKS5 - 1;
    counts[last] = 200;
    let spike = judge(
        Input::Overall(&Release::from(History::of(0, &counts))),
        last,
        &TH,
    );
    assert_eq!(spike.kind, Some(IncidentKind::Spike));
    assert_eq!(spike.previous, None);
    counts[last] = 0;
    let stopped = judge(
        Input::Overall(&Release::from(History::of(0, &counts))),
        last,
        &TH,
    );
    assert_eq!(stopped.kind, Some(IncidentKind::Stopped));
    counts[last] = 25;
    let dropped = judge(
        Input::Overall(&Release::from(History::of(0, &counts))),
        last,
        &TH,
    );
    assert_eq!(dropped.kind, Some(IncidentKind::Drop));
}

#[test]
fn low_volume_is_not_judged_and_no_week_of_history_judges_nothing() {
    let mut rng = Rng(3);
    let mut counts = flat(&mut rng, 12.0, WEEKS5);
    let last = WEEKS5 - 1;
    counts[last] = 2;
    counts[last - 1] = 2;
    let low = judge(
        Input::Overall(&Release::from(History::of(0, &counts))),
        last,
        &TH,
    );
    assert_eq!(low.kind, None, "a drop below 20 expected is not judged");
    // Zero for two hours where ~12 were expected is a stop.
    counts[last] = 0;
    counts[last - 1] = 0;
    let stop = judge(
        Input::Overall(&Release::from(History::of(0, &counts))),
        last,
        &TH,
    );
    assert_eq!(stop.kind, Some(IncidentKind::Stopped));
    assert_eq!(stop.previous, Some(IncidentKind::Stopped));
    // Six days of history: nothing expected.
    let young = History::of(0, &counts[..160]);
    assert_eq!(
        expect(Input::Overall(&Release::from(young.clone())), 150, &TH),
        None
    );
    assert_eq!(
        judge(Input::Overall(&Release::from(young.clone())), 150, &TH).kind,
        None
    );
}

#[test]
fn hours_without_data_are_missing_not_zero() {
    let mut rng = Rng(5);
    let counts = flat(&mut rng, 100.0, WEEKS5);
    let mut history = History::of(0, &counts);
    let last = WEEKS5 - 1;
    // The same hour of every past week had no data, and the judged hour itself has none.
    for k in 1..=4 {
        history.counts[last - 168 * k] = None;
    }
    assert_eq!(
        expect(Input::Overall(&Release::from(history.clone())), last, &TH),
        None
    );
    history.counts[last - 168] = Some(100);
    history.counts[last] = None;
    assert!(expect(Input::Overall(&Release::from(history.clone())), last, &TH).is_some());
    assert_eq!(
        judge(Input::Overall(&Release::from(history.clone())), last, &TH).kind,
        None
    );
}

/// Clean seasonal noise, Poisson and overdispersed, over thousands of series-hours: nothing.
#[test]
fn clean_noise_raises_nothing() {
    let mut rng = Rng(2026);
    let mut judged = 0;
    let mut found = Vec::new();
    for series in 0..24 {
        let level = [25.0, 60.0, 150.0, 400.0, 1500.0, 6000.0][series % 6];
        let overdispersed = series % 2 == 1;
        let counts: Vec<i64> = (0..WEEKS5)
            .map(|h| {
                let mean = level * shape(h);
                if overdispersed {
                    rng.negative_binomial(mean, 40.0)
                } else {
                    rng.poisson(mean)
                }
            })
            .collect();
        let history = History::of(0, &counts);
        for i in (WEEKS5 - 430)..WEEKS5 {
            let j = judge(Input::Overall(&Release::from(history.clone())), i, &TH);
            judged += 1;
            if j.kind.is_some() {
                found.push((series, i, j));
            }
        }
    }
    assert!(judged >= 10_000);
    assert!(found.is_empty(), "{} false alarms: {found:?}", found.len());
}

/// A release with sessions per hour and a per-session rate; counts Poisson.
fn release(rng: &mut Rng, sessions: &[i64], rate: f64) -> Release {
    let counts: Vec<i64> = sessions
        .iter()
        .map(|s| rng.poisson(*s as f64 * rate))
        .collect();
    Release {
        counts: History::of(0, &counts),
        sessions: sessions.iter().map(|s| Some(*s)).collect(),
    }
}

#[test]
fn a_new_version_is_judged_by_the_pooled_rate_of_its_siblings() {
    let mut rng = Rng(9);
    let hours = 200;
    let old_sessions: Vec<i64> = (0..hours).map(|h| (300.0 * shape(h)) as i64).collect();
    let old = release(&mut rng, &old_sessions, 0.5);
    // The new version appeared six hours ago with 200 sessions an hour.
    let new_sessions: Vec<i64> = (0..hours)
        .map(|h| if h + 6 >= hours { 200 } else { 0 })
        .collect();
    let mut new = release(&mut rng, &new_sessions, 0.5);
    let siblings = [&old];
    fn input<'a>(own: &'a Release, siblings: &'a [&'a Release]) -> Input<'a> {
        Input::Release { own, siblings }
    }
    let last = hours - 1;
    let e = expect(input(&new, &siblings), last, &TH).expect("pooled");
    assert_eq!(e.basis, Basis::PooledRate);
    assert!((e.mean - 100.0).abs() < 10.0, "{e:?}");
    assert_eq!(judge(input(&new, &siblings), last, &TH).kind, None);
    // Half the rate on its first day: a drop.
    new.counts.counts[last] = Some(45);
    new.counts.counts[last - 1] = Some(48);
    let j = judge(input(&new, &siblings), last, &TH);
    assert_eq!(j.kind, Some(IncidentKind::Drop), "{j:?}");
    // Without siblings, nothing to judge it by.
    let alone = Input::Release {
        own: &new,
        siblings: &[],
    };
    assert_eq!(expect(alone, last, &TH), None);
}

#[test]
fn a_growing_roll_out_is_not_a_spike_and_its_own_rate_is_used() {
    let mut rng = Rng(17);
    let hours = WEEKS5;
    // Sessions grow from 5 to ~2,000 an hour over five weeks, with the daily shape.
    let sessions: Vec<i64> = (0..hours)
        .map(|h| ((5.0 * 1.0075f64.powi(h as i32)).min(2000.0) * shape(h)) as i64)
        .collect();
    let own = release(&mut rng, &sessions, 0.8);
    let input = Input::Release {
        own: &own,
        siblings: &[],
    };
    let mut found = Vec::new();
    for i in 200..hours {
        if let Some(kind) = judge(input, i, &TH).kind {
            found.push((i, kind));
        }
    }
    assert!(found.is_empty(), "{found:?}");
    let e = expect(input, hours - 1, &TH).expect("own rate");
    assert_eq!(e.basis, Basis::OwnRate);
}

#[test]
fn a_release_that_sends_nothing_at_all_is_stopped() {
    let mut rng = Rng(23);
    let hours = 200;
    let sessions: Vec<i64> = (0..hours).map(|_| 150).collect();
    let mut own = release(&mut rng, &sessions, 0.4);
    let last = hours - 1;
    for i in [last - 1, last] {
        own.counts.counts[i] = Some(0);
        own.sessions[i] = Some(0);
    }
    let input = Input::Release {
        own: &own,
        siblings: &[],
    };
    let j = judge(input, last, &TH);
    assert_eq!(j.kind, Some(IncidentKind::Stopped), "{j:?}");
    assert_eq!(j.previous, Some(IncidentKind::Stopped));
    // Half its last sessions times its rate: about 30 an hour expected.
    let e = j.expected.unwrap();
    assert!((e.mean - 30.0).abs() < 5.0, "{e:?}");
}

/// The detection limit the evaluation relies on: a 40 % drop of two hours on a release series
/// of about 100 events an hour is found by the end of its second hour, and not by its first.
#[test]
fn a_forty_percent_two_hour_drop_on_a_release_is_found_with_its_second_hour() {
    let mut rng = Rng(31);
    let hours = 400;
    let sessions: Vec<i64> = (0..hours).map(|_| 250).collect();
    let mut own = release(&mut rng, &sessions, 0.4);
    let last = hours - 1;
    own.counts.counts[last - 1] = Some(60);
    own.counts.counts[last] = Some(60);
    let input = Input::Release {
        own: &own,
        siblings: &[],
    };
    assert_eq!(judge(input, last - 1, &TH).kind, None);
    let j = judge(input, last, &TH);
    assert_eq!(j.kind, Some(IncidentKind::Drop), "{j:?}");
    assert_eq!(j.previous, Some(IncidentKind::Drop));
}
