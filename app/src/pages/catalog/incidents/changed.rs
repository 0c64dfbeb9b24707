//! What the other pages show of incidents: the overview's opening card "what changed" (open
//! incidents, news of the last day, what went quiet) and, under an event's hourly chart, its
//! incidents over those hours.

use blueprint_types::catalog::{DiscoveryItem, QuietItem};
use blueprint_types::signals::{EventSignals, Incident, shift_hour};
use leptos::prelude::*;

use super::{KindBadge, get_event_signals, open_incidents};
use crate::components::band_chart::{BandChart, Span, SpanStrip};
use crate::components::time::Time;
use crate::components::urls::{query_string, tenant_path};
use crate::pages::admin::Refusal;
use crate::pages::catalog::DiscoveryItems;

/// Open incidents shown on the overview; the rest are counted and linked.
const TOP_OPEN: usize = 5;

/// The overview's "what changed": open incidents (count and the newest few), the discoveries of
/// the last day up to `latest_hour`, and what went quiet.
#[component]
pub fn WhatChanged(
    tenant: String,
    latest_hour: Option<String>,
    discovered: Vec<DiscoveryItem>,
    quiet: Vec<QuietItem>,
) -> impl IntoView {
    let key = tenant.clone();
    let open = Resource::new(move || key.clone(), open_incidents);
    let day_before = latest_hour.as_deref().and_then(day_before);
    let news: Vec<DiscoveryItem> = discovered
        .into_iter()
        .filter(|d| {
            day_before
                .as_ref()
                .is_some_and(|from| d.hour.as_str() > from.as_str())
        })
        .collect();
    let link = tenant.clone();
    view! {
        <section class="card changed" data-testid="what-changed">
            <h2>"What changed"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let tenant = link.clone();
                    Suspend::new(async move {
                        match open.await {
                            Err(error) => view! { <Refusal error /> }.into_any(),
                            Ok(list) => view! { <OpenList tenant list /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <h3>"News of the last day"</h3>
            {if news.is_empty() {
                view! { <p class="muted small">"Nothing new in the last day of data."</p> }.into_any()
            } else {
                view! { <ul class="compact"><DiscoveryItems items=news /></ul> }.into_any()
            }}
            <h3>"Went quiet"</h3>
            {if quiet.is_empty() {
                view! { <p class="muted small">"Nothing went quiet."</p> }.into_any()
            } else {
                view! {
                    <ul class="compact">
                        {quiet.into_iter().map(|q| view! {
                            <li><span class="badge">{q.kind}</span>" "{q.name}<span class="muted small">" · last seen " <Time at=q.last_seen /></span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// `YYYY-MM-DDTHH:00:00Z` 24 hours before an hour of the same form.
fn day_before(hour: &str) -> Option<String> {
    shift_hour(hour, -24)
}

#[component]
fn OpenList(tenant: String, list: Vec<Incident>) -> impl IntoView {
    let all = tenant_path(&tenant, &["incidents"]);
    let open_href = format!("{all}{}", query_string(&[("state", "open")]));
    if list.is_empty() {
        return view! { <p class="small" data-testid="open-incidents">"No open incidents. " <a href=all>"All incidents"</a></p> }.into_any();
    }
    let count = list.len();
    let rows = list
        .into_iter()
        .take(TOP_OPEN)
        .map(|i| {
            let href = tenant_path(&tenant, &["incidents", &i.id.to_string()]);
            view! {
                <li><KindBadge kind=i.kind />" "<a href=href>{i.what()}</a>
                    <span class="muted small">{format!(" · since {} · {}", i.from, i.figures())}</span></li>
            }
        })
        .collect_view();
    view! {
        <p data-testid="open-incidents"><a href=open_href>{format!("{count} open incident{}", if count == 1 { "" } else { "s" })}</a></p>
        <ul class="compact">{rows}</ul>
    }
    .into_any()
}

/// Under the event's hourly chart (its `buckets`): the event against its expected band on the
/// same hours, its incidents as a strip aligned with the chart, and their list.
#[component]
pub fn EventIncidents(tenant: String, event: String, buckets: Vec<String>) -> impl IntoView {
    let (Some(from), Some(last)) = (buckets.first().cloned(), buckets.last().cloned()) else {
        return ().into_any();
    };
    let to = shift_hour(&last, 1).unwrap_or(last);
    let from = from.get(..13).unwrap_or(&from).to_owned();
    let key = (tenant.clone(), event.clone());
    let data = Resource::new(
        move || key.clone(),
        move |(tenant, event)| get_event_signals(tenant, event, from.clone(), to.clone()),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let buckets = buckets.clone();
                Suspend::new(async move {
                    match data.await {
                        Err(error) => view! { <Refusal error /> }.into_any(),
                        Ok(signals) => view! { <EventSignalsView signals buckets /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn EventSignalsView(signals: EventSignals, buckets: Vec<String>) -> impl IntoView {
    let link = |i: &Incident| tenant_path(&signals.tenant, &["incidents", &i.id.to_string()]);
    let spans = signals
        .incidents
        .iter()
        .map(|i| Span {
            from: i.from.clone(),
            to: i.to.clone(),
            label: format!("{} {} → {}: {}", i.kind, i.from, i.to, i.what()),
            href: link(i),
        })
        .collect();
    let list = (!signals.incidents.is_empty()).then(|| {
        view! {
            <SpanStrip buckets spans />
            <ul class="compact" data-testid="event-incidents">
                {signals.incidents.iter().map(|i| view! {
                    <li><KindBadge kind=i.kind />" "<a href=link(i)>{format!("{} → {}", i.from, i.to)}</a>
                        <span class="muted small">{format!(" · {} · {} · {}", i.what(), i.figures(), i.state)}</span></li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        {list}
        <h3 class="small">"All versions against the expected band"</h3>
        <BandChart points=signals.band.clone() label="Events per hour against the band expected from past weeks" />
    }
}
