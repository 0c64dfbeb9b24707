//! Running tools: steps with timings, cargo invocations, and where the workspace and target are.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// Cargo's target directory (`CARGO_TARGET_DIR` if set, as CI does to keep it outside the clone).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

pub fn elapsed(started: Instant) -> String {
    let secs = started.elapsed().as_secs();
    format!("{}m{:02}s", secs / 60, secs % 60)
}

/// Runs one named step, printing its name and how long it took.
pub fn step(name: &str, work: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    eprintln!("\n==> {name}");
    let started = Instant::now();
    let result = work().map_err(|err| format!("{name}: {err}"));
    if result.is_ok() {
        eprintln!("==> {name}: ok ({})", elapsed(started));
    }
    result
}

/// Runs a command to completion; a non-zero exit is an error naming the command.
pub fn status(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|err| format!("cannot run {shown}: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Runs a command and returns its standard output, or `None` when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn cargo(args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    status(Command::new(cargo).current_dir(workspace_root()).args(args))
}

/// Like [`step`], for work that returns a value.
pub fn step_value<T>(name: &str, work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let mut value = None;
    step(name, || {
        value = Some(work()?);
        Ok(())
    })?;
    value.ok_or_else(|| format!("{name}: no result"))
}

/// The value after `name` in a command's arguments (`--runs 3`).
pub fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// A number after `name`, or `default` when the flag is absent.
pub fn number_flag<T: std::str::FromStr>(
    args: &[String],
    name: &str,
    default: T,
) -> Result<T, String> {
    flag(args, name).map_or(Ok(default), |v| {
        v.parse()
            .map_err(|_| format!("{name} takes a number, not `{v}`"))
    })
}
