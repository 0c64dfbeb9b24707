//! Charts drawn as SVG on the server (they need no script): a time chart (lines, or stacked bars
//! for shares and splits), a sparkline, and the colour scale of the heat map. Every mark carries a
//! `<title>`, so hovering shows the exact value.
//!
//! What they promise: a bucket only partly ingested is drawn lighter and dashed with "so far"
//! (`data-partial`), buckets not ingested yet are not drawn, a series keeps one colour across a
//! page ([`Palette`], from its label), count axes tick at whole numbers, and the SVG scales
//! without distortion (fewer, larger axis labels when narrow).

use blueprint_types::catalog::{Coverage, TimeSeries};
use leptos::prelude::*;

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

/// A count axis: its top and whole-number ticks (steps of 1, 2 or 5 × 10ⁿ, about four of them).
pub fn count_ticks(max: f64) -> (f64, Vec<f64>) {
    let max = max.max(1.0);
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor()).max(1.0);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| step * 4.0 >= max)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let top = (max / step).ceil() * step;
    let ticks = (0..=((top / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    (top, ticks)
}

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
fn short(bucket: &str) -> String {
    let date = bucket.get(5..10).unwrap_or(bucket);
    match bucket.get(11..13) {
        Some(hour) => format!("{date} {hour}h"),
        None => date.to_owned(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    Lines,
    StackedBars,
}

const W: f64 = 720.0;
const H: f64 = 200.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

/// Where a chart's values land: the width of a bucket, the top of the scale, and how values read.
#[derive(Clone)]
struct Scale {
    step: f64,
    max: f64,
    percent: bool,
    ticks: Vec<f64>,
}

impl Scale {
    const PLOT_W: f64 = W - LEFT - 8.0;
    const PLOT_H: f64 = H - TOP - BOTTOM;

    fn new(data: &TimeSeries, kind: ChartKind, percent: bool) -> Self {
        let n = data.buckets.len().max(1);
        let max = match kind {
            ChartKind::Lines => data
                .series
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .fold(0.0, f64::max),
            ChartKind::StackedBars => (0..n)
                .map(|i| {
                    data.series
                        .iter()
                        .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                        .sum::<f64>()
                })
                .fold(0.0, f64::max),
        };
        // Shares are drawn on a fixed 0–100% scale; counts up to a whole-number tick.
        let (max, ticks) = if percent {
            (1.0, vec![0.0, 0.5, 1.0])
        } else {
            count_ticks(max)
        };
        Self {
            step: Self::PLOT_W / n as f64,
            max,
            percent,
            ticks,
        }
    }

    fn y(&self, v: f64) -> f64 {
        TOP + Self::PLOT_H - (v / self.max) * Self::PLOT_H
    }

    fn text(&self, v: f64) -> String {
        if self.percent {
            format!("{:.0}%", v * 100.0)
        } else {
            compact(v)
        }
    }
}

/// The buckets from the first with a non-zero value on: the data and how many leading buckets
/// were cut.
fn fit_to_data(data: TimeSeries) -> (TimeSeries, usize) {
    let first = (0..data.buckets.len()).find(|i| {
        data.series
            .iter()
            .any(|s| s.values.get(*i).is_some_and(|v| *v != 0.0))
    });
    let Some(first) = first.filter(|f| *f > 0) else {
        return (data, 0);
    };
    let cut = |list: &[String]| -> Vec<String> {
        list.iter()
            .filter(|b| {
                data.buckets
                    .iter()
                    .position(|x| x == *b)
                    .is_some_and(|i| i >= first)
            })
            .cloned()
            .collect()
    };
    let fitted = TimeSeries {
        buckets: data.buckets[first..].to_vec(),
        series: data
            .series
            .iter()
            .map(|s| blueprint_types::catalog::Series {
                label: s.label.clone(),
                values: s.values.get(first..).unwrap_or_default().to_vec(),
            })
            .collect(),
        no_data: cut(&data.no_data),
        partial: cut(&data.partial),
        not_ingested: cut(&data.not_ingested),
    };
    (fitted, first)
}

/// A chart over time; `percent` draws values 0–1 as percentages; `palette` gives the page's
/// colours (by default the chart's own); `fit` starts the chart at the first bucket with data
/// and says so.
#[component]
pub fn TimeChart(
    data: TimeSeries,
    kind: ChartKind,
    #[prop(optional)] percent: bool,
    #[prop(into)] label: String,
    #[prop(optional)] palette: Option<Palette>,
    #[prop(optional)] fit: bool,
) -> impl IntoView {
    let (data, cut) = if fit { fit_to_data(data) } else { (data, 0) };
    let palette = palette.unwrap_or_else(|| Palette::of(&[&data]));
    let scale = Scale::new(&data, kind, percent);
    let known = data.no_data.len() + data.not_ingested.len() < data.buckets.len();
    let empty = known
        && data
            .series
            .iter()
            .all(|s| s.values.iter().all(|v| *v == 0.0));
    let marks = match kind {
        ChartKind::Lines => draw_lines(&data, &scale, &palette),
        ChartKind::StackedBars => draw_bars(&data, &scale, &palette),
    };
    let start = (cut > 0).then(|| {
        let first = data.buckets.first().map(|b| short(b)).unwrap_or_default();
        view! {
            <p class="muted small" data-testid="chart-start">
                {format!("From {first}, the first with events: the {cut} before it had none.")}
            </p>
        }
    });
    let partial = (!data.partial.is_empty()).then(|| {
        view! { <li><span class="swatch partial"></span>"so far (not over yet)"</li> }
    });
    view! {
        <figure class="chart">
            {start}
            <svg
                viewBox=format!("0 0 {W} {H}")
                role="img"
                aria-label=label.clone()
                data-testid="chart"
            >
                {draw_axes(&data.buckets, &scale)}
                {draw_gaps(&data, &scale)}
                {draw_not_ingested(&data, &scale)}
                {marks}
            </svg>
            {empty.then(|| view! { <p class="chart-empty muted">"No events in this range."</p> })}
            <figcaption>
                <span class="visually-hidden">{label}</span>
                <ul class="legend">{draw_legend(&data, &palette)}{partial}</ul>
            </figcaption>
        </figure>
    }
}

/// The grid lines with their values, and a label under every sixth bucket or so; every other
/// label is `minor`, hidden when the chart is narrow.
fn draw_axes(buckets: &[String], scale: &Scale) -> AnyView {
    let ticks = scale
        .ticks
        .iter()
        .map(|t| {
            let ty = scale.y(*t);
            view! {
                <line x1=LEFT x2=W - 8.0 y1=ty y2=ty class="grid" />
                <text x=LEFT - 6.0 y=ty + 4.0 text-anchor="end" class="axis y-tick" data-value=t.to_string()>{scale.text(*t)}</text>
            }
        })
        .collect::<Vec<_>>();
    let label_every = (buckets.len().max(1) / 6).max(1);
    let x_labels = buckets
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every == 0)
        .map(|(i, b)| (i / label_every, LEFT + scale.step * i as f64, short(b)))
        .map(|(n, x, text)| {
            let class = if n % 2 == 1 {
                "axis x-tick minor"
            } else {
                "axis x-tick"
            };
            view! { <text x=x y=H - 6.0 class=class>{text}</text> }
        })
        .collect::<Vec<_>>();
    (ticks, x_labels).into_any()
}

/// The buckets not ingested yet: a faint band labelled "not ingested yet", never a zero.
fn draw_not_ingested(data: &TimeSeries, scale: &Scale) -> Option<AnyView> {
    let first = data
        .buckets
        .iter()
        .position(|b| data.not_ingested.contains(b))?;
    let x = LEFT + scale.step * first as f64;
    let width = scale.step * (data.buckets.len() - first) as f64;
    let from = data.buckets.get(first).cloned().unwrap_or_default();
    Some(
        view! {
            <g class="not-ingested" data-testid="not-ingested">
                <rect x=format!("{x:.1}") y=TOP width=format!("{:.1}", width.max(0.5)) height=Scale::PLOT_H>
                    <title>{format!("not ingested yet: from {from}")}</title>
                </rect>
                {(width > 60.0).then(|| view! {
                    <text x=format!("{:.1}", x + width / 2.0) y=TOP + 14.0 text-anchor="middle" class="axis">"not yet"</text>
                })}
            </g>
        }
        .into_any(),
    )
}

/// Runs of consecutive buckets in `data.no_data`, as `(first index, length)`.
fn gap_runs(data: &TimeSeries) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, bucket) in data.buckets.iter().enumerate() {
        if !data.no_data.contains(bucket) {
            continue;
        }
        match runs.last_mut() {
            Some((first, len)) if *first + *len == i => *len += 1,
            _ => runs.push((i, 1)),
        }
    }
    runs
}

/// The tenant's gap (hours ingested without data): a shaded band labelled "no data", neither a
/// zero nor left out.
fn draw_gaps(data: &TimeSeries, scale: &Scale) -> Vec<AnyView> {
    gap_runs(data)
        .into_iter()
        .map(|(first, len)| {
            let x = LEFT + scale.step * first as f64;
            let width = scale.step * len as f64;
            let from = data.buckets.get(first).cloned().unwrap_or_default();
            let last = data.buckets.get(first + len - 1).cloned().unwrap_or_default();
            let title = format!("no data: {from} to {last}");
            view! {
                <g class="no-data" data-testid="no-data">
                    <rect
                        x=format!("{x:.1}")
                        y=TOP
                        width=format!("{:.1}", width.max(0.5))
                        height=Scale::PLOT_H
                        fill="#9e9e9e"
                        fill-opacity="0.18"
                    >
                        <title>{title}</title>
                    </rect>
                    <text x=format!("{:.1}", x + width / 2.0) y=TOP + 14.0 text-anchor="middle" class="axis">"no data"</text>
                </g>
            }
            .into_any()
        })
        .collect()
}

/// One line per series, its total in the title; a bucket with no data or not ingested breaks the
/// line, and the segment to a partial bucket is dashed, its point hollow ("so far").
fn draw_lines(data: &TimeSeries, scale: &Scale, palette: &Palette) -> Vec<AnyView> {
    let x = |i: usize| LEFT + scale.step * (i as f64 + 0.5);
    data.series
        .iter()
        .flat_map(|s| {
            let mut pieces: Vec<Vec<String>> = vec![Vec::new()];
            let mut partial: Vec<AnyView> = Vec::new();
            let stroke = palette.colour(&s.label);
            for (i, v) in s.values.iter().enumerate() {
                let bucket = data.buckets.get(i);
                let skipped = bucket
                    .is_some_and(|b| data.no_data.contains(b) || data.not_ingested.contains(b));
                if skipped {
                    if pieces.last().is_some_and(|p| !p.is_empty()) {
                        pieces.push(Vec::new());
                    }
                    continue;
                }
                let point = format!("{:.1},{:.1}", x(i), scale.y(*v));
                if let Some(b) = bucket.filter(|b| data.partial.contains(b)) {
                    let before = pieces.last().and_then(|p| p.last()).cloned();
                    let title = format!("{b} · {}: {} so far", s.label, scale.text(*v));
                    let points = before.map_or(point.clone(), |p| format!("{p} {point}"));
                    partial.push(
                        view! {
                            <g class="partial" data-partial="true">
                                <polyline points=points fill="none" stroke=stroke stroke-width="1.8" stroke-dasharray="4 3" />
                                <circle cx=format!("{:.1}", x(i)) cy=format!("{:.1}", scale.y(*v)) r="3" fill="#fff" stroke=stroke><title>{title}</title></circle>
                            </g>
                        }
                        .into_any(),
                    );
                    pieces.push(Vec::new());
                    continue;
                }
                if let Some(piece) = pieces.last_mut() {
                    piece.push(point);
                }
            }
            let total: f64 = s.values.iter().sum();
            let title = format!("{}: {} in total", s.label, scale.text(total));
            pieces
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(move |piece| {
                    let title = title.clone();
                    view! {
                        <polyline points=piece.join(" ") fill="none" stroke=stroke stroke-width="1.8" data-series=s.label.clone()>
                            <title>{title}</title>
                        </polyline>
                    }
                    .into_any()
                })
                .chain(partial)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One stack of bars per bucket, a bar per series with a value there; a partial bucket's bars
/// lighter, marked "so far".
fn draw_bars(data: &TimeSeries, scale: &Scale, palette: &Palette) -> Vec<AnyView> {
    let step = scale.step;
    (0..data.buckets.len().max(1))
        .map(|i| {
            let mut base = 0.0;
            let bucket = data.buckets.get(i).cloned().unwrap_or_default();
            let partial = data.partial.contains(&bucket);
            data.series
                .iter()
                .filter_map(|s| {
                    let v = s.values.get(i).copied().unwrap_or(0.0);
                    if v <= 0.0 {
                        return None;
                    }
                    let (top, bottom) = (scale.y(base + v), scale.y(base));
                    base += v;
                    let so_far = if partial { " so far" } else { "" };
                    let title = format!("{bucket} · {}: {}{so_far}", s.label, scale.text(v));
                    Some(view! {
                        <rect
                            x=format!("{:.1}", LEFT + step * i as f64 + step * 0.08)
                            y=format!("{top:.1}")
                            width=format!("{:.1}", (step * 0.84).max(0.5))
                            height=format!("{:.1}", (bottom - top).max(0.0))
                            fill=palette.colour(&s.label)
                            class=partial.then_some("partial")
                            data-partial=partial.then_some("true")
                            data-series=s.label.clone()
                        >
                            <title>{title}</title>
                        </rect>
                    })
                })
                .collect::<Vec<_>>()
                .into_any()
        })
        .collect()
}

/// A swatch and a name per series.
fn draw_legend(data: &TimeSeries, palette: &Palette) -> Vec<impl IntoView + use<>> {
    data.series
        .iter()
        .map(|s| {
            let colour = palette.colour(&s.label);
            view! {
                <li data-series=s.label.clone() data-colour=colour>
                    <span class="swatch" style=format!("background:{colour}")></span>
                    {s.label.clone()}
                </li>
            }
        })
        .collect()
}

/// A small line of values (one per day), for table rows: the complete days of `coverage` as a
/// line, a partial day as a dashed segment to a hollow point ("so far"), later days undrawn.
#[component]
pub fn Sparkline(values: Vec<i64>, coverage: Coverage) -> impl IntoView {
    let (w, h) = (90.0, 20.0);
    let drawn = (coverage.complete + usize::from(coverage.partial)).min(values.len());
    let max = values[..drawn].iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(2) as f64 - 1.0;
    let point = |i: usize| {
        let v = values.get(i).copied().unwrap_or(0) as f64;
        (w * i as f64 / n, h - 1.0 - (v / max) * (h - 2.0))
    };
    let complete = coverage.complete.min(drawn);
    let points = (0..complete)
        .map(|i| {
            let (x, y) = point(i);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let partial = (drawn > complete).then(|| {
        let (x, y) = point(complete);
        let from = complete
            .checked_sub(1)
            .map(|i| {
                let (px, py) = point(i);
                format!("{px:.1},{py:.1} ")
            })
            .unwrap_or_default();
        view! {
            <g class="partial" data-partial="true">
                <polyline points=format!("{from}{x:.1},{y:.1}") fill="none" stroke="#0072b2" stroke-width="1.5" stroke-dasharray="2 2" stroke-opacity="0.6" />
                <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="1.8" fill="#fff" stroke="#0072b2" />
            </g>
        }
    });
    let title = values[..drawn]
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let so_far = if i >= complete { " so far" } else { "" };
            format!("{}{so_far}", thousands(*v))
        })
        .collect::<Vec<_>>()
        .join(" · ");
    // Erased: the rows of a table of sparklines would otherwise nest too deep a view type.
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {w} {h}") width=w height=h role="img" aria-label=format!("per day: {title}") data-points=drawn data-complete=complete>
            <polyline points=points fill="none" stroke="#0072b2" stroke-width="1.5" />
            {partial.map(IntoAny::into_any)}
            <title>{title.clone()}</title>
        </svg>
    }
    .into_any()
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
    fn numbers_read_well() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1200), "-1,200");
        assert_eq!(compact(1_250_000.0), "1.2M");
        assert_eq!(compact(12_500.0), "12k");
        assert_eq!(compact(950.0), "950");
        assert_eq!(short("2026-11-20T14:00:00Z"), "11-20 14h");
        assert_eq!(short("2026-11-20"), "11-20");
    }

    #[test]
    fn the_buckets_without_data_are_runs() {
        let data = TimeSeries {
            buckets: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            series: Vec::new(),
            no_data: ["b", "c", "e"].map(String::from).to_vec(),
            ..TimeSeries::default()
        };
        assert_eq!(gap_runs(&data), vec![(1, 2), (4, 1)]);
    }

    #[test]
    fn count_axes_tick_at_whole_numbers() {
        assert_eq!(count_ticks(39.0), (40.0, vec![0.0, 10.0, 20.0, 30.0, 40.0]));
        assert_eq!(count_ticks(3.0), (3.0, vec![0.0, 1.0, 2.0, 3.0]));
        assert_eq!(count_ticks(0.0), (1.0, vec![0.0, 1.0]));
        for max in [1.0, 7.0, 19.5, 233.0, 9_999.0, 1_234_567.0] {
            let (top, ticks) = count_ticks(max);
            assert!(top >= max, "{max}");
            assert!(ticks.len() <= 6, "{max}: {ticks:?}");
            assert!(ticks.iter().all(|t| t.fract() == 0.0), "{max}: {ticks:?}");
        }
    }

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

    #[test]
    fn a_chart_fitted_to_its_data_starts_at_its_first_bucket_with_data() {
        let data = TimeSeries {
            buckets: ["a", "b", "c", "d"].map(String::from).to_vec(),
            series: vec![blueprint_types::catalog::Series {
                label: "x".into(),
                values: vec![0.0, 0.0, 4.0, 2.0],
            }],
            partial: vec!["d".into()],
            ..TimeSeries::default()
        };
        let (fitted, cut) = fit_to_data(data);
        assert_eq!(cut, 2);
        assert_eq!(fitted.buckets, ["c", "d"]);
        assert_eq!(fitted.series[0].values, [4.0, 2.0]);
        assert_eq!(fitted.partial, ["d"]);
    }
}
