//! An independent judge of event lines for `line_reader_oracle.rs`: serde_json reads the JSON, and
//! Blueprint's rules (core/src/ingest/json.rs and line.rs, opening comments) are applied to what it
//! read, one explicit function per rule. Where serde_json's own defaults differ from those rules
//! (its depth limit is 127 levels, it keeps the last of duplicate keys, it refuses `1e400` and turns
//! `1.0`/big integers into floats), the adapter does not use them: it reads each value as a
//! `RawValue` (the exact source text) and decides itself.
//!
//! Why not `serde_json/arbitrary_precision`: cargo unifies a package's features over every crate of
//! one build, so a dev-dependency feature would change serde_json for the whole of a test run
//! (`Value` would hold every number as text, and numbers reach sqlx's, apalis' and sea-orm's JSON
//! and our own `json!`/`to_value` through it), and the tests would no longer run the shipped code.
//! `raw_value` gives the source text without that, and it is already on in the tree (sqlx-core
//! enables it), so this oracle changes no feature of any build.

pub mod corrupt;
pub mod generate;

use std::collections::BTreeSet;
use std::fmt;

use blueprint_core::ingest::json::{MAX_DEPTH, SyntaxError};
use blueprint_core::ingest::line::{self, LineParser, Reject};
use blueprint_core::mapping::{Mapping, Segment};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Why a line is refused, as both sides can tell it (positions are not compared).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    InvalidUtf8,
    NotAnObject,
    /// Invalid JSON before the end of the line.
    Syntax,
    /// The line ends inside the object.
    End,
    /// Something other than whitespace follows the object.
    Trailing,
    TooDeep,
    NoEvent,
    /// A refusal this oracle does not know (a limit added to the reader since it was written).
    Other,
}

impl Category {
    /// The refusals the generator must produce (not `Other`).
    pub const ALL: [Category; 7] = [
        Category::InvalidUtf8,
        Category::NotAnObject,
        Category::Syntax,
        Category::End,
        Category::Trailing,
        Category::TooDeep,
        Category::NoEvent,
    ];

    /// The start of the reason the hour's samples show for it.
    pub fn reason(self) -> &'static str {
        match self {
            Category::InvalidUtf8 => "invalid UTF-8",
            Category::NotAnObject => "not a JSON object",
            Category::Syntax => "invalid JSON at byte",
            Category::End => "the JSON object is cut short",
            Category::Trailing => "unexpected bytes after the object",
            Category::TooDeep => "nested more than",
            Category::NoEvent => "no event name",
            Category::Other => "",
        }
    }
}

/// What becomes of one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A blank line: not counted at all.
    Ignored,
    Rejected(Category),
    /// The mapped values (slots in `line::*` order) and each (key path, type name) once.
    Accepted {
        slots: Vec<Option<String>>,
        keys: BTreeSet<(String, &'static str)>,
    },
}

/// The reader's answer for one line, as the hour reader gets it (ingest/reader.rs: a blank line is
/// skipped, UTF-8 is checked before JSON, then `LineParser::parse`).
pub fn read(parser: &mut LineParser, raw: &[u8]) -> Outcome {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Outcome::Ignored;
    }
    let Ok(text) = std::str::from_utf8(raw) else {
        return Outcome::Rejected(Category::InvalidUtf8);
    };
    let parsed = match parser.parse(text) {
        Ok(parsed) => parsed,
        Err(reject) => return Outcome::Rejected(reject_category(reject)),
    };
    let slots = parsed.slots.iter().map(|s| s.as_deref().map(str::to_owned));
    let slots = slots.collect();
    let list = parser.line_keys();
    let keys: BTreeSet<_> = list
        .iter()
        .map(|(id, kind)| (parser.path(*id).to_owned(), kind.name()))
        .collect();
    assert_eq!(
        keys.len(),
        list.len(),
        "a (path, type) listed twice: {list:?}"
    );
    Outcome::Accepted { slots, keys }
}

#[allow(unreachable_patterns)]
fn reject_category(reject: Reject) -> Category {
    match reject {
        Reject::NoEvent => Category::NoEvent,
        Reject::Syntax(SyntaxError::NotAnObject) => Category::NotAnObject,
        Reject::Syntax(SyntaxError::Unexpected(_)) => Category::Syntax,
        Reject::Syntax(SyntaxError::UnexpectedEnd) => Category::End,
        Reject::Syntax(SyntaxError::TrailingBytes(_)) => Category::Trailing,
        Reject::Syntax(SyntaxError::TooDeep) => Category::TooDeep,
        // Limits other changes add to the reader: the generator stays below them.
        _ => Category::Other,
    }
}

