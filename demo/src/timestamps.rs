//! Timestamp fields of a line in every accepted form (RFC 3339 with or without fraction or offset,
//! `YYYY-MM-DD HH:MM:SS[.fff]`, epoch seconds and milliseconds, fallbacks to `originalTimestamp` and
//! `sentAt`) and the untimed forms, with the class the preset must give the line.

use chrono::{DateTime, Duration, Utc};

use crate::context::kv;
use crate::json::J;
use crate::ledger::TimeClass;
use crate::render::{Planned, TimeMode};
use crate::rng::Rng;

const HOUR_MS: i64 = 3_600_000;

fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH)
}

fn rfc_ms(t: DateTime<Utc>) -> J {
    J::Str(t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// Writes the timestamp fields and returns the class of the instant the preset will read.
pub(crate) fn timestamps(
    p: &Planned,
    hour_ms: i64,
    rng: &mut Rng,
    root: &mut Vec<(String, J)>,
) -> TimeClass {
    let ms = match p.time {
        TimeMode::Untimed => {
            match rng.below(6) {
                0 => {}
                1 => kv(root, "timestamp", J::str("yesterday")),
                2 => kv(root, "timestamp", J::str("")),
                3 => kv(root, "timestamp", J::Null),
                4 => kv(root, "timestamp", J::Bool(true)),
                _ => kv(root, "timestamp", J::str("2026-13-45T99:00:00Z")),
            }
            return TimeClass::Untimed;
        }
        TimeMode::At(delta) => hour_ms + delta,
        TimeMode::Own => hour_ms + p.offset_ms,
    };
    let t = utc(ms);
    let secs = utc(ms.div_euclid(1000) * 1000);
    let v = rng.below(100);
    let written = match v {
        0..80 => {
            kv(root, "timestamp", rfc_ms(t));
            t
        }
        80..85 => {
            kv(
                root,
                "timestamp",
                J::Str(secs.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            );
            secs
        }
        85..88 => {
            let hours: i64 = if rng.pct(50) { 1 } else { -5 };
            let local = (t + Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%S%.3f");
            let zone = if hours > 0 { "+01:00" } else { "-05:00" };
            kv(root, "timestamp", J::Str(format!("{local}{zone}")));
            t
        }
        88..91 => {
            kv(
                root,
                "timestamp",
                J::Str(t.format("%Y-%m-%d %H:%M:%S%.3f").to_string()),
            );
            t
        }
        91..93 => {
            kv(
                root,
                "timestamp",
                J::Str(secs.format("%Y-%m-%d %H:%M:%S").to_string()),
            );
            secs
        }
        93..95 => {
            kv(root, "timestamp", J::int(secs.timestamp()));
            secs
        }
        95..97 => {
            kv(root, "timestamp", J::int(t.timestamp_millis()));
            t
        }
        97 => {
            kv(root, "timestamp", J::Null);
            kv(root, "originalTimestamp", rfc_ms(t));
            t
        }
        98 => {
            kv(root, "sentAt", rfc_ms(t));
            t
        }
        _ => {
            kv(root, "originalTimestamp", rfc_ms(t));
            kv(root, "sentAt", rfc_ms(utc(ms + rng.range(200, 5000))));
            t
        }
    };
    if v < 97 {
        if rng.pct(30) {
            kv(root, "originalTimestamp", rfc_ms(t));
        }
        if rng.pct(40) {
            kv(root, "sentAt", rfc_ms(utc(ms + rng.range(200, 5000))));
        }
    }
    let w = written.timestamp_millis();
    if w < hour_ms - HOUR_MS || w >= hour_ms + 2 * HOUR_MS {
        TimeClass::Skewed
    } else {
        TimeClass::InWindow
    }
}
