//! The latest evaluation of a roll-out: its verdict and reason, the interval chart, and one row
//! per check with candidate against baseline.

use blueprint_types::rollouts::{Check, Evaluation, level_percent, signed_percent};
use leptos::prelude::*;

use super::interval_chart::IntervalChart;
use super::verdict::VerdictBadge;
use crate::components::charts::thousands;

#[component]
fn CheckRow(c: Check) -> impl IntoView {
    let interval = match (c.change, c.low, c.high) {
        (Some(x), Some(l), Some(h)) => format!(
            "{} ({} to {}, {})",
            signed_percent(x),
            signed_percent(l),
            signed_percent(h),
            level_percent(c.level)
        ),
        _ => String::new(),
    };
    let value = |v: Option<f64>| {
        v.filter(|_| c.kind != "coverage")
            .map(|v| format!("{v:.3}"))
            .unwrap_or_default()
    };
    let (candidate, baseline) = (value(c.candidate), value(c.baseline));
    let missing = (!c.missing.is_empty()).then(|| {
        let items = c
            .missing
            .iter()
            .take(20)
            .map(|m| view! { <li class="mono">{m.clone()}</li> }.into_any())
            .collect_view();
        view! { <ul class="missing">{items}</ul> }.into_any()
    });
    let headline = c
        .headline
        .then(|| view! { " " <span class="muted small">"headline"</span> }.into_any());
    view! {
        <tr class=format!("check {}", c.verdict) data-testid="check">
            <td>{c.name.clone()}{headline}</td>
            <td><VerdictBadge verdict=c.verdict.as_str() /></td>
            <td class="num">{candidate}</td>
            <td class="num">{baseline}</td>
            <td class="num">{interval}</td>
            <td class="small">{c.detail.clone()}{missing}</td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn EvaluationView(e: Evaluation, tolerance: f64) -> impl IntoView {
    let charted: Vec<Check> = e
        .checks
        .iter()
        .filter(|c| c.change.is_some())
        .cloned()
        .collect();
    let chart = (!charted.is_empty())
        .then(|| view! { <IntervalChart checks=charted tolerance /> }.into_any());
    let rows = e
        .checks
        .iter()
        .map(|c| view! { <CheckRow c=c.clone() /> }.into_any())
        .collect_view();
    let summary = format!(
        "{} hours in which both versions ran · {} candidate and {} baseline sessions · latest hour {}",
        e.hours_compared,
        thousands(e.candidate_sessions),
        thousands(e.baseline_sessions),
        e.latest_hour.clone().unwrap_or_default()
    );
    view! {
        <section class="card" data-testid="evaluation">
            <h2>"Latest evaluation " <VerdictBadge verdict=e.verdict.as_str() /></h2>
            <p data-testid="reason">{e.reason.clone()}</p>
            <p class="muted small">{summary}</p>
            {chart}
            <table class="data-table" data-testid="checks">
                <thead><tr><th>"Check"</th><th>"Verdict"</th><th class="num">"Candidate"</th><th class="num">"Baseline"</th><th class="num">"Change (interval, its level)"</th><th>"Detail"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}
