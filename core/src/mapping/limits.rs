//! The per-mapping limits of what one line may bring into the catalog (README, "Field mapping").

use serde::{Deserialize, Serialize};

/// A limit set out of its range.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("mapping: `{name}` must be between 1 and {max}, not {value}")]
pub struct LimitError {
    pub name: &'static str,
    pub value: usize,
    pub max: usize,
}

/// Bounds on what one line may bring into the catalog (README, "Field mapping"). Events come from
/// apps and browsers anyone can run, so their sizes are untrusted: a name or key path is a catalog
/// row and an index entry (Postgres refuses index entries over ~2,700 bytes), and every new key
/// path is a discovery told to watchers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Characters an application, version, platform, screen or event name may have; a line with a
    /// longer one is rejected (`event name too long …`).
    pub max_name_chars: usize,
    /// Bytes a key path may have; a longer path is left out of the line (counted as cut).
    pub max_key_path_bytes: usize,
    /// Distinct key paths recorded per line; the rest are left out (counted as cut).
    pub max_keys_per_line: usize,
}

impl Limits {
    /// The highest values a mapping may set. Names: an application's index holds its name and
    /// platform, 2 × 300 characters × 4 bytes stays under Postgres's ~2,700-byte index entry.
    /// Key paths: one path per index entry. Keys per line: a line's keys stay a small statement.
    pub const HARD: Limits = Limits {
        max_name_chars: 300,
        max_key_path_bytes: 2_000,
        max_keys_per_line: 10_000,
    };

    /// Every limit within `1..=HARD`.
    pub fn check(&self) -> Result<(), LimitError> {
        let hard = Self::HARD;
        for (name, value, max) in [
            ("max_name_chars", self.max_name_chars, hard.max_name_chars),
            (
                "max_key_path_bytes",
                self.max_key_path_bytes,
                hard.max_key_path_bytes,
            ),
            (
                "max_keys_per_line",
                self.max_keys_per_line,
                hard.max_keys_per_line,
            ),
        ] {
            if value == 0 || value > max {
                return Err(LimitError { name, value, max });
            }
        }
        Ok(())
    }

    /// The limits brought within `1..=HARD` (a stored mapping is never trusted blindly).
    pub fn clamped(self) -> Self {
        let hard = Self::HARD;
        Self {
            max_name_chars: self.max_name_chars.clamp(1, hard.max_name_chars),
            max_key_path_bytes: self.max_key_path_bytes.clamp(1, hard.max_key_path_bytes),
            max_keys_per_line: self.max_keys_per_line.clamp(1, hard.max_keys_per_line),
        }
    }
}

impl Default for Limits {
    /// Names of 200 characters are far beyond any real event or screen name (they are
    /// identifiers, typically under 60); real key paths stay under 100 bytes; a real event carries
    /// tens of properties, rarely a few hundred.
    fn default() -> Self {
        Self {
            max_name_chars: 200,
            max_key_path_bytes: 300,
            max_keys_per_line: 1_000,
        }
    }
}
