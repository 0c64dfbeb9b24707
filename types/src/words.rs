//! How figures and names read on the pages and in reasons (WASM-safe, so the server and the
//! browser word them alike): counts with their plural (`245 combinations`), names in quotes
//! (`“share”`), and times relative to now (`3 hours ago`, `yesterday 14:00`) with the exact
//! UTC time for a tooltip (`2026-11-26 15:00 UTC`).

/// `n` and the noun in the form that goes with it: `1 combination`, `245 combinations`.
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A discovery kind counted: `245 combinations`, `6 key types`, `1 application`.
pub fn count_kind(n: i64, kind: &str) -> String {
    let (one, many) = match kind {
        "application" => ("application", "applications"),
        "version" => ("version", "versions"),
        "screen" => ("screen", "screens"),
        "event" => ("event", "events"),
        "combination" => ("combination", "combinations"),
        "key" => ("key", "keys"),
        "key_type" => ("key type", "key types"),
        other => return format!("{n} {}", other.replace('_', " ")),
    };
    count(n, one, many)
}

/// A name as a sentence quotes it: `“share”`.
pub fn quoted(name: &str) -> String {
    format!("“{name}”")
}

/// Seconds since 1970-01-01 of a UTC time written `YYYY-MM-DDTHH[:MM[:SS[.fff]]][Z]` (or with a
/// space for the `T`); `None` when it is not one.
pub fn epoch_seconds(at: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let text = at.get(range)?;
        text.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| text.parse().ok())?
    };
    if at.get(4..5) != Some("-") || at.get(7..8) != Some("-") {
        return None;
    }
    if !matches!(at.get(10..11), Some("T" | " ")) {
        return None;
    }
    let (y, m, d, h) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?);
    let minute = if at.get(13..14) == Some(":") {
        num(14..16)?
    } else {
        0
    };
    let second = if at.get(16..17) == Some(":") {
        num(17..19)?
    } else {
        0
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + h * 3_600 + minute * 60 + second)
}

/// The exact time for a tooltip: `2026-11-26 15:00 UTC` (seconds only when not zero).
pub fn utc_text(at: &str) -> Option<String> {
    let secs = epoch_seconds(at)?;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400);
    let (h, min, s) = (of_day / 3_600, of_day % 3_600 / 60, of_day % 60);
    Some(if s == 0 {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02} UTC")
    } else {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02} UTC")
    })
}

/// `at` as a person reads it `now` (epoch seconds): `just now`, `12 minutes ago`, `3 hours ago`,
/// `today 09:00`, `yesterday 14:00`, `26 Nov 14:00`, `26 Nov 2025`, and the same forward
/// (`in 2 hours`, `tomorrow 09:00`); `None` when `at` is not a time.
pub fn relative_time(at: &str, now: i64) -> Option<String> {
    let secs = epoch_seconds(at)?;
    let ago = now - secs;
    let minutes = ago.abs() / 60;
    let hours = ago.abs() / 3_600;
    let in_words = |n: i64, one: &str, many: &str| {
        if ago > 0 {
            format!("{} ago", count(n, one, many))
        } else {
            format!("in {}", count(n, one, many))
        }
    };
    if ago.abs() < 60 {
        return Some("just now".to_owned());
    }
    if minutes < 60 {
        return Some(in_words(minutes, "minute", "minutes"));
    }
    if hours < 6 {
        return Some(in_words(hours, "hour", "hours"));
    }
    let day = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let clock = format!("{:02}:{:02}", of_day / 3_600, of_day % 3_600 / 60);
    let (y, m, d) = civil_from_days(day);
    let month = MONTHS[(m - 1) as usize];
    Some(match day - now.div_euclid(86_400) {
        0 => format!("today {clock}"),
        -1 => format!("yesterday {clock}"),
        1 => format!("tomorrow {clock}"),
        _ if y == civil_from_days(now.div_euclid(86_400)).0 => format!("{d} {month} {clock}"),
        _ => format!("{d} {month} {y}"),
    })
}

