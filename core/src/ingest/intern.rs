//! Interning of short texts to dense `u32` ids, for the reader's hot path: every key path,
//! dimension and session of an hour is looked up here once per line.
//!
//! The texts live in one arena (no allocation per text, and each text once rather than twice as in
//! a map beside a list), the table holds only ids, and a hit is confirmed with an inline comparison
//! of 8-byte words instead of a call into libc's `memcmp`. On the benchmark hour this took the
//! read's peak memory from 254 to 228 MiB (its hundreds of thousands of sessions); its time stayed
//! the same within the runs' noise.

use std::hash::Hasher;

use hashbrown::HashTable;
use rustc_hash::FxHasher;

/// Texts → ids `0..len()`, in order of first sight.
#[derive(Default)]
pub struct Interner {
    table: HashTable<u32>,
    /// (start, end) of each id's text in `arena`, and its hash (so growing rehashes nothing).
    spans: Vec<(u32, u32, u64)>,
    arena: String,
}

impl Interner {
    /// The id of `text`, added when new.
    #[inline]
    pub fn intern(&mut self, text: &str) -> u32 {
        let hash = hash(text.as_bytes());
        let Self {
            table,
            spans,
            arena,
        } = self;
        let found = table.find(hash, |&id| {
            let (start, end, _) = spans[id as usize];
            same(
                &arena.as_bytes()[start as usize..end as usize],
                text.as_bytes(),
            )
        });
        if let Some(&id) = found {
            return id;
        }
        let id = u32::try_from(spans.len()).expect("fewer than 2^32 distinct texts");
        let start = arena.len();
        arena.push_str(text);
        let end = u32::try_from(arena.len()).expect("interned texts under 4 GiB");
        spans.push((start as u32, end, hash));
        table.insert_unique(hash, id, |&id| spans[id as usize].2);
        id
    }

    /// The id of `text` if it was interned.
    #[inline]
    pub fn find(&self, text: &str) -> Option<u32> {
        self.table
            .find(hash(text.as_bytes()), |&id| {
                same(self.get(id).as_bytes(), text.as_bytes())
            })
            .copied()
    }

    /// The text of an id.
    #[inline]
    pub fn get(&self, id: u32) -> &str {
        let (start, end, _) = self.spans[id as usize];
        &self.arena[start as usize..end as usize]
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Every text, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len() as u32).map(|id| self.get(id))
    }
}

#[inline]
fn hash(bytes: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

/// Byte equality for short strings without a call into libc: 8-byte words, the last one
/// overlapping the one before.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if word(a, at) != word(b, at) {
                return false;
            }
            at += 8;
        }
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    } else {
        a == b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_bytes_of_every_short_length_are_found_and_unequal_ones_are_not() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).collect();
            assert!(same(&a, &a.clone()), "length {n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x80;
                assert!(!same(&a, &b), "length {n}, byte {at} differs");
            }
            assert!(!same(&a, &[a.as_slice(), b"x"].concat()));
        }
    }

    #[test]
    fn ids_are_dense_stable_and_survive_growth() {
        let mut interner = Interner::default();
        let texts: Vec<String> = (0..20_000).map(|n| format!("key_{n}")).collect();
        for (n, text) in texts.iter().enumerate() {
            assert_eq!(interner.intern(text), n as u32);
        }
        for (n, text) in texts.iter().enumerate().rev() {
            assert_eq!(interner.intern(text), n as u32);
            assert_eq!(interner.find(text), Some(n as u32));
            assert_eq!(interner.get(n as u32), text);
        }
        assert_eq!(interner.find("key_20000"), None);
        assert_eq!(interner.intern(""), 20_000, "the empty text is a text");
        assert_eq!(interner.len(), 20_001);
    }
}
