//! Building URLs: names in paths and query values are percent-encoded (DESIGN.md, "Web and API").

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A path under a tenant: `/t/{tenant}{rest}`, each name percent-encoded.
pub fn tenant_path(tenant: &str, rest: &[&str]) -> String {
    let mut out = format!("/t/{}", encode_query_value(tenant));
    for segment in rest {
        out.push('/');
        out.push_str(&encode_query_value(segment));
    }
    out
}

/// `?a=1&b=2` from the pairs whose value is not empty (or "" when none is).
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_non_ascii_characters() {
        assert_eq!(encode_query_value("shop eu"), "shop%20eu");
        assert_eq!(encode_query_value("a&b=c/d?"), "a%26b%3Dc%2Fd%3F");
        assert_eq!(encode_query_value("Größe"), "Gr%C3%B6%C3%9Fe");
        assert_eq!(encode_query_value("add-to_cart.v2~"), "add-to_cart.v2~");
        assert_eq!(
            tenant_path("shop", &["events", "add to/cart"]),
            "/t/shop/events/add%20to%2Fcart"
        );
        assert_eq!(query_string(&[("q", "a b"), ("page", "")]), "?q=a%20b");
    }
}
