//! The SIMD line reader against the byte-by-byte reader it replaced (kept only for this test,
//! behind the `reader-oracle` feature): whole hours read both ways must give identical ledgers —
//! every group's events and sessions, every version's sessions and sketch, every key path's type
//! counts, the hour's health figures and the rejected samples with their reasons — on the demo
//! data, on the real Snowplow samples and on random documents (a share of them corrupted).

// Only the generator of the shared oracle module is used here.
#[allow(dead_code)]
mod oracle;
#[path = "support/snowplow_samples.rs"]
mod snowplow_samples;

use std::collections::BTreeMap;
use std::path::Path;

use blueprint_core::events_root::{EventsLocation, EventsRoot};
use blueprint_core::hour::Hour;
use blueprint_core::ingest::reader::{self, HourRead, HourStats};
use blueprint_core::ingest::{self, Reading, sketch::Sketch};
use blueprint_core::mapping::Mapping;
use chrono::TimeZone;
use oracle::generate::{self, Rng};

/// An hour's ledger with every id replaced by its text, so two reads compare whatever order
/// their threads interned strings in.
#[derive(Debug, PartialEq)]
struct Ledger {
    /// (application, version, platform, screen, event) → (events, distinct sessions).
    groups: BTreeMap<[String; 5], (u64, u64)>,
    /// (application, version, platform) → (distinct sessions, sketch).
    versions: BTreeMap<[String; 3], (u64, Sketch)>,
    /// (application, version, platform, event, key path) → lines per JSON type.
    keys: BTreeMap<[String; 5], [u64; 7]>,
    events: u64,
    stats: HourStats,
}

fn ledger(read: &HourRead) -> Ledger {
    let counts = &read.counts;
    let text = |id: u32| counts.strings.get(id).to_owned();
    let (group_sessions, version_sessions) = counts.sessions();
    let groups = counts
        .groups
        .iter()
        .map(|(key, (id, events))| {
            let sessions = group_sessions.get(id).copied().unwrap_or(0);
            (key.map(text), (*events, sessions))
        })
        .collect();
    let by_id: BTreeMap<u32, [u32; 3]> = counts.versions.iter().map(|(k, v)| (*v, *k)).collect();
    let versions = counts
        .versions
        .iter()
        .map(|(key, id)| {
            let sessions = version_sessions.get(id).cloned().unwrap_or_default();
            (key.map(text), sessions)
        })
        .collect();
    let keys = counts
        .keys()
        .map(|((version, event, path), types)| {
            let [app, version, platform] = by_id[&version].map(text);
            ([app, version, platform, text(event), text(path)], types)
        })
        .collect();
    Ledger {
        groups,
        versions,
        keys,
        events: counts.events,
        stats: read.stats.clone(),
    }
}

/// Reads every hour folder of `tenant` under `root` both ways and asserts the same ledger; returns
/// the hours, events and rejected lines compared.
async fn compare_tenant(root: &Path, tenant: &str, mapping: &Mapping) -> (usize, u64, u64) {
    let events = EventsRoot::open(&EventsLocation::Local(root.to_path_buf())).unwrap();
    let runtime = tokio::runtime::Handle::current();
    let (mut hours, mut lines, mut rejected) = (0, 0, 0);
    for hour in hour_folders(&root.join(tenant)) {
        let files = ingest::list_hour(&events, tenant, hour).await.unwrap();
        if files.is_empty() {
            continue;
        }
        let store = std::sync::Arc::clone(events.store());
        let owned = mapping.clone();
        let runtime = runtime.clone();
        let (simd, bytewise, simd_two) = tokio::task::spawn_blocking(move || {
            let mapping = owned;
            let start = hour.epoch_seconds() * 1000;
            // One parser thread: the rejected samples kept are then the same lines both ways.
            let one = Reading::from(1);
            let simd = reader::read_files(&runtime, &store, &files, &mapping, start, one);
            let bytewise =
                reader::read_files_bytewise(&runtime, &store, &files, &mapping, start, one);
            let two = reader::read_files(&runtime, &store, &files, &mapping, start, 2.into());
            (simd.unwrap(), bytewise.unwrap(), two.unwrap())
        })
        .await
        .unwrap();
        let (simd, bytewise, mut simd_two) = (ledger(&simd), ledger(&bytewise), ledger(&simd_two));
        assert_eq!(simd, bytewise, "{tenant} {hour}: the SIMD reader differs");
        hours += 1;
        lines += simd.stats.lines;
        rejected += simd.stats.rejected;
        // With a de-duplication id, which of two lines sharing it is counted depends on which
        // thread reads first (the product keeps the first it reads): one thread only, then.
        if mapping.dedup.is_some() {
            continue;
        }
        // Two threads keep their own first samples: all but the samples must still agree.
        simd_two.stats.samples.clone_from(&simd.stats.samples);
        assert_eq!(
            simd_two.stats, simd.stats,
            "{tenant} {hour}: two threads, health"
        );
        assert_eq!(
            simd_two.groups, simd.groups,
            "{tenant} {hour}: two threads, groups"
        );
        assert_eq!(
            simd_two.keys, simd.keys,
            "{tenant} {hour}: two threads, keys"
        );
        assert_eq!(
            simd_two.versions, simd.versions,
            "{tenant} {hour}: two threads, versions"
        );
    }
    (hours, lines, rejected)
}