/// A JSON value as serde_json read it, duplicate keys and number text kept.
#[derive(Debug)]
enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    Str(String),
    /// The number's source text.
    Num(String),
    Bool,
    Null,
}

/// The mapping, as paths to look up in a read line.
pub struct Oracle {
    /// Per slot (`line::*` order), its paths by priority.
    dimensions: Vec<Vec<Vec<Segment>>>,
    roots: Vec<Vec<Segment>>,
    prefixes: Vec<String>,
    single_root: bool,
}

impl Oracle {
    pub fn new(mapping: &Mapping) -> Self {
        assert!(
            mapping.keys.pairs.is_empty(),
            "the oracle knows path and prefix roots only"
        );
        let segments = |paths: &[blueprint_core::mapping::JsonPath]| {
            paths.iter().map(|p| p.segments().to_vec()).collect()
        };
        let mut dimensions = vec![Vec::new(); line::SLOTS];
        let slots = [
            line::APPLICATION,
            line::VERSION,
            line::PLATFORM,
            line::SCREEN,
            line::EVENT,
            line::SESSION,
            line::TIMESTAMP,
        ];
        for (slot, paths) in slots.into_iter().zip(mapping.dimension_paths()) {
            dimensions[slot] = segments(paths);
        }
        if let Some(dedup) = &mapping.dedup {
            dimensions[line::DEDUP] = vec![dedup.segments().to_vec()];
        }
        Self {
            dimensions,
            roots: segments(&mapping.keys.paths),
            prefixes: mapping.keys.prefixes.clone(),
            single_root: mapping.keys.single_root(),
        }
    }

    /// Judges one line of a file: cut at `\n`, one `\r` before it belongs to the line end.
    pub fn judge_file_line(&self, raw: &[u8]) -> Outcome {
        self.judge(raw.strip_suffix(b"\r").unwrap_or(raw))
    }

    /// Judges one line by Blueprint's rules, reading the JSON with serde_json.
    pub fn judge(&self, raw: &[u8]) -> Outcome {
        // Rule: a line of ASCII whitespace (form feed included) is blank and ignored.
        if raw.iter().all(|b| b" \t\n\r\x0c".contains(b)) {
            return Outcome::Ignored;
        }
        // Rule: invalid UTF-8 anywhere refuses the line before its JSON is read.
        let Ok(text) = std::str::from_utf8(raw) else {
            let refused = serde_json::from_slice::<serde_json::Value>(raw).is_err();
            assert!(refused, "serde_json accepted invalid UTF-8: {raw:?}");
            return Outcome::Rejected(Category::InvalidUtf8);
        };
        // Rule: the first byte after JSON whitespace must open an object (a BOM does not).
        if text
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .as_bytes()
            .first()
            != Some(&b'{')
        {
            return Outcome::Rejected(Category::NotAnObject);
        }
        let tree = match serde_json::from_str::<&RawValue>(text) {
            Ok(top) => build(top, 1),
            Err(err) => Err(cut_number(&err, text).unwrap_or(category(&err))),
        };
        let tree = match tree {
            Ok(tree) => tree,
            Err(category) => return Outcome::Rejected(category),
        };
        let slots: Vec<Option<String>> = self
            .dimensions
            .iter()
            .map(|paths| dimension(&tree, paths))
            .collect();
        if slots[line::EVENT].is_none() {
            return Outcome::Rejected(Category::NoEvent);
        }
        let mut keys = BTreeSet::new();
        for root in &self.roots {
            let prefix = match (self.single_root, root.last()) {
                (true, _) => String::new(),
                (false, Some(Segment::Key(name))) => name.clone(),
                (false, other) => panic!("a keys root must end with a key: {other:?}"),
            };
            for value in find(&tree, root) {
                root_keys(value, &prefix, &mut keys);
            }
        }
        // Rule: a member of the line's object whose key starts with a root prefix is a root, its
        // key paths starting with its key.
        if let Json::Object(members) = &tree {
            for (key, value) in members {
                if self.prefixes.iter().any(|p| key.starts_with(p.as_str())) {
                    root_keys(value, key, &mut keys);
                }
            }
        }
        Outcome::Accepted { slots, keys }
    }
}

/// serde_json's error, as a category: its end-of-input errors are `End`, "trailing characters" is
/// `Trailing`, every other error is `Syntax`.
fn category(err: &serde_json::Error) -> Category {
    if err.is_eof() {
        Category::End
    } else if err.to_string().starts_with("trailing characters") {
        Category::Trailing
    } else {
        Category::Syntax
    }
}

