//! A strict, single-pass JSON reader for one event line, written by hand because ingestion needs
//! what general parsers do not give in one pass: the source text of numbers (`3.10` stays `3.10`),
//! every key path with its JSON type under the keys roots, the values at a few mapped paths, and
//! a hard check that nothing but whitespace follows the object. Strings are borrowed from the line
//! unless they contain escapes. The input must already be valid UTF-8 (checked per chunk).
//!
//! Its rules where JSON parsers differ (core/tests/line_reader_oracle.rs holds them against
//! serde_json, whose own defaults differ where marked *):
//! - A line is one object: the first byte after JSON whitespace (space, tab, CR, LF; a UTF-8 BOM is
//!   not whitespace) must be `{`, else "not a JSON object" whatever follows; only JSON whitespace may
//!   follow the object (`{..} {}` is refused: trailing bytes).
//! - Depth: the line's object is level 1 and a container (object or array) at level `MAX_DEPTH`
//!   (128) is read; one at level 129 refuses the line ("nested more than 128 levels deep"), the
//!   first fault met when reading from the start.* (serde_json refuses from level 128.)
//! - Strings and keys, every one of them, also keys the mapping does not read: no raw byte below
//!   0x20 (NUL included; `\u0000` is fine), only JSON's escapes, and no lone surrogate: a `\uD800`–
//!   `\uDBFF` not followed by a `\uDC00`–`\uDFFF`, or a `\uDC00`–`\uDFFF` alone, refuses the line
//!   (not replaced by U+FFFD).
//! - Numbers: JSON's grammar exactly (no leading zeros, `+`, `.5`, `1.`, `NaN`), with no range:
//!   `1e400` and 30-digit integers are read and kept as their text.* Integer when the text has no
//!   fraction and no exponent: `-0` is an integer, `-0.0` and `1E5` are numbers.
//! - Duplicate keys: every member is read, in order (what that means for dimensions and key paths
//!   is in `line`).* (serde_json's `Value` keeps the last.)
//! - A line that ends inside a value is "cut short", also inside a number (`1.`, `-`), where
//!   serde_json says "invalid number".*

use std::borrow::Cow;

use crate::ingest::index::CharIndex;

/// The JSON type of a value, as recorded per key path (DESIGN.md, "Keys").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum JsonType {
    String = 0,
    Integer = 1,
    Number = 2,
    Boolean = 3,
    Object = 4,
    Array = 5,
    Null = 6,
}

impl JsonType {
    pub const ALL: [JsonType; 7] = [
        JsonType::String,
        JsonType::Integer,
        JsonType::Number,
        JsonType::Boolean,
        JsonType::Object,
        JsonType::Array,
        JsonType::Null,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Why a line is not a JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxError {
    NotAnObject,
    Unexpected(usize),
    UnexpectedEnd,
    TrailingBytes(usize),
    TooDeep,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyntaxError::NotAnObject => f.write_str("not a JSON object"),
            SyntaxError::Unexpected(at) => write!(f, "invalid JSON at byte {at}"),
            SyntaxError::UnexpectedEnd => f.write_str("the JSON object is cut short"),
            SyntaxError::TrailingBytes(at) => {
                write!(f, "unexpected bytes after the object at byte {at}")
            }
            SyntaxError::TooDeep => f.write_str("nested more than 128 levels deep"),
        }
    }
}

pub const MAX_DEPTH: usize = 128;

