//! The line reader against an independent JSON parser (serde_json, through the adapter in
//! `oracle/`, which applies Blueprint's rules as the reader's opening comments write them down).
//! Random Segment-style lines, a share of them corrupted, must get the same accept/reject (and the
//! same kind of refusal), the same key paths with their types and the same dimension values, line
//! by line through `LineParser` and, for whole files, through the hour reader.

mod oracle;

use std::collections::BTreeMap;

use blueprint_core::events_root::{EventsLocation, EventsRoot};
use blueprint_core::hour::Hour;
use blueprint_core::ingest::{self, json::JsonType, line::LineParser};
use blueprint_core::mapping::{Mapping, NONE};
use oracle::generate::{self, Case, Rng};
use oracle::{Category, Oracle, Outcome};

/// Fixed seeds: the same cases on every run.
const SEEDS: [u64; 6] = [1, 2, 3, 0xB1E5_9A1E, 20_261_201, u64::MAX];
const CASES_PER_SEED: usize = 5_000;

/// A second mapping: two keys roots (paths named by their root), an index in a path, a dedup id.
const TWO_ROOTS: &str = r#"
keys_roots = ["properties", "context.traits"]
version = ["context.app.version", "properties.items[0].sku"]
dedup = "messageId"
"#;

/// Whether the two answers agree. A case corrupted twice may be refused for either fault first,
/// so only accept/reject is compared for it.
fn agree(case: &Case, ours: &Outcome, theirs: &Outcome) -> bool {
    match (ours, theirs) {
        (Outcome::Rejected(_), Outcome::Rejected(_)) if case.corruptions.len() > 1 => true,
        _ => ours == theirs,
    }
}

/// Deletes bytes from a disagreeing line while it still disagrees (halving chunks, then bytes).
fn shrink(mut bytes: Vec<u8>, disagrees: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut chunk = bytes.len() / 2;
    while chunk > 0 {
        let mut at = 0;
        while at + chunk <= bytes.len() {
            let mut smaller = bytes.clone();
            smaller.drain(at..at + chunk);
            if disagrees(&smaller) {
                bytes = smaller;
            } else {
                at += chunk;
            }
        }
        chunk /= 2;
    }
    bytes
}

