//! The bands a time chart draws where it has no values: buckets not ingested yet and the
//! tenant's gaps ("no data"), never zeros.

use blueprint_types::catalog::TimeSeries;
use leptos::prelude::*;

use super::scale::{LEFT, Scale, TOP};

/// The buckets not ingested yet: a faint band labelled "not ingested yet", never a zero.
pub(super) fn draw_not_ingested(data: &TimeSeries, scale: &Scale) -> Option<AnyView> {
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
pub(super) fn draw_gaps(data: &TimeSeries, scale: &Scale) -> Vec<AnyView> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
