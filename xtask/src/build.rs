//! Builds the site (the hydrate bundle in `<target>/site/pkg`) and the `blueprint` binary, the steps
//! cargo-leptos would run: the front end for wasm32, wasm-bindgen, then the server. The two packages
//! are built separately so the `ssr` and `hydrate` features never meet in one build. The front
//! end is always built for size (`[profile.wasm-release]`), also under a debug server: the
//! browser tests then load the bundle users get. The bundle is then named by its content and
//! compressed (`bundle.rs`).

use std::path::PathBuf;
use std::process::Command;

use crate::{bundle, run};

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
}

/// The Cargo profile of the front end, whatever the server's.
const WASM_PROFILE: &str = "wasm-release";

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
            WASM_PROFILE,
        ])
    })?;
    run::step("wasm-bindgen into the site's pkg/", bindgen)?;
    run::step("name the bundle by its content and compress it", || {
        let pkg = site_root().join("pkg");
        let sizes = bundle::hash_and_compress(&pkg)?;
        eprintln!(
            "site: {} ({}: {} KiB of WASM, {} KiB brotli, {} KiB gzip)",
            site_root().display(),
            sizes.name,
            sizes.wasm / 1024,
            sizes.wasm_br / 1024,
            sizes.wasm_gz / 1024
        );
        Ok(())
    })?;
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

fn bindgen() -> Result<(), String> {
    let wasm = run::target_dir()
        .join("wasm32-unknown-unknown")
        .join(WASM_PROFILE)
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
    )
}
