//! `/t/{tenant}/events`: search (as you type once hydrated; a submitted search without
//! JavaScript), filters, sort and pages, a sparkline of volume per row. The server does the work;
//! the query string holds the whole state, so every view can be bookmarked.

use blueprint_types::catalog::{EventFilter, EventList};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::charts::{Sparkline, thousands};
use crate::components::tenant::{RangePicker, Tab, TenantTabs, tenant_param};
use crate::components::time::MaybeTime;
use crate::components::urls::{query_string, tenant_path};
use crate::error::AppError;
use crate::pages::admin::Refusal;

/// The query parameters of the list, in the order they appear in URLs.
pub const FILTERS: [&str; 15] = [
    "q",
    "status",
    "owner",
    "tag",
    "application",
    "platform",
    "version",
    "screen",
    "new_since",
    "not_seen_since",
    "sort",
    "order",
    "page",
    "from",
    "to",
];

#[server]
pub async fn list_events(tenant: String, filter: EventFilter) -> Result<EventList, AppError> {
    let (services, _, tenant) = crate::error::open_tenant(&tenant).await?;
    let range = crate::error::range_of(
        &tenant,
        filter.from.as_deref().unwrap_or(""),
        filter.to.as_deref().unwrap_or(""),
    )?;
    blueprint_core::browse::events::list(&services, &tenant, range, &filter)
        .await
        .map_err(|err| crate::error::from_account("Listing events", err))
}

