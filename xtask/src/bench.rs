//! `cargo xtask bench-ingest`: generates one large Segment-style hour (`bench/hour.rs`: the
//! `catalog` shape of issue 18 by default, or the earlier `wide` one), builds the release binary,
//! then alternates, in each round over the same files: `blueprint ingest` into a fresh SQLite
//! database, the same hour again into it (a re-ingestion replaces the hour), the same two on a fresh
//! Postgres database when `--postgres` is given, and DuckDB (`read_ndjson` with explicit columns,
//! GROUP BY the five dimensions with count(*) and count(DISTINCT session), `SET threads=2`). It prints
//! each run's wall time, peak RSS (wait4) and Blueprint's own split (list, parse, merge, database
//! write, roll-up), then the medians and the ratios to DuckDB. The data set is kept in
//! `<target>/bench` between runs.

mod hour;
mod month;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::build::{self, Profile};
use crate::run;
use hour::{FILES, Shape};

const HOUR: &str = "2026-11-20T10";
const FOLDER: &str = "dt=2026-11-20/hr=10";

pub fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = run::number_flag(args, "--runs", 3)?;
    let shape = match run::flag(args, "--shape").unwrap_or("catalog") {
        "catalog" => Shape::catalog(run::number_flag(args, "--scale", 1)?),
        "wide" => Shape::wide(run::number_flag(args, "--gb", 2.0)?),
        other => return Err(format!("--shape is `catalog` or `wide`, not `{other}`")),
    };
    let postgres = run::flag(args, "--postgres");
    let tenant = format!("bench-{}", shape.name);
    let bench = run::target_dir().join("bench");
    let events_root = bench.join("events");
    let hour_dir = events_root.join(&tenant).join(FOLDER);
    // `--binary PATH` measures that build of `blueprint` (an earlier commit, another CPU level).
    let binary = match run::flag(args, "--binary") {
        Some(path) => PathBuf::from(path),
        None => {
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
            build::binary(Profile::Release)
        }
    };
    if args.iter().any(|arg| arg == "--month") {
        let server = postgres.unwrap_or("postgres://postgres@127.0.0.1:5432");
        return month::run(args, &binary, server);
    }
    let generated = run::step_value("generate the benchmark hour", || {
        hour::generate(&hour_dir, shape)
    })?;
    let (bytes, lines) = (generated.bytes, generated.events);
    run::step("python duckdb", ensure_duckdb)?;
    let ingest = |database_url: &str| {
        let mut command = Command::new(&binary);
        command
            .args(["ingest", "--tenant", &tenant, "--hour", HOUR])
            .env("BLUEPRINT_DATABASE_URL", database_url)
            .env("BLUEPRINT_EVENTS_URL", &events_root)
            .env("BLUEPRINT_INGEST_WORKERS", "2")
            .env("BLUEPRINT_LOG", "warn");
        command
    };
    let mut results: Vec<(String, Measure)> = Vec::new();
    let mut record = |name: &str, measured: Measure| {
        report(name, &measured, bytes, lines);
        results.push((name.to_owned(), measured));
    };
    for round in 1..=runs {
        eprintln!("\n--- round {round}/{runs}");
        let db = bench.join("bench.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", db.display())));
        }
        let sqlite = format!("sqlite://{}?mode=rwc", db.display());
        record("sqlite fresh", measure(&mut ingest(&sqlite))?);
        record("duckdb", measure(&mut duckdb(&hour_dir))?);
        record("sqlite again", measure(&mut ingest(&sqlite))?);
        if let Some(server) = postgres {
            let url = fresh_postgres(server, &binary, "blueprint_bench_ingest")?;
            record("postgres fresh", measure(&mut ingest(&url))?);
            record("duckdb", measure(&mut duckdb(&hour_dir))?);
            record("postgres again", measure(&mut ingest(&url))?);
        }
    }
    print!("{}", summary(&results, shape, bytes, lines, runs));
    Ok(())
}

/// What one run measured: wall time, peak RSS, and Blueprint's split as its summary line says.
struct Measure {
    seconds: f64,
    max_rss_kib: f64,
    split: Option<Split>,
}

#[derive(Clone, Copy, Default)]
struct Split {
    read: f64,
    list: f64,
    parse: f64,
    merge: f64,
    write: f64,
    rollup: f64,
    discoveries: f64,
}

