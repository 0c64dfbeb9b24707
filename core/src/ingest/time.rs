//! Event timestamps (DESIGN.md, "Field mapping"): RFC 3339, `YYYY-MM-DD HH:MM:SS[.fff]` read as
//! UTC, or epoch numbers — seconds, milliseconds above 10^11, microseconds above 10^14 (GA4).
//! Digit-only strings count as epoch numbers too.

use chrono::{DateTime, NaiveDateTime};

/// Milliseconds since the epoch, or `None` when the text is no timestamp.
pub fn parse_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if unsigned.bytes().any(|b| b.is_ascii_digit())
        && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return parse_epoch(text);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.timestamp_millis());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|at| at.and_utc().timestamp_millis())
}

fn parse_epoch(text: &str) -> Option<i64> {
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    let magnitude = value.abs();
    let millis = if magnitude > 1e14 {
        value / 1e3
    } else if magnitude > 1e11 {
        value
    } else {
        value * 1e3
    };
    Some(millis.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_timestamp_forms() {
        let ten = 1_763_114_400_000i64; // 2025-11-14T10:00:00Z
        let rows: [(&str, Option<i64>); 11] = [
            ("2025-11-14T10:00:00Z", Some(ten)),
            ("2025-11-14T10:00:00.250Z", Some(ten + 250)),
            ("2025-11-14T11:00:00+01:00", Some(ten)),
            ("2025-11-14 10:00:00", Some(ten)),
            ("2025-11-14 10:00:00.5", Some(ten + 500)),
            ("1763114400", Some(ten)),
            ("1763114400000", Some(ten)),
            ("1763114400000000", Some(ten)),
            ("1763114400.5", Some(ten + 500)),
            ("yesterday", None),
            ("", None),
        ];
        for (text, expected) in rows {
            assert_eq!(parse_millis(text), expected, "{text}");
        }
    }
}
