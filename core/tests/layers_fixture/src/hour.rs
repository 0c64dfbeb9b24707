//! Lower layer, with two planted upward imports (a use tree in braces, an inline call).
use crate::report_more::{deep::Thing};

// crate::report::in_a_comment() is not an import.
pub fn planted() -> Thing {
    let _text = "crate::report::in_a_string";
    crate::report::summary();
    Thing
}

#[cfg(test)]
mod tests {
    use crate::report::summary;
}