/// A scalar value found while walking: a string (unescaped) or a number's source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar<'a> {
    Str(Cow<'a, str>),
    Num(&'a str),
    Other,
}

/// What the walker reports; the line parser implements it with the mapping's path trie.
pub trait Visitor<'a> {
    /// An object member is about to be read. Returns the context for its value.
    fn enter_member(&mut self, parent: Ctx, key: &str) -> Ctx;
    /// An array element is about to be read.
    fn enter_element(&mut self, parent: Ctx, index: usize) -> Ctx;
    /// A value was read in `ctx`; `scalar` is given for strings and numbers.
    fn value(&mut self, ctx: Ctx, kind: JsonType, scalar: Scalar<'a>);
    /// Whether keys inside this context must be unescaped and reported (else only validated).
    fn wants_keys(&self, ctx: Ctx) -> bool;
    /// Leaving a member or element entered with `enter_*`.
    fn leave(&mut self, ctx: Ctx);
}

/// Opaque per-value context the visitor hands out (trie node and key-path state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Ctx {
    pub node: u32,
    pub path_len: u32,
    pub flags: u8,
}

pub struct Reader<'a, 'i> {
    bytes: &'a [u8],
    pos: usize,
    /// The line's quotes, backslashes and control bytes (`index`); `None` only for the
    /// byte-by-byte reader kept as the differential test's oracle.
    marks: Option<&'i CharIndex>,
}

