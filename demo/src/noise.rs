//! Lines the preset must reject (not a JSON object, trailing bytes, no qualifying event name) and
//! blank lines (ignored, counted nowhere).

use crate::rng::Rng;

const REJECTED: [&str; 13] = [
    "not json at all",
    "[{\"type\":\"track\",\"event\":\"addToCart\"}]",
    "{\"type\":\"track\",\"event\":\"addToCart\"} extra",
    "{\"event\":\"a\"}{\"event\":\"b\"}",
    "{\"event\":\"\",\"type\":null}",
    "{\"event\":true}",
    "{\"event\":{\"name\":\"addToCart\"},\"type\":[\"track\"],\"properties\":{\"sku\":\"A1\"}}",
    "{\"event\":null,\"properties\":{\"sku\":\"A1\"}}",
    "\"addToCart\"",
    "42",
    "null",
    "{\"type\":\"track\",\"event\":\"addToCart\",}",
    "{'event': 'addToCart'}",
];

/// A rejected line; sometimes a real line cut short, as a crashed writer leaves it.
pub(crate) fn rejected(rng: &mut Rng, sample: Option<&str>) -> String {
    if let Some(line) = sample
        && line.len() > 20
        && rng.pct(30)
    {
        let mut cut = line.len() / 2 + rng.index(line.len() / 3);
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        return line[..cut].to_string();
    }
    (*rng.pick(&REJECTED)).to_string()
}

/// A blank line: empty, or spaces only.
pub(crate) fn blank(rng: &mut Rng) -> String {
    if rng.pct(50) {
        String::new()
    } else {
        "   ".to_string()
    }
}
