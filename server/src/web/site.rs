//! The built site: `pkg/blueprint.js` and `pkg/blueprint_bg.wasm` (the hydrate bundle, named as
//! wasm-bindgen writes it and Leptos' hydration script asks for it). The binary
//! runs from any working directory: by default it looks for `site/` beside itself and one level
//! up (`target/site` for `target/{debug,release}/blueprint`). Without a bundle, pages are served
//! server-rendered only and no script is requested.

use std::path::{Path, PathBuf};

/// The bundle's file names: `pkg/{OUTPUT_NAME}.js` and `pkg/{OUTPUT_NAME}_bg.wasm`.
pub const OUTPUT_NAME: &str = "blueprint";

#[derive(Clone, Debug)]
pub struct Site {
    pub root: PathBuf,
    /// Whether the WASM bundle is there, so pages may ask for it.
    pub hydrate: bool,
}

impl Site {
    pub fn locate(configured: Option<&Path>) -> Self {
        let root = match configured {
            Some(root) => root.to_owned(),
            None => default_candidates()
                .into_iter()
                .find(|candidate| has_bundle(candidate))
                .unwrap_or_else(|| PathBuf::from("site")),
        };
        let root = match std::path::absolute(&root) {
            Ok(absolute) => absolute,
            Err(_) => root,
        };
        let hydrate = has_bundle(&root);
        if !hydrate {
            tracing::warn!(
                site = %root.display(),
                "no WASM bundle found (pkg/{OUTPUT_NAME}_bg.wasm); pages will be server-rendered only"
            );
        }
        Self { root, hydrate }
    }
}

fn default_candidates() -> Vec<PathBuf> {
    let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_owned))
    else {
        return Vec::new();
    };
    let mut candidates = vec![dir.join("site")];
    if let Some(parent) = dir.parent() {
        candidates.push(parent.join("site"));
    }
    candidates
}

fn has_bundle(root: &Path) -> bool {
    let pkg = root.join("pkg");
    pkg.join(format!("{OUTPUT_NAME}_bg.wasm")).is_file()
        && pkg.join(format!("{OUTPUT_NAME}.js")).is_file()
}