impl<'a> Reader<'a, '_> {
    /// Reads one line that must hold exactly one JSON object; `index` is rebuilt for it (kept by
    /// the caller so its memory is reused from line to line).
    pub fn read_line<V: Visitor<'a>>(
        line: &'a str,
        index: &mut CharIndex,
        root: Ctx,
        visitor: &mut V,
    ) -> Result<(), SyntaxError> {
        index.build(line.as_bytes());
        Reader {
            bytes: line.as_bytes(),
            pos: 0,
            marks: Some(index),
        }
        .read(root, visitor)
    }

    /// The reader before the SIMD pass: every string scanned byte by byte. The same rules and
    /// results, only slower; kept as the oracle of `core/tests/reader_differential.rs`.
    #[cfg(any(test, feature = "reader-oracle"))]
    pub fn read_line_bytewise<V: Visitor<'a>>(
        line: &'a str,
        root: Ctx,
        visitor: &mut V,
    ) -> Result<(), SyntaxError> {
        Reader {
            bytes: line.as_bytes(),
            pos: 0,
            marks: None,
        }
        .read(root, visitor)
    }

    fn read<V: Visitor<'a>>(mut self, root: Ctx, visitor: &mut V) -> Result<(), SyntaxError> {
        let reader = &mut self;
        reader.skip_ws();
        if reader.peek() != Some(b'{') {
            return Err(if reader.pos >= reader.bytes.len() {
                SyntaxError::UnexpectedEnd
            } else {
                SyntaxError::NotAnObject
            });
        }
        reader.object(root, visitor, 0)?;
        reader.skip_ws();
        if reader.pos < reader.bytes.len() {
            return Err(SyntaxError::TrailingBytes(reader.pos));
        }
        Ok(())
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(SyntaxError::Unexpected(self.pos)),
            None => Err(SyntaxError::UnexpectedEnd),
        }
    }

    fn value<V: Visitor<'a>>(
        &mut self,
        ctx: Ctx,
        visitor: &mut V,
        depth: usize,
    ) -> Result<(), SyntaxError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                visitor.value(ctx, JsonType::Object, Scalar::Other);
                self.object(ctx, visitor, depth + 1)
            }
            Some(b'[') => {
                visitor.value(ctx, JsonType::Array, Scalar::Other);
                self.array(ctx, visitor, depth + 1)
            }
            Some(b'"') => {
                let text = self.string()?;
                visitor.value(ctx, JsonType::String, Scalar::Str(text));
                Ok(())
            }
            Some(b't') => self.literal(b"true", ctx, JsonType::Boolean, visitor),
            Some(b'f') => self.literal(b"false", ctx, JsonType::Boolean, visitor),
            Some(b'n') => self.literal(b"null", ctx, JsonType::Null, visitor),
            Some(b'-' | b'0'..=b'9') => {
                let (text, integer) = self.number()?;
                let kind = if integer {
                    JsonType::Integer
                } else {
                    JsonType::Number
                };
                visitor.value(ctx, kind, Scalar::Num(text));
                Ok(())
            }
            Some(_) => Err(SyntaxError::Unexpected(self.pos)),
            None => Err(SyntaxError::UnexpectedEnd),
        }
    }

    fn literal<V: Visitor<'a>>(
        &mut self,
        word: &[u8],
        ctx: Ctx,
        kind: JsonType,
        visitor: &mut V,
    ) -> Result<(), SyntaxError> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word) {
            self.pos = end;
            visitor.value(ctx, kind, Scalar::Other);
            Ok(())
        } else if end > self.bytes.len() {
            Err(SyntaxError::UnexpectedEnd)
        } else {
            Err(SyntaxError::Unexpected(self.pos))
        }
    }

    fn object<V: Visitor<'a>>(
        &mut self,
        ctx: Ctx,
        visitor: &mut V,
        depth: usize,
    ) -> Result<(), SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(SyntaxError::TooDeep);
        }
        self.expect(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let wants_keys = visitor.wants_keys(ctx);
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error_here());
            }
            let child = if wants_keys {
                let key = self.string()?;
                visitor.enter_member(ctx, &key)
            } else {
                self.skip_string()?;
                visitor.enter_member(ctx, "")
            };
            self.skip_ws();
            self.expect(b':')?;
            self.value(child, visitor, depth)?;
            visitor.leave(child);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error_here()),
            }
        }
    }

    fn array<V: Visitor<'a>>(
        &mut self,
        ctx: Ctx,
        visitor: &mut V,
        depth: usize,
    ) -> Result<(), SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(SyntaxError::TooDeep);
        }
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut index = 0;
        loop {
            let child = visitor.enter_element(ctx, index);
            self.value(child, visitor, depth)?;
            visitor.leave(child);
            index += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error_here()),
            }
        }
    }

    fn error_here(&self) -> SyntaxError {
        if self.pos >= self.bytes.len() {
            SyntaxError::UnexpectedEnd
        } else {
            SyntaxError::Unexpected(self.pos)
        }
    }

    /// Finds the end of a string starting at `self.pos` (a quote); returns whether it has escapes.
    /// The common case comes from the line's index: when the first marked byte after the opening
    /// quote is a quote, the string ends there with no escape and no control byte. Otherwise (an
    /// escape, a control byte, no end) the string is read byte by byte from its start, as below.
    #[inline]
    fn scan_string(&mut self) -> Result<(usize, usize, bool), SyntaxError> {
        if let Some(marks) = self.marks {
            let start = self.pos + 1;
            if let Some(end) = marks.next_from(start)
                && self.bytes[end] == b'"'
            {
                self.pos = end + 1;
                return Ok((start, end, false));
            }
        }
        self.scan_string_bytewise()
    }

    /// The next quote or backslash is found with memchr; the span before it must hold no control
    /// characters.
    fn scan_string_bytewise(&mut self) -> Result<(usize, usize, bool), SyntaxError> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let rest = &self.bytes[self.pos..];
            let Some(at) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(match rest.iter().position(|&b| b < 0x20) {
                    Some(bad) => SyntaxError::Unexpected(self.pos + bad),
                    None => SyntaxError::UnexpectedEnd,
                });
            };
            if let Some(bad) = rest[..at].iter().position(|&b| b < 0x20) {
                return Err(SyntaxError::Unexpected(self.pos + bad));
            }
            self.pos += at;
            if self.bytes[self.pos] == b'"' {
                let end = self.pos;
                self.pos += 1;
                return Ok((start, end, escaped));
            }
            escaped = true;
            match self.bytes.get(self.pos + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 2,
                Some(b'u') => {
                    let hex = self
                        .bytes
                        .get(self.pos + 2..self.pos + 6)
                        .ok_or(SyntaxError::UnexpectedEnd)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(SyntaxError::Unexpected(self.pos));
                    }
                    self.pos += 6;
                }
                Some(_) => return Err(SyntaxError::Unexpected(self.pos)),
                None => return Err(SyntaxError::UnexpectedEnd),
            }
        }
    }

    fn skip_string(&mut self) -> Result<(), SyntaxError> {
        let (start, end, escaped) = self.scan_string()?;
        if escaped {
            unescape(&self.bytes[start..end]).ok_or(SyntaxError::Unexpected(start))?;
        }
        Ok(())
    }

    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let (start, end, escaped) = self.scan_string()?;
        let raw = &self.bytes[start..end];
        if escaped {
            unescape(raw)
                .map(Cow::Owned)
                .ok_or(SyntaxError::Unexpected(start))
        } else {
            // SAFETY: `raw` is a slice of the `&str` line cut at two ASCII quotes, which are
            // never inside a multi-byte UTF-8 sequence, so it is valid UTF-8 too.
            Ok(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(raw) }))
        }
    }

    /// Reads a number by JSON's grammar; returns its text and whether it is an integer.
    fn number(&mut self) -> Result<(&'a str, bool), SyntaxError> {
        let start = self.pos;
        let digits = |reader: &mut Self| {
            let from = reader.pos;
            while let Some(b'0'..=b'9') = reader.bytes.get(reader.pos) {
                reader.pos += 1;
            }
            reader.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.error_here()),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error_here());
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error_here());
            }
        }
        // SAFETY: the number's bytes were all checked to be ASCII digits, signs, `.`, `e` or `E`.
        let text = unsafe { std::str::from_utf8_unchecked(&self.bytes[start..self.pos]) };
        Ok((text, integer))
    }
}