/// The hours of a tenant's folder (`dt=YYYY-MM-DD/hr=HH`), sorted.
fn hour_folders(tenant: &Path) -> Vec<Hour> {
    let mut hours = Vec::new();
    for day in std::fs::read_dir(tenant).unwrap().flatten() {
        let day_name = day.file_name().to_string_lossy().into_owned();
        let Some(date) = day_name.strip_prefix("dt=") else {
            continue;
        };
        for hour in std::fs::read_dir(day.path()).unwrap().flatten() {
            let hour_name = hour.file_name().to_string_lossy().into_owned();
            if let Some(hh) = hour_name.strip_prefix("hr=") {
                hours.push(format!("{date}T{hh}").parse::<Hour>().unwrap());
            }
        }
    }
    hours.sort();
    hours
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_hours_read_the_same_both_ways() {
    let root = tempfile::tempdir().unwrap();
    let options = blueprint_demo::DemoOptions {
        first_hour: chrono::Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        hours: 30,
        events_per_hour: 400,
        seed: 7,
    };
    blueprint_demo::generate(root.path(), &options).unwrap();
    let mut total = (0, 0, 0);
    for tenant in blueprint_demo::TENANTS {
        let (hours, lines, rejected) =
            compare_tenant(root.path(), tenant, &Mapping::default()).await;
        total = (total.0 + hours, total.1 + lines, total.2 + rejected);
    }
    assert!(total.0 >= 50, "hours compared: {total:?}");
    assert!(total.1 > 10_000, "lines compared: {total:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_snowplow_hours_read_the_same_both_ways() {
    let root = snowplow_samples::real_root();
    let mapping = Mapping::preset("snowplow").unwrap();
    let mut total = (0, 0);
    for tenant in ["snowplow-mobile", "snowplow-web"] {
        let (hours, lines, _) = compare_tenant(&root, tenant, &mapping).await;
        total = (total.0 + hours, total.1 + lines);
    }
    // The samples are small: 73 hours of a few lines each.
    assert!(total.0 >= 50 && total.1 >= 250, "compared: {total:?}");
}

/// A second mapping: two keys roots, an index in a path, a dedup id (as the oracle test uses).
const TWO_ROOTS: &str = r#"
keys_roots = ["properties", "context.traits"]
version = ["context.app.version", "properties.items[0].sku"]
dedup = "messageId"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_documents_read_the_same_both_ways() {
    let root = tempfile::tempdir().unwrap();
    let hour: Hour = "2026-11-30T10".parse().unwrap();
    let dir = root.path().join("shop").join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    // Random Segment-style lines, a share of them corrupted (cut, bad escapes, control bytes,
    // invalid UTF-8, trailing bytes, deep nesting …), now and then a CRLF end or a blank line;
    // strings long enough to cross the index's 64-byte words are part of the generator's mix.
    for seed in 0..8u64 {
        let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9) ^ 0xD1FF);
        let mut body: Vec<u8> = Vec::new();
        for _ in 0..3_000 {
            let mut case = generate::case(&mut rng);
            match rng.below(40) {
                0 => case.bytes.push(b'\r'),
                1 => case.bytes = b"  \t".to_vec(),
                _ => {}
            }
            body.extend_from_slice(&case.bytes);
            body.push(b'\n');
        }
        std::fs::write(dir.join(format!("part-{seed}.ndjson")), body).unwrap();
    }
    for mapping in [
        Mapping::default(),
        Mapping::preset("snowplow").unwrap(),
        Mapping::from_toml(TWO_ROOTS).unwrap(),
    ] {
        let (hours, lines, rejected) = compare_tenant(root.path(), "shop", &mapping).await;
        assert_eq!(hours, 1);
        assert!(
            lines > 20_000 && rejected > 1_000,
            "{lines} lines, {rejected} rejected"
        );
    }
}
