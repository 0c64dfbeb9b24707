//! `cargo xtask demo` and `cargo xtask test`, the two commands of the README, and the benchmarks.
//! Plain Rust, no dependencies: each step runs a tool (cargo, rustup, wasm-bindgen, apt-get, npm)
//! and stops at the first failure with the step's name.

mod bench;
mod bench_load;
mod bench_pages;
mod build;
mod bundle;
mod e2e;
mod http;
mod packages;
mod requests;
mod run;
mod tools;

use std::process::ExitCode;
use std::time::Instant;

use build::Profile;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo   install missing build tools, build Blueprint (release), write and ingest the demo data,
         and serve it on http://127.0.0.1:3000
  test   formatting, clippy, every Rust test (SQLite, and Postgres when BLUEPRINT_TEST_POSTGRES_URL
         is set), then the browser tests in Chromium with JavaScript on and off (Chromium, Node.js
         and npm are installed with apt-get when missing, as root or with password-less sudo)
  site   build the WASM bundle and the server (debug) without running anything
  e2e    build, then run only the browser tests

  eval-signals [--seeds 20] [--first 1]
         the volume-anomaly evaluation (release build, SQLite) over many seeds of generated
         traffic with injected anomalies, and a clean variant: recall, precision, time to detection

  bench-ingest [--shape catalog|wide] [--scale 1] [--gb 2] [--runs 3] [--postgres URL] [--binary PATH]
         ingestion benchmark: one large generated hour (catalog: 1.5 M events × scale; wide:
         --gb), `blueprint ingest` on SQLite (and Postgres), fresh and again, beside DuckDB
  bench-ingest --month [--hours 720] [--workers 1,2] [--postgres URL] [--binary PATH]
         a month of demo-sized hours of both demo tenants through the job queue on Postgres,
         with that many `blueprint worker` processes: tenant-hours per minute
  bench-pages [--requests 400] [--postgres postgres://postgres@127.0.0.1:5432]
         page-speed benchmark: a large ledger loaded into Postgres (database blueprint_bench),
         every catalog page and the main API calls over 8 connections: p50/p95/max
  bench-load [--seconds 300] [--clients 64] [--binary PATH]
         load benchmark: `blueprint serve` (release, or PATH) on the demo data, many clients at once
         cycling through the catalog pages and API reads: requests/s, p50/p95/p99/max, errors, hangs";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("test") => test(),
        Some("eval-signals") => eval_signals(&args[1..]),
        Some("bench-ingest") => bench::run(&args[1..]),
        Some("bench-pages") => bench_pages::run(&args[1..]),
        Some("bench-load") => bench_load::run(&args[1..]),
        Some("e2e") => packages::ensure()
            .and_then(|()| tools::ensure())
            .and_then(|()| build::site_and_server(Profile::Debug))
            .and_then(|()| run::step("browser tests (Chromium, JavaScript on and off)", e2e::run)),

        Some("site") => tools::ensure().and_then(|()| build::site_and_server(Profile::Debug)),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(3);
        }
    };
    match result {
        Ok(()) => {
            eprintln!("xtask: done in {}", run::elapsed(started));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::from(3)
        }
    }
}

/// `cargo xtask eval-signals`: the example that runs the evaluation's harness over many seeds.
fn eval_signals(args: &[String]) -> Result<(), String> {
    let mut command = vec![
        "run",
        "-p",
        "blueprint-core",
        "--release",
        "--example",
        "eval_signals",
        "--",
    ];
    command.extend(args.iter().map(String::as_str));
    run::step("volume-anomaly evaluation over many seeds", || {
        run::cargo(&command)
    })
}

fn demo() -> Result<(), String> {
    tools::ensure()?;
    build::site_and_server(Profile::Release)?;
    let binary = build::binary(Profile::Release);
    run::step("write and ingest the demo data (blueprint demo)", || {
        let mut command = std::process::Command::new(&binary);
        command.current_dir(run::workspace_root()).arg("demo");
        run::status(&mut command)
    })?;
    run::step(
        "serve Blueprint on http://127.0.0.1:3000 (Ctrl-C stops it)",
        || {
            let mut command = std::process::Command::new(&binary);
            command.current_dir(run::workspace_root()).arg("serve");
            run::status(&mut command)
        },
    )
}

fn test() -> Result<(), String> {
    packages::ensure()?;
    packages::ensure_moto()?;
    tools::ensure()?;
    run::step("cargo fmt --check", || {
        run::cargo(&["fmt", "--all", "--", "--check"])
    })?;
    run::step("clippy (server side, warnings denied)", || {
        run::cargo(&[
            "clippy",
            "--workspace",
            "--exclude",
            "blueprint-frontend",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
    })?;
    run::step("clippy (WASM front end, warnings denied)", || {
        run::cargo(&[
            "clippy",
            "-p",
            "blueprint-frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ])
    })?;
    match std::env::var("BLUEPRINT_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => eprintln!("xtask: database tests run on SQLite and Postgres"),
        _ => eprintln!(
            "xtask: database tests run on SQLite only (set BLUEPRINT_TEST_POSTGRES_URL for Postgres)"
        ),
    }
    run::step("cargo test (every Rust test)", || {
        run::cargo(&["test", "--workspace", "--exclude", "blueprint-frontend"])
    })?;
    build::site_and_server(Profile::Debug)?;
    run::step("browser tests (Chromium, JavaScript on and off)", e2e::run)
}