/// `text` with every RFC 3339 instant in it (`2026-11-26T15:00:00Z`) written as its tooltip
/// (`2026-11-26 15:00 UTC`): for texts that name a time exactly, such as an audit target.
pub fn readable_instants(text: &str) -> String {
    const LEN: usize = "2026-11-26T15:00:00Z".len();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let found = rest
            .get(..LEN)
            .filter(|c| c.ends_with('Z') && c.as_bytes()[10] == b'T')
            .and_then(utc_text);
        match found {
            Some(readable) => {
                out.push_str(&readable);
                rest = &rest[LEN..];
            }
            None => {
                let mut chars = rest.chars();
                out.extend(chars.next());
                rest = chars.as_str();
            }
        }
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days from 1970-01-01 of a civil date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// The civil date of a day counted from 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-26 15:30:00 UTC.
    fn now() -> i64 {
        epoch_seconds("2026-11-26T15:30:00Z").unwrap()
    }

    #[test]
    fn counts_take_their_plural() {
        assert_eq!(count(1, "combination", "combinations"), "1 combination");
        assert_eq!(count(0, "combination", "combinations"), "0 combinations");
        assert_eq!(count_kind(245, "combination"), "245 combinations");
        assert_eq!(count_kind(6, "key_type"), "6 key types");
        assert_eq!(count_kind(1, "key_type"), "1 key type");
        assert_eq!(count_kind(2, "odd_kind"), "2 odd kind");
    }

    #[test]
    fn names_are_quoted() {
        assert_eq!(quoted("share"), "“share”");
    }

    #[test]
    fn times_are_read_from_every_form_the_pages_get() {
        assert_eq!(epoch_seconds("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(
            epoch_seconds("2026-11-26T15"),
            epoch_seconds("2026-11-26T15:00:00Z")
        );
        assert_eq!(
            epoch_seconds("2026-11-26 15:04:05.250Z"),
            epoch_seconds("2026-11-26T15:04:05Z")
        );
        assert_eq!(epoch_seconds("2026-11-26"), None);
        assert_eq!(epoch_seconds("never"), None);
        assert_eq!(epoch_seconds("2026-13-01T00"), None);
        assert_eq!(epoch_seconds("2026-11-26T+1"), None);
    }

    #[test]
    fn the_tooltip_is_the_exact_utc_time() {
        assert_eq!(
            utc_text("2026-11-26T15:00:00Z").unwrap(),
            "2026-11-26 15:00 UTC"
        );
        assert_eq!(
            utc_text("2024-02-29T23:59:07Z").unwrap(),
            "2024-02-29 23:59:07 UTC"
        );
        assert_eq!(utc_text("soon"), None);
    }

    #[test]
    fn instants_in_a_text_read_as_utc() {
        assert_eq!(
            readable_instants("shopwave 2026-12-01T16:00:00Z to 2026-12-01T18:00:00Z"),
            "shopwave 2026-12-01 16:00 UTC to 2026-12-01 18:00 UTC"
        );
        assert_eq!(readable_instants("user a@b.test"), "user a@b.test");
        assert_eq!(readable_instants("é 2026-12-01T16"), "é 2026-12-01T16");
    }

    #[test]
    fn times_read_relative_to_now() {
        let at = |text: &str| relative_time(text, now()).unwrap();
        assert_eq!(at("2026-11-26T15:29:30Z"), "just now");
        assert_eq!(at("2026-11-26T15:29:00Z"), "1 minute ago");
        assert_eq!(at("2026-11-26T15:05:00Z"), "25 minutes ago");
        assert_eq!(at("2026-11-26T14:00:00Z"), "1 hour ago");
        assert_eq!(at("2026-11-26T12:00:00Z"), "3 hours ago");
        assert_eq!(at("2026-11-26T09:00:00Z"), "today 09:00");
        assert_eq!(at("2026-11-25T14:00:00Z"), "yesterday 14:00");
        assert_eq!(at("2026-11-20T08:15:00Z"), "20 Nov 08:15");
        assert_eq!(at("2025-12-31T23:00:00Z"), "31 Dec 2025");
        assert_eq!(at("2026-11-26T17:30:00Z"), "in 2 hours");
        assert_eq!(at("2026-11-26T15:40:00Z"), "in 10 minutes");
        assert_eq!(at("2026-11-27T09:00:00Z"), "tomorrow 09:00");
        assert_eq!(relative_time("–", now()), None);
    }
}
