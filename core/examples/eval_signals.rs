//! The anomaly evaluation over many seeds, with its figures: recall, precision, time to
//! detection, and the incidents the clean variant raises. The same runs as
//! `core/tests/evaluation.rs` (its harness), on SQLite.
//!
//! `cargo run -p blueprint-core --release --example eval_signals -- --seeds 20 [--first 1]`
//! (or `cargo xtask eval-signals --seeds 20`). Exits non-zero when a rule fails for any seed.

#[path = "../tests/evaluation/harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use blueprint_core::testing::test_databases;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds = arg(&args, "--seeds", 20);
    let first = arg(&args, "--first", 1);
    let started = Instant::now();
    let (mut found, mut injected, mut right, mut incidents) = (0, 0, 0, 0);
    let mut clean_incidents = 0;
    let mut delays: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for seed in first..first + seeds {
        for anomalies in [true, false] {
            let databases = test_databases().await;
            let Some(db) = databases.iter().find(|db| db.label == "sqlite") else {
                return ExitCode::FAILURE;
            };
            let run = harness::run(db, seed, anomalies).await;
            let label = format!("seed {seed}{}", if anomalies { "" } else { " (clean)" });
            let (f, i) = run.recall();
            let (r, n) = run.precision();
            if anomalies {
                (found, injected, right, incidents) =
                    (found + f, injected + i, right + r, incidents + n);
                for (index, delay) in &run.delay {
                    let kind = run.traffic.truth[*index].kind.as_str().to_string();
                    let when = delay.map_or("missed".to_string(), |d| format!("{d} h"));
                    *delays.entry((kind, when)).or_default() += 1;
                }
            } else {
                clean_incidents += n;
            }
            let failed = run.failures(&label);
            println!(
                "{label}: recall {f}/{i}, precision {r}/{n}, detection {:?}, {} failure(s), {:.0} s (generate, history, news: {:.0?})",
                run.delay.values().collect::<Vec<_>>(),
                failed.len(),
                run.elapsed.as_secs_f64(),
                run.phases
            );
            for line in &failed {
                println!("  {line}");
            }
            failures.extend(failed);
        }
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    println!();
    println!(
        "seeds {first}..{}: {seeds} with anomalies, {seeds} clean",
        first + seeds - 1
    );
    println!(
        "recall    {found}/{injected} = {:.1} %",
        pct(found, injected)
    );
    println!(
        "precision {right}/{incidents} = {:.1} %",
        pct(right, incidents)
    );
    println!("clean variant: {clean_incidents} incident(s)");
    println!("time to detection of the news anomalies (anomalous hours ingested when found):");
    for ((kind, when), n) in &delays {
        println!("  {kind:8} {when:>7}: {n}");
    }
    println!(
        "{} failure(s), {:.0} s",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
