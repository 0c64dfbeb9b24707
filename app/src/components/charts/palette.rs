//! Colours: one per series across a page ([`Palette`]) and the heat map's scale ([`heat`]).

use blueprint_types::catalog::TimeSeries;

/// Series colours (colour-blind friendly, Okabe–Ito order), "other" in grey.
const COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#6b6b6b",
];

/// The colour of each series label across a page: labels ranked by their total over every chart
/// given (biggest first, then by name), each its colour by rank; "other" grey. Pass the same
/// palette to every chart of a page, so a version has one colour in all of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Palette(Vec<String>);

impl Palette {
    pub fn of(charts: &[&TimeSeries]) -> Self {
        let mut totals: Vec<(String, f64)> = Vec::new();
        for series in charts.iter().flat_map(|c| c.series.iter()) {
            let total: f64 = series.values.iter().sum();
            match totals.iter_mut().find(|(label, _)| *label == series.label) {
                Some((_, sum)) => *sum += total,
                None => totals.push((series.label.clone(), total)),
            }
        }
        totals.retain(|(label, _)| label != "other");
        totals.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Self(totals.into_iter().map(|(label, _)| label).collect())
    }

    pub fn colour(&self, label: &str) -> &'static str {
        if label == "other" {
            return "#b0b0b0";
        }
        let rank = self
            .0
            .iter()
            .position(|l| l == label)
            .unwrap_or(self.0.len());
        COLOURS[rank % COLOURS.len()]
    }
}

/// Background of a heat-map cell: white to deep blue, on a square-root scale.
pub fn heat(value: i64, max: i64) -> String {
    if value <= 0 || max <= 0 {
        return String::new();
    }
    let t = (value as f64 / max as f64).sqrt();
    let alpha = 0.12 + 0.88 * t;
    let text = if t > 0.55 { "color:#fff;" } else { "" };
    format!("background:rgba(0,114,178,{alpha:.2});{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_keeps_its_colour_across_the_charts_of_a_page() {
        let chart = |labels: &[(&str, f64)]| TimeSeries {
            buckets: vec!["a".into()],
            series: labels
                .iter()
                .map(|(l, v)| blueprint_types::catalog::Series {
                    label: (*l).into(),
                    values: vec![*v],
                })
                .collect(),
            ..TimeSeries::default()
        };
        let (hourly, daily) = (
            chart(&[("3.10", 5.0), ("3.9", 1.0)]),
            chart(&[("3.9", 50.0), ("3.10", 10.0), ("other", 3.0)]),
        );
        let page = Palette::of(&[&hourly, &daily]);
        assert_eq!(page.colour("3.9"), COLOURS[0]);
        assert_eq!(page.colour("3.10"), COLOURS[1]);
        assert_eq!(page.colour("other"), "#b0b0b0");
    }
}