/// Rule: a line that ends inside a number (`1.`, `1e`, `-`) is cut short, where serde_json calls
/// the number invalid.
fn cut_number(err: &serde_json::Error, text: &str) -> Option<Category> {
    let at_end = err.line() == 1 && err.column() >= text.len();
    (at_end && err.to_string().starts_with("invalid number")).then_some(Category::End)
}

/// Reads a value serde_json has checked, as a tree. `level` is its nesting level (the line's
/// object is 1). Rule: a container at a level over `MAX_DEPTH` refuses the line (serde_json's own
/// limit, 127, is not used: every container is read by a fresh deserializer).
/// Rule: strings and keys hold no lone surrogate (`deserialize_str` checks, `RawValue` does not).
fn build(raw: &RawValue, level: usize) -> Result<Json, Category> {
    let text = raw.get();
    let first = text.as_bytes()[0];
    if matches!(first, b'{' | b'[') && level > MAX_DEPTH {
        return Err(Category::TooDeep);
    }
    let json = |err: serde_json::Error| category(&err);
    Ok(match first {
        b'{' => {
            let Entries(entries) = serde_json::from_str(text).map_err(json)?;
            let mut members = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                members.push((key, build(value, level + 1)?));
            }
            Json::Object(members)
        }
        b'[' => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(json)?;
            let items = items.into_iter().map(|item| build(item, level + 1));
            Json::Array(items.collect::<Result<_, _>>()?)
        }
        b'"' => Json::Str(serde_json::from_str(text).map_err(json)?),
        b't' | b'f' => Json::Bool,
        b'n' => Json::Null,
        // Rule: any number of JSON's grammar, whatever its size (`1e400`), kept as its text.
        _ => Json::Num(text.to_owned()),
    })
}

/// An object's members in their order, duplicates kept, values unread.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// Every value at `path`, in the line's order. Rule: with duplicate keys every member counts.
fn find<'j>(tree: &'j Json, path: &[Segment]) -> Vec<&'j Json> {
    let Some((first, rest)) = path.split_first() else {
        return vec![tree];
    };
    match (first, tree) {
        (Segment::Key(key), Json::Object(members)) => members
            .iter()
            .filter(|(name, _)| name == key)
            .flat_map(|(_, value)| find(value, rest))
            .collect(),
        (Segment::Index(index), Json::Array(items)) => {
            items.get(*index).map_or(Vec::new(), |v| find(v, rest))
        }
        _ => Vec::new(),
    }
}

/// Rule: the first path (by priority) that holds a non-empty string or a number wins, and at one
/// path (duplicate keys) the first such value in the line.
fn dimension(tree: &Json, paths: &[Vec<Segment>]) -> Option<String> {
    paths.iter().find_map(|path| {
        find(tree, path).into_iter().find_map(|value| match value {
            Json::Str(text) if !text.is_empty() => Some(text.clone()),
            Json::Num(text) => Some(text.clone()),
            _ => None,
        })
    })
}

fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Object(_) => "object",
        Json::Array(_) => "array",
        Json::Str(_) => "string",
        // Rule: integer when the text has no fraction and no exponent (`-0` too).
        Json::Num(text) if text.contains(['.', 'e', 'E']) => "number",
        Json::Num(_) => "integer",
        Json::Bool => "boolean",
        Json::Null => "null",
    }
}

type Keys = BTreeSet<(String, &'static str)>;

/// The keys under a root's value. Rule: the root itself is no key; a root that is an array is
/// read as an array member named by the prefix (`[]`, `[].sku` with one root).
fn root_keys(value: &Json, prefix: &str, keys: &mut Keys) {
    match value {
        Json::Object(members) => member_keys(members, prefix, keys),
        Json::Array(items) => element_keys(items, &format!("{prefix}[]"), keys),
        _ => {}
    }
}

/// Rule: paths are joined with `.` as they are (no escaping: `a.b` and `a`→`b` are one path; an
/// empty key adds an empty piece, and after an empty path nothing: `""`→`b` is `b`).
fn member_keys(members: &[(String, Json)], parent: &str, keys: &mut Keys) {
    for (key, value) in members {
        let path = if parent.is_empty() {
            key.clone()
        } else {
            format!("{parent}.{key}")
        };
        keys.insert((path.clone(), type_name(value)));
        match value {
            Json::Object(inner) => member_keys(inner, &path, keys),
            Json::Array(items) => element_keys(items, &format!("{path}[]"), keys),
            _ => {}
        }
    }
}

/// Rule: array elements are no keys; the members of object elements are (`items[].sku`); nothing
/// inside an array that is itself an element (an array of arrays) is recorded.
fn element_keys(items: &[Json], path: &str, keys: &mut Keys) {
    for item in items {
        if let Json::Object(members) = item {
            member_keys(members, path, keys);
        }
    }
}
