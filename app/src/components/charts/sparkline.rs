//! The sparkline of a table row: complete days as a line, a partial day dashed.

use blueprint_types::catalog::Coverage;
use leptos::prelude::*;

use super::numbers::thousands;

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
