//! `cargo xtask bench-load`: the load benchmark. Writes the demo data into a scratch database and
//! events folder (`blueprint demo`), starts `blueprint serve` on it, signs in as the demo admin, and
//! runs many clients at once for a fixed time, each on its own thread and keep-alive connection,
//! cycling through every catalog page and API read of the page benchmark. Prints requests/s,
//! p50/p95/p99/max latency, errors (an answer outside 2xx/3xx, or a failed connection) and hangs
//! (no answer within 30 s: the client gives up on the connection and opens a new one).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::build::{self, Profile};
use crate::http::{self, Connection, Failure};
use crate::requests::{self, Sample};
use crate::{run, tools};

/// A request with no answer after this long is a hang.
const HANG: Duration = Duration::from_secs(30);
const ADMIN: &str = "admin@demo.blueprint";
/// How many error messages are shown after the table.
const SHOWN_ERRORS: usize = 5;

pub fn run(args: &[String]) -> Result<(), String> {
    let seconds: u64 = run::number_flag(args, "--seconds", 300)?;
    let clients: usize = run::number_flag(args, "--clients", 64)?;
    if seconds == 0 || clients == 0 {
        return Err("--seconds and --clients must be above 0".into());
    }
    let binary = match run::flag(args, "--binary") {
        Some(path) => PathBuf::from(path),
        None => {
            tools::ensure()?;
            build::site_and_server(Profile::Release)?;
            build::binary(Profile::Release)
        }
    };
    if !binary.is_file() {
        return Err(format!("{} does not exist", binary.display()));
    }
    let scratch = std::env::temp_dir().join(format!("blueprint-bench-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("events")).map_err(|e| e.to_string())?;
    let address = format!("127.0.0.1:{}", http::free_port()?);
    let password = run::step_value("write and ingest the demo data (blueprint demo)", || {
        write_demo(&binary, &scratch, &address)
    })?;
    let mut server = serve(&binary, &scratch, &address)?;
    let result = measure(&address, &password, seconds, clients);
    let _ = server.kill();
    let _ = server.wait();
    match result {
        Ok(true) => {
            let _ = std::fs::remove_dir_all(&scratch);
            Ok(())
        }
        Ok(false) => {
            eprintln!(
                "xtask: errors or hangs; the server's log is in {}",
                scratch.join("server.log").display()
            );
            Ok(())
        }
        Err(err) => Err(format!(
            "{err} (the server's log is in {})",
            scratch.join("server.log").display()
        )),
    }
}

/// The scratch database, events folder and listen address, as the README's settings name them.
fn server_env(command: &mut Command, scratch: &Path, address: &str) {
    command
        .current_dir(scratch)
        .env(
            "BLUEPRINT_DATABASE_URL",
            format!("sqlite://{}/blueprint.db?mode=rwc", scratch.display()),
        )
        .env("BLUEPRINT_EVENTS_URL", scratch.join("events"))
        .env("BLUEPRINT_LISTEN", address)
        .env("BLUEPRINT_SITE_ROOT", build::site_root())
        .env("BLUEPRINT_LOG", "warn");
}

/// Runs `blueprint demo`; returns the demo admin's password, which it prints.
fn write_demo(binary: &Path, scratch: &Path, address: &str) -> Result<String, String> {
    let mut command = Command::new(binary);
    server_env(&mut command, scratch, address);
    let out = command
        .arg("demo")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("blueprint demo failed ({})", out.status));
    }
    stdout
        .lines()
        .filter(|line| line.contains(ADMIN))
        .find_map(|line| line.split_once("password:"))
        .map(|(_, password)| password.trim().to_owned())
        .ok_or_else(|| format!("blueprint demo printed no password for {ADMIN}"))
}

fn serve(binary: &Path, scratch: &Path, address: &str) -> Result<Child, String> {
    let log = std::fs::File::create(scratch.join("server.log")).map_err(|e| e.to_string())?;
    let mut command = Command::new(binary);
    server_env(&mut command, scratch, address);
    command
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start blueprint serve: {e}"))
}

