//! One event line → its dimensions and key paths, in one pass of the JSON reader. The mapping's
//! paths are compiled into a trie that the reader walks alongside the line; values under a keys
//! root are recorded as key paths with their JSON types (DESIGN.md, "Keys"), interned to `u32`.
//!
//! Rules where readings differ (JSON syntax: `json`; tested in core/tests/line_reader_oracle.rs):
//! - Keys are compared unescaped (`"ev\u0065nt"` is `event`). With duplicate keys every member is
//!   read: a dimension takes the first value, in line order, that qualifies at its best path
//!   (`{"event":"a","event":"b"}` is `a`; `{"event":"","event":"b"}` is `b`), and every member's
//!   key path is recorded, once per (path, type) per line (`{"k":1,"k":"x"}` counts both types).
//! - Paths are joined with `.` as they are, not escaped: `{"a.b":1}` and `{"a":{"b":1}}` both give
//!   `a.b`; an empty key is an empty piece (`{"d":{"":1}}` gives `d.`), and after an empty path it
//!   adds nothing (`{"":{"c":1}}` gives the empty path and `c`).
//! - Array elements are no keys; the members of object elements are (`items[].sku`); nothing
//!   inside an array that is itself an element (`[[{"a":1}]]`) is recorded. A keys root holding an
//!   array gives `[].sku` with one root; a root holding a scalar gives nothing.
//! - A blank line (ASCII whitespace only, form feed included) is skipped; invalid UTF-8 anywhere
//!   refuses the line before its JSON is read (ingest/reader.rs).

use std::borrow::Cow;

use crate::ingest::index::CharIndex;
use crate::ingest::intern::Interner;
use crate::ingest::json::{Ctx, JsonType, Reader, Scalar, SyntaxError, Visitor};
pub use crate::ingest::reject::Reject;
use crate::mapping::{DIMENSIONS, JsonPath, Limits, Mapping, Segment};

/// Slots filled from the mapping, in this order.
pub const APPLICATION: usize = 0;
pub const VERSION: usize = 1;
pub const PLATFORM: usize = 2;
pub const SCREEN: usize = 3;
pub const EVENT: usize = 4;
pub const SESSION: usize = 5;
pub const TIMESTAMP: usize = 6;
pub const DEDUP: usize = 7;
pub const SLOTS: usize = 8;

const UNTRACKED: u32 = u32::MAX;
const KEYS: u8 = 1;
const ROOT: u8 = 2;
const ELEMENT: u8 = 4;
/// The value of a key/value pairs root (an array of `{key, value}` objects) and its parts.
const PAIRS: u8 = 8;
const PAIR_ELEMENT: u8 = 16;
const PAIR_KEY: u8 = 32;
const PAIR_VALUE: u8 = 64;
const PAIR_SCALAR: u8 = 128;

#[derive(Default)]
struct Node {
    keys: Vec<(Box<str>, u32)>,
    indexes: Vec<(usize, u32)>,
    captures: Vec<(u8, u8)>,
    keys_root: bool,
    /// A key/value pairs root whose pairs are recorded as keys (prefixed with `root_text`
    /// unless it is the only root).
    pairs_root: bool,
    root_text: Box<str>,
    /// Mapped values read from pairs: (pair key, slot, priority).
    pair_lookups: Vec<(Box<str>, u8, u8)>,
}

/// The pair being read inside a pairs root.
#[derive(Default)]
struct Pair<'a> {
    key: Option<Cow<'a, str>>,
    value: Option<(Option<Cow<'a, str>>, JsonType)>,
    hint: Option<JsonType>,
}

/// A parsed line: the mapped values, borrowed from the line where possible. Its key paths are
/// `LineParser::line_keys` until the next line is parsed.
#[derive(Debug, Default)]
pub struct ParsedLine<'a> {
    pub slots: [Option<Cow<'a, str>>; SLOTS],
}

