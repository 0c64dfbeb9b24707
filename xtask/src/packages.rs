//! The system packages the browser tests need and a fresh Debian machine lacks: Chromium, Node.js
//! and npm. When one is missing they are installed with apt-get (as root, or through `sudo` when it
//! asks no password); otherwise the run stops with the one command to type. Nothing runs when all
//! are there.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::run;

const PACKAGES: [&str; 3] = ["chromium", "nodejs", "npm"];
/// What someone who cannot install as root or through password-less sudo is told to run.
pub const INSTALL: &str = "sudo apt-get install -y chromium nodejs npm";

/// The browser the tests drive: `CHROMIUM` when set (an error when it names no file), else the
/// system Chromium, or `None` when there is none.
pub fn chromium() -> Result<Option<PathBuf>, String> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(Some(path))
        } else {
            Err(format!("CHROMIUM={} does not exist", path.display()))
        };
    }
    let fixed = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from);
    Ok(["chromium", "chromium-browser"]
        .into_iter()
        .find_map(on_path)
        .or_else(|| fixed.into_iter().find(|path| path.is_file())))
}

/// Installs Chromium, Node.js and npm when one of them is missing.
pub fn ensure() -> Result<(), String> {
    let missing = missing_programs()?;
    if missing.is_empty() {
        return Ok(());
    }
    let privilege = privilege().filter(|_| on_path("apt-get").is_some());
    let Some(privilege) = privilege else {
        return Err(format!(
            "the browser tests need {missing}; install them with: {INSTALL}"
        ));
    };
    let install: Vec<&str> = ["install", "-y"].into_iter().chain(PACKAGES).collect();
    let name = format!(
        "apt-get install -y {} ({missing} missing)",
        PACKAGES.join(" ")
    );
    run::step(&name, || {
        apt(privilege, &["update"])?;
        apt(privilege, &install)
    })?;
    let still = missing_programs()?;
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "after apt-get install, {still} is still not on PATH (set CHROMIUM=/path/to/chromium for another browser)"
        ))
    }
}

/// The browser tests' programs that are not there, as a list for a message (empty when none).
fn missing_programs() -> Result<String, String> {
    let mut missing = Vec::new();
    if chromium()?.is_none() {
        missing.push("chromium");
    }
    for program in ["node", "npm"] {
        if on_path(program).is_none() {
            missing.push(program);
        }
    }
    Ok(missing.join(", "))
}

#[derive(Clone, Copy)]
enum Privilege {
    Root,
    Sudo,
}

/// Root (`id -u` is 0), or `sudo` without a password, or neither.
fn privilege() -> Option<Privilege> {
    if run::output("id", &["-u"]).is_some_and(|id| id.trim() == "0") {
        return Some(Privilege::Root);
    }
    let sudo = Command::new("sudo")
        .args(["-n", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    sudo.is_ok_and(|status| status.success())
        .then_some(Privilege::Sudo)
}

/// `apt-get ARGS`, non-interactive.
fn apt(privilege: Privilege, args: &[&str]) -> Result<(), String> {
    let mut command = match privilege {
        Privilege::Root => Command::new("apt-get"),
        Privilege::Sudo => {
            // sudo resets the environment; `env` sets the variable on the far side.
            let mut command = Command::new("sudo");
            command.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            command
        }
    };
    command.env("DEBIAN_FRONTEND", "noninteractive").args(args);
    run::status(&mut command)
}

/// Where `program` is on PATH, if anywhere.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
