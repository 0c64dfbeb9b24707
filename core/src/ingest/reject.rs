//! Why a line is rejected: the reasons counted in an hour's health and shown with its samples.

use crate::ingest::json::SyntaxError;
use crate::mapping::DIMENSIONS;

/// Why a line is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reject {
    Syntax(SyntaxError),
    NoEvent,
    /// A dimension's value (slot `dimension`) is longer than the mapping allows.
    TooLong {
        dimension: usize,
        limit: usize,
    },
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reject::Syntax(err) => err.fmt(f),
            Reject::NoEvent => {
                f.write_str("no event name (no mapped event path holds a string or number)")
            }
            Reject::TooLong { dimension, limit } => {
                let name = DIMENSIONS.get(*dimension).copied().unwrap_or("value");
                write!(
                    f,
                    "{name} name too long (more than {limit} characters; the mapping's max_name_chars)"
                )
            }
        }
    }
}
