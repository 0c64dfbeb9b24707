//! Plans a tenant's events for an hour: sessions (one app/version/platform each, some running into
//! the next hour), back-end events, rule quirks, late/early arrivals, skewed and untimed lines.

use crate::catalog::{EventDef, SERVER, SessionStyle, TenantDef, WEB, version_weight};
use crate::render::{Call, Planned, Quirk, Source, TimeMode};
use crate::rng::Rng;

pub(crate) const HOUR_MS: i64 = 3_600_000;

/// Instants relative to the folder's hour: mostly skewed (the window is [−1 h, +2 h)), some right
/// on its edges (−1 h and +2 h − 1 ms are inside).
const AT: [i64; 9] = [
    -HOUR_MS,
    2 * HOUR_MS - 1,
    -3 * HOUR_MS,
    -26 * HOUR_MS,
    2 * HOUR_MS,
    7 * HOUR_MS,
    -HOUR_MS - 1,
    -400 * 24 * HOUR_MS,
    30 * 24 * HOUR_MS,
];

pub(crate) struct Planner {
    pub def: &'static TenantDef,
    pub rng: Rng,
    /// Per app and screen, the track events that fire there.
    on_screen: Vec<Vec<Vec<usize>>>,
    /// Per app, its background events (no screen).
    background: Vec<Vec<usize>>,
    server: Vec<usize>,
    /// Numeric session ids count up.
    counter: u64,
}

fn matching(t: &TenantDef, keep: impl Fn(&EventDef) -> bool) -> Vec<usize> {
    (0..t.events.len())
        .filter(|&i| keep(&t.events[i]))
        .collect()
}

impl Planner {
    pub(crate) fn new(def: &'static TenantDef, rng: Rng) -> Self {
        let on_screen = def
            .apps
            .iter()
            .map(|a| {
                let on = |s: &str| {
                    matching(def, |e| {
                        e.kinds & a.kind != 0 && !e.background() && e.fires_on(s)
                    })
                };
                a.screens.iter().map(|s| on(s)).collect()
            })
            .collect();
        let background = def
            .apps
            .iter()
            .map(|a| matching(def, |e| e.kinds & a.kind != 0 && e.background()))
            .collect();
        let server = matching(def, |e| e.kinds & SERVER != 0);
        Planner {
            def,
            rng,
            on_screen,
            background,
            server,
            counter: 10,
        }
    }