/// The demo's `shopwave` tenant; its counts are read for an hour shortly before now.
fn demo_sample() -> Sample<'static> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Sample {
        tenant: "shopwave",
        event: "productViewed",
        search: "product",
        application: "Shopwave",
        platform: "iOS",
        version: "3.10.0",
        events_page: 2,
        screen: "Product%20Details",
        hour: utc_hour(now.saturating_sub(3 * 3600)),
        next_hour: utc_hour(now.saturating_sub(2 * 3600)),
    }
}

/// Signs in, checks every request once, runs the clients and prints the table. True when there
/// were neither errors nor hangs.
fn measure(address: &str, password: &str, seconds: u64, clients: usize) -> Result<bool, String> {
    http::wait_for(address)?;
    let cookie = http::sign_in(address, ADMIN, password)?;
    let urls = requests::catalog(&demo_sample());
    let mut connection = Connection::open(address, HANG).map_err(|e| e.to_string())?;
    for (name, path) in &urls {
        let answer = connection
            .get(path, &cookie)
            .map_err(|e| format!("{name}: GET {path}: {e}"))?;
        if !(200..400).contains(&answer.status) {
            return Err(format!("{name}: GET {path} answered {}", answer.status));
        }
        if !answer.keep_alive {
            connection = Connection::open(address, HANG).map_err(|e| e.to_string())?;
        }
    }
    eprintln!(
        "\n==> {clients} clients for {seconds} s, each cycling through {} requests",
        urls.len()
    );
    let load = Load {
        address: address.to_owned(),
        cookie,
        urls,
        started: Instant::now(),
        until: Instant::now() + Duration::from_secs(seconds),
        answered: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    };
    let load = Arc::new(load);
    let handles: Vec<_> = (0..clients)
        .map(|index| {
            let load = Arc::clone(&load);
            std::thread::spawn(move || client(&load, index))
        })
        .collect();
    report_progress(&load);
    let mut total = Tally::new(load.urls.len());
    for handle in handles {
        total.add(handle.join().map_err(|_| "a client thread panicked")?);
    }
    print_table(&load, &total, clients);
    Ok(total.errors.iter().chain(&total.hangs).all(|&n| n == 0))
}

/// What every client shares: where to go, what to ask, until when; counters for the progress line.
struct Load {
    address: String,
    cookie: String,
    urls: Vec<(String, String)>,
    started: Instant,
    until: Instant,
    answered: AtomicU64,
    failed: AtomicU64,
}

/// One client's results, per request of the list.
struct Tally {
    /// Milliseconds of each answered request.
    latencies: Vec<Vec<f64>>,
    errors: Vec<u64>,
    hangs: Vec<u64>,
    /// The first few error messages, with the request's name.
    messages: Vec<String>,
    /// When the last answer came.
    last: Option<Instant>,
}

impl Tally {
    fn new(urls: usize) -> Self {
        Self {
            latencies: vec![Vec::new(); urls],
            errors: vec![0; urls],
            hangs: vec![0; urls],
            messages: Vec::new(),
            last: None,
        }
    }

    fn note(&mut self, message: String) {
        if self.messages.len() < SHOWN_ERRORS {
            self.messages.push(message);
        }
    }

    fn add(&mut self, other: Tally) {
        for (mine, theirs) in self.latencies.iter_mut().zip(other.latencies) {
            mine.extend(theirs);
        }
        for (mine, theirs) in self.errors.iter_mut().zip(other.errors) {
            *mine += theirs;
        }
        for (mine, theirs) in self.hangs.iter_mut().zip(other.hangs) {
            *mine += theirs;
        }
        for message in other.messages {
            self.note(message);
        }
        self.last = self.last.max(other.last);
    }
}