/// Decodes JSON escapes; `None` for a lone surrogate.
fn unescape(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let code = raw[i + 1];
        i += 2;
        let ch = match code {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => {
                let high = hex4(&raw[i..i + 4])?;
                i += 4;
                if (0xD800..0xDC00).contains(&high) {
                    if raw.get(i..i + 2) != Some(b"\\u") {
                        return None;
                    }
                    let low = hex4(raw.get(i + 2..i + 6)?)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    i += 6;
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                } else {
                    char::from_u32(high)?
                }
            }
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    String::from_utf8(out).ok()
}

fn hex4(bytes: &[u8]) -> Option<u32> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| u32::from_str_radix(s, 16).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every value with its full path, to check the walk.
    #[derive(Default)]
    struct Recorder {
        paths: Vec<String>,
        stack: Vec<String>,
        seen: Vec<(String, JsonType, Option<String>)>,
    }

    impl<'a> Visitor<'a> for Recorder {
        fn enter_member(&mut self, _parent: Ctx, key: &str) -> Ctx {
            let base = self.stack.last().cloned().unwrap_or_default();
            let path = if base.is_empty() {
                key.to_owned()
            } else {
                format!("{base}.{key}")
            };
            self.stack.push(path);
            Ctx::default()
        }
        fn enter_element(&mut self, _parent: Ctx, index: usize) -> Ctx {
            let base = self.stack.last().cloned().unwrap_or_default();
            self.stack.push(format!("{base}[{index}]"));
            Ctx::default()
        }
        fn value(&mut self, _ctx: Ctx, kind: JsonType, scalar: Scalar<'a>) {
            let path = self.stack.last().cloned().unwrap_or_default();
            let text = match scalar {
                Scalar::Str(s) => Some(s.into_owned()),
                Scalar::Num(n) => Some(n.to_owned()),
                Scalar::Other => None,
            };
            self.paths.push(path.clone());
            self.seen.push((path, kind, text));
        }
        fn wants_keys(&self, _ctx: Ctx) -> bool {
            true
        }
        fn leave(&mut self, _ctx: Ctx) {
            self.stack.pop();
        }
    }

    /// Reads a line with the index, and checks that the byte-by-byte reader reads it the same.
    fn read(line: &str) -> Result<Vec<(String, JsonType, Option<String>)>, SyntaxError> {
        let mut recorder = Recorder::default();
        let mut index = CharIndex::default();
        let indexed = Reader::read_line(line, &mut index, Ctx::default(), &mut recorder)
            .map(|()| recorder.seen);
        let mut recorder = Recorder::default();
        let bytewise =
            Reader::read_line_bytewise(line, Ctx::default(), &mut recorder).map(|()| recorder.seen);
        assert_eq!(indexed, bytewise, "{line}");
        indexed
    }

    #[test]
    fn keeps_number_text_and_types() {
        let seen =
            read(r#"{"v":3.10,"n":12,"e":1e3,"neg":-0.5,"s":"x","b":true,"z":null,"o":{},"a":[]}"#)
                .unwrap();
        let find = |p: &str| seen.iter().find(|(path, _, _)| path == p).cloned().unwrap();
        assert_eq!(
            find("v"),
            ("v".into(), JsonType::Number, Some("3.10".into()))
        );
        assert_eq!(find("n").1, JsonType::Integer);
        assert_eq!(find("e").1, JsonType::Number);
        assert_eq!(find("neg").2.as_deref(), Some("-0.5"));
        assert_eq!(find("b").1, JsonType::Boolean);
        assert_eq!(find("z").1, JsonType::Null);
        assert_eq!(find("o").1, JsonType::Object);
        assert_eq!(find("a").1, JsonType::Array);
    }

    #[test]
    fn walks_nested_paths_and_unescapes() {
        let seen = read(r#"{"a":{"b":[{"c":"\u00e9\n\ud83d\ude00"}]}, "k\"q":1}"#).unwrap();
        assert!(seen.contains(&("a.b[0].c".into(), JsonType::String, Some("é\n😀".into()))));
        assert!(seen.iter().any(|(p, _, _)| p == "k\"q"));
    }

    #[test]
    fn agrees_with_serde_json_on_validity() {
        let cases = [
            r#"{}"#,
            r#"  {"a":1}  "#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":1E+2}"#,
            r#"{"a":[1,2,]}"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"{"a":tru}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\ud800\u0041"}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":"ok"} x"#,
            r#"{"a":"ok"}{}"#,
            r#"{"a":[{"b":[true,false,null]}]}"#,
            r#"{"a":"unterminated}"#,
            r#"{"a":{"b":1}"#,
            r#"{"a":"\u12"}"#,
        ];
        for case in cases {
            let ours = read(case).is_ok();
            let theirs =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(case).is_ok();
            assert_eq!(ours, theirs, "{case}");
        }
    }

    #[test]
    fn the_index_and_the_byte_by_byte_reader_agree_at_every_offset() {
        // Strings of every length up to three index words, each with a special byte (or none)
        // at every position, behind prefixes that move them across the 64-byte words.
        let specials: [&str; 8] = ["", "\\\"", "\\n", "\u{1}", "\\u00e9", "\\x", "\"", "\\"];
        for prefix in [0usize, 1, 30, 63] {
            for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 130] {
                for special in specials {
                    for at in [0, len / 2, len] {
                        let mut text = "a".repeat(len);
                        text.insert_str(at, special);
                        let line = format!(
                            "{{\"p\":\"{}\",\"k{text}\":\"{text}\",\"n\":1}}",
                            "b".repeat(prefix)
                        );
                        // `read` asserts that both readers give the same answer.
                        let _ = read(&line);
                        let _ = read(&line[..line.len() - 3]);
                    }
                }
            }
        }
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(read("[1,2]").unwrap_err(), SyntaxError::NotAnObject);
        assert_eq!(read("\"x\"").unwrap_err(), SyntaxError::NotAnObject);
        assert_eq!(read("").unwrap_err(), SyntaxError::UnexpectedEnd);
        assert_eq!(
            read(r#"{"a":1} tail"#).unwrap_err(),
            SyntaxError::TrailingBytes(8)
        );
        assert_eq!(read(r#"{"a":[1,"#).unwrap_err(), SyntaxError::UnexpectedEnd);
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        assert_eq!(read(&deep).unwrap_err(), SyntaxError::TooDeep);
    }
}
