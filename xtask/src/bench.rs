//! `cargo xtask bench-ingest`: generates one large Segment-style hour (about 2 GB of ~1 KB events
//! in 4 files, dozens of apps and versions, hundreds of screens and events, 10–30 properties per
//! event), then alternates `blueprint ingest` (release build, fresh SQLite database each run) with
//! DuckDB (`read_ndjson` with explicit columns, GROUP BY the five dimensions with count(*) and
//! count(DISTINCT session), `SET threads=2`) over the same files, and prints wall time, events/s,
//! MB/s and peak RSS of each, and the ratio. The data set is kept in `<target>/bench` between runs.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::build::{self, Profile};
use crate::run;

const HOUR: &str = "2026-11-20T10";
const FOLDER: &str = "bench/dt=2026-11-20/hr=10";
const FILES: usize = 4;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Skewed pick: small indexes are much more frequent (realistic popularity).
    fn skewed(&mut self, n: u64) -> u64 {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let gigabytes: f64 = run::number_flag(args, "--gb", 2.0)?;
    let runs: usize = run::number_flag(args, "--runs", 3)?;
    let bench = run::target_dir().join("bench");
    let events_root = bench.join("events");
    let hour_dir = events_root.join(FOLDER);
    let target_bytes = (gigabytes * 1e9) as u64;
    let (bytes, lines) = run::step_value("generate the benchmark hour", || {
        generate(&hour_dir, target_bytes)
    })?;
    run::step("python duckdb", ensure_duckdb)?;
    run::step("build blueprint (release)", || {
        run::cargo(&[
            "build",
            "--release",
            "-p",
            "blueprint-server",
            "--bin",
            "blueprint",
        ])
    })?;
    let binary = build::binary(Profile::Release);
    let mut results: Vec<(&str, Measure)> = Vec::new();
    for round in 1..=runs {
        eprintln!("\n--- round {round}/{runs}");
        let db = bench.join("bench.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", db.display())));
        }
        let mut blueprint = Command::new(&binary);
        blueprint
            .args(["ingest", "--tenant", "bench", "--hour", HOUR])
            .env(
                "BLUEPRINT_DATABASE_URL",
                format!("sqlite://{}?mode=rwc", db.display()),
            )
            .env("BLUEPRINT_EVENTS_URL", &events_root)
            .env("BLUEPRINT_INGEST_WORKERS", "2")
            .env("BLUEPRINT_LOG", "warn");
        let measured = measure(&mut blueprint)?;
        report("blueprint", &measured, bytes, lines);
        results.push(("blueprint", measured));
        let mut duckdb = Command::new("python3");
        duckdb.arg("-c").arg(duckdb_script(&hour_dir));
        let measured = measure(&mut duckdb)?;
        report("duckdb", &measured, bytes, lines);
        results.push(("duckdb", measured));
    }
    let median = |name: &str, pick: fn(&Measure) -> f64| {
        let mut values: Vec<f64> = results
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, m)| pick(m))
            .collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let (b_time, d_time) = (
        median("blueprint", |m| m.seconds),
        median("duckdb", |m| m.seconds),
    );
    let (b_rss, d_rss) = (
        median("blueprint", |m| m.max_rss_kib),
        median("duckdb", |m| m.max_rss_kib),
    );
    let mut summary = String::new();
    let _ = writeln!(
        summary,
        "\nbenchmark hour: {:.2} GB, {lines} events, {FILES} files; medians of {runs} alternating runs",
        bytes as f64 / 1e9
    );
    for (name, time, rss) in [
        ("blueprint ingest", b_time, b_rss),
        ("duckdb read_ndjson", d_time, d_rss),
    ] {
        let _ = writeln!(
            summary,
            "{name:<20} {time:>7.2} s  {:>9.0} events/s  {:>7.0} MB/s  peak RSS {:>6.0} MiB",
            lines as f64 / time,
            bytes as f64 / 1e6 / time,
            rss / 1024.0
        );
    }
    let _ = writeln!(
        summary,
        "blueprint / duckdb time ratio: {:.2} (below 1 means Blueprint is faster)",
        b_time / d_time
    );
    print!("{summary}");
    Ok(())
}

struct Measure {
    seconds: f64,
    max_rss_kib: f64,
}

fn report(name: &str, m: &Measure, bytes: u64, lines: u64) {
    eprintln!(
        "{name:<10} {:>7.2} s  {:>9.0} events/s  {:>7.0} MB/s  peak RSS {:>6.0} MiB",
        m.seconds,
        lines as f64 / m.seconds,
        bytes as f64 / 1e6 / m.seconds,
        m.max_rss_kib / 1024.0
    );
}

/// Runs a command to completion and reads its peak RSS from the kernel (wait4).
fn measure(command: &mut Command) -> Result<Measure, String> {
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|err| format!("cannot start {command:?}: {err}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet reaped; the pointers are valid for the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    std::mem::forget(child);
    if reaped != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{command:?} failed (status {status})"));
    }
    Ok(Measure {
        seconds,
        max_rss_kib: usage.ru_maxrss as f64,
    })
}