/// Compiled mapping plus the key-path interner of one worker.
pub struct LineParser {
    nodes: Vec<Node>,
    single_root: bool,
    prefixes: Vec<String>,
    paths: Interner,
    path: String,
    keys: Vec<(u32, JsonType)>,
    /// `line` of the last line each (path, type) was recorded in, indexed by `path * 8 + type`:
    /// each pair is kept once per line without sorting.
    stamps: Vec<u32>,
    line: u32,
    limits: Limits,
    /// Key paths left out of the current line (too long, or beyond the per-line limit).
    cut: u64,
    /// The reader's index of the current line (its memory reused from line to line).
    index: CharIndex,
}

impl LineParser {
    pub fn new(mapping: &Mapping) -> Self {
        let mut parser = Self {
            nodes: vec![Node::default()],
            single_root: mapping.keys.single_root(),
            prefixes: mapping.keys.prefixes.clone(),
            paths: Interner::default(),
            path: String::new(),
            keys: Vec::new(),
            stamps: Vec::new(),
            line: 0,
            limits: mapping.limits.clamped(),
            cut: 0,
            index: CharIndex::default(),
        };
        let lists: [(usize, &[JsonPath]); 7] = [
            (APPLICATION, &mapping.application),
            (VERSION, &mapping.version),
            (PLATFORM, &mapping.platform),
            (SCREEN, &mapping.screen),
            (EVENT, &mapping.event),
            (SESSION, &mapping.session),
            (TIMESTAMP, &mapping.timestamp),
        ];
        for (slot, paths) in lists {
            for (priority, path) in paths.iter().enumerate() {
                let priority = priority.min(254) as u8;
                match path.segments().split_last() {
                    Some((Segment::Pair(name), prefix)) => {
                        let node = parser.insert_segments(prefix);
                        parser.nodes[node].pair_lookups.push((
                            name.as_str().into(),
                            slot as u8,
                            priority,
                        ));
                    }
                    _ => {
                        let node = parser.insert(path);
                        parser.nodes[node].captures.push((slot as u8, priority));
                    }
                }
            }
        }
        if let Some(path) = &mapping.dedup {
            let node = parser.insert(path);
            parser.nodes[node].captures.push((DEDUP as u8, 0));
        }
        for root in &mapping.keys.paths {
            let node = parser.insert(root);
            parser.nodes[node].keys_root = true;
        }
        for root in &mapping.keys.pairs {
            let node = parser.insert(root);
            parser.nodes[node].pairs_root = true;
            parser.nodes[node].root_text = root.as_str().into();
        }
        parser
    }

    fn insert(&mut self, path: &JsonPath) -> usize {
        self.insert_segments(path.segments())
    }

    fn insert_segments(&mut self, segments: &[Segment]) -> usize {
        let mut node = 0usize;
        for segment in segments {
            let existing = match segment {
                Segment::Pair(_) => return node,
                Segment::Key(key) => self.nodes[node]
                    .keys
                    .iter()
                    .find(|(k, _)| **k == **key)
                    .map(|(_, n)| *n),
                Segment::Index(i) => self.nodes[node]
                    .indexes
                    .iter()
                    .find(|(k, _)| k == i)
                    .map(|(_, n)| *n),
            };
            node = match existing {
                Some(next) => next as usize,
                None => {
                    let next = self.nodes.len();
                    self.nodes.push(Node::default());
                    match segment {
                        Segment::Key(key) => self.nodes[node]
                            .keys
                            .push((key.as_str().into(), next as u32)),
                        Segment::Index(i) => self.nodes[node].indexes.push((*i, next as u32)),
                        Segment::Pair(_) => {}
                    }
                    next
                }
            };
        }
        node
    }

    /// The text of an interned key path.
    pub fn path(&self, id: u32) -> &str {
        self.paths.get(id)
    }

