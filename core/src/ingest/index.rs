//! The SIMD pass of the line reader: one scan of a line, 64 bytes at a time, marks every byte a
//! string's end depends on — quotes, backslashes and control bytes (below 0x20) — in a bitmap, so
//! the reader (`json`) finds where each string ends, and whether it holds an escape or a forbidden
//! byte, with a bit search instead of a byte loop. On x86-64 the bitmap is built with SSE2 (every
//! x86-64 CPU has it, so no CPU level is needed); elsewhere with a portable word-at-a-time loop that
//! gives the same bits.

/// The marked bytes of one line, a bit per byte (bit `i % 64` of word `i / 64`).
#[derive(Default)]
pub struct CharIndex {
    words: Vec<u64>,
}

impl CharIndex {
    /// Marks the quotes, backslashes and control bytes of `bytes`, reusing the bitmap's memory.
    pub fn build(&mut self, bytes: &[u8]) {
        self.words.clear();
        self.words.reserve(bytes.len().div_ceil(64));
        let mut chunks = bytes.chunks_exact(64);
        for chunk in &mut chunks {
            let chunk: &[u8; 64] = chunk.try_into().expect("64-byte chunk");
            self.words.push(mark(chunk));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [b' '; 64];
            last[..rest.len()].copy_from_slice(rest);
            self.words
                .push(mark(&last) & (u64::MAX >> (64 - rest.len())));
        }
    }

    /// The first marked byte at or after `from`.
    #[inline]
    pub fn next_from(&self, from: usize) -> Option<usize> {
        let mut word = from / 64;
        let mut bits = *self.words.get(word)? & (u64::MAX << (from % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + bits.trailing_zeros() as usize);
            }
            word += 1;
            bits = *self.words.get(word)?;
        }
    }
}

/// The bits of one 64-byte chunk: a byte is marked when it is `"`, `\` or below 0x20.
#[inline]
fn mark(chunk: &[u8; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        mark_sse2(chunk)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        mark_portable(chunk)
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn mark_sse2(chunk: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics exist on every CPU this
    // code runs on; each load reads 16 bytes at `part * 16`, inside the 64-byte array.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let below = _mm_set1_epi8(0x1f);
        let mut bits = 0u64;
        for part in 0..4 {
            let bytes = _mm_loadu_si128(chunk.as_ptr().add(part * 16).cast::<__m128i>());
            // max(b, 0x1f) == 0x1f exactly when b <= 0x1f (unsigned).
            let control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, below), below);
            let marked = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(bytes, quote),
                    _mm_cmpeq_epi8(bytes, backslash),
                ),
                control,
            );
            bits |= u64::from(_mm_movemask_epi8(marked) as u16) << (part * 16);
        }
        bits
    }
}

/// The same bits eight bytes at a time (SWAR): exact for every byte value.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn mark_portable(chunk: &[u8; 64]) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte's high bit is set exactly where `x` has a zero byte (no false positives: the
    // `!x & HIGH` form with the carry-free `(x & !HIGH) + !HIGH` test).
    let zero_bytes = |x: u64| !(((x & !HIGH) + !HIGH) | x) & HIGH;
    let mut bits = 0u64;
    for (i, word) in chunk.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let quote = zero_bytes(x ^ (LOW * u64::from(b'"')));
        let backslash = zero_bytes(x ^ (LOW * u64::from(b'\\')));
        // Below 0x20: the top three bits are zero.
        let control = zero_bytes(x & (LOW * 0xe0));
        let marked = quote | backslash | control;
        // Gather the high bit of each byte into 8 bits.
        let packed = ((marked >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        bits |= (packed & 0xff) << (i * 8);
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(byte: u8) -> bool {
        byte == b'"' || byte == b'\\' || byte < 0x20
    }

    #[test]
    fn marks_exactly_quotes_backslashes_and_control_bytes() {
        // Every byte value at every position of a chunk, through both implementations.
        for value in 0..=255u8 {
            for at in [0usize, 7, 8, 15, 16, 31, 32, 63] {
                let mut chunk = [b'a'; 64];
                chunk[at] = value;
                let expected = if marked(value) { 1u64 << at } else { 0 };
                assert_eq!(mark(&chunk), expected, "byte {value:#x} at {at}");
                assert_eq!(
                    mark_portable(&chunk),
                    expected,
                    "portable: byte {value:#x} at {at}"
                );
            }
        }
        let mut seed = 0x1234_5678_9abc_def0u64;
        for _ in 0..2_000 {
            let mut chunk = [0u8; 64];
            for byte in &mut chunk {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                *byte = (seed >> 56) as u8;
            }
            let expected = (0..64).fold(0u64, |bits, i| bits | (u64::from(marked(chunk[i])) << i));
            assert_eq!(mark(&chunk), expected);
            assert_eq!(mark_portable(&chunk), expected);
        }
    }

    #[test]
    fn finds_the_next_mark_across_words_and_the_tail() {
        let mut line = vec![b'x'; 200];
        line[3] = b'"';
        line[70] = b'\\';
        line[199] = b'\n';
        let mut index = CharIndex::default();
        index.build(&line);
        assert_eq!(index.next_from(0), Some(3));
        assert_eq!(index.next_from(3), Some(3));
        assert_eq!(index.next_from(4), Some(70));
        assert_eq!(index.next_from(71), Some(199));
        assert_eq!(index.next_from(200), None);
        index.build(b"abc");
        assert_eq!(
            index.next_from(0),
            None,
            "the padding of a short tail is never marked"
        );
        index.build(b"");
        assert_eq!(index.next_from(0), None);
    }
}