fn summary(
    results: &[(String, Measure)],
    shape: Shape,
    bytes: u64,
    lines: u64,
    runs: usize,
) -> String {
    let median = |name: &str, pick: &dyn Fn(&Measure) -> f64| {
        let mut values: Vec<f64> = results
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, m)| pick(m))
            .collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied()
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nbenchmark hour ({}): {:.2} GB, {lines} events, {FILES} files; {cores} cores; medians of {runs} alternating rounds",
        shape.name,
        bytes as f64 / 1e9
    );
    let _ = writeln!(
        out,
        "{:<16} {:>7} {:>10} {:>6} {:>9} | {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>11}",
        "run",
        "total s",
        "events/s",
        "MB/s",
        "peak MiB",
        "list",
        "parse",
        "merge",
        "write",
        "rollup",
        "read",
        "discoveries"
    );
    let Some(duckdb) = median("duckdb", &|m| m.seconds) else {
        return out;
    };
    let names = [
        "duckdb",
        "sqlite fresh",
        "sqlite again",
        "postgres fresh",
        "postgres again",
    ];
    for name in names {
        let Some(time) = median(name, &|m| m.seconds) else {
            continue;
        };
        let rss = median(name, &|m| m.max_rss_kib).unwrap_or(0.0) / 1024.0;
        let _ = write!(
            out,
            "{name:<16} {time:>7.2} {:>10.0} {:>6.0} {rss:>9.0}",
            lines as f64 / time,
            bytes as f64 / 1e6 / time,
        );
        let part = |pick: fn(&Split) -> f64| median(name, &|m| m.split.map_or(0.0, |s| pick(&s)));
        if name != "duckdb" {
            let _ = write!(
                out,
                " | {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>7.2} {:>11.0}",
                part(|s| s.list).unwrap_or(0.0),
                part(|s| s.parse).unwrap_or(0.0),
                part(|s| s.merge).unwrap_or(0.0),
                part(|s| s.write).unwrap_or(0.0),
                part(|s| s.rollup).unwrap_or(0.0),
                part(|s| s.read).unwrap_or(0.0),
                part(|s| s.discoveries).unwrap_or(0.0),
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\nspeed against DuckDB's counting (above 1: Blueprint is faster):"
    );
    for name in &names[1..] {
        let (Some(total), Some(read)) = (
            median(name, &|m| m.seconds),
            median(name, &|m| m.split.map_or(0.0, |s| s.read)),
        ) else {
            continue;
        };
        let _ = writeln!(
            out,
            "{name:<16} list + read + parse {:.2}×   full ingest {:.2}×",
            duckdb / read,
            duckdb / total
        );
    }
    out
}

fn report(name: &str, m: &Measure, bytes: u64, lines: u64) {
    let split = m.split.map_or(String::new(), |s| {
        format!(
            "  (list {:.2}, parse {:.2}, merge {:.2}, write {:.2}, roll-up {:.2}; {} discoveries)",
            s.list, s.parse, s.merge, s.write, s.rollup, s.discoveries
        )
    });
    eprintln!(
        "{name:<16} {:>7.2} s  {:>9.0} events/s  {:>7.0} MB/s  peak RSS {:>6.0} MiB{split}",
        m.seconds,
        lines as f64 / m.seconds,
        bytes as f64 / 1e6 / m.seconds,
        m.max_rss_kib / 1024.0
    );
}

/// Blueprint's split from `blueprint ingest`'s summary line (`… 12 discoveries in 3.10 s (read
/// 1.20 s: list 0.00 s, parse 1.10 s, merge 0.10 s; write 1.80 s; roll-up 0.10 s)`).
fn parse_split(output: &str) -> Option<Split> {
    let number_before = |text: &str, unit: &str| -> Option<f64> {
        let end = text.find(unit)?;
        text[..end].split_whitespace().last()?.parse().ok()
    };
    let after = |name: &str| output.find(name).map(|at| &output[at + name.len()..]);
    Some(Split {
        read: number_before(after("(read ")?, " s")?,
        list: number_before(after("list ")?, " s")?,
        parse: number_before(after("parse ")?, " s")?,
        merge: number_before(after("merge ")?, " s")?,
        write: number_before(after("write ")?, " s")?,
        rollup: number_before(after("roll-up ")?, " s")?,
        discoveries: number_before(output, " discoveries")?,
    })
}

/// Runs a command to completion, reading its peak RSS from the kernel (wait4) and its output.
fn measure(command: &mut Command) -> Result<Measure, String> {
    let output_file =
        std::env::temp_dir().join(format!("blueprint-bench-{}.out", std::process::id()));
    let out = std::fs::File::create(&output_file).map_err(|err| err.to_string())?;
    command.stdout(out).stderr(Stdio::inherit());
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
    let output = std::fs::read_to_string(&output_file).unwrap_or_default();
    let _ = std::fs::remove_file(&output_file);
    if reaped != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{command:?} failed (status {status}): {output}"));
    }
    Ok(Measure {
        seconds,
        max_rss_kib: usage.ru_maxrss as f64,
        split: parse_split(&output),
    })
}

/// A fresh database `database` on the Postgres server at `server`, migrated.
fn fresh_postgres(server: &str, binary: &Path, database: &str) -> Result<String, String> {
    let psql = |sql: &str| {
        run::status(
            Command::new("psql")
                .args([
                    &format!("{server}/postgres"),
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                    sql,
                ])
                .stdout(Stdio::null()),
        )
    };
    psql(&format!("DROP DATABASE IF EXISTS {database}"))?;
    psql(&format!("CREATE DATABASE {database}"))?;
    let url = format!("{server}/{database}");
    run::status(
        Command::new(binary)
            .arg("migrate")
            .env("BLUEPRINT_DATABASE_URL", &url)
            .stdout(Stdio::null()),
    )?;
    Ok(url)
}

fn ensure_duckdb() -> Result<(), String> {
    if run::output("python3", &["-c", "import duckdb"]).is_some() {
        return Ok(());
    }
    run::status(Command::new("python3").args(["-m", "pip", "install", "--quiet", "duckdb"]))
}

fn duckdb(dir: &Path) -> Command {
    let mut command = Command::new("python3");
    command.arg("-c").arg(duckdb_script(dir));
    command
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
