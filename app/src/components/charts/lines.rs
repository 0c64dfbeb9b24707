//! The lines of a line chart, broken where data is missing, dashed to a partial bucket.

use blueprint_types::catalog::TimeSeries;
use leptos::prelude::*;

use super::palette::Palette;
use super::scale::{LEFT, Scale};

/// One line per series, its total in the title; a bucket with no data or not ingested breaks the
/// line, and the segment to a partial bucket is dashed, its point hollow ("so far").
pub(super) fn draw_lines(data: &TimeSeries, scale: &Scale, palette: &Palette) -> Vec<AnyView> {
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
