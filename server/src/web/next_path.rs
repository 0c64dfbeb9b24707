//! Where the sign-in form sends the visitor afterwards (`next`): only a path of this site. A
//! value is refused (and `/` used instead) unless it starts with exactly one `/`, has no
//! backslash, control character or whitespace (raw, or once percent-decoded: browsers drop tabs
//! and newlines, so `/\t/evil.com` would become `//evil.com`), and, resolved against the site's
//! address, stays on the same origin with a path that still starts with one `/`. The encoded
//! space `%20` is allowed (names in paths may contain spaces); nothing else that decodes to
//! whitespace is.

use url::{Position, Url};

/// The fixed base `next` is resolved against when the site's address is not known.
const FALLBACK_BASE: &str = "http://blueprint.invalid/";

/// `next` when it is a path of this site (in its serialized form), else `/`.
pub fn safe_next(next: Option<&str>, base: Option<&Url>) -> String {
    next.and_then(|next| checked(next, base))
        .unwrap_or_else(|| "/".to_owned())
}

fn checked(next: &str, base: Option<&Url>) -> Option<String> {
    if !plain_path(next, false) || !plain_path(&percent_decoded(next)?, true) {
        return None;
    }
    let fallback;
    let base = match base {
        Some(base) => base,
        None => {
            fallback = Url::parse(FALLBACK_BASE).ok()?;
            &fallback
        }
    };
    let resolved = base.join(next).ok()?;
    let target = &resolved[Position::BeforePath..];
    let decoded = percent_decoded(target)?;
    (resolved.origin() == base.origin() && plain_path(target, false) && plain_path(&decoded, true))
        .then(|| target.to_owned())
}

/// One leading `/` (not `//`), no backslash, no control character and no whitespace (but
/// U+0020 in decoded text, where it came from `%20`).
fn plain_path(text: &str, decoded: bool) -> bool {
    text.starts_with('/')
        && !text.starts_with("//")
        && !text.contains('\\')
        && !text
            .chars()
            .any(|c| c.is_control() || (c.is_whitespace() && !(decoded && c == ' ')))
}

/// The text with `%XX` escapes decoded (lossily: invalid UTF-8 becomes U+FFFD); `None` when an
/// escape is malformed.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_next_values_fall_back_to_the_root() {
        let hostile = [
            "//evil.com",
            "///evil.com",
            "/\\evil.com",
            "/%5Cevil.com",
            "/%09/evil.com",
            // `next=%2F%09%2Fevil.com` as it arrives after form decoding.
            "/\t/evil.com",
            "/\n/evil.com",
            "/\r\n/evil.com",
            "/%0A/evil.com",
            "/%2F/evil.com",
            "/%2f%2fevil.com",
            " /evil",
            "/ /evil",
            "/\u{a0}/evil.com",
            "https://evil.com",
            "http:evil.com",
            "evil.com",
            "javascript:alert(1)",
            "/a/..//evil.com",
            "/a/%2e%2e//evil.com",
            "/%zz",
            "",
        ];
        for value in hostile {
            assert_eq!(safe_next(Some(value), None), "/", "{value:?}");
        }
        assert_eq!(safe_next(None, None), "/");
    }

    #[test]
    fn paths_of_this_site_are_kept() {
        let base = Url::parse("https://blueprint.example.com/").unwrap();
        for (value, expected) in [
            ("/ok?x=1#y", "/ok?x=1#y"),
            ("/", "/"),
            (
                "/t/shop/events/Add%20to%20cart",
                "/t/shop/events/Add%20to%20cart",
            ),
            ("/?q=sh", "/?q=sh"),
            ("/a/../b", "/b"),
        ] {
            assert_eq!(safe_next(Some(value), None), expected, "{value:?}");
            assert_eq!(safe_next(Some(value), Some(&base)), expected, "{value:?}");
        }
    }
}
