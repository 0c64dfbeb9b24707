//! The stages of a roll-out: each stage of its plan, reached or ahead, with its last verdict, and
//! the history of verdicts, newest first.

use blueprint_types::rollouts::{RolloutReport, StageVerdict};
use leptos::prelude::*;

use super::text::share;
use super::verdict::VerdictBadge;
use crate::components::time::Time;

#[component]
pub fn StagesView(report: RolloutReport) -> impl IntoView {
    let reached_stage = report.rollout.stage;
    let stages = report
        .plan
        .stages
        .iter()
        .map(|s| {
            let last = report
                .history
                .iter()
                .rev()
                .find(|h| h.stage == *s)
                .map(|h| h.verdict.as_str());
            let reached = reached_stage.is_some_and(|at| at >= *s);
            let state = match last {
                Some(v) => view! { <VerdictBadge verdict=v /> }.into_any(),
                None if reached => view! { <span class="muted">"passed through"</span> }.into_any(),
                None => view! { <span class="muted">"not yet"</span> }.into_any(),
            };
            view! {
                <li class=if reached { "reached" } else { "ahead" }>
                    <strong>{format!("{s} %")}</strong>" " {state}
                </li>
            }
            .into_any()
        })
        .collect_view();
    let history = (!report.history.is_empty())
        .then(|| view! { <StageHistory history=report.history.clone() /> }.into_any());
    view! {
        <section class="card" data-testid="stages">
            <h2>"Stages"</h2>
            <ol class="stages">{stages}</ol>
            {history}
        </section>
    }
    .into_any()
}

/// Every verdict the roll-out received, newest first.
#[component]
fn StageHistory(history: Vec<StageVerdict>) -> impl IntoView {
    let rows = history
        .iter()
        .rev()
        .map(|h| {
            view! {
                <tr>
                    <td><Time at=h.at.clone() /></td>
                    <td><Time at=h.latest_hour.clone() /></td>
                    <td class="num">{format!("{} %", h.stage)}</td>
                    <td class="num">{share(Some(h.share))}</td>
                    <td><VerdictBadge verdict=h.verdict.as_str() /></td>
                    <td class="small">{h.reason.clone()}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="history">
            <thead><tr><th>"When"</th><th>"Latest hour"</th><th class="num">"Stage"</th><th class="num">"Share"</th><th>"Verdict"</th><th>"Why"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
