//! Where the real Snowplow samples are (shared by the tests that read them).

use std::path::PathBuf;

/// The samples are read in place: `BLUEPRINT_SNOWPLOW_SAMPLES`, else `shared/` beside the
/// checkout, else the development machine's `/work/shared`.
pub fn real_root() -> PathBuf {
    let candidates: Vec<PathBuf> = std::env::var_os("BLUEPRINT_SNOWPLOW_SAMPLES")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/real/snowplow"),
            PathBuf::from("/work/shared/data/real/snowplow"),
        ])
        .collect();
    candidates
        .iter()
        .find(|dir| dir.join("snowplow-mobile").is_dir())
        .cloned()
        .unwrap_or_else(|| {
            panic!("the real Snowplow events were not found in {candidates:?}; set BLUEPRINT_SNOWPLOW_SAMPLES")
        })
}
