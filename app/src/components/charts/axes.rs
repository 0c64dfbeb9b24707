//! A time chart's axes: the grid lines with their values and the bucket labels.

use leptos::prelude::*;

use super::numbers::short;
use super::scale::{H, LEFT, Scale, W};

/// The grid lines with their values, and a label under every sixth bucket or so; every other
/// label is `minor`, hidden when the chart is narrow.
pub(super) fn draw_axes(buckets: &[String], scale: &Scale) -> AnyView {
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
