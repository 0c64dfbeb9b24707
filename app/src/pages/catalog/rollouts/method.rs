//! How the verdict is reached, in plain words, with the plan's own figures.

use blueprint_types::rollouts::Plan;
use leptos::prelude::*;

use super::text::tolerance_text;

#[component]
pub fn MethodView(plan: Plan) -> impl IntoView {
    let rates = format!(
        "Both versions run in the same hours, so each hour gives a fair comparison: time of day and day of week affect both alike. For every rate (screen loads per session, events per session, each of the baseline's top {} events and screens per session, and each top event's share of the other events), each hour's baseline rate applied to the candidate's sessions says how many the candidate would have sent had nothing changed. What it sent over what was expected, across the hours in which both ran, is the relative change, and how much it varies from hour to hour gives its interval. A check passes when the whole interval lies within ±{} %, fails when the whole interval lies outside it, and is inconclusive when it straddles the line — more traffic narrows it. Judging many checks at 95 % each would fail a healthy release by chance alone, so a stage gets a 5 % chance of a false fail in all: half for the two headline rates, half for the other rates, shared within each by Holm's method (the clearest change is judged at the half divided by the number of checks, the next at one fewer, and so on until one does not fail). Each check's interval is shown at the level it was judged at — 98.75 % for a headline rate when neither fails.",
        plan.top,
        tolerance_text(&plan)
    );
    let coverage = format!(
        "Coverage checks list what the baseline sent at least {} times that the candidate never sent (events, screens, event × screen combinations, keys of its events), counted only when the candidate's traffic makes it expected at least 10 times; a key that now carries a type the baseline never sent fails too. Nothing is decided before each version has {} sessions in the compared hours. The stage is the candidate's share of the two versions' sessions over the last 24 ingested hours; a stage fails when any check fails, and passes when every headline check passes.",
        plan.min_count, plan.min_sessions
    );
    view! {
        <section class="card method" data-testid="method">
            <h2>"How the verdict is reached"</h2>
            <p>{rates}</p>
            <p>{coverage}</p>
        </section>
    }
    .into_any()
}
