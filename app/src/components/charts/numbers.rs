//! How a chart's numbers and buckets read: `1.2M`, `12,345`, `11-20 14h`.

/// `1234567` → `1.2M`.
pub fn compact(value: f64) -> String {
    let abs = value.abs();
    if abs >= 1e9 {
        format!("{:.1}G", value / 1e9)
    } else if abs >= 1e6 {
        format!("{:.1}M", value / 1e6)
    } else if abs >= 1e4 {
        format!("{:.0}k", value / 1e3)
    } else if abs >= 1e3 {
        format!("{:.1}k", value / 1e3)
    } else if abs.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// `12,345` for exact counts.
pub fn thousands(value: i64) -> String {
    let digits = value.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0 { format!("-{out}") } else { out }
}

/// Short bucket label: `11-20` for a day, `11-20 14h` for an hour.
pub(super) fn short(bucket: &str) -> String {
    let date = bucket.get(5..10).unwrap_or(bucket);
    match bucket.get(11..13) {
        Some(hour) => format!("{date} {hour}h"),
        None => date.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1200), "-1,200");
        assert_eq!(compact(1_250_000.0), "1.2M");
        assert_eq!(compact(12_500.0), "12k");
        assert_eq!(compact(950.0), "950");
        assert_eq!(short("2026-11-20T14:00:00Z"), "11-20 14h");
        assert_eq!(short("2026-11-20"), "11-20");
    }
}