    /// Parses one non-blank line.
    pub fn parse<'a>(&mut self, line: &'a str) -> Result<ParsedLine<'a>, Reject> {
        self.parse_with::<Indexed>(line)
    }

    /// [`parse`](Self::parse) with the byte-by-byte reader, the differential test's oracle.
    #[cfg(feature = "reader-oracle")]
    pub fn parse_bytewise<'a>(&mut self, line: &'a str) -> Result<ParsedLine<'a>, Reject> {
        self.parse_with::<Bytewise>(line)
    }

    fn parse_with<'a, R: ReadLine>(&mut self, line: &'a str) -> Result<ParsedLine<'a>, Reject> {
        self.keys.clear();
        self.cut = 0;
        self.line = self.line.wrapping_add(1);
        if self.line == 0 {
            self.stamps.fill(0);
            self.line = 1;
        }
        self.path.clear();
        let mut visitor = LineVisitor {
            parser: self,
            slots: Default::default(),
            priorities: [u8::MAX; SLOTS],
            pair: Pair::default(),
        };
        let mut index = std::mem::take(&mut visitor.parser.index);
        let read = R::read(line, &mut index, &mut visitor);
        visitor.parser.index = index;
        read.map_err(Reject::Syntax)?;
        let LineVisitor { slots, .. } = visitor;
        if slots[EVENT].is_none() {
            return Err(Reject::NoEvent);
        }
        let limit = self.limits.max_name_chars;
        let too_long = |text: &str| text.len() > limit && text.chars().count() > limit;
        if let Some(dimension) =
            (0..DIMENSIONS.len()).find(|slot| slots[*slot].as_deref().is_some_and(too_long))
        {
            return Err(Reject::TooLong { dimension, limit });
        }
        Ok(ParsedLine { slots })
    }

    /// Key paths left out of the line parsed last (each occurrence): longer than the mapping's
    /// `max_key_path_bytes`, or new after `max_keys_per_line` were recorded.
    pub fn line_cut(&self) -> u64 {
        self.cut
    }

    /// The key paths of the line parsed last, each (path, type) once.
    pub fn line_keys(&self) -> &[(u32, JsonType)] {
        &self.keys
    }

    /// Records a (path, type) of the current line, once.
    fn record_key(&mut self, id: u32, kind: JsonType) {
        let index = id as usize * 8 + kind as usize;
        if index >= self.stamps.len() {
            self.stamps.resize(index + 8, 0);
        }
        if self.stamps[index] != self.line {
            self.stamps[index] = self.line;
            self.keys.push((id, kind));
        }
    }

    /// Records the key path `path[..len]` of the current line, within the mapping's limits.
    fn record_path(&mut self, len: usize, kind: JsonType) {
        let path = std::mem::take(&mut self.path);
        self.record_text(&path[..len], kind);
        self.path = path;
    }

    /// Records a key path of the current line, or counts it as cut when it is too long or a new
    /// one past the line's limit (a path already recorded on the line is never cut).
    fn record_text(&mut self, path: &str, kind: JsonType) {
        if path.len() > self.limits.max_key_path_bytes {
            self.cut += 1;
            return;
        }
        if self.keys.len() >= self.limits.max_keys_per_line {
            let index = self
                .paths
                .find(path)
                .map(|id| id as usize * 8 + kind as usize);
            if index.is_none_or(|i| self.stamps.get(i) != Some(&self.line)) {
                self.cut += 1;
            }
            return;
        }
        let id = self.intern_text(path);
        self.record_key(id, kind);
    }

    fn intern_text(&mut self, path: &str) -> u32 {
        self.paths.intern(path)
    }
}

/// How a line's JSON is read: with the SIMD index (always), or byte by byte (the oracle).
trait ReadLine {
    fn read<'a, V: Visitor<'a>>(
        line: &'a str,
        index: &mut CharIndex,
        visitor: &mut V,
    ) -> Result<(), SyntaxError>;
}

struct Indexed;

impl ReadLine for Indexed {
    fn read<'a, V: Visitor<'a>>(
        line: &'a str,
        index: &mut CharIndex,
        visitor: &mut V,
    ) -> Result<(), SyntaxError> {
        Reader::read_line(line, index, Ctx::default(), visitor)
    }
}

#[cfg(feature = "reader-oracle")]
struct Bytewise;