    /// Weighted pick among `candidates` allowed for `generation`.
    fn pick(&mut self, candidates: &[usize], generation: u8) -> Option<&'static EventDef> {
        let events = self.def.events;
        let weight = |&i: &usize| {
            let e = &events[i];
            if e.allowed_for(generation) {
                f64::from(e.weight)
            } else {
                0.0
            }
        };
        let weights: Vec<f64> = candidates.iter().map(weight).collect();
        if weights.iter().all(|w| *w == 0.0) {
            return None;
        }
        Some(&events[candidates[self.rng.weighted(&weights)]])
    }

    /// Plans one session starting in this hour (`frac` = position in the range); its events past
    /// the hour go to `next` when the session carries over, or are dropped.
    pub(crate) fn session(&mut self, frac: f64, now: &mut Vec<Planned>, next: &mut Vec<Planned>) {
        let def = self.def;
        let rng = &mut self.rng;
        let ai = rng.weighted(&def.apps.iter().map(|a| a.weight).collect::<Vec<_>>());
        let app = &def.apps[ai];
        let weights: Vec<f64> = app.platforms.iter().map(|p| p.weight).collect();
        let platform = &app.platforms[rng.weighted(&weights)];
        let weights: Vec<f64> = platform
            .versions
            .iter()
            .map(|v| version_weight(v, frac))
            .collect();
        let version = &platform.versions[rng.weighted(&weights)];
        let id = match platform.session {
            SessionStyle::ContextText(prefix) | SessionStyle::Property(prefix) => {
                format!("{prefix}{}", rng.hex(10))
            }
            SessionStyle::ContextNumber(_) | SessionStyle::TopLevelNumber => {
                self.counter += 1 + rng.below(3);
                self.counter.to_string()
            }
        };
        let source = Some(Source {
            app,
            platform,
            version,
        });
        let device = rng.next_u64();
        let carries = rng.pct(12);
        let mut ms = rng.range(0, HOUR_MS - 1);
        let mut screen = if rng.pct(45) {
            0
        } else {
            rng.index(app.screens.len())
        };
        let generation = version.generation;
        let mut calls: Vec<(Call, usize)> = Vec::new();
        let background = self.background[ai].clone();
        if app.kind != WEB && self.rng.pct(50) {
            calls.extend(
                self.pick(&background, generation)
                    .map(|e| (Call::Track(e), screen)),
            );
        }
        if self.rng.pct(15) {
            calls.push((Call::Identify, screen));
        }
        for step in 0..self.rng.range(2, 9) {
            if step > 0 {
                screen = self.rng.index(app.screens.len());
            }
            calls.push((Call::Screen, screen));
            let candidates = self.on_screen[ai][screen].clone();
            for _ in 0..self.rng.below(4) {
                calls.extend(
                    self.pick(&candidates, generation)
                        .map(|e| (Call::Track(e), screen)),
                );
            }
        }
        if app.kind != WEB && self.rng.pct(25) {
            calls.extend(
                self.pick(&background, generation)
                    .map(|e| (Call::Track(e), screen)),
            );
        }
        for (call, s) in calls {
            let planned = Planned {
                offset_ms: ms,
                source,
                session: Some(id.clone()),
                device,
                screen: Some(app.screens[s]),
                call,
                quirk: Quirk::None,
                time: TimeMode::Own,
            };
            if ms < HOUR_MS {
                now.push(planned);
            } else if carries && ms < 2 * HOUR_MS {
                next.push(Planned {
                    offset_ms: ms - HOUR_MS,
                    ..planned
                });
            }
            ms += self.rng.range(2_000, 90_000);
        }
    }

    /// 0–2 back-end events (no `context`).
    pub(crate) fn server_events(&mut self, now: &mut Vec<Planned>) {
        let candidates = self.server.clone();
        for _ in 0..self.rng.below(3) {
            if let Some(e) = self.pick(&candidates, 1) {
                now.push(Planned {
                    offset_ms: self.rng.range(0, HOUR_MS - 1),
                    source: None,
                    session: None,
                    device: self.rng.next_u64(),
                    screen: None,
                    call: Call::Track(e),
                    quirk: Quirk::None,
                    time: TimeMode::Own,
                });
            }
        }
    }

    /// Now and then, an event-name quirk on one app event of the right call type.
    pub(crate) fn quirks(&mut self, planned: &mut [Planned]) {
        let track = |c: &Call| matches!(c, Call::Track(d) if !d.background());
        let screen = |c: &Call| matches!(c, Call::Screen);
        for (pct, quirk, fits) in [
            (4, Quirk::EmptyEvent, &track as &dyn Fn(&Call) -> bool),
            (4, Quirk::NullEvent, &screen),
            (2, Quirk::NumericEvent, &track),
        ] {
            if !self.rng.pct(pct) {
                continue;
            }
            let (n, start) = (planned.len(), self.rng.index(planned.len()));
            let found = (0..n)
                .map(|k| (start + k) % n)
                .find(|&i| fits(&planned[i].call) && planned[i].source.is_some());
            if let Some(i) = found {
                planned[i].quirk = quirk;
            }
        }
    }

    /// Late and early arrivals (inside the window), then a few lines skewed, on the window's edges,
    /// or untimed.
    pub(crate) fn times(&mut self, planned: &mut [Planned]) {
        let rng = &mut self.rng;
        for p in planned.iter_mut() {
            if rng.below(1000) < 15 {
                p.offset_ms = -rng.range(1, HOUR_MS);
            } else if rng.below(1000) < 5 {
                p.offset_ms = HOUR_MS + rng.range(0, HOUR_MS - 1);
            }
        }
        for _ in 0..[0, 0, 1, 1, 1, 2, 3][rng.index(7)] {
            let i = rng.index(planned.len());
            planned[i].time = TimeMode::At(*rng.pick(&AT));
        }
        for _ in 0..[0, 0, 1, 1, 2][rng.index(5)] {
            let i = rng.index(planned.len());
            planned[i].time = TimeMode::Untimed;
        }
    }
}
