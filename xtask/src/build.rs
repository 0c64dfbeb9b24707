//! Builds the site (the hydrate bundle in `<target>/site/pkg`) and the `blueprint` binary, the steps
//! cargo-leptos would run: the front end for wasm32, wasm-bindgen, then the server. The two packages
//! are built separately so the `ssr` and `hydrate` features never meet in one build.

use std::path::PathBuf;
use std::process::Command;

use crate::run;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    fn server_dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }

    fn wasm_profile(self) -> &'static str {
        match self {
            Profile::Debug => "dev",
            Profile::Release => "wasm-release",
        }
    }

    fn wasm_dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "wasm-release",
        }
    }
}

pub fn binary(profile: Profile) -> PathBuf {
    run::target_dir()
        .join(profile.server_dir())
        .join("blueprint")
}

pub fn site_root() -> PathBuf {
    run::target_dir().join("site")
}

pub fn site_and_server(profile: Profile) -> Result<(), String> {
    run::step("build the WASM front end", || {
        run::cargo(&[
            "build",
            "-p",
            "blueprint-frontend",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            profile.wasm_profile(),
        ])
    })?;
    run::step("wasm-bindgen into the site's pkg/", || bindgen(profile))?;
    run::step("build the blueprint binary", || match profile {
        Profile::Debug => run::cargo(&["build", "-p", "blueprint-server", "--bin", "blueprint"]),
        Profile::Release => run::cargo(&[
            "build",
            "--release",
            "-p",
            "blueprint-server",
            "--bin",
            "blueprint",
        ]),
    })
}

fn bindgen(profile: Profile) -> Result<(), String> {
    let wasm = run::target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile.wasm_dir())
        .join("blueprint_frontend.wasm");
    let pkg = site_root().join("pkg");
    std::fs::create_dir_all(&pkg)
        .map_err(|err| format!("cannot create {}: {err}", pkg.display()))?;
    run::status(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "blueprint",
                "--out-dir",
            ])
            .arg(&pkg)
            .arg(&wasm),
    )?;
    // Leptos' hydration script loads pkg/blueprint.js and pkg/blueprint_bg.wasm, the names
    // wasm-bindgen writes (when LEPTOS_OUTPUT_NAME is unset at compile time, as here).
    let size = std::fs::metadata(pkg.join("blueprint_bg.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    eprintln!(
        "site: {} ({} KiB of WASM)",
        site_root().display(),
        size / 1024
    );
    Ok(())
}