#[cfg(feature = "reader-oracle")]
impl ReadLine for Bytewise {
    fn read<'a, V: Visitor<'a>>(
        line: &'a str,
        _: &mut CharIndex,
        visitor: &mut V,
    ) -> Result<(), SyntaxError> {
        Reader::read_line_bytewise(line, Ctx::default(), visitor)
    }
}

struct LineVisitor<'p, 'a> {
    parser: &'p mut LineParser,
    slots: [Option<Cow<'a, str>>; SLOTS],
    priorities: [u8; SLOTS],
    pair: Pair<'a>,
}

impl<'a> LineVisitor<'_, 'a> {
    fn capture(&mut self, slot: u8, priority: u8, value: Cow<'a, str>) {
        let slot = slot as usize;
        if priority < self.priorities[slot] {
            self.priorities[slot] = priority;
            self.slots[slot] = Some(value);
        }
    }

    /// A pair has been read: record it as a key and serve the mapped values it holds.
    fn finish_pair(&mut self, node: u32) {
        let pair = std::mem::take(&mut self.pair);
        let (Some(key), Some((text, kind))) = (pair.key, pair.value) else {
            return;
        };
        let target = &self.parser.nodes[node as usize];
        if target.pairs_root {
            let path = if self.parser.single_root {
                key.to_string()
            } else {
                format!("{}.{key}", target.root_text)
            };
            self.parser.record_text(&path, kind);
        }
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            return;
        };
        let lookups: Vec<(u8, u8)> = self.parser.nodes[node as usize]
            .pair_lookups
            .iter()
            .filter(|(name, _, _)| **name == *key)
            .map(|(_, slot, priority)| (*slot, *priority))
            .collect();
        for (slot, priority) in lookups {
            self.capture(slot, priority, text.clone());
        }
    }

    fn push_path(&mut self, parent: Ctx, piece: &str, element: bool) -> u32 {
        let path = &mut self.parser.path;
        path.truncate(parent.path_len as usize);
        if element {
            path.push_str("[]");
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(piece);
        }
        path.len() as u32
    }
}

impl<'a> Visitor<'a> for LineVisitor<'_, 'a> {
    fn enter_member(&mut self, parent: Ctx, key: &str) -> Ctx {
        if parent.flags & PAIR_ELEMENT != 0 {
            let flags = match key {
                "key" => PAIR_KEY,
                "value" => PAIR_VALUE,
                _ => {
                    return Ctx {
                        node: UNTRACKED,
                        path_len: 0,
                        flags: 0,
                    };
                }
            };
            return Ctx {
                node: parent.node,
                path_len: 0,
                flags,
            };
        }
        if parent.flags & PAIR_VALUE != 0 {
            self.pair.hint = match key {
                "string_value" => Some(JsonType::String),
                "int_value" => Some(JsonType::Integer),
                "float_value" | "double_value" => Some(JsonType::Number),
                _ => None,
            };
            return Ctx {
                node: parent.node,
                path_len: 0,
                flags: PAIR_SCALAR,
            };
        }
        let node = if parent.node == UNTRACKED {
            UNTRACKED
        } else {
            self.parser.nodes[parent.node as usize]
                .keys
                .iter()
                .find(|(k, _)| **k == *key)
                .map_or(UNTRACKED, |(_, n)| *n)
        };
        let is_root = (node != UNTRACKED && self.parser.nodes[node as usize].keys_root)
            || (parent.node == 0
                && self
                    .parser
                    .prefixes
                    .iter()
                    .any(|p| key.starts_with(p.as_str())));
        if node != UNTRACKED {
            let target = &self.parser.nodes[node as usize];
            if target.pairs_root || !target.pair_lookups.is_empty() {
                return Ctx {
                    node,
                    path_len: 0,
                    flags: PAIRS,
                };
            }
        }
        if is_root {
            let path_len = if self.parser.single_root {
                self.parser.path.truncate(0);
                0
            } else {
                self.push_path(Ctx::default(), key, false)
            };
            return Ctx {
                node,
                path_len,
                flags: KEYS | ROOT,
            };
        }
        if parent.flags & KEYS != 0 {
            let path_len = self.push_path(parent, key, false);
            return Ctx {
                node,
                path_len,
                flags: KEYS,
            };
        }
        Ctx {
            node,
            path_len: 0,
            flags: 0,
        }
    }

