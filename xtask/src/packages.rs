//! The system packages the browser tests need and a fresh Debian machine lacks: Chromium, Node.js
//! and npm. When one is missing they are installed with apt-get (as root, or through `sudo` when it
//! asks no password); otherwise the run stops with the one command to type. Nothing runs when all
//! are there. The S3 test (server/tests/s3.rs) runs a real S3-compatible server, moto, with
//! `python3 -m moto.server`: `moto[server]` and `boto3` are installed with pip when missing.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::run;

/// What someone who cannot install as root or through password-less sudo is told to run.
pub const INSTALL: &str = "sudo apt-get install -y chromium nodejs npm";

/// The Python packages of the S3 test's server.
pub const PYTHON_PACKAGES: [&str; 2] = ["moto[server]", "boto3"];

/// Installs `moto[server]` and `boto3` for `python3` with pip when they cannot be imported.
pub fn ensure_moto() -> Result<(), String> {
    let importable = || {
        Command::new("python3")
            .args(["-c", "import moto.server, boto3"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if importable() {
        return Ok(());
    }
    let typed = format!(
        "python3 -m pip install --user '{}' boto3",
        PYTHON_PACKAGES[0]
    );
    if on_path("python3").is_none() {
        return Err(format!(
            "the S3 test needs python3 with moto; install python3, then: {typed}"
        ));
    }
    run::step(
        &format!(
            "pip install {} (for the S3 test)",
            PYTHON_PACKAGES.join(" ")
        ),
        || {
            let pip = |extra: &[&str]| {
                let mut command = Command::new("python3");
                command
                    .args(["-m", "pip", "install", "--quiet", "--user"])
                    .args(extra)
                    .args(PYTHON_PACKAGES);
                run::status(&mut command)
            };
            // Debian's own Python refuses --user installs (PEP 668) unless told otherwise.
            pip(&[]).or_else(|_| pip(&["--break-system-packages"]))
        },
    )?;
    if importable() {
        Ok(())
    } else {
        Err(format!(
            "after pip install, python3 still cannot import moto and boto3; try: {typed}"
        ))
    }
}

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

/// Installs whichever of Chromium, Node.js and npm is missing, and only those (a Node.js from
/// elsewhere ships its own npm, and Debian's `npm` package conflicts with it).
pub fn ensure() -> Result<(), String> {
    let missing = missing_packages()?;
    if missing.is_empty() {
        return Ok(());
    }
    let listed = missing.join(", ");
    let privilege = privilege().filter(|_| on_path("apt-get").is_some());
    let Some(privilege) = privilege else {
        return Err(format!(
            "the browser tests need {listed}; install them with: sudo apt-get install -y {}",
            missing.join(" ")
        ));
    };
    let install: Vec<&str> = ["install", "-y"]
        .into_iter()
        .chain(missing.iter().copied())
        .collect();
    let name = format!(
        "apt-get install -y {} ({listed} missing)",
        missing.join(" ")
    );
    run::step(&name, || {
        apt(privilege, &["update"])?;
        apt(privilege, &install)
    })?;
    let still = missing_packages()?;
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "after apt-get install, {} is still not on PATH (set CHROMIUM=/path/to/chromium for another browser)",
            still.join(", ")
        ))
    }
}

/// The Debian packages of the browser tests' programs that are not there (empty when none).
fn missing_packages() -> Result<Vec<&'static str>, String> {
    let mut missing = Vec::new();
    if chromium()?.is_none() {
        missing.push("chromium");
    }
    for (program, package) in [("node", "nodejs"), ("npm", "npm")] {
        if on_path(program).is_none() {
            missing.push(package);
        }
    }
    Ok(missing)
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
