//! Generated Segment-style events for roll-outs (the tests, and the demo's `launchpad` tenant):
//! four applications, each with a baseline version for six hours and then a candidate taking a
//! growing share of sessions.
//!
//! - `Shop` on Android: the candidate `3.2` loses a third of its screen loads per session;
//! - `Shop` on iOS: the candidate `3.2` is healthy;
//! - `Travel` on Android: the candidate `5.1` never sends `share`;
//! - `Tiny` on iOS: the candidate `1.1` has too little traffic to judge (and half the loads).
//!
//! The numbers come from a fixed-seed generator, so every run writes the same files.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};

/// Hours written: `[start, start + HOURS)`.
pub const HOURS: i64 = 18;
/// The hour the candidates appear, counted from the start.
pub const CANDIDATES_FROM: i64 = 6;

/// One application's traffic plan.
#[derive(Clone, Copy, Debug)]
pub struct App {
    pub name: &'static str,
    pub platform: &'static str,
    pub baseline: &'static str,
    pub candidate: &'static str,
    /// Baseline sessions per hour.
    pub sessions: u64,
    /// Candidate sessions per hour: early hours, then later hours.
    pub candidate_sessions: (u64, u64),
    /// The candidate keeps each screen load with this probability (in thirds).
    pub loads_kept_thirds: u64,
    /// The candidate sends `share`.
    pub sends_share: bool,
}

pub const APPS: [App; 4] = [
    App {
        name: "Shop",
        platform: "Android",
        baseline: "3.1",
        candidate: "3.2",
        sessions: 300,
        candidate_sessions: (20, 100),
        loads_kept_thirds: 2,
        sends_share: true,
    },
    App {
        name: "Shop",
        platform: "iOS",
        baseline: "3.1",
        candidate: "3.2",
        sessions: 300,
        candidate_sessions: (20, 100),
        loads_kept_thirds: 3,
        sends_share: true,
    },
    App {
        name: "Travel",
        platform: "Android",
        baseline: "5.0",
        candidate: "5.1",
        sessions: 300,
        candidate_sessions: (20, 100),
        loads_kept_thirds: 3,
        sends_share: false,
    },
    App {
        name: "Tiny",
        platform: "iOS",
        baseline: "1.0",
        candidate: "1.1",
        sessions: 30,
        candidate_sessions: (2, 8),
        loads_kept_thirds: 1,
        sends_share: true,
    },
];

pub const SCREENS: [&str; 4] = ["Home", "Products", "Cart", "Checkout"];

/// xorshift64*: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any but zero; zero is taken as one).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform on [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A Poisson count of mean `mean` (Knuth's product of uniforms, in pieces of at most 30 so
    /// the product never underflows).
    pub fn poisson(&mut self, mean: f64) -> u64 {
        let mut left = mean.max(0.0);
        let mut count = 0;
        while left > 0.0 {
            let piece = left.min(30.0);
            left -= piece;
            let limit = (-piece).exp();
            let mut product = self.unit();
            while product > limit {
                count += 1;
                product *= self.unit();
            }
        }
        count
    }
}

/// One thing a session sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// A screen load (a Segment `screen` call) of the screen.
    Load(&'static str),
    /// A tracked event on a screen, with its properties as JSON.
    Track {
        event: &'static str,
        screen: &'static str,
        properties: &'static str,
    },
    /// `share`, on no screen.
    Share,
}

/// What one session of `app` sends (its candidate's when `candidate`): 1 to 7 screen loads,
/// each followed by a tracked event with probability 0.6, and `share` with probability 0.5.
pub fn draw_session(rng: &mut Rng, app: &App, candidate: bool) -> Vec<Sent> {
    let mut sent = Vec::new();
    let loads = 1 + rng.below(7);
    for _ in 0..loads {
        let screen = SCREENS[rng.below(4) as usize];
        let kept = !candidate || rng.below(3) < app.loads_kept_thirds;
        if kept {
            sent.push(Sent::Load(screen));
        }
        if rng.below(10) < 6 {
            let (event, properties) = match rng.below(5) {
                0 | 1 => ("addToCart", r#"{"sku":"p1","price":9.5}"#),
                2 | 3 => ("view_item", r#"{"sku":"p1"}"#),
                _ => ("search", r#"{"query":"shoes"}"#),
            };
            sent.push(Sent::Track {
                event,
                screen,
                properties,
            });
        }
    }
    if rng.below(2) == 0 && (!candidate || app.sends_share) {
        sent.push(Sent::Share);
    }
    sent
}

fn context(app: &App, version: &str, session: &str, screen: Option<&str>) -> String {
    let screen = screen.map_or_else(String::new, |s| format!(r#","screen":{{"name":"{s}"}}"#));
    format!(
        r#""context":{{"app":{{"name":"{}","version":"{version}"}},"os":{{"name":"{}"}},"sessionId":"{session}"{screen}}}"#,
        app.name, app.platform
    )
}

/// Writes one session's lines.
fn session(out: &mut String, rng: &mut Rng, app: &App, version: &str, id: &str, candidate: bool) {
    for sent in draw_session(rng, app, candidate) {
        let _ = match sent {
            Sent::Load(screen) => writeln!(
                out,
                r#"{{"type":"screen","name":"{screen}",{}}}"#,
                context(app, version, id, None)
            ),
            Sent::Track {
                event,
                screen,
                properties,
            } => writeln!(
                out,
                r#"{{"type":"track","event":"{event}",{},"properties":{properties}}}"#,
                context(app, version, id, Some(screen))
            ),
            Sent::Share => writeln!(
                out,
                r#"{{"type":"track","event":"share",{},"properties":{{"channel":"chat"}}}}"#,
                context(app, version, id, None)
            ),
        };
    }
}

/// The demo tenant holding these roll-outs.
pub const TENANT: &str = "launchpad";

/// Writes the tenant's hours `[start, start + HOURS)` (`start` at the top of an hour, UTC) under
/// `root/tenant/`.
pub fn write(root: &Path, tenant: &str, start: DateTime<Utc>) -> std::io::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for offset in 0..HOURS {
        let hour = start + Duration::hours(offset);
        let mut out = String::new();
        for (index, app) in APPS.iter().enumerate() {
            for i in 0..app.sessions {
                let id = format!("b{index}-{offset}-{i}");
                session(&mut out, &mut rng, app, app.baseline, &id, false);
            }
            if offset >= CANDIDATES_FROM {
                let n = if offset < CANDIDATES_FROM + 6 {
                    app.candidate_sessions.0
                } else {
                    app.candidate_sessions.1
                };
                for i in 0..n {
                    let id = format!("c{index}-{offset}-{i}");
                    session(&mut out, &mut rng, app, app.candidate, &id, true);
                }
            }
        }
        let dir = root
            .join(tenant)
            .join(hour.format("dt=%Y-%m-%d/hr=%H").to_string());
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("events.jsonl"), out)?;
    }
    Ok(())
}
