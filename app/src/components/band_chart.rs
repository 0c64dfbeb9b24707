//! Charts of incidents: one series' hours against the expected band (observed as a line, the band
//! shaded, the expected count dashed, anomalous hours as dots), and a strip of incident spans
//! drawn under an hourly [`TimeChart`](super::charts::TimeChart) on the same horizontal scale.

use blueprint_types::signals::BandPoint;
use leptos::prelude::*;

use super::charts::{compact, count_ticks};

// The same geometry as `TimeChart`, so a strip lines up under it.
const W: f64 = 720.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 8.0;
const H: f64 = 160.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 22.0;

fn step(n: usize) -> f64 {
    (W - LEFT - RIGHT) / n.max(1) as f64
}

/// `MM-DD HHh` of an hour.
fn short(hour: &str) -> String {
    match (hour.get(5..10), hour.get(11..13)) {
        (Some(date), Some(h)) => format!("{date} {h}h"),
        _ => hour.to_owned(),
    }
}

/// Runs of consecutive hours with a value, each as polyline points (a missing value breaks it).
fn runs(values: &[Option<(f64, f64)>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for value in values {
        match value {
            Some((x, y)) => run.push(format!("{x:.1},{y:.1}")),
            None if run.is_empty() => {}
            None => out.push(std::mem::take(&mut run).join(" ")),
        }
    }
    if !run.is_empty() {
        out.push(run.join(" "));
    }
    out
}

/// One series' hours: observed (a line) against the interval the model expected (shaded) and the
/// expected count (dashed); anomalous hours as dots; hours without data as a labelled gap.
#[component]
pub fn BandChart(points: Vec<BandPoint>, #[prop(into)] label: String) -> impl IntoView {
    let n = points.len();
    let s = step(n);
    let (max, ticks) = count_ticks(
        points
            .iter()
            .flat_map(|p| [p.observed.map(|o| o as f64), p.high, p.expected])
            .flatten()
            .fold(1.0, f64::max),
    );
    let plot_h = H - TOP - BOTTOM;
    let y = move |v: f64| TOP + plot_h - (v.max(0.0) / max) * plot_h;
    let x = move |i: usize| LEFT + s * (i as f64 + 0.5);
    let modelled = points.iter().any(|p| p.expected.is_some());
    let band = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (low, high) = (p.low?, p.high?);
            Some(view! {
                <rect x=format!("{:.1}", LEFT + s * i as f64) y=format!("{:.1}", y(high))
                    width=format!("{:.1}", s.max(0.5)) height=format!("{:.1}", (y(low) - y(high)).max(0.5)) class="band" />
            })
        })
        .collect_view();
    let gaps = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.observed.is_none())
        .map(|(i, p)| {
            view! {
                <rect x=format!("{:.1}", LEFT + s * i as f64) y=TOP width=format!("{:.1}", s.max(0.5)) height=plot_h class="gap">
                    <title>{format!("{}: no data", p.hour)}</title>
                </rect>
            }
        })
        .collect_view();
    let line = |value: &dyn Fn(&BandPoint) -> Option<f64>, class: &'static str| {
        let values: Vec<_> = points
            .iter()
            .enumerate()
            .map(|(i, p)| value(p).map(|v| (x(i), y(v))))
            .collect();
        runs(&values)
            .into_iter()
            .map(|points| view! { <polyline points=points fill="none" class=class /> })
            .collect_view()
    };
    let expected = line(&|p| p.expected, "expected");
    let observed = line(&|p| p.observed.map(|o| o as f64), "observed");
    let dots = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.anomalous)
        .filter_map(|(i, p)| {
            let observed = p.observed?;
            let expected = match (p.expected, p.low, p.high) {
                (Some(e), Some(l), Some(h)) => format!(", {e:.0} expected ({l:.0}–{h:.0})"),
                _ => String::new(),
            };
            let title = format!("{}: {observed} observed{expected}", p.hour);
            Some(view! { <circle cx=format!("{:.1}", x(i)) cy=format!("{:.1}", y(observed as f64)) r="3.5" class="anomalous"><title>{title}</title></circle> })
        })
        .collect_view();
    let every = (n / 6).max(1);
    let labels = points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, p)| {
            let class = if (i / every) % 2 == 1 { "axis x-tick minor" } else { "axis x-tick" };
            view! { <text x=format!("{:.1}", LEFT + s * i as f64) y=H - 6.0 class=class>{short(&p.hour)}</text> }
        })
        .collect_view();
    let ticks = ticks
        .into_iter()
        .map(|t| {
            let ty = y(t);
            view! {
                <line x1=LEFT x2=W - RIGHT y1=ty y2=ty class="grid" />
                <text x=LEFT - 6.0 y=ty + 4.0 text-anchor="end" class="axis y-tick" data-value=t.to_string()>{compact(t)}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart band-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label.clone() data-testid="band-chart">
                {ticks}
                {gaps}
                {band}
                {expected}
                {observed}
                {dots}
                {labels}
            </svg>
            {(!modelled).then(|| view! { <p class="muted small" data-testid="no-model">"Not enough history to expect anything here yet: nothing is judged."</p> })}
            <figcaption>
                <span class="visually-hidden">{label}</span>
                <ul class="legend">
                    <li><span class="swatch observed"></span>"observed"</li>
                    <li><span class="swatch expected"></span>"expected"</li>
                    <li><span class="swatch band"></span>"expected interval"</li>
                    <li><span class="swatch gap"></span>"no data"</li>
                </ul>
            </figcaption>
        </figure>
    }
}

/// An incident span to draw under an hourly chart: `[from, to)` hours, its label and link.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub from: String,
    pub to: String,
    pub label: String,
    pub href: String,
}

/// The spans over the chart's hour `buckets` (`YYYY-MM-DDTHH:00:00Z`), each a linked bar.
#[component]
pub fn SpanStrip(buckets: Vec<String>, spans: Vec<Span>) -> impl IntoView {
    let s = step(buckets.len());
    let bars = spans
        .into_iter()
        .filter_map(|span| {
            let first = buckets.iter().position(|b| *b >= span.from && *b < span.to)?;
            let last = buckets.iter().rposition(|b| *b >= span.from && *b < span.to)?;
            let width = (s * (last - first + 1) as f64).max(2.0);
            Some(view! {
                <a href=span.href>
                    <rect x=format!("{:.1}", LEFT + s * first as f64) y="2" width=format!("{width:.1}") height="12" class="incident-span">
                        <title>{span.label}</title>
                    </rect>
                </a>
            })
        })
        .collect_view();
    view! {
        <svg class="span-strip" viewBox=format!("0 0 {W} 16") preserveAspectRatio="none" role="img" aria-label="Incidents of this event over the hours above" data-testid="incident-strip">
            {bars}
        </svg>
    }
}
