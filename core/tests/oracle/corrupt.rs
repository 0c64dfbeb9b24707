//! Random corruptions of generated lines: cuts, flipped bytes, invalid UTF-8, trailing bytes,
//! unbalanced brackets, nests at and past the depth limit, lone surrogates, a BOM, duplicate keys.
//! Some leave the line valid (a nest of exactly the limit, a duplicate key, trailing whitespace).

use blueprint_core::ingest::json::MAX_DEPTH;

use super::generate::{Case, Rng};

/// Bytes a flipped byte may become (never `\n` or `\r`, which end lines in a file).
const FLIPS: &[u8] = b"\"{}[],:\\ \t0x-.e\x00\x01\x1f\x7f\x80\xc3\xff";
const INVALID_UTF8: &[&[u8]] = &[b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe6\x97"];
const TRAILING: &[&[u8]] = &[
    b" x", b"}", b"{}", b",", b" 1", b"\"", b"\x00", b" \t ", b"]",
];
const LONE: &[&[u8]] = &[
    b"\\ud800",
    b"\\udc00",
    b"\\ud800\\u0041",
    b"\\ud800\\ud800",
    b"\\udfff",
];

pub fn corrupt(rng: &mut Rng, case: &mut Case) {
    let bytes = &mut case.bytes;
    let at = rng.below(bytes.len() + 1);
    let name = match rng.below(9) {
        0 => {
            bytes.truncate(at);
            "truncate"
        }
        1 if !bytes.is_empty() => {
            let last = bytes.len() - 1;
            bytes[at.min(last)] = *rng.pick(FLIPS);
            "flip a byte"
        }
        2 => {
            bytes.splice(at..at, rng.pick(INVALID_UTF8).iter().copied());
            "invalid UTF-8"
        }
        3 => {
            let trailing: &[u8] = rng.pick::<&[u8]>(TRAILING);
            bytes.extend_from_slice(trailing);
            "trailing bytes"
        }
        4 => {
            let brackets: Vec<usize> = (0..bytes.len())
                .filter(|&i| b"{}[]".contains(&bytes[i]))
                .collect();
            if !brackets.is_empty() && rng.chance(50) {
                bytes.remove(*rng.pick(&brackets));
            } else {
                bytes.insert(at, *rng.pick(b"{["));
            }
            "unbalance brackets"
        }
        5 => {
            nest(rng, bytes);
            "nest near the depth limit"
        }
        6 => {
            // A lone surrogate, after a quote that opens a string or a key.
            let opens: Vec<usize> = (0..bytes.len())
                .filter(|&i| bytes[i] == b'"' && i > 0 && b"{,:[ \t".contains(&bytes[i - 1]))
                .collect();
            let at = opens
                .get(rng.below(opens.len().max(1)))
                .map_or(at, |i| i + 1);
            bytes.splice(at..at, rng.pick(LONE).iter().copied());
            "lone surrogate"
        }
        7 => {
            bytes.splice(0..0, *b"\xef\xbb\xbf");
            "byte order mark"
        }
        _ => {
            // A member repeated with another value, first or last.
            let member: &[u8] = rng.pick::<&[u8]>(&[
                &b"\"event\":\"again\""[..],
                b"\"event\":\"\"",
                b"\"properties\":{\"sku\":1}",
                b"\"context\":{\"app\":{\"version\":2.0}}",
            ]);
            let first = rng.chance(50);
            insert_member(bytes, member, first);
            "duplicate key"
        }
    };
    case.corruptions.push(name);
}

/// Puts a nest of objects and arrays reaching exactly the depth limit, or one to three levels past
/// it, as a new member of the line's object (level 1) or of its `properties` object (level 2).
fn nest(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let in_properties = rng.chance(50);
    let base = if in_properties { 2 } else { 1 };
    let levels = MAX_DEPTH - 1 - base + rng.below(5);
    let mut open = Vec::new();
    let mut close = Vec::new();
    for _ in 0..levels {
        if rng.chance(50) {
            open.push(b'[');
            close.push(b']');
        } else {
            open.extend_from_slice(b"{\"n\":");
            close.push(b'}');
        }
    }
    close.reverse();
    let mut member = b"\"deep\":".to_vec();
    member.extend(open);
    member.push(b'1');
    member.extend(close);
    let properties = find(bytes, b"\"properties\":{");
    match properties.filter(|_| in_properties) {
        Some(at) => insert_at(bytes, at + b"\"properties\":{".len(), &member),
        None => insert_member(bytes, &member, true),
    }
}

fn find(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes.windows(needle.len()).position(|w| w == needle)
}

/// Adds a member to the line's object, as its first or its last member.
fn insert_member(bytes: &mut Vec<u8>, member: &[u8], first: bool) {
    let at = if first {
        bytes.iter().position(|&b| b == b'{').map(|i| i + 1)
    } else {
        bytes.iter().rposition(|&b| b == b'}')
    };
    insert_at(bytes, at.unwrap_or(0), member);
}

/// Inserts a member at `at`, just after an object's `{` or just before its `}`, with the comma it
/// needs (none in an empty object).
fn insert_at(bytes: &mut Vec<u8>, at: usize, member: &[u8]) {
    let after = bytes[at..].iter().find(|b| !b" \t\r".contains(b));
    let before = bytes[..at].iter().rev().find(|b| !b" \t\r".contains(b));
    let mut piece = member.to_vec();
    if before == Some(&b'{') && !matches!(after, Some(b'}') | None) {
        piece.push(b',');
    } else if after == Some(&b'}') && !matches!(before, Some(b'{') | None) {
        piece.insert(0, b',');
    }
    bytes.splice(at..at, piece);
}
