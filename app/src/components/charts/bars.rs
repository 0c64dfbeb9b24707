//! The stacked bars of a bar chart, a partial bucket's lighter.

use blueprint_types::catalog::TimeSeries;
use leptos::prelude::*;

use super::palette::Palette;
use super::scale::{LEFT, Scale};

/// One stack of bars per bucket, a bar per series with a value there; a partial bucket's bars
/// lighter, marked "so far".
pub(super) fn draw_bars(data: &TimeSeries, scale: &Scale, palette: &Palette) -> Vec<AnyView> {
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
