//! The benchmark hours: Segment-style `track` events written into one hour folder, in 4 files, by a
//! seeded generator (the same bytes every time). Two shapes:
//! - `catalog` (the default): the shape of a large tenant's hour as measured in issue 18 — 8
//!   applications, about 50,000 (application, version, platform, screen, event) groups, about 25,000
//!   (event, key) paths and 680,000 key rows, 10–30 properties per event, about 1.2 KB an event.
//!   `--scale` multiplies the events (1.5 M at scale 1) without changing the catalog.
//! - `wide`: the earlier benchmark hour — 12 applications, 400 screens, 600 event names, about 1 KB
//!   an event, sized in bytes (`--gb`, 2 by default).

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

pub const FILES: usize = 4;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub name: &'static str,
    apps: usize,
    /// Event names each application sends, drawn from `event_names`.
    events_per_app: usize,
    event_names: usize,
    screens: usize,
    /// Each event fires on 1 to this many screens.
    screens_per_event: u64,
    /// Extra Segment context fields (user ids, library, network, user agent): heavier lines.
    rich_context: bool,
    pub size: Size,
}

#[derive(Clone, Copy, Debug)]
pub enum Size {
    Events(u64),
    Bytes(u64),
}

impl Shape {
    pub fn catalog(scale: u64) -> Self {
        Shape {
            name: "catalog",
            apps: 8,
            events_per_app: 420,
            event_names: 800,
            screens: 400,
            screens_per_event: 4,
            rich_context: true,
            size: Size::Events(1_500_000 * scale.max(1)),
        }
    }

    pub fn wide(gigabytes: f64) -> Self {
        Shape {
            name: "wide",
            apps: 12,
            events_per_app: 100,
            event_names: 600,
            screens: 400,
            screens_per_event: 3,
            rich_context: false,
            size: Size::Bytes((gigabytes * 1e9) as u64),
        }
    }

    /// A name for the folder's marker: the same marker means the same bytes.
    fn marker(&self) -> String {
        match self.size {
            Size::Events(n) => format!("_GENERATED_v3_{}_{n}e", self.name),
            Size::Bytes(n) => format!("_GENERATED_v3_{}_{n}b", self.name),
        }
    }
}

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Skewed pick: small indexes are much more frequent (realistic popularity).
    fn skewed(&mut self, n: u64) -> u64 {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
}

struct App {
    name: String,
    platforms: Vec<&'static str>,
    versions: Vec<String>,
    events: Vec<usize>,
}

const WORDS: [&str; 24] = [
    "cart", "product", "search", "filter", "banner", "promo", "checkout", "payment", "wishlist",
    "review", "profile", "settings", "login", "signup", "share", "video", "article", "category",
    "brand", "store", "order", "delivery", "coupon", "gift",
];

/// The generated hour: its bytes and events.
pub struct Generated {
    pub bytes: u64,
    pub events: u64,
}

