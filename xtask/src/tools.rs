//! Installs what a fresh machine with only rustup and cargo lacks for the build: the wasm32
//! target and wasm-bindgen-cli at exactly the version the `wasm-bindgen` crate is pinned to.
//! Each is skipped when already there, so warm runs pay nothing.

use std::process::Command;

use crate::run;

/// Must equal the `wasm-bindgen` pin in the workspace Cargo.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

pub fn ensure() -> Result<(), String> {
    let targets = run::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        run::step("rustup target add wasm32-unknown-unknown", || {
            run::status(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
        })?;
    }
    let installed = run::output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed.split_whitespace().nth(1) != Some(WASM_BINDGEN_VERSION) {
        let name = format!(
            "cargo install wasm-bindgen-cli {WASM_BINDGEN_VERSION} (a few minutes, once per machine)"
        );
        run::step(&name, || {
            // Not --locked: its lock file names a webpki-roots release the registry no longer serves.
            run::cargo(&[
                "install",
                "wasm-bindgen-cli",
                "--version",
                WASM_BINDGEN_VERSION,
                "--force",
            ])
        })?;
    }
    Ok(())
}
