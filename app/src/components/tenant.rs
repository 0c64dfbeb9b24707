//! What every tenant page shares: the tenant's tabs, the range picker (a GET form, so it works
//! without JavaScript and can be bookmarked) and the reading of route and query parameters.

use blueprint_types::catalog::DayRange;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::urls::{query_string, tenant_path};

/// The `tenant` route parameter.
pub fn tenant_param() -> Memo<String> {
    path_param("tenant")
}

/// A route parameter (names in paths arrive decoded).
pub fn path_param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get(name).unwrap_or_default()))
}

/// A query parameter, empty when absent.
pub fn query_param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Applications,
    Events,
    Screens,
    Matrix,
    Rollouts,
    Incidents,
}

/// The tenant's name and tabs.
#[component]
pub fn TenantTabs(#[prop(into)] tenant: String, current: Tab) -> impl IntoView {
    let tabs = [
        (Tab::Overview, "Overview", tenant_path(&tenant, &[])),
        (
            Tab::Applications,
            "Applications",
            tenant_path(&tenant, &["applications"]),
        ),
        (Tab::Events, "Events", tenant_path(&tenant, &["events"])),
        (Tab::Screens, "Screens", tenant_path(&tenant, &["screens"])),
        (Tab::Matrix, "Matrix", tenant_path(&tenant, &["matrix"])),
        (
            Tab::Rollouts,
            "Roll-outs",
            tenant_path(&tenant, &["rollouts"]),
        ),
        (
            Tab::Incidents,
            "Incidents",
            tenant_path(&tenant, &["incidents"]),
        ),
    ];
    view! {
        <nav class="tabs" aria-label="Tenant">
            <span class="tenant-name mono">{tenant.clone()}</span>
            {tabs
                .into_iter()
                .map(|(tab, label, href)| {
                    view! {
                        <a href=href aria-current=(tab == current).then_some("page")>{label}</a>
                    }
                })
                .collect::<Vec<_>>()}
        </nav>
    }
}

/// The range form: `from` and `to` days (`to` exclusive), presets, and the page's other query
/// parameters kept as hidden fields.
#[component]
pub fn RangePicker(
    range: DayRange,
    #[prop(into)] action: String,
    #[prop(optional)] keep: Vec<(&'static str, String)>,
) -> impl IntoView {
    let presets = [7, 30, 90].map(|days| {
        let href = format!("{action}{}", query_string(&[("days", &days.to_string())]));
        (days, href)
    });
    let hidden = keep
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect::<Vec<_>>();
    view! {
        <form method="get" action=action.clone() class="range" data-testid="range">
            {hidden}
            <label>"From " <input type="date" name="from" value=range.from.clone() /></label>
            <label>"to (exclusive) " <input type="date" name="to" value=range.to.clone() /></label>
            <button type="submit" class="secondary">"Show"</button>
            <span class="muted small">{format!("{} days · UTC", range.days)}</span>
            <span class="presets">
                {presets
                    .into_iter()
                    .map(|(days, href)| view! { <a href=href>{format!("{days} days")}</a> })
                    .collect::<Vec<_>>()}
            </span>
        </form>
    }
}

/// The `from` a server function takes: `days:N` when the query asks for the N days up to the
/// latest data (`days=N`), else the query's `from`.
pub fn range_from(days: &str, from: &str) -> String {
    match days.parse::<i64>() {
        Ok(days) => format!("days:{days}"),
        Err(_) => from.to_owned(),
    }
}

/// `from`/`to` of the query, where `days=N` means the N days up to the latest data.
pub fn range_query() -> (Memo<String>, Memo<String>) {
    let query = use_query_map();
    let from = Memo::new(move |_| {
        query.with(|q| {
            range_from(
                &q.get("days").unwrap_or_default(),
                &q.get("from").unwrap_or_default(),
            )
        })
    });
    let to = Memo::new(move |_| query.with(|q| q.get("to").unwrap_or_default()));
    (from, to)
}