fn filter_from(get: impl Fn(&str) -> String) -> EventFilter {
    let opt = |name: &str| Some(get(name)).filter(|v| !v.is_empty());
    let from = Some(crate::components::tenant::range_from(
        &get("days"),
        &get("from"),
    ))
    .filter(|f| !f.is_empty());
    EventFilter {
        q: opt("q"),
        status: opt("status"),
        owner: opt("owner"),
        tag: opt("tag"),
        application: opt("application"),
        platform: opt("platform"),
        version: opt("version"),
        screen: opt("screen"),
        new_since: opt("new_since"),
        not_seen_since: opt("not_seen_since"),
        sort: opt("sort"),
        order: opt("order"),
        page: get("page").parse().ok(),
        from,
        to: opt("to"),
    }
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let tenant = tenant_param();
    let query = use_query_map();
    let filter =
        Memo::new(move |_| query.with(|q| filter_from(|name| q.get(name).unwrap_or_default())));
    let data = Resource::new(
        move || (tenant.get(), filter.get()),
        |(tenant, filter)| list_events(tenant, filter),
    );
    let navigate = use_navigate();
    // Search as you type: the URL follows the box (replacing history), the server answers.
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let pairs: Vec<(String, String)> = query.with_untracked(|q| {
            FILTERS
                .iter()
                .filter(|name| **name != "q" && **name != "page")
                .map(|name| (name.to_string(), q.get(name).unwrap_or_default()))
                .chain(std::iter::once(("q".to_owned(), value.clone())))
                .collect()
        });
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let target = format!(
            "{}{}",
            tenant_path(&tenant.get_untracked(), &["events"]),
            query_string(&borrowed)
        );
        navigate(
            &target,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let q = move || filter.with(|f| f.q.clone().unwrap_or_default());
    view! {
        <Title text={format!("Events · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Events />
        <div class="page-head"><h1>"Events"</h1></div>
        <form method="get" action=move || tenant_path(&tenant.get(), &["events"]) class="toolbar" role="search">
            <label class="visually-hidden" for="event-search">"Search events"</label>
            <input id="event-search" type="search" name="q" placeholder="Search name or description" autocomplete="off" value=q on:input=on_input />
            <button type="submit">"Search"</button>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    data.await.ok().map(|list| {
                        let f = filter.get_untracked();
                        view! { <Filters list f /> }
                    })
                })}
            </Suspense>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(list) => view! { <EventTable list tenant=tenant.get_untracked() filter=filter.get_untracked() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A `<select>` of `options` with an empty "any" entry, `current` selected.
#[component]
fn Choice(
    name: &'static str,
    label: &'static str,
    options: Vec<String>,
    current: Option<String>,
) -> impl IntoView {
    let current = current.unwrap_or_default();
    view! {
        <label class="filter">
            <span>{label}</span>
            <select name=name>
                <option value="">"any"</option>
                {options.into_iter().map(|o| {
                    let selected = o == current;
                    let text = o.clone();
                    view! { <option value=o selected=selected>{text}</option> }
                }).collect::<Vec<_>>()}
            </select>
        </label>
    }
}

#[component]
fn Filters(list: EventList, f: EventFilter) -> impl IntoView {
    let o = list.options;
    let sorts = ["name", "volume", "first_seen", "last_seen"];
    view! {
        <details class="filters" open=f.status.is_some() || f.owner.is_some() || f.tag.is_some() || f.application.is_some() || f.platform.is_some() || f.version.is_some() || f.screen.is_some() || f.new_since.is_some() || f.not_seen_since.is_some()>
            <summary>"Filters and sort"</summary>
            <div class="filter-grid">
                <Choice name="status" label="Status" options=vec!["active".into(), "deprecated".into(), "obsolete".into(), "quiet".into()] current=f.status.clone() />
                <Choice name="owner" label="Owner" options=o.owners current=f.owner.clone() />
                <Choice name="tag" label="Tag" options=o.tags current=f.tag.clone() />
                <Choice name="application" label="Application" options=o.applications current=f.application.clone() />
                <Choice name="platform" label="Platform" options=o.platforms current=f.platform.clone() />
                <Choice name="version" label="Version" options=o.versions current=f.version.clone() />
                <Choice name="screen" label="Screen" options=o.screens current=f.screen.clone() />
                <label class="filter"><span>"New since"</span><input type="date" name="new_since" value=f.new_since.clone().unwrap_or_default() /></label>
                <label class="filter"><span>"Not seen since"</span><input type="date" name="not_seen_since" value=f.not_seen_since.clone().unwrap_or_default() /></label>
                <Choice name="sort" label="Sort by" options=sorts.iter().map(|s| s.to_string()).collect() current=f.sort.clone() />
                <Choice name="order" label="Order" options=vec!["asc".into(), "desc".into()] current=f.order.clone() />
                <input type="hidden" name="from" value=list.range.from.clone() />
                <input type="hidden" name="to" value=list.range.to.clone() />
            </div>
            <button type="submit" class="secondary">"Apply"</button>
        </details>
    }
}

#[component]
fn EventTable(list: EventList, tenant: String, filter: EventFilter) -> impl IntoView {
    let base = tenant_path(&tenant, &["events"]);
    let keep: Vec<(&'static str, String)> = FILTERS
        .iter()
        .filter(|n| !matches!(**n, "from" | "to" | "page"))
        .map(|n| (*n, field(&filter, n)))
        .collect();
    let pages = (list.total as u32).div_ceil(list.per_page).max(1);
    let page_href = |page: u32| {
        let page_text = page.to_string();
        let mut pairs: Vec<(&str, String)> = FILTERS
            .iter()
            .filter(|n| !matches!(**n, "from" | "to" | "page"))
            .map(|n| (*n, field(&filter, n)))
            .collect();
        pairs.push(("from", list.range.from.clone()));
        pairs.push(("to", list.range.to.clone()));
        pairs.push(("page", page_text));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("{base}{}", query_string(&borrowed))
    };
    let csv = format!(
        "/api/v1/tenants/{}/counts{}",
        crate::components::urls::encode_query_value(&tenant),
        query_string(&[
            ("from", &format!("{}T00", list.range.from)),
            ("to", &format!("{}T00", list.range.to)),
            ("format", "csv"),
            // A file for spreadsheets: formula cells guarded (the API's CSV stays exact).
            ("for", "spreadsheet"),
            ("application", filter.application.as_deref().unwrap_or("")),
            ("platform", filter.platform.as_deref().unwrap_or("")),
            ("version", filter.version.as_deref().unwrap_or("")),
            ("screen", filter.screen.as_deref().unwrap_or("")),
        ])
    );
    let coverage = list.coverage;
    let first = (list.page - 1) * list.per_page + 1;
    let last = (first + list.rows.len() as u32).saturating_sub(1);
    view! {
        <RangePicker range=list.range.clone() action=base.clone() keep />
        <p class="muted small" data-testid="result-count">
            {if list.total == 0 { "No event matches.".to_owned() } else { format!("{first}–{last} of {} events", thousands(list.total as i64)) }}
            " · " <a href=csv>"hourly counts as CSV"</a>
            " · " <a href=format!("/api/v1/tenants/{}/catalog", crate::components::urls::encode_query_value(&tenant))>"tracking plan (JSON)"</a>
        </p>
        <table class="data-table" data-testid="events">
            <thead><tr><th>"Event"</th><th>"Status"</th><th>"Owner"</th><th>"First seen"</th><th>"Last seen"</th><th class="num">"Events"</th><th>"Per day"</th></tr></thead>
            <tbody>
                {list.rows.into_iter().map(|r| view! {
                    <tr>
                        <td>
                            <a href=tenant_path(&tenant, &["events", &r.name]) class="strong">{r.name.clone()}</a>
                            {r.tags.iter().map(|t| view! { " " <span class="tag">{t.clone()}</span> }).collect::<Vec<_>>()}
                            {r.description.map(|d| view! { <div class="muted small clip">{d}</div> })}
                        </td>
                        <td><span class=format!("badge {}", r.status) data-testid="status">{r.status.clone()}</span></td>
                        <td class="small">{r.owner.unwrap_or_default()}</td>
                        <td><MaybeTime at=r.first_seen.clone() /></td>
                        <td><MaybeTime at=r.last_seen.clone() /></td>
                        <td class="num">{thousands(r.volume)}</td>
                        <td><Sparkline values=r.sparkline coverage /></td>
                    </tr>
                }.into_any()).collect::<Vec<_>>()}
            </tbody>
        </table>
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {(list.page > 1).then(|| view! { <a href=page_href(list.page - 1) rel="prev">"← Previous"</a> })}
                <span class="muted">{format!("page {} of {pages}", list.page)}</span>
                {(list.page < pages).then(|| view! { <a href=page_href(list.page + 1) rel="next">"Next →"</a> })}
            </nav>
        })}
    }
}

/// A filter field as text (for links that keep the current filters).
fn field(filter: &EventFilter, name: &str) -> String {
    let value = match name {
        "q" => filter.q.clone(),
        "status" => filter.status.clone(),
        "owner" => filter.owner.clone(),
        "tag" => filter.tag.clone(),
        "application" => filter.application.clone(),
        "platform" => filter.platform.clone(),
        "version" => filter.version.clone(),
        "screen" => filter.screen.clone(),
        "new_since" => filter.new_since.clone(),
        "not_seen_since" => filter.not_seen_since.clone(),
        "sort" => filter.sort.clone(),
        "order" => filter.order.clone(),
        "page" => filter.page.map(|p| p.to_string()),
        "from" => filter.from.clone().filter(|f| !f.starts_with("days:")),
        "to" => filter.to.clone(),
        _ => None,
    };
    value.unwrap_or_default()
}
