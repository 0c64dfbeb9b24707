//! Per-worker accumulators for one hour, and their merge into the hour's summary. Strings are
//! interned to `u32` ids; distinct sessions are exact, kept as one set of packed (group, session)
//! ids per level rather than a set per group, so memory follows the number of distinct pairs.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ingest::json::JsonType;
use crate::ingest::line::{self, LineParser, ParsedLine};
use crate::ingest::sketch::{self, Sketch};
use crate::mapping::NONE;

/// Interned strings of one worker (or of the merged hour).
#[derive(Default)]
pub struct Strings {
    ids: HashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

impl Strings {
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    pub fn get(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }
}

/// (application, version, platform) ids.
pub type VersionKey = [u32; 3];
/// (application, version, platform, screen, event) ids.
pub type GroupKey = [u32; 5];

/// What one worker (or the merged hour) has counted.
#[derive(Default)]
pub struct Counts {
    pub strings: Strings,
    sessions: Strings,
    pub groups: HashMap<GroupKey, (u32, u64)>,
    pub versions: HashMap<VersionKey, u32>,
    group_sessions: HashSet<u64>,
    version_sessions: HashSet<u64>,
    /// (version id, event string id, key path string id) → lines per JSON type.
    pub keys: HashMap<(u32, u32, u32), [u64; 7]>,
    pub events: u64,
    /// The line parser's key path ids → string ids here (`u32::MAX`: not interned yet).
    parser_paths: Vec<u32>,
}

impl Counts {
    /// Counts one accepted line; `parser` resolves the line's key path ids.
    pub fn add(&mut self, parsed: &ParsedLine<'_>, parser: &LineParser) {
        let mut dim = |slot: usize| {
            let text = parsed.slots[slot].as_deref().unwrap_or(NONE);
            self.strings.intern(text)
        };
        let application = dim(line::APPLICATION);
        let version = dim(line::VERSION);
        let platform = dim(line::PLATFORM);
        let screen = dim(line::SCREEN);
        let event = dim(line::EVENT);
        self.events += 1;
        let next_version = self.versions.len() as u32;
        let version_id = *self
            .versions
            .entry([application, version, platform])
            .or_insert(next_version);
        let next_group = self.groups.len() as u32;
        let group = self
            .groups
            .entry([application, version, platform, screen, event])
            .or_insert((next_group, 0));
        group.1 += 1;
        let group_id = group.0;
        if let Some(session) = parsed.slots[line::SESSION].as_deref() {
            let session = u64::from(self.sessions.intern(session));
            self.group_sessions
                .insert((u64::from(group_id) << 32) | session);
            self.version_sessions
                .insert((u64::from(version_id) << 32) | session);
        }
        for &(path, kind) in parser.line_keys() {
            let index = path as usize;
            if index >= self.parser_paths.len() {
                self.parser_paths.resize(index + 1, u32::MAX);
            }
            if self.parser_paths[index] == u32::MAX {
                self.parser_paths[index] = self.strings.intern(parser.path(path));
            }
            let path = self.parser_paths[index];
            self.keys.entry((version_id, event, path)).or_default()[kind as usize] += 1;
        }
    }

    /// Folds another worker's counts into these.
    pub fn merge(&mut self, other: Counts) {
        let strings: Vec<u32> = other
            .strings
            .texts
            .iter()
            .map(|t| self.strings.intern(t))
            .collect();
        let sessions: Vec<u32> = other
            .sessions
            .texts
            .iter()
            .map(|t| self.sessions.intern(t))
            .collect();
        let map =
            |key: &[u32]| -> Vec<u32> { key.iter().map(|&id| strings[id as usize]).collect() };
        let mut version_ids = vec![0u32; other.versions.len()];
        for (key, local) in &other.versions {
            let global = map(key);
            let next = self.versions.len() as u32;
            version_ids[*local as usize] = *self
                .versions
                .entry([global[0], global[1], global[2]])
                .or_insert(next);
        }
        let mut group_ids = vec![0u32; other.groups.len()];
        for (key, (local, events)) in &other.groups {
            let global = map(key);
            let next = self.groups.len() as u32;
            let entry = self
                .groups
                .entry([global[0], global[1], global[2], global[3], global[4]])
                .or_insert((next, 0));
            entry.1 += events;
            group_ids[*local as usize] = entry.0;
        }
        let remap = |pair: u64, ids: &[u32]| {
            (u64::from(ids[(pair >> 32) as usize]) << 32)
                | u64::from(sessions[(pair & 0xffff_ffff) as usize])
        };
        self.group_sessions
            .extend(other.group_sessions.iter().map(|&p| remap(p, &group_ids)));
        self.version_sessions.extend(
            other
                .version_sessions
                .iter()
                .map(|&p| remap(p, &version_ids)),
        );
        for ((version, event, path), types) in other.keys {
            let key = (
                version_ids[version as usize],
                strings[event as usize],
                strings[path as usize],
            );
            let entry = self.keys.entry(key).or_default();
            for (total, add) in entry.iter_mut().zip(types) {
                *total += add;
            }
        }
        self.events += other.events;
    }

    /// Distinct sessions per group id and per version id, and a sketch per version id.
    pub fn sessions(&self) -> (HashMap<u32, u64>, HashMap<u32, (u64, Sketch)>) {
        let mut groups: HashMap<u32, u64> = HashMap::default();
        for pair in &self.group_sessions {
            *groups.entry((pair >> 32) as u32).or_default() += 1;
        }
        let mut versions: HashMap<u32, (u64, Sketch)> = HashMap::default();
        for pair in &self.version_sessions {
            let entry = versions.entry((pair >> 32) as u32).or_default();
            entry.0 += 1;
            entry
                .1
                .insert_hash(sketch::hash(self.sessions.get((pair & 0xffff_ffff) as u32)));
        }
        (groups, versions)
    }

    /// The text of the types array, for tests and output.
    pub fn type_name(index: usize) -> &'static str {
        JsonType::ALL[index].name()
    }
}
