//! The generator's own JSON tree: numbers keep their exact source text (`3.10` stays `3.10`), objects
//! keep their key order, and the tree knows which key paths and types it holds.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A JSON value as the generator writes it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum J {
    Null,
    Bool(bool),
    /// A number, written exactly as this text (must be valid JSON number text).
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// One key path and its JSON type name, as the ledger records it.
pub(crate) type KeyType = (String, &'static str);

impl J {
    pub(crate) fn str(s: impl Into<String>) -> J {
        J::Str(s.into())
    }

    pub(crate) fn int(v: i64) -> J {
        J::Num(v.to_string())
    }

    /// A number with exactly `decimals` digits after the point (so always typed `number`).
    pub(crate) fn dec(v: f64, decimals: usize) -> J {
        J::Num(format!("{v:.decimals$}"))
    }

    pub(crate) fn obj(fields: Vec<(&str, J)>) -> J {
        J::Obj(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// The type name the ledger uses: a number is `integer` when its text has no fraction and no
    /// exponent.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            J::Null => "null",
            J::Bool(_) => "boolean",
            J::Num(t) if t.contains(['.', 'e', 'E']) => "number",
            J::Num(_) => "integer",
            J::Str(_) => "string",
            J::Arr(_) => "array",
            J::Obj(_) => "object",
        }
    }

    /// Appends the compact JSON text. With `ascii`, every non-ASCII character is written as a
    /// `\uXXXX` escape (as some SDKs do); the decoded strings are the same.
    pub(crate) fn write(&self, out: &mut String, ascii: bool) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(t) => out.push_str(t),
            J::Str(s) => write_str(out, s, ascii),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out, ascii);
                }
                out.push(']');
            }
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k, ascii);
                    out.push(':');
                    v.write(out, ascii);
                }
                out.push('}');
            }
        }
    }

    pub(crate) fn to_text(&self, ascii: bool) -> String {
        let mut s = String::with_capacity(256);
        self.write(&mut s, ascii);
        s
    }

    /// Every key path under this object with its type, each (path, type) once: nested objects give
    /// dotted paths, arrays of objects `items[].sku`; arrays of scalars only their own path.
    pub(crate) fn key_types(&self) -> BTreeSet<KeyType> {
        let mut out = BTreeSet::new();
        if let J::Obj(fields) = self {
            collect(fields, "", &mut out);
        }
        out
    }
}

fn collect(fields: &[(String, J)], prefix: &str, out: &mut BTreeSet<KeyType>) {
    for (k, v) in fields {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            J::Obj(inner) => collect(inner, &path, out),
            J::Arr(items) if items.iter().any(|i| matches!(i, J::Obj(_))) => {
                debug_assert!(
                    items.iter().all(|i| matches!(i, J::Obj(_))),
                    "the generator never mixes objects and scalars in one array"
                );
                let element = format!("{path}[]");
                for item in items {
                    if let J::Obj(inner) = item {
                        collect(inner, &element, out);
                    }
                }
            }
            _ => {}
        }
        out.insert((path, v.type_name()));
    }
}

fn write_str(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (ascii && !c.is_ascii()) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::J;

    #[test]
    fn writes_exact_number_text_and_escapes() {
        let v = J::obj(vec![
            ("version", J::Num("3.10".into())),
            ("name", J::str("H\u{f4}tel \"A\"\n")),
        ]);
        assert_eq!(
            v.to_text(false),
            "{\"version\":3.10,\"name\":\"H\u{f4}tel \\\"A\\\"\\n\"}"
        );
        assert_eq!(
            v.to_text(true),
            "{\"version\":3.10,\"name\":\"H\\u00f4tel \\\"A\\\"\\n\"}"
        );
        let back: serde_json::Value = serde_json::from_str(&v.to_text(true)).expect("valid JSON");
        assert_eq!(back["name"], "H\u{f4}tel \"A\"\n");
    }

    #[test]
    fn key_paths_and_types() {
        let item = |s: &str| J::obj(vec![("sku", J::str(s))]);
        let props = J::obj(vec![
            ("sku", J::str("A1")),
            ("qty", J::int(2)),
            ("price", J::dec(12.5, 2)),
            ("filters", J::obj(vec![("brand", J::str("x"))])),
            ("items", J::Arr(vec![item("a"), item("b"), item("c")])),
            ("tags", J::Arr(vec![J::str("x")])),
            ("gift", J::Bool(false)),
            ("coupon", J::Null),
        ]);
        let keys: Vec<(String, &str)> = props.key_types().into_iter().collect();
        let expect = [
            ("coupon", "null"),
            ("filters", "object"),
            ("filters.brand", "string"),
            ("gift", "boolean"),
            ("items", "array"),
            ("items[].sku", "string"),
            ("price", "number"),
            ("qty", "integer"),
            ("sku", "string"),
            ("tags", "array"),
        ];
        let expect: Vec<(String, &str)> = expect.iter().map(|(p, t)| (p.to_string(), *t)).collect();
        assert_eq!(keys, expect);
    }
}