    fn enter_element(&mut self, parent: Ctx, index: usize) -> Ctx {
        if parent.flags & PAIRS != 0 {
            self.pair = Pair::default();
            return Ctx {
                node: parent.node,
                path_len: 0,
                flags: PAIR_ELEMENT,
            };
        }
        if parent.flags & (PAIR_ELEMENT | PAIR_KEY | PAIR_VALUE | PAIR_SCALAR) != 0 {
            return Ctx {
                node: UNTRACKED,
                path_len: 0,
                flags: 0,
            };
        }
        let node = if parent.node == UNTRACKED {
            UNTRACKED
        } else {
            self.parser.nodes[parent.node as usize]
                .indexes
                .iter()
                .find(|(i, _)| *i == index)
                .map_or(UNTRACKED, |(_, n)| *n)
        };
        if parent.flags & KEYS != 0 && parent.flags & ELEMENT == 0 {
            let path_len = self.push_path(parent, "", true);
            return Ctx {
                node,
                path_len,
                flags: KEYS | ELEMENT,
            };
        }
        Ctx {
            node,
            path_len: 0,
            flags: 0,
        }
    }

    fn value(&mut self, ctx: Ctx, kind: JsonType, scalar: Scalar<'a>) {
        if ctx.flags & PAIR_KEY != 0 {
            if let Scalar::Str(text) = scalar {
                self.pair.key = Some(text);
            }
            return;
        }
        if ctx.flags & PAIR_SCALAR != 0 {
            if kind != JsonType::Null && self.pair.value.is_none() {
                let text = match scalar {
                    Scalar::Str(text) => Some(text),
                    Scalar::Num(text) => Some(Cow::Borrowed(text)),
                    Scalar::Other => None,
                };
                self.pair.value = Some((text, self.pair.hint.unwrap_or(kind)));
            }
            return;
        }
        if ctx.flags & (PAIRS | PAIR_ELEMENT | PAIR_VALUE) != 0 {
            return;
        }
        if ctx.flags & KEYS != 0 && ctx.flags & (ROOT | ELEMENT) == 0 {
            self.parser.record_path(ctx.path_len as usize, kind);
        }
        if ctx.node == UNTRACKED {
            return;
        }
        let value = match scalar {
            Scalar::Str(text) if !text.is_empty() => text,
            Scalar::Num(text) => Cow::Borrowed(text),
            _ => return,
        };
        let captures = std::mem::take(&mut self.parser.nodes[ctx.node as usize].captures);
        for &(slot, priority) in &captures {
            self.capture(slot, priority, value.clone());
        }
        self.parser.nodes[ctx.node as usize].captures = captures;
    }

    fn wants_keys(&self, ctx: Ctx) -> bool {
        ctx.flags & (KEYS | PAIR_ELEMENT | PAIR_VALUE) != 0
            || (ctx.node != UNTRACKED
                && (ctx.node == 0 && !self.parser.prefixes.is_empty()
                    || !self.parser.nodes[ctx.node as usize].keys.is_empty()))
    }

