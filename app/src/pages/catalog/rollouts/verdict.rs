//! A verdict (`pass`, `fail`, `inconclusive`, `pending`) as a coloured badge.

use leptos::prelude::*;

#[component]
pub fn VerdictBadge(#[prop(into)] verdict: String) -> impl IntoView {
    let class = match verdict.as_str() {
        "pass" => "badge ok",
        "fail" => "badge bad",
        "inconclusive" => "badge warn",
        _ => "badge",
    };
    view! { <span class=class data-testid="verdict">{verdict}</span> }
}
