//! `cargo xtask bench-ingest --month`: a month's baseline through the job queue. The demo's
//! generator writes `--hours` (720 by default) consecutive hours of both demo tenants at the demo's
//! size (about 400 events per tenant-hour), then for each worker count (`--workers 1,2`) a fresh
//! Postgres database gets that many `blueprint worker` processes (each ingesting one tenant-hour at a
//! time) and one `blueprint backfill --wait` per tenant over the whole range, and the wall time from
//! queueing to the last hour written is reported as tenant-hours per minute.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use chrono::{TimeZone, Utc};

use crate::run;

/// The first hour of the month (fixed, so the data set is the same bytes every time).
const FIRST: (i32, u32, u32) = (2026, 10, 1);

pub fn run(args: &[String], binary: &Path, server: &str) -> Result<(), String> {
    let hours: u32 = run::number_flag(args, "--hours", 720)?;
    let workers: Vec<usize> = run::flag(args, "--workers")
        .unwrap_or("1,2")
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .ok()
                .filter(|n| (1..=8).contains(n))
                .ok_or(format!(
                    "--workers takes counts from 1 to 8, like 1,2 (not `{n}`)"
                ))
        })
        .collect::<Result<_, _>>()?;
    let root = run::target_dir()
        .join("bench-month")
        .join(format!("{hours}h"));
    let events = root.join("events");
    let first = Utc
        .with_ymd_and_hms(FIRST.0, FIRST.1, FIRST.2, 0, 0, 0)
        .single()
        .ok_or("the month's first hour")?;
    if !root.join("complete").exists() {
        run::step("generate the month (demo tenants)", || {
            let _ = std::fs::remove_dir_all(&root);
            let options = blueprint_demo::DemoOptions {
                first_hour: first,
                hours,
                events_per_hour: 400,
                seed: 0x5eed_b1e9_2026,
            };
            blueprint_demo::generate(&events, &options).map_err(|err| err.to_string())?;
            std::fs::write(root.join("complete"), b"").map_err(|err| err.to_string())
        })?;
    }
    let from = first.format("%Y-%m-%dT%H").to_string();
    let to = (first + chrono::Duration::hours(i64::from(hours)))
        .format("%Y-%m-%dT%H")
        .to_string();
    let mut results = String::new();
    for count in workers {
        let url = super::fresh_postgres(server, binary, "blueprint_bench_month")?;
        let environment = |command: &mut Command| {
            command
                .env("BLUEPRINT_DATABASE_URL", &url)
                .env("BLUEPRINT_EVENTS_URL", &events)
                .env("BLUEPRINT_JOB_CONCURRENCY", "1")
                .env("BLUEPRINT_SCHEDULE", "false")
                .env("BLUEPRINT_LOG", "warn");
        };
        let mut processes: Vec<Child> = Vec::new();
        for _ in 0..count {
            let mut command = Command::new(binary);
            command.arg("worker").stdout(Stdio::null());
            environment(&mut command);
            processes.push(
                command
                    .spawn()
                    .map_err(|err| format!("cannot start {binary:?} worker: {err}"))?,
            );
        }
        // Give the workers time to register, so the backfill commands only follow.
        std::thread::sleep(std::time::Duration::from_secs(3));
        let started = Instant::now();
        let mut backfills = Vec::new();
        for tenant in blueprint_demo::TENANTS {
            let mut command = Command::new(binary);
            command
                .args([
                    "backfill", "--tenant", tenant, "--from", &from, "--to", &to, "--wait",
                ])
                .stdout(Stdio::piped());
            environment(&mut command);
            backfills.push(
                command
                    .spawn()
                    .map_err(|err| format!("cannot start {binary:?} backfill: {err}"))?,
            );
        }
        let mut failure = None;
        for backfill in backfills {
            match backfill.wait_with_output() {
                Ok(out) if out.status.success() => {
                    eprint!("{}", String::from_utf8_lossy(&out.stdout));
                }
                Ok(out) => {
                    failure = Some(format!(
                        "a backfill failed ({}): {}",
                        out.status,
                        String::from_utf8_lossy(&out.stdout)
                    ))
                }
                Err(err) => failure = Some(err.to_string()),
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        for mut process in processes {
            let _ = process.kill();
            let _ = process.wait();
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        let tenant_hours = u64::from(hours) * blueprint_demo::TENANTS.len() as u64;
        let line = format!(
            "{count} worker(s): {tenant_hours} tenant-hours in {seconds:.1} s, {:.0} tenant-hours per minute\n",
            tenant_hours as f64 * 60.0 / seconds
        );
        eprint!("{line}");
        results.push_str(&line);
    }
    print!(
        "\nthe month through the job queue on Postgres ({hours} hours of both demo tenants):\n{results}"
    );
    Ok(())
}