    fn leave(&mut self, ctx: Ctx) {
        if ctx.flags & PAIR_ELEMENT != 0 {
            self.finish_pair(ctx.node);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key path and the name of its type.
    type KeyType = (String, &'static str);

    fn parse(mapping: &Mapping, line: &str) -> Result<(Vec<Option<String>>, Vec<KeyType>), Reject> {
        let mut parser = LineParser::new(mapping);
        let parsed = parser.parse(line)?;
        let slots = parsed
            .slots
            .iter()
            .map(|s| s.as_ref().map(|v| v.to_string()))
            .collect();
        let keys = parser
            .line_keys()
            .iter()
            .map(|(id, t)| (parser.path(*id).to_owned(), t.name()))
            .collect();
        Ok((slots, keys))
    }

    /// The value rules of DESIGN.md, "Field mapping", one row each.
    #[test]
    fn golden_value_rules() {
        let segment = Mapping::default();
        let rows: [(&str, usize, Option<&str>); 14] = [
            (r#"{"event":"addToCart"}"#, EVENT, Some("addToCart")),
            (r#"{"type":"screen","name":"Home"}"#, EVENT, Some("screen")),
            (r#"{"event":"","type":"track"}"#, EVENT, Some("track")),
            (r#"{"event":null,"type":"track"}"#, EVENT, Some("track")),
            (r#"{"event":true,"type":"track"}"#, EVENT, Some("track")),
            (r#"{"event":{"x":1},"type":"track"}"#, EVENT, Some("track")),
            (r#"{"event":["a"],"type":"track"}"#, EVENT, Some("track")),
            (r#"{"event":12}"#, EVENT, Some("12")),
            (
                r#"{"event":"e","context":{"app":{"version":3.10}}}"#,
                VERSION,
                Some("3.10"),
            ),
            (
                r#"{"event":"e","context":{"app":{"version":"3.10"}}}"#,
                VERSION,
                Some("3.10"),
            ),
            (
                r#"{"event":"e","context":{"os":{"name":"ANDROID"}}}"#,
                PLATFORM,
                Some("ANDROID"),
            ),
            (
                r#"{"event":"e","context":{"os":{"name":""}},"platform":"Web"}"#,
                PLATFORM,
                Some("Web"),
            ),
            (
                r#"{"event":"e","context":{"sessionId":12}}"#,
                SESSION,
                Some("12"),
            ),
            (
                r#"{"event":"e","properties":{"screen_name":"Cart"},"name":"Ignored"}"#,
                SCREEN,
                Some("Cart"),
            ),
        ];
        for (line, slot, expected) in rows {
            let (slots, _) = parse(&segment, line).unwrap();
            assert_eq!(slots[slot].as_deref(), expected, "{line}");
        }
        let (slots, _) = parse(&segment, r#"{"event":"e"}"#).unwrap();
        assert_eq!(
            slots[APPLICATION], None,
            "missing stays None; the ledger writes (none)"
        );
    }

    #[test]
    fn lines_without_an_event_are_rejected() {
        let segment = Mapping::default();
        for line in [
            r#"{"event":""}"#,
            r#"{"event":true,"type":null}"#,
            r#"{"properties":{}}"#,
        ] {
            assert_eq!(
                parse(&segment, line).unwrap_err(),
                Reject::NoEvent,
                "{line}"
            );
        }
        assert!(matches!(
            parse(&segment, r#"{"event":"x"} trailing"#),
            Err(Reject::Syntax(_))
        ));
    }

    #[test]
    fn records_key_paths_with_types_once_per_line() {
        let segment = Mapping::default();
        let line = r#"{"event":"e","properties":{"sku":"A","qty":2,"price":2.5,"gift":false,"coupon":null,
            "filters":{"brand":"x","size":{"eu":42}},"items":[{"sku":"a"},{"sku":"b","n":1}],"tags":["x",1]}}"#
            .replace('\n', "");
        let (_, keys) = parse(&segment, &line).unwrap();
        let expected = [
            ("coupon", "null"),
            ("filters", "object"),
            ("filters.brand", "string"),
            ("filters.size", "object"),
            ("filters.size.eu", "integer"),
            ("gift", "boolean"),
            ("items", "array"),
            ("items[].n", "integer"),
            ("items[].sku", "string"),
            ("price", "number"),
            ("qty", "integer"),
            ("sku", "string"),
            ("tags", "array"),
        ];
        let mut keys = keys;
        keys.sort();
        let keys: Vec<(&str, &str)> = keys.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        assert_eq!(keys, expected);
    }

    #[test]
    fn ga4_event_params_are_read_as_keys_and_mapped_values() {
        let ga4 = Mapping::preset("ga4").unwrap();
        let line = r#"{"event_name":"screen_view","event_timestamp":"1763114400000000","platform":"ANDROID",
            "app_info":{"id":"com.shop","version":"3.2"},
            "event_params":[
              {"value":{"string_value":"Home","int_value":null},"key":"firebase_screen"},
              {"key":"ga_session_id","value":{"string_value":null,"int_value":"1763114400"}},
              {"key":"engagement_time_msec","value":{"int_value":125}},
              {"key":"price","value":{"double_value":9.5}},
              {"key":"empty","value":{"string_value":null}}
            ]}"#
            .replace('\n', "");
        let (slots, mut keys) = parse(&ga4, &line).unwrap();
        assert_eq!(slots[SCREEN].as_deref(), Some("Home"));
        assert_eq!(slots[SESSION].as_deref(), Some("1763114400"));
        assert_eq!(slots[APPLICATION].as_deref(), Some("com.shop"));
        assert_eq!(slots[TIMESTAMP].as_deref(), Some("1763114400000000"));
        keys.sort();
        assert_eq!(
            keys,
            [
                ("engagement_time_msec".to_owned(), "integer"),
                ("firebase_screen".to_owned(), "string"),
                ("ga_session_id".to_owned(), "integer"),
                ("price".to_owned(), "number"),
            ]
        );
    }

    #[test]
    fn several_roots_prefix_paths_with_the_root_name() {
        let snowplow = Mapping::preset("snowplow").unwrap();
        let line = r#"{"event_name":"screen_view","app_id":"shop","platform":"mob",
            "contexts_com_acme_user_1":[{"tier":"gold","id":7}],
            "unstruct_event_com_snowplowanalytics_mobile_screen_view_1":{"name":"Home","id":"x"},
            "contexts_com_snowplowanalytics_mobile_application_1":[{"version":"1.2.0","build":"3"}],
            "other_field":{"ignored":true}}"#
            .replace('\n', "");
        let (slots, mut keys) = parse(&snowplow, &line).unwrap();
        assert_eq!(slots[SCREEN].as_deref(), Some("Home"));
        assert_eq!(slots[VERSION].as_deref(), Some("1.2.0"));
        assert_eq!(slots[PLATFORM].as_deref(), Some("mob"));
        keys.sort();
        let paths: Vec<&str> = keys.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "contexts_com_acme_user_1[].id",
                "contexts_com_acme_user_1[].tier",
                "contexts_com_snowplowanalytics_mobile_application_1[].build",
                "contexts_com_snowplowanalytics_mobile_application_1[].version",
                "unstruct_event_com_snowplowanalytics_mobile_screen_view_1.id",
                "unstruct_event_com_snowplowanalytics_mobile_screen_view_1.name",
            ]
        );
    }

    #[test]
    fn key_paths_past_the_limits_are_cut_and_counted() {
        let mapping = Mapping {
            limits: Limits {
                max_key_path_bytes: 9,
                max_keys_per_line: 3,
                ..Limits::default()
            },
            ..Mapping::default()
        };
        let mut parser = LineParser::new(&mapping);
        let line = r#"{"event":"e","properties":{"a":1,"a_very_long_key":2,"items":[{"n":1},{"n":2}],"b":3,"c":4}}"#;
        parser.parse(line).unwrap();
        let mut kept: Vec<&str> = parser
            .line_keys()
            .iter()
            .map(|(id, _)| parser.path(*id))
            .collect();
        kept.sort();
        assert_eq!(kept, ["a", "items", "items[].n"]);
        // The long key once, `b` and `c` past the limit; `items[].n` again is not new.
        assert_eq!(parser.line_cut(), 3);
        parser.parse(r#"{"event":"e"}"#).unwrap();
        assert_eq!(parser.line_cut(), 0, "counted per line");
        let long = format!(r#"{{"event":"{}"}}"#, "é".repeat(201));
        assert_eq!(
            parser.parse(&long).unwrap_err(),
            Reject::TooLong {
                dimension: EVENT,
                limit: 200
            }
        );
        let fits = format!(r#"{{"event":"{}"}}"#, "é".repeat(200));
        assert!(parser.parse(&fits).is_ok(), "characters, not bytes");
    }
}