/// Writes the hour into `dir` once (kept when the same shape and size are already there).
pub fn generate(dir: &Path, shape: Shape) -> Result<Generated, String> {
    let marker = dir.join(shape.marker());
    if let Ok(text) = std::fs::read_to_string(&marker) {
        let mut parts = text
            .split_whitespace()
            .filter_map(|v| v.parse::<u64>().ok());
        if let (Some(bytes), Some(events)) = (parts.next(), parts.next()) {
            eprintln!("reusing {} ({bytes} bytes, {events} events)", dir.display());
            return Ok(Generated { bytes, events });
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|err| err.to_string())?;
    let mut rng = Rng(0xb10e_9417);
    let mut writer = LineWriter::new(&mut rng, shape);
    let mut bytes = 0u64;
    let mut events = 0u64;
    let started = Instant::now();
    for file in 0..FILES {
        let path = dir.join(format!("part-{file}.jsonl"));
        let handle = std::fs::File::create(&path).map_err(|err| err.to_string())?;
        let mut out = BufWriter::with_capacity(1 << 20, handle);
        let (mut file_bytes, mut file_events) = (0u64, 0u64);
        let done = |b: u64, e: u64| match shape.size {
            Size::Bytes(total) => b >= total / FILES as u64,
            Size::Events(total) => e >= total / FILES as u64,
        };
        while !done(file_bytes, file_events) {
            let line = writer.line(&mut rng);
            out.write_all(line.as_bytes())
                .map_err(|err| err.to_string())?;
            file_bytes += line.len() as u64;
            file_events += 1;
        }
        out.flush().map_err(|err| err.to_string())?;
        bytes += file_bytes;
        events += file_events;
        eprintln!(
            "wrote {} ({:.0} MB, {:.0} s)",
            path.display(),
            file_bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    std::fs::write(&marker, format!("{bytes} {events}")).map_err(|err| err.to_string())?;
    Ok(Generated { bytes, events })
}

/// The catalog of a shape and one reused line buffer.
struct LineWriter {
    shape: Shape,
    apps: Vec<App>,
    screens: Vec<String>,
    events: Vec<String>,
    event_screens: Vec<Vec<usize>>,
    schemas: Vec<Vec<(String, u64)>>,
    line: String,
}

impl LineWriter {
    fn new(rng: &mut Rng, shape: Shape) -> Self {
        // Applications on 1–2 platforms with 4–6 versions each; each sends its own events, each
        // event fires on a few screens of its own and carries 10–30 properties of fixed types.
        let apps: Vec<App> = (0..shape.apps)
            .map(|i| App {
                name: format!(
                    "{} {}",
                    WORDS[i % 24].to_uppercase(),
                    ["Shop", "Go", "Plus"][i % 3]
                ),
                platforms: if i % 4 == 0 {
                    vec!["Web"]
                } else {
                    vec!["Android", "iOS"]
                },
                versions: (0..4 + i % 3)
                    .map(|v| format!("{}.{}", 1 + i % 4, v))
                    .collect(),
                events: (0..shape.events_per_app)
                    .map(|_| rng.below(shape.event_names as u64) as usize)
                    .collect(),
            })
            .collect();
        let screens: Vec<String> = (0..shape.screens)
            .map(|i| format!("{} {} Page", WORDS[i % 24], WORDS[(i / 24) % 24]))
            .collect();
        let events: Vec<String> = (0..shape.event_names)
            .map(|i| {
                format!(
                    "{}{}{}",
                    WORDS[i % 24],
                    WORDS[(i * 7 / 24) % 24].to_uppercase(),
                    i / 100
                )
            })
            .collect();
        let event_screens: Vec<Vec<usize>> = (0..shape.event_names)
            .map(|_| {
                (0..1 + rng.below(shape.screens_per_event))
                    .map(|_| rng.below(shape.screens as u64) as usize)
                    .collect()
            })
            .collect();
        let schemas: Vec<Vec<(String, u64)>> = (0..shape.event_names)
            .map(|_| {
                let n = 10 + rng.below(21);
                (0..n)
                    .map(|k| {
                        (
                            format!("{}_{k}", WORDS[rng.below(24) as usize]),
                            rng.below(7),
                        )
                    })
                    .collect()
            })
            .collect();
        LineWriter {
            shape,
            apps,
            screens,
            events,
            event_screens,
            schemas,
            line: String::with_capacity(4096),
        }
    }

    fn line(&mut self, rng: &mut Rng) -> &str {
        let line = &mut self.line;
        line.clear();
        let app = &self.apps[rng.skewed(self.apps.len() as u64) as usize];
        let platform = app.platforms[rng.below(app.platforms.len() as u64) as usize];
        // Newer versions carry most traffic.
        let version =
            &app.versions[app.versions.len() - 1 - rng.skewed(app.versions.len() as u64) as usize];
        let event = app.events[rng.skewed(app.events.len() as u64) as usize];
        let on = &self.event_screens[event];
        let screen = &self.screens[on[rng.below(on.len() as u64) as usize]];
        let session = rng.below(150_000);
        let _ = write!(
            line,
            r#"{{"type":"track","event":"{}","messageId":"{:016x}","timestamp":"2026-11-20T10:{:02}:{:02}.{:03}Z","#,
            self.events[event],
            rng.next(),
            rng.below(60),
            rng.below(60),
            rng.below(1000),
        );
        if self.shape.rich_context {
            let _ = write!(
                line,
                r#""userId":"u-{}","anonymousId":"{:016x}-{:08x}","sentAt":"2026-11-20T10:59:59.000Z","#,
                session * 3 + rng.below(3),
                rng.next(),
                rng.next() as u32,
            );
        }
        let _ = write!(
            line,
            r#""context":{{"app":{{"name":"{}","version":"{version}","build":"{}"}},"os":{{"name":"{platform}","version":"{}.0"}},"screen":{{"name":"{screen}"}},"device":{{"model":"Model {}","manufacturer":"Maker"}},"locale":"en-US","sessionId":"sess-{session}""#,
            app.name,
            1000 + version.len(),
            10 + rng.below(8),
            rng.below(50),
        );
        if self.shape.rich_context {
            let _ = write!(
                line,
                r#","library":{{"name":"analytics-{}","version":"4.{}.0"}},"network":{{"wifi":{},"carrier":"Carrier {}"}},"timezone":"Europe/Berlin","userAgent":"Mozilla/5.0 (Linux; Android 14; Model {}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0 Mobile Safari/537.36""#,
                platform.to_lowercase(),
                rng.below(20),
                rng.below(2) == 0,
                rng.below(30),
                rng.below(50),
                100 + rng.below(30),
            );
        }
        line.push_str(r#"},"properties":{"#);
        for (index, (key, kind)) in self.schemas[event].iter().enumerate() {
            if index > 0 {
                line.push(',');
            }
            let _ = match kind {
                0 => write!(
                    line,
                    r#""{key}":"{}-{}""#,
                    WORDS[rng.below(24) as usize],
                    rng.below(1000)
                ),
                1 => write!(line, r#""{key}":{}"#, rng.below(100_000)),
                2 => write!(line, r#""{key}":{}.{:02}"#, rng.below(1000), rng.below(100)),
                3 => write!(line, r#""{key}":{}"#, rng.below(2) == 0),
                4 => write!(
                    line,
                    r#""{key}":{{"id":"{}","rank":{}}}"#,
                    rng.below(10_000),
                    rng.below(10)
                ),
                5 => write!(
                    line,
                    r#""{key}":[{{"sku":"S{}","qty":{}}},{{"sku":"S{}","qty":1}}]"#,
                    rng.below(999),
                    rng.below(5),
                    rng.below(999)
                ),
                _ => write!(line, r#""{key}":null"#),
            };
        }
        line.push_str("}}\n");
        line
    }
}
