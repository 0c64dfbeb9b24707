//! Hour by hour: each headline rate of the candidate against the baseline, as a line chart.

use blueprint_types::catalog::{Series, TimeSeries};
use blueprint_types::rollouts::Evaluation;
use leptos::prelude::*;

use crate::components::charts::{ChartKind, TimeChart};

#[component]
pub fn SeriesView(e: Evaluation, candidate: String, baseline: String) -> impl IntoView {
    let charts = e
        .checks
        .iter()
        .filter(|c| c.headline && !c.hours.is_empty())
        .map(|c| {
            let data = TimeSeries {
                buckets: c.hours.iter().map(|h| h.hour.clone()).collect(),
                series: vec![
                    Series {
                        label: format!("candidate {candidate}"),
                        values: c.hours.iter().map(|h| h.candidate_rate).collect(),
                    },
                    Series {
                        label: format!("baseline {baseline}"),
                        values: c.hours.iter().map(|h| h.baseline_rate).collect(),
                    },
                ],
                ..TimeSeries::default()
            };
            let label = format!("{} per hour, candidate against baseline", c.name);
            view! {
                <h3>{c.name.clone()}</h3>
                <TimeChart data kind=ChartKind::Lines label />
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="card" data-testid="series">
            <h2>"Hour by hour"</h2>
            {charts}
        </section>
    }
    .into_any()
}