fn check_seeds(mapping: &Mapping) -> usize {
    let oracle = Oracle::new(mapping);
    let mut parser = LineParser::new(mapping);
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for seed in SEEDS {
        let mut rng = Rng::new(seed);
        for index in 0..CASES_PER_SEED {
            let case = generate::case(&mut rng);
            cases += 1;
            let ours = oracle::read(&mut parser, &case.bytes);
            let theirs = oracle.judge(&case.bytes);
            *seen.entry(kind(&theirs)).or_default() += 1;
            if agree(&case, &ours, &theirs) {
                continue;
            }
            let shrunk = shrink(case.bytes.clone(), |bytes| {
                let probe = Case {
                    bytes: bytes.to_vec(),
                    corruptions: case.corruptions.clone(),
                };
                let mut fresh = LineParser::new(mapping);
                !agree(&probe, &oracle::read(&mut fresh, bytes), &oracle.judge(bytes))
            });
            let mut fresh = LineParser::new(mapping);
            failures.push(format!(
                "seed {seed} case {index} ({:?}):\n  line   {}\n  shrunk {}\n  reader {:?}\n  oracle {:?}",
                case.corruptions,
                case.bytes.escape_ascii(),
                shrunk.escape_ascii(),
                oracle::read(&mut fresh, &shrunk),
                oracle.judge(&shrunk),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases disagree; the first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(8)].join("\n")
    );
    // Every answer occurs, and often enough to mean something.
    println!("{cases} cases: {seen:?}");
    for category in Category::ALL {
        let times = seen.get(&format!("{category:?}")).copied().unwrap_or(0);
        assert!(times >= 30, "{category:?} only {times} times: {seen:?}");
    }
    assert!(seen["accepted"] >= cases / 3, "{seen:?}");
    cases
}

fn kind(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ignored => "ignored".into(),
        Outcome::Rejected(category) => format!("{category:?}"),
        Outcome::Accepted { .. } => "accepted".into(),
    }
}

#[test]
fn random_lines_agree_with_serde_json() {
    let cases = check_seeds(&Mapping::default());
    assert_eq!(cases, SEEDS.len() * CASES_PER_SEED);
}

#[test]
fn random_lines_agree_with_serde_json_with_two_keys_roots() {
    let mapping = Mapping::from_toml(TWO_ROOTS).unwrap();
    assert!(!mapping.keys.single_root());
    check_seeds(&mapping);
}

/// What an hour's read should hold, summed from the oracle's answers.
#[derive(Default)]
struct Tally {
    lines: u64,
    events: u64,
    rejected: u64,
    /// (application, version, platform, screen, event) → events.
    groups: BTreeMap<[String; 5], u64>,
    /// (application, version, platform, event, key path) → lines per type.
    keys: BTreeMap<[String; 5], [u64; 7]>,
    /// (file, byte offset) of each line refused for one reason → that reason.
    refusals: BTreeMap<(String, u64), Category>,
}

impl Tally {
    fn add(&mut self, file: &str, offset: u64, case: &Case, outcome: Outcome) {
        match outcome {
            Outcome::Ignored => return,
            Outcome::Rejected(category) => {
                self.rejected += 1;
                if case.corruptions.len() <= 1 {
                    self.refusals.insert((file.to_owned(), offset), category);
                }
            }
            Outcome::Accepted { slots, keys } => {
                self.events += 1;
                let dim = |slot: usize| slots[slot].clone().unwrap_or_else(|| NONE.to_owned());
                let [app, version, platform, screen, event] = [0, 1, 2, 3, 4].map(dim);
                let group = [&app, &version, &platform, &screen, &event].map(String::clone);
                *self.groups.entry(group).or_default() += 1;
                for (path, kind) in keys {
                    let key = [&app, &version, &platform, &event, &path].map(String::clone);
                    let index = JsonType::from_name(kind).unwrap() as usize;
                    self.keys.entry(key).or_default()[index] += 1;
                }
            }
        }
        self.lines += 1;
    }
}

/// Writes each seed's cases as one file of the hour (now and then with a CRLF line end or a blank
/// line between them) and sums what the oracle expects of the hour.
fn write_hour(dir: &std::path::Path, oracle: &Oracle) -> Tally {
    let mut tally = Tally::default();
    for (n, seed) in SEEDS.iter().enumerate() {
        let name = format!("part-{n}.ndjson");
        let mut rng = Rng::new(seed ^ 0xF11E);
        let mut body: Vec<u8> = Vec::new();
        for _ in 0..2_000 {
            let mut case = generate::case(&mut rng);
            match rng.below(40) {
                0 => case.bytes.push(b'\r'),
                1 => case.bytes = b"  \t".to_vec(),
                _ => {}
            }
            let outcome = oracle.judge_file_line(&case.bytes);
            tally.add(&name, body.len() as u64, &case, outcome);
            body.extend_from_slice(&case.bytes);
            body.push(b'\n');
        }
        std::fs::write(dir.join(name), body).unwrap();
    }
    tally
}

#[tokio::test]
async fn hour_files_agree_with_the_oracle() {
    let mapping = Mapping::default();
    let oracle = Oracle::new(&mapping);
    let root = tempfile::tempdir().unwrap();
    let hour: Hour = "2026-11-30T10".parse().unwrap();
    let dir = root.path().join("shop").join(hour.folder());
    std::fs::create_dir_all(&dir).unwrap();
    let expected = write_hour(&dir, &oracle);
    let events = EventsRoot::open(&EventsLocation::Local(root.path().to_path_buf())).unwrap();
    let files = ingest::list_hour(&events, "shop", hour).await.unwrap();
    assert_eq!(files.len(), SEEDS.len());
    let read = ingest::read_hour(&events, files, &mapping, hour, 2)
        .await
        .unwrap();
    let stats = &read.stats;
    assert_eq!(
        (stats.lines, stats.events, stats.rejected),
        (expected.lines, expected.events, expected.rejected)
    );
    assert!(expected.events > 1_000 && expected.rejected > 1_000);
    let counts = &read.counts;
    let text = |id: u32| counts.strings.get(id).to_owned();
    let groups: BTreeMap<[String; 5], u64> = counts
        .groups
        .iter()
        .map(|(key, (_, events))| (key.map(text), *events))
        .collect();
    assert_eq!(groups, expected.groups);
    let versions: BTreeMap<u32, [u32; 3]> = counts.versions.iter().map(|(k, v)| (*v, *k)).collect();
    let keys: BTreeMap<[String; 5], [u64; 7]> = counts
        .keys
        .iter()
        .map(|((version, event, path), types)| {
            let [app, version, platform] = versions[version].map(text);
            ([app, version, platform, text(*event), text(*path)], *types)
        })
        .collect();
    assert_eq!(keys, expected.keys);
    assert!(!stats.samples.is_empty());
    for sample in &stats.samples {
        if let Some(category) = expected.refusals.get(&(sample.file.clone(), sample.offset)) {
            assert!(
                sample.reason.starts_with(category.reason()),
                "{sample:?}: expected {category:?}"
            );
        }
    }
}
