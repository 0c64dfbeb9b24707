//! Charts drawn as SVG on the server (they need no script): a time chart (lines, or stacked bars
//! for shares and splits), a sparkline, and the colour scale of the heat map. Every mark carries a
//! `<title>`, so hovering shows the exact value.

use blueprint_types::catalog::TimeSeries;
use leptos::prelude::*;

/// Series colours (colour-blind friendly, Okabe–Ito order), "other" in grey.
const COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#6b6b6b",
];

pub fn colour(index: usize, label: &str) -> &'static str {
    if label == "other" {
        "#b0b0b0"
    } else {
        COLOURS[index % COLOURS.len()]
    }
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
#[derive(Clone, Copy)]
struct Scale {
    step: f64,
    max: f64,
    percent: bool,
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
        Self {
            step: Self::PLOT_W / n as f64,
            // Shares are drawn on a fixed 0–100% scale.
            max: if percent { 1.0 } else { max.max(1.0) },
            percent,
        }
    }

    fn y(self, v: f64) -> f64 {
        TOP + Self::PLOT_H - (v / self.max) * Self::PLOT_H
    }

    fn text(self, v: f64) -> String {
        if self.percent {
            format!("{:.0}%", v * 100.0)
        } else {
            compact(v)
        }
    }
}

/// A chart over time; `percent` draws values 0–1 as percentages.
#[component]
pub fn TimeChart(
    data: TimeSeries,
    kind: ChartKind,
    #[prop(optional)] percent: bool,
    #[prop(into)] label: String,
) -> impl IntoView {
    let scale = Scale::new(&data, kind, percent);
    let empty = data.no_data.len() < data.buckets.len()
        && data
            .series
            .iter()
            .all(|s| s.values.iter().all(|v| *v == 0.0));
    let marks = match kind {
        ChartKind::Lines => draw_lines(&data, scale),
        ChartKind::StackedBars => draw_bars(&data, scale),
    };
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {W} {H}")
                role="img"
                aria-label=label.clone()
                data-testid="chart"
                preserveAspectRatio="none"
            >
                {draw_axes(&data.buckets, scale)}
                {draw_gaps(&data, scale)}
                {marks}
            </svg>
            {empty.then(|| view! { <p class="chart-empty muted">"No events in this range."</p> })}
            <figcaption>
                <span class="visually-hidden">{label}</span>
                <ul class="legend">{draw_legend(&data)}</ul>
            </figcaption>
        </figure>
    }
}

/// The grid lines with their values, and a label under every sixth bucket or so.
fn draw_axes(buckets: &[String], scale: Scale) -> AnyView {
    let ticks = [0.0, scale.max / 2.0, scale.max]
        .iter()
        .map(|t| {
            let ty = scale.y(*t);
            view! {
                <line x1=LEFT x2=W - 8.0 y1=ty y2=ty class="grid" />
                <text x=LEFT - 6.0 y=ty + 4.0 text-anchor="end" class="axis">{scale.text(*t)}</text>
            }
        })
        .collect::<Vec<_>>();
    let label_every = (buckets.len().max(1) / 6).max(1);
    let x_labels = buckets
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every == 0)
        .map(|(i, b)| (LEFT + scale.step * i as f64, short(b)))
        .map(|(x, text)| view! { <text x=x y=H - 6.0 class="axis">{text}</text> })
        .collect::<Vec<_>>();
    (ticks, x_labels).into_any()
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
fn draw_gaps(data: &TimeSeries, scale: Scale) -> Vec<AnyView> {
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

/// One line per series, its total in the title; a bucket with no data breaks the line.
fn draw_lines(data: &TimeSeries, scale: Scale) -> Vec<AnyView> {
    data.series
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            let mut pieces: Vec<Vec<String>> = vec![Vec::new()];
            for (i, v) in s.values.iter().enumerate() {
                let gap = data.buckets.get(i).is_some_and(|b| data.no_data.contains(b));
                if gap {
                    if pieces.last().is_some_and(|p| !p.is_empty()) {
                        pieces.push(Vec::new());
                    }
                    continue;
                }
                if let Some(piece) = pieces.last_mut() {
                    piece.push(format!(
                        "{:.1},{:.1}",
                        LEFT + scale.step * (i as f64 + 0.5),
                        scale.y(*v)
                    ));
                }
            }
            let total: f64 = s.values.iter().sum();
            let title = format!("{}: {} in total", s.label, scale.text(total));
            let stroke = colour(si, &s.label);
            pieces
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(move |piece| {
                    let title = title.clone();
                    view! {
                        <polyline points=piece.join(" ") fill="none" stroke=stroke stroke-width="1.8">
                            <title>{title}</title>
                        </polyline>
                    }
                    .into_any()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One stack of bars per bucket, a bar per series with a value there.
fn draw_bars(data: &TimeSeries, scale: Scale) -> Vec<AnyView> {
    let step = scale.step;
    (0..data.buckets.len().max(1))
        .map(|i| {
            let mut base = 0.0;
            let bucket = data.buckets.get(i).cloned().unwrap_or_default();
            data.series
                .iter()
                .enumerate()
                .filter_map(|(si, s)| {
                    let v = s.values.get(i).copied().unwrap_or(0.0);
                    if v <= 0.0 {
                        return None;
                    }
                    let (top, bottom) = (scale.y(base + v), scale.y(base));
                    base += v;
                    let title = format!("{bucket} · {}: {}", s.label, scale.text(v));
                    Some(view! {
                        <rect
                            x=format!("{:.1}", LEFT + step * i as f64 + step * 0.08)
                            y=format!("{top:.1}")
                            width=format!("{:.1}", (step * 0.84).max(0.5))
                            height=format!("{:.1}", (bottom - top).max(0.0))
                            fill=colour(si, &s.label)
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
fn draw_legend(data: &TimeSeries) -> Vec<impl IntoView + use<>> {
    data.series
        .iter()
        .enumerate()
        .map(|(si, s)| {
            view! {
                <li>
                    <span class="swatch" style=format!("background:{}", colour(si, &s.label))></span>
                    {s.label.clone()}
                </li>
            }
        })
        .collect()
}

/// A small line of values (one per day), for table rows.
#[component]
pub fn Sparkline(values: Vec<i64>) -> impl IntoView {
    let (w, h) = (90.0, 20.0);
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(2) as f64 - 1.0;
    let points = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                w * i as f64 / n,
                h - 1.0 - (*v as f64 / max) * (h - 2.0)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let title = values
        .iter()
        .map(|v| thousands(*v))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {w} {h}") width=w height=h role="img" aria-label=format!("per day: {title}")>
            <polyline points=points fill="none" stroke="#0072b2" stroke-width="1.5" />
            <title>{title.clone()}</title>
        </svg>
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
        };
        assert_eq!(gap_runs(&data), vec![(1, 2), (4, 1)]);
    }
}