/// One client: requests the list round and round (each client starting elsewhere in it) until the
/// time is up, on one keep-alive connection, replaced after a failure or a `Connection: close`.
fn client(load: &Load, index: usize) -> Tally {
    let mut tally = Tally::new(load.urls.len());
    let mut connection: Option<Connection> = None;
    let mut next = index;
    while Instant::now() < load.until {
        let at = next % load.urls.len();
        next += 1;
        let (name, path) = &load.urls[at];
        let started = Instant::now();
        let outcome = match connection.take() {
            Some(open) => Ok(open),
            None => Connection::open(&load.address, HANG),
        }
        .and_then(|mut open| open.get(path, &load.cookie).map(|answer| (open, answer)));
        match outcome {
            Ok((open, answer)) => {
                tally.latencies[at].push(started.elapsed().as_secs_f64() * 1000.0);
                tally.last = Some(Instant::now());
                load.answered.fetch_add(1, Ordering::Relaxed);
                if !(200..400).contains(&answer.status) {
                    tally.errors[at] += 1;
                    load.failed.fetch_add(1, Ordering::Relaxed);
                    tally.note(format!("{name}: GET {path} answered {}", answer.status));
                }
                if answer.keep_alive {
                    connection = Some(open);
                }
            }
            Err(failure) => {
                load.failed.fetch_add(1, Ordering::Relaxed);
                tally.note(format!("{name}: GET {path}: {failure}"));
                match failure {
                    Failure::Hang => tally.hangs[at] += 1,
                    Failure::Io(_) => {
                        tally.errors[at] += 1;
                        // A server that refuses connections must not turn the client into a spin.
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
            }
        }
    }
    tally
}

/// A line every 10 s until the time is up.
fn report_progress(load: &Load) {
    while Instant::now() < load.until {
        let left = load.until.saturating_duration_since(Instant::now());
        std::thread::sleep(left.min(Duration::from_secs(10)));
        eprintln!(
            "xtask: {:>4} s: {} answers, {} errors or hangs",
            load.started.elapsed().as_secs(),
            load.answered.load(Ordering::Relaxed),
            load.failed.load(Ordering::Relaxed)
        );
    }
}

fn print_table(load: &Load, total: &Tally, clients: usize) {
    let wall = total
        .last
        .map_or(0.0, |last| (last - load.started).as_secs_f64())
        .max(f64::EPSILON);
    println!(
        "\n{:<36} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>6}",
        "request", "answers", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "hangs"
    );
    let row = |name: &str, mut latencies: Vec<f64>, errors: u64, hangs: u64| {
        latencies.sort_by(f64::total_cmp);
        let p = |q: f64| percentile(&latencies, q);
        println!(
            "{name:<36} {:>8} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {errors:>7} {hangs:>6}",
            latencies.len(),
            latencies.len() as f64 / wall,
            p(0.5),
            p(0.95),
            p(0.99),
            p(1.0)
        );
    };
    for (at, (name, _)) in load.urls.iter().enumerate() {
        row(
            name,
            total.latencies[at].clone(),
            total.errors[at],
            total.hangs[at],
        );
    }
    let all: Vec<f64> = total.latencies.iter().flatten().copied().collect();
    let (errors, hangs) = (total.errors.iter().sum(), total.hangs.iter().sum());
    row(&format!("all ({clients} clients)"), all, errors, hangs);
    for message in &total.messages {
        println!("  {message}");
    }
    let _ = std::io::stdout().flush();
}

/// The value at quantile `q` of sorted values (0 when there are none).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// The UTC hour holding a Unix time, as `YYYY-MM-DDTHH` (the API's hour format).
fn utc_hour(unix: u64) -> String {
    let (days, hour) = (unix / 86_400, unix % 86_400 / 3600);
    // Civil date from days since 1970-01-01, counting in 400-year eras from 0000-03-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_utc_calendar_hours() {
        assert_eq!(utc_hour(0), "1970-01-01T00");
        assert_eq!(utc_hour(951_782_400), "2000-02-29T00");
        assert_eq!(utc_hour(1_700_000_000), "2023-11-14T22");
        assert_eq!(utc_hour(1_798_761_599), "2026-12-31T23");
    }

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.5), 51.0);
        assert_eq!(percentile(&values, 0.99), 99.0);
        assert_eq!(percentile(&values, 1.0), 100.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
