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
    let (mut widest, mut deepest) = (0, 0);
    for seed in SEEDS {
        let mut rng = Rng::new(seed);
        for index in 0..CASES_PER_SEED {
            let case = generate::case(&mut rng);
            cases += 1;
            let ours = oracle::read(&mut parser, &case.bytes);
            let theirs = oracle.judge(&case.bytes);
            *seen.entry(kind(&theirs)).or_default() += 1;
            if let Outcome::Accepted { keys, .. } = &theirs {
                let longest = keys.iter().map(|(path, _)| path.len()).max();
                widest = widest.max(keys.len());
                deepest = deepest.max(longest.unwrap_or(0));
                if !keys.is_empty() {
                    *seen.entry("with keys".into()).or_default() += 1;
                }
            }
            if agree(&case, &ours, &theirs) {
                continue;
            }
            let shrunk = shrink(case.bytes.clone(), |bytes| {
                let probe = Case {
                    bytes: bytes.to_vec(),
                    corruptions: case.corruptions.clone(),
                };
                let mut fresh = LineParser::new(mapping);
                !agree(
                    &probe,
                    &oracle::read(&mut fresh, bytes),
                    &oracle.judge(bytes),
                )
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
    println!("{cases} cases: {seen:?}; at most {widest} keys, paths of {deepest} bytes");
    // Far below any limit on names, paths and keys per line: only JSON rules decide.
    assert!(
        widest <= 200 && deepest <= 200,
        "{widest} keys, {deepest} bytes"
    );
    for category in Category::ALL {
        let times = seen.get(&format!("{category:?}")).copied().unwrap_or(0);
        assert!(times >= 30, "{category:?} only {times} times: {seen:?}");
    }
    assert!(seen["accepted"] >= cases / 3, "{seen:?}");
    assert!(seen["with keys"] >= cases / 10, "{seen:?}");
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
fn random_lines_agree_with_serde_json_with_the_snowplow_preset() {
    let mapping = Mapping::preset("snowplow").unwrap();
    assert!(!mapping.keys.prefixes.is_empty());
    check_seeds(&mapping);
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
        .keys()
        .map(|((version, event, path), types)| {
            let [app, version, platform] = versions[&version].map(text);
            ([app, version, platform, text(event), text(path)], types)
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

/// The reader's and the oracle's answer for a line, which must be the same.
fn answer(mapping: &Mapping, line: &[u8]) -> Outcome {
    let ours = oracle::read(&mut LineParser::new(mapping), line);
    assert_eq!(
        ours,
        Oracle::new(mapping).judge(line),
        "{}",
        line.escape_ascii()
    );
    ours
}

fn refused(line: &[u8]) -> Category {
    match answer(&Mapping::default(), line) {
        Outcome::Rejected(category) => category,
        other => panic!("{} accepted: {other:?}", line.escape_ascii()),
    }
}

/// The accepted line's event name and its key paths as `path:type`.
fn accepted(line: &str) -> (String, Vec<String>) {
    match answer(&Mapping::default(), line.as_bytes()) {
        Outcome::Accepted { slots, keys } => (
            slots[blueprint_core::ingest::line::EVENT].clone().unwrap(),
            keys.into_iter().map(|(p, t)| format!("{p}:{t}")).collect(),
        ),
        other => panic!("{line} refused: {other:?}"),
    }
}

/// A line nested to `levels` levels (its object is level 1).
fn nested(levels: usize) -> String {
    let inner = levels - 1;
    format!(
        r#"{{"event":"e","n":{}1{}}}"#,
        "[".repeat(inner),
        "]".repeat(inner)
    )
}

/// The rules of ingest/json.rs and line.rs where parsers differ, one row each, on both sides;
/// `plain` is serde_json's own reading where it differs.
#[test]
fn rules_where_parsers_differ() {
    let plain = |line: &str| serde_json::from_str::<serde_json::Value>(line);
    // Duplicate keys: the first qualifying value; serde_json keeps the last.
    assert_eq!(accepted(r#"{"event":"a","event":"b"}"#).0, "a");
    assert_eq!(plain(r#"{"event":"a","event":"b"}"#).unwrap()["event"], "b");
    assert_eq!(accepted(r#"{"event":"","event":"b"}"#).0, "b");
    let (_, keys) = accepted(r#"{"event":"e","properties":{"k":1,"k":"x"}}"#);
    assert_eq!(keys, ["k:integer", "k:string"]);
    // Depth: 128 levels are read, 129 refused; serde_json refuses 128.
    let (_, keys) = accepted(&nested(128));
    assert!(keys.is_empty());
    assert!(plain(&nested(128)).is_err() && plain(&nested(127)).is_ok());
    assert_eq!(refused(nested(129).as_bytes()), Category::TooDeep);
    // Lone surrogates, in values and in keys nothing reads, refuse the line.
    for line in [
        r#"{"event":"\ud800"}"#,
        r#"{"event":"\udc00x"}"#,
        r#"{"event":"\ud800\u0041"}"#,
        r#"{"event":"e","other":{"\ud800\ud800":1}}"#,
    ] {
        assert_eq!(refused(line.as_bytes()), Category::Syntax, "{line}");
    }
    assert_eq!(accepted(r#"{"event":"\ud83d\ude00"}"#).0, "😀");
    // Numbers: no range, kept as text; -0 is an integer.
    assert_eq!(accepted(r#"{"event":1e400}"#).0, "1e400");
    assert!(plain(r#"{"event":1e400}"#).is_err());
    let (_, keys) = accepted(
        r#"{"event":"e","properties":{"a":-0,"b":-0.0,"c":123456789012345678901234567890,"d":1E5}}"#,
    );
    assert_eq!(keys, ["a:integer", "b:number", "c:integer", "d:number"]);
    for line in [r#"{"event":01}"#, r#"{"event":+1}"#, r#"{"event":.5}"#] {
        assert_eq!(refused(line.as_bytes()), Category::Syntax, "{line}");
    }
    assert_eq!(refused(br#"{"event":1."#), Category::End);
    assert_eq!(refused(br#"{"event":-"#), Category::End);
    // Bytes: a BOM is not whitespace; raw control bytes refuse, escaped ones do not.
    assert_eq!(
        refused(b"\xef\xbb\xbf{\"event\":\"e\"}"),
        Category::NotAnObject
    );
    assert_eq!(refused(b"{\"event\":\"a\x00b\"}"), Category::Syntax);
    assert_eq!(refused(b"{\"event\":\"a\x1fb\"}"), Category::Syntax);
    assert_eq!(accepted("{\"event\":\"a\\u0000b\x7f\"}").0, "a\0b\x7f");
    assert_eq!(refused(b"{\"event\":\"\xc3\"}"), Category::InvalidUtf8);
    assert_eq!(refused(b"\x0c{\"event\":\"e\"}"), Category::NotAnObject);
    assert_eq!(answer(&Mapping::default(), b" \x0c\t"), Outcome::Ignored);
    assert_eq!(refused(br#"{"event":"e"} {}"#), Category::Trailing);
    assert_eq!(accepted("{\"event\":\"e\"} \t\r").0, "e");
    // Keys compare unescaped; a name of spaces qualifies.
    assert_eq!(accepted(r#"{"ev\u0065nt":"x"}"#).0, "x");
    assert_eq!(accepted(r#"{"event":" "}"#).0, " ");
    // Paths: dots and empty keys are not escaped; arrays of arrays hold no keys.
    let (_, keys) = accepted(
        r#"{"event":"e","properties":{"a.b":1,"a":{"b":"x"},"":{"c":true},"d":{"":null}}}"#,
    );
    let expected = [
        ":object",
        "a:object",
        "a.b:integer",
        "a.b:string",
        "c:boolean",
        "d:object",
        "d.:null",
    ];
    assert_eq!(keys, expected);
    let (_, keys) =
        accepted(r#"{"event":"e","properties":{"m":[[{"a":1}]],"items":[{"sku":"x"},2]}}"#);
    assert_eq!(keys, ["items:array", "items[].sku:string", "m:array"]);
    let (_, keys) = accepted(r#"{"event":"e","properties":[{"a":1}]}"#);
    assert_eq!(keys, ["[].a:integer"]);
    assert!(accepted(r#"{"event":"e","properties":7}"#).1.is_empty());
}