fn ensure_duckdb() -> Result<(), String> {
    if run::output("python3", &["-c", "import duckdb"]).is_some() {
        return Ok(());
    }
    run::status(Command::new("python3").args(["-m", "pip", "install", "--quiet", "duckdb"]))
}

fn duckdb_script(dir: &Path) -> String {
    format!(
        r#"
import duckdb
con = duckdb.connect()
con.execute("SET threads=2")
rows = con.execute('''
SELECT context.app.name AS application, context.app.version AS version, context.os.name AS platform,
       context.screen.name AS screen, event, count(*) AS events, count(DISTINCT context.sessionId) AS sessions
FROM read_ndjson('{}/*.jsonl', columns = {{
  'event': 'VARCHAR',
  'context': 'STRUCT(app STRUCT(name VARCHAR, version VARCHAR), os STRUCT(name VARCHAR), screen STRUCT(name VARCHAR), sessionId VARCHAR)'
}})
GROUP BY ALL
''').fetchall()
print(len(rows), "groups", sum(r[5] for r in rows), "events")
"#,
        dir.display()
    )
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

/// Writes the hour once (kept when the same size is already there); returns bytes and lines.
fn generate(dir: &Path, target_bytes: u64) -> Result<(u64, u64), String> {
    let marker = dir.join(format!("_GENERATED_v2_{target_bytes}"));
    if let Ok(text) = std::fs::read_to_string(&marker) {
        let mut parts = text
            .split_whitespace()
            .filter_map(|v| v.parse::<u64>().ok());
        if let (Some(bytes), Some(lines)) = (parts.next(), parts.next()) {
            eprintln!("reusing {} ({bytes} bytes, {lines} events)", dir.display());
            return Ok((bytes, lines));
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|err| err.to_string())?;
    let mut rng = Rng(0xb10e_9417);
    // 12 applications on 1–2 platforms with 4–6 versions each (dozens of app versions), 400
    // screens, 600 event names; each application sends its own ~100 events, each event fires on
    // 1–3 screens of its own, and carries 10–30 properties of fixed types.
    let apps: Vec<App> = (0..12)
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
            events: (0..100).map(|_| rng.below(600) as usize).collect(),
        })
        .collect();
    let screens: Vec<String> = (0..400)
        .map(|i| format!("{} {} Page", WORDS[i % 24], WORDS[(i / 24) % 24]))
        .collect();
    let events: Vec<String> = (0..600)
        .map(|i| {
            format!(
                "{}{}{}",
                WORDS[i % 24],
                WORDS[(i * 7 / 24) % 24].to_uppercase(),
                i / 100
            )
        })
        .collect();
    let event_screens: Vec<Vec<usize>> = (0..600)
        .map(|_| {
            (0..1 + rng.below(3))
                .map(|_| rng.below(400) as usize)
                .collect()
        })
        .collect();
    let schemas: Vec<Vec<(String, u64)>> = (0..events.len())
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
    let mut bytes = 0u64;
    let mut lines = 0u64;
    let per_file = target_bytes / FILES as u64;
    let started = Instant::now();
    for file in 0..FILES {
        let path = dir.join(format!("part-{file}.jsonl"));
        let handle = std::fs::File::create(&path).map_err(|err| err.to_string())?;
        let mut out = BufWriter::with_capacity(1 << 20, handle);
        let mut written = 0u64;
        let mut line = String::with_capacity(2048);
        while written < per_file {
            line.clear();
            let app = &apps[rng.skewed(apps.len() as u64) as usize];
            let platform = app.platforms[rng.below(app.platforms.len() as u64) as usize];
            // Newer versions carry most traffic.
            let version = &app.versions
                [app.versions.len() - 1 - rng.skewed(app.versions.len() as u64) as usize];
            let event = app.events[rng.skewed(app.events.len() as u64) as usize];
            let on = &event_screens[event];
            let screen = &screens[on[rng.below(on.len() as u64) as usize]];
            let session = rng.below(150_000);
            let _ = write!(
                line,
                r#"{{"type":"track","event":"{}","messageId":"{:016x}","timestamp":"2026-11-20T10:{:02}:{:02}.{:03}Z","context":{{"app":{{"name":"{}","version":"{version}","build":"{}"}},"os":{{"name":"{platform}","version":"{}.0"}},"screen":{{"name":"{screen}"}},"device":{{"model":"Model {}","manufacturer":"Maker"}},"locale":"en-US","sessionId":"sess-{session}"}},"properties":{{"#,
                events[event],
                rng.next(),
                rng.below(60),
                rng.below(60),
                rng.below(1000),
                app.name,
                1000 + version.len(),
                10 + rng.below(8),
                rng.below(50),
            );
            for (index, (key, kind)) in schemas[event].iter().enumerate() {
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
            out.write_all(line.as_bytes())
                .map_err(|err| err.to_string())?;
            written += line.len() as u64;
            lines += 1;
        }
        out.flush().map_err(|err| err.to_string())?;
        bytes += written;
        eprintln!(
            "wrote {} ({:.0} MB, {:.0} s)",
            path.display(),
            written as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    std::fs::write(&marker, format!("{bytes} {lines}")).map_err(|err| err.to_string())?;
    Ok((bytes, lines))
}
