//! Per-worker accumulators for one hour, and their merge into the hour's summary. Strings are
//! interned to `u32` ids; distinct sessions are exact, kept as one set of packed (group, session)
//! ids per level rather than a set per group, so memory follows the number of distinct pairs.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ingest::intern::Interner;
use crate::ingest::json::JsonType;
use crate::ingest::line::{self, LineParser, ParsedLine};
use crate::ingest::sketch::{self, Sketch};
use crate::mapping::NONE;

/// Interned strings of one worker (or of the merged hour).
pub type Strings = Interner;

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
    /// (version id, event string id) → its index in `tables`.
    event_keys: HashMap<(u32, u32), u32>,
    /// Per (version id, event string id): lines per JSON type of each key path string id.
    tables: Vec<(u32, u32, KeyTable)>,
    /// Lines past `u32::MAX` of a (table, entry, type), added 2^32 at a time: the tables count
    /// in `u32` to stay small, and stay exact.
    overflow: HashMap<(u32, u32, u8), u64>,
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
        if parser.line_keys().is_empty() {
            return;
        }
        let table = self.table_of(version_id, event);
        for &(path, kind) in parser.line_keys() {
            let index = path as usize;
            if index >= self.parser_paths.len() {
                self.parser_paths.resize(index + 1, u32::MAX);
            }
            if self.parser_paths[index] == u32::MAX {
                self.parser_paths[index] = self.strings.intern(parser.path(path));
            }
            let entry = self.tables[table as usize]
                .2
                .entry(self.parser_paths[index]);
            self.add_lines(table, entry, kind as usize, 1);
        }
    }

    /// The index of the key table of (version id, event string id), added when new.
    fn table_of(&mut self, version_id: u32, event: u32) -> u32 {
        let next = self.tables.len() as u32;
        let tables = &mut self.tables;
        *self
            .event_keys
            .entry((version_id, event))
            .or_insert_with(|| {
                tables.push((version_id, event, KeyTable::default()));
                next
            })
    }

    /// Adds `lines` to a (table, entry, type), carrying what passes `u32` into `overflow`.
    fn add_lines(&mut self, table: u32, entry: usize, kind: usize, lines: u64) {
        let count = &mut self.tables[table as usize].2.counts[entry][kind];
        let total = u64::from(*count) + lines;
        *count = total as u32;
        let high = total & !u64::from(u32::MAX);
        if high != 0 {
            *self
                .overflow
                .entry((table, entry as u32, kind as u8))
                .or_default() += high;
        }
    }

    /// Lines per JSON type of each (version id, event string id, key path string id).
    pub fn keys(&self) -> impl Iterator<Item = ((u32, u32, u32), [u64; 7])> + '_ {
        self.tables
            .iter()
            .enumerate()
            .flat_map(move |(table, (version, event, keys))| {
                keys.paths.iter().zip(&keys.counts).enumerate().map(
                    move |(entry, (path, counts))| {
                        let mut total = counts.map(u64::from);
                        if !self.overflow.is_empty() {
                            for (kind, lines) in total.iter_mut().enumerate() {
                                let at = (table as u32, entry as u32, kind as u8);
                                *lines += self.overflow.get(&at).copied().unwrap_or(0);
                            }
                        }
                        ((*version, *event, *path), total)
                    },
                )
            })
    }

    /// How many (version, event, key path) rows [`keys`](Self::keys) gives.
    pub fn key_rows(&self) -> usize {
        self.tables
            .iter()
            .map(|(_, _, keys)| keys.paths.len())
            .sum()
    }

    /// Folds another worker's counts into these.
    pub fn merge(&mut self, other: Counts) {
        let strings: Vec<u32> = other
            .strings
            .iter()
            .map(|t| self.strings.intern(t))
            .collect();
        let sessions: Vec<u32> = other
            .sessions
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
        for ((version, event, path), types) in other.keys() {
            let table = self.table_of(version_ids[version as usize], strings[event as usize]);
            let entry = self.tables[table as usize].2.entry(strings[path as usize]);
            for (kind, lines) in types.into_iter().enumerate() {
                if lines > 0 {
                    self.add_lines(table, entry, kind, lines);
                }
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

/// The key paths one (version, event) carried, with their lines per JSON type: a small
/// open-addressing table by path id, so a line's keys are counted in the few cache lines of its
/// (version, event) instead of one lookup each in an hour-wide map.
#[derive(Default)]
struct KeyTable {
    /// Entry index + 1 at each slot (0: free); a power of two long, at most half full.
    slots: Vec<u32>,
    paths: Vec<u32>,
    counts: Vec<[u32; 7]>,
}

impl KeyTable {
    /// The entry of `path`, added with zero counts when new.
    #[inline]
    fn entry(&mut self, path: u32) -> usize {
        if self.slots.is_empty() {
            self.slots = vec![0; 8];
        }
        let mask = self.slots.len() - 1;
        let mut at = home_slot(path, mask);
        loop {
            match self.slots[at] {
                0 => break,
                s if self.paths[s as usize - 1] == path => return s as usize - 1,
                _ => at = (at + 1) & mask,
            }
        }
        let entry = self.paths.len();
        self.paths.push(path);
        self.counts.push([0; 7]);
        self.slots[at] = entry as u32 + 1;
        if self.paths.len() * 2 > self.slots.len() {
            self.grow();
        }
        entry
    }

    fn grow(&mut self) {
        let len = self.slots.len() * 2;
        self.slots = vec![0; len];
        let mask = len - 1;
        for (entry, path) in self.paths.iter().enumerate() {
            let mut at = home_slot(*path, mask);
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = entry as u32 + 1;
        }
    }
}

/// The first slot probed for `path` in a table of `mask + 1` slots (a multiplicative hash).
#[inline]
fn home_slot(path: u32, mask: usize) -> usize {
    (path.wrapping_mul(0x9e37_79b9) >> 8) as usize & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_tables_grow_and_find_every_path_again() {
        let mut table = KeyTable::default();
        let paths: Vec<u32> = (0..5_000).map(|n| n * 7 + 3).collect();
        for (n, path) in paths.iter().enumerate() {
            assert_eq!(table.entry(*path), n, "a new path gets the next entry");
        }
        for (n, path) in paths.iter().enumerate().rev() {
            assert_eq!(table.entry(*path), n, "an old path keeps its entry");
        }
        assert_eq!(table.paths.len(), paths.len());
        assert!(table.slots.len() >= 2 * paths.len());
    }

    #[test]
    fn counts_past_u32_stay_exact_through_a_merge() {
        let mut counts = Counts::default();
        let table = counts.table_of(0, 1);
        let entry = counts.tables[table as usize].2.entry(2);
        counts.add_lines(table, entry, 3, u64::from(u32::MAX) - 1);
        counts.add_lines(table, entry, 3, 5);
        let mut other = Counts::default();
        for text in ["a", "b", "c"] {
            counts.strings.intern(text);
            other.strings.intern(text);
        }
        other.versions.insert([0, 0, 0], 0);
        counts.versions.insert([0, 0, 0], 0);
        let other_table = other.table_of(0, 1);
        let other_entry = other.tables[other_table as usize].2.entry(2);
        other.add_lines(other_table, other_entry, 3, 3 << 32);
        other.add_lines(other_table, other_entry, 0, 7);
        counts.merge(other);
        let keys: Vec<_> = counts.keys().collect();
        let expected = u64::from(u32::MAX) + 4 + (3 << 32);
        assert_eq!(keys, vec![((0, 1, 2), [7, 0, 0, expected, 0, 0, 0])]);
        assert_eq!(counts.key_rows(), 1);
    }
}
