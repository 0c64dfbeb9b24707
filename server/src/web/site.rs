//! The built site: the hydrate bundle under `pkg/`, as `cargo xtask` writes it. wasm-bindgen's
//! `pkg/blueprint.js` and `pkg/blueprint_bg.wasm`, and beside them the same two files named by
//! their content (`blueprint-<16 hex digits>.js` and `…_bg.wasm`, each with a `.br` and a `.gz`
//! copy), whose name `pkg/bundle.txt` holds. Pages ask for the content-named files when they are
//! there (so browsers may keep them for good), else for the plain names. The binary runs from
//! any working directory: by default it looks for `site/` beside itself and one level up
//! (`target/site` for `target/{debug,release}/blueprint`). Without a bundle, pages are served
//! server-rendered only and no script is requested.

use std::path::{Path, PathBuf};

/// The bundle's plain file names: `pkg/{OUTPUT_NAME}.js` and `pkg/{OUTPUT_NAME}_bg.wasm`.
pub const OUTPUT_NAME: &str = "blueprint";

/// The file in `pkg/` that names the content-named bundle (`blueprint-<hash>`), one line.
pub const BUNDLE_NAME_FILE: &str = "bundle.txt";

/// Hex digits of the content hash in a bundle file's name.
pub const HASH_DIGITS: usize = 16;

#[derive(Clone, Debug)]
pub struct Site {
    pub root: PathBuf,
    /// Whether the WASM bundle is there, so pages may ask for it.
    pub hydrate: bool,
    /// The name pages load the bundle by: `blueprint-<hash>` when the content-named files are
    /// there, else [`OUTPUT_NAME`].
    pub output_name: String,
}

impl Site {
    pub fn locate(configured: Option<&Path>) -> Self {
        let root = match configured {
            Some(root) => root.to_owned(),
            None => default_candidates()
                .into_iter()
                .find(|candidate| has_bundle(candidate, OUTPUT_NAME))
                .unwrap_or_else(|| PathBuf::from("site")),
        };
        let root = match std::path::absolute(&root) {
            Ok(absolute) => absolute,
            Err(_) => root,
        };
        let hydrate = has_bundle(&root, OUTPUT_NAME);
        if !hydrate {
            tracing::warn!(
                site = %root.display(),
                "no WASM bundle found (pkg/{OUTPUT_NAME}_bg.wasm); pages will be server-rendered only"
            );
        }
        let output_name = hashed_name(&root)
            .filter(|name| has_bundle(&root, name))
            .unwrap_or_else(|| OUTPUT_NAME.to_owned());
        Self {
            root,
            hydrate,
            output_name,
        }
    }
}

/// Whether a file under `pkg/` is named by its content (`blueprint-<hash>.js`,
/// `blueprint-<hash>_bg.wasm`, and their `.br`/`.gz` copies): such a file never changes.
pub fn is_content_named(file_name: &str) -> bool {
    file_name
        .strip_prefix(OUTPUT_NAME)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.get(..HASH_DIGITS).zip(rest.get(HASH_DIGITS..)))
        .is_some_and(|(hash, rest)| {
            hash.bytes().all(|b| b.is_ascii_hexdigit())
                && (rest.starts_with(".js") || rest.starts_with("_bg.wasm"))
        })
}

/// The content-named bundle `pkg/bundle.txt` names, when it names one.
fn hashed_name(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("pkg").join(BUNDLE_NAME_FILE)).ok()?;
    let name = text.trim();
    is_content_named(&format!("{name}.js")).then(|| name.to_owned())
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

fn has_bundle(root: &Path, name: &str) -> bool {
    let pkg = root.join("pkg");
    pkg.join(format!("{name}_bg.wasm")).is_file() && pkg.join(format!("{name}.js")).is_file()
}

#[cfg(test)]
mod tests {
    use super::is_content_named;

    #[test]
    fn only_the_content_named_bundle_files_count_as_such() {
        for name in [
            "blueprint-0123456789abcdef.js",
            "blueprint-0123456789abcdef_bg.wasm",
            "blueprint-0123456789abcdef_bg.wasm.br",
            "blueprint-0123456789abcdef.js.gz",
        ] {
            assert!(is_content_named(name), "{name}");
        }
        for name in [
            "blueprint.js",
            "blueprint_bg.wasm",
            "blueprint-0123456789abcde.js",
            "blueprint-0123456789abcdeg.js",
            "blueprint-0123456789abcdef.txt",
            "bundle.txt",
        ] {
            assert!(!is_content_named(name), "{name}");
        }
    }
}
