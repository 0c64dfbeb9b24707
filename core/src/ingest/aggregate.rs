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
    /// Lines past `u32::MAX` of a (table, path, type), added 2^32 at a time: the tables count
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
        // The line's keys land anywhere in its table, which is rarely still in cache: asking for
        // all of its lines at once lets their loads overlap instead of waiting for one per key.
        self.tables[table as usize].2.prefetch();
        for &(path, kind) in parser.line_keys() {
            let index = path as usize;
            if index >= self.parser_paths.len() {
                self.parser_paths.resize(index + 1, u32::MAX);
            }
            if self.parser_paths[index] == u32::MAX {
                self.parser_paths[index] = self.strings.intern(parser.path(path));
            }
            self.add_lines(table, self.parser_paths[index], kind as u8, 1);
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

    /// Adds `lines` to a (table, path, type), carrying what passes `u32` into `overflow`.
    #[inline]
    fn add_lines(&mut self, table: u32, path: u32, kind: u8, lines: u64) {
        let keys = &mut self.tables[table as usize].2;
        let at = keys.entry(path, u32::from(kind));
        let count = &mut keys.slots[at][2];
        let total = u64::from(*count) + lines;
        *count = total as u32;
        let high = total & !u64::from(u32::MAX);
        if high != 0 {
            *self.overflow.entry((table, path, kind)).or_default() += high;
        }
    }

    /// Lines per JSON type of each (version id, event string id, key path string id), each once.
    pub fn keys(&self) -> impl Iterator<Item = ((u32, u32, u32), [u64; 7])> + '_ {
        self.tables
            .iter()
            .enumerate()
            .flat_map(move |(table, (version, event, keys))| {
                let mut filled: Vec<[u32; 3]> = keys.filled().collect();
                filled.sort_unstable_by_key(|slot| (slot[0], slot[1]));
                let mut rows: Vec<((u32, u32, u32), [u64; 7])> =
                    Vec::with_capacity(keys.paths as usize);
                for [path, kind, lines] in filled {
                    let mut lines = u64::from(lines);
                    if !self.overflow.is_empty() {
                        let at = (table as u32, path, kind as u8);
                        lines += self.overflow.get(&at).copied().unwrap_or(0);
                    }
                    match rows.last_mut() {
                        Some(((_, _, last), types)) if *last == path => {
                            types[kind as usize] = lines;
                        }
                        _ => {
                            let mut types = [0u64; 7];
                            types[kind as usize] = lines;
                            rows.push(((*version, *event, path), types));
                        }
                    }
                }
                rows
            })
    }

    /// How many (version, event, key path) rows [`keys`](Self::keys) gives.
    pub fn key_rows(&self) -> usize {
        self.tables
            .iter()
            .map(|(_, _, keys)| keys.paths as usize)
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
            for (kind, lines) in types.into_iter().enumerate() {
                if lines > 0 {
                    self.add_lines(table, strings[path as usize], kind as u8, lines);
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

/// The key paths one (version, event) carried, with their lines per JSON type: one small
/// open-addressing table of (path, type) entries, so a line's keys are counted in the few
/// consecutive cache lines of its (version, event) instead of one lookup each in an hour-wide map.
/// An entry holds its path, type and count side by side (12 bytes): the table an hour's line
/// touches is one block of memory, not a slot array beside a path list beside a count list.
#[derive(Default)]
struct KeyTable {
    /// `[path, type, lines]` at each slot, `type` [`FREE`] when the slot is free; a power of two
    /// long, at most three quarters full.
    slots: Vec<[u32; 3]>,
    /// Entries (path, type) in `slots`.
    entries: u32,
    /// Distinct paths among them.
    paths: u32,
}

/// The type of a free slot of a [`KeyTable`].
const FREE: u32 = u32::MAX;

impl KeyTable {
    /// The slot of (`path`, `kind`), added with a zero count when new.
    #[inline]
    fn entry(&mut self, path: u32, kind: u32) -> usize {
        if self.slots.is_empty() {
            self.slots = vec![[0, FREE, 0]; 16];
        }
        let at = self.probe(path, kind);
        if self.slots[at][1] != FREE {
            return at;
        }
        if (self.entries as usize + 1) * 4 > self.slots.len() * 3 {
            self.grow();
            return self.entry(path, kind);
        }
        let path_is_new = (0..JsonType::ALL.len() as u32)
            .all(|other| other == kind || self.slots[self.probe(path, other)][1] == FREE);
        if path_is_new {
            self.paths += 1;
        }
        self.slots[at] = [path, kind, 0];
        self.entries += 1;
        at
    }

    /// The slot holding (`path`, `kind`), or the free slot where it would go.
    #[inline]
    fn probe(&self, path: u32, kind: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = home_slot(path, kind, mask);
        loop {
            let slot = &self.slots[at];
            if slot[1] == FREE || (slot[0] == path && slot[1] == kind) {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let len = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![[0, FREE, 0]; len]);
        for slot in old.into_iter().filter(|slot| slot[1] != FREE) {
            let at = self.probe(slot[0], slot[1]);
            self.slots[at] = slot;
        }
    }

    /// Asks the CPU to bring the whole table into cache (a hint only; a no-op off x86-64).
    #[inline]
    fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        for line in self.slots.chunks(64 / std::mem::size_of::<[u32; 3]>()) {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: a prefetch only hints the cache; the pointer is in the table's memory.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) };
        }
    }

    /// The filled slots.
    fn filled(&self) -> impl Iterator<Item = [u32; 3]> + '_ {
        self.slots.iter().copied().filter(|slot| slot[1] != FREE)
    }
}

/// The first slot probed for (`path`, `kind`) in a table of `mask + 1` slots (a multiplicative
/// hash).
#[inline]
fn home_slot(path: u32, kind: u32, mask: usize) -> usize {
    let key = (u64::from(path) << 3) | u64::from(kind);
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_tables_grow_and_find_every_path_and_type_again() {
        let mut table = KeyTable::default();
        // Paths with one type and with several, in an order that collides in small tables.
        let entries: Vec<(u32, u32)> = (0..5_000u32)
            .flat_map(|n| (0..=n % 3).map(move |kind| (n * 7 + 3, kind * 2)))
            .collect();
        for (n, &(path, kind)) in entries.iter().enumerate() {
            let at = table.entry(path, kind);
            table.slots[at][2] = n as u32;
        }
        for (n, &(path, kind)) in entries.iter().enumerate().rev() {
            let at = table.entry(path, kind);
            assert_eq!(
                table.slots[at],
                [path, kind, n as u32],
                "an old entry is found again"
            );
        }
        assert_eq!(table.entries as usize, entries.len());
        assert_eq!(table.paths, 5_000, "distinct paths, whatever their types");
        assert_eq!(table.filled().count(), entries.len());
        assert!(table.slots.len() * 3 >= 4 * entries.len());
        assert!(table.slots.len().is_power_of_two());
    }

    #[test]
    fn a_versions_key_rows_hold_each_path_once_with_all_its_types() {
        let mut counts = Counts::default();
        let table = counts.table_of(4, 1);
        for (path, kind, lines) in [(9, 6, 2), (2, 0, 1), (9, 0, 5), (2, 0, 1), (7, 5, 1)] {
            counts.add_lines(table, path, kind, lines);
        }
        let keys: Vec<_> = counts.keys().collect();
        assert_eq!(
            keys,
            vec![
                ((4, 1, 2), [2, 0, 0, 0, 0, 0, 0]),
                ((4, 1, 7), [0, 0, 0, 0, 0, 1, 0]),
                ((4, 1, 9), [5, 0, 0, 0, 0, 0, 2]),
            ]
        );
        assert_eq!(counts.key_rows(), 3);
    }

    #[test]
    fn counts_past_u32_stay_exact_through_a_merge() {
        let mut counts = Counts::default();
        let table = counts.table_of(0, 1);
        counts.add_lines(table, 2, 3, u64::from(u32::MAX) - 1);
        counts.add_lines(table, 2, 3, 5);
        let mut other = Counts::default();
        for text in ["a", "b", "c"] {
            counts.strings.intern(text);
            other.strings.intern(text);
        }
        other.versions.insert([0, 0, 0], 0);
        counts.versions.insert([0, 0, 0], 0);
        let other_table = other.table_of(0, 1);
        other.add_lines(other_table, 2, 3, 3 << 32);
        other.add_lines(other_table, 2, 0, 7);
        counts.merge(other);
        let keys: Vec<_> = counts.keys().collect();
        let expected = u64::from(u32::MAX) + 4 + (3 << 32);
        assert_eq!(keys, vec![((0, 1, 2), [7, 0, 0, expected, 0, 0, 0])]);
        assert_eq!(counts.key_rows(), 1);
    }
}
