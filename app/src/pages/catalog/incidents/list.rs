//! `/t/{tenant}/incidents`: the incidents over a range of hours (default: the 7 days up to the
//! latest hour), filtered by state, kind and event with a GET form (works without JavaScript and
//! can be bookmarked). Each row: kind, what it touches, from → to, observed against expected with
//! the relative change, and its state.

use blueprint_types::signals::{IncidentKind, IncidentList, IncidentState};
use leptos::prelude::*;
use leptos_meta::Title;

use super::{KindBadge, list_incidents};
use crate::components::tenant::{Tab, TenantTabs, query_param, tenant_param};
use crate::components::time::Time;
use crate::components::urls::tenant_path;
use crate::pages::admin::Refusal;

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let tenant = tenant_param();
    let (from, to) = (query_param("from"), query_param("to"));
    let (state, kind, event) = (
        query_param("state"),
        query_param("kind"),
        query_param("event"),
    );
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                from.get(),
                to.get(),
                state.get(),
                kind.get(),
                event.get(),
            )
        },
        |(tenant, from, to, state, kind, event)| {
            list_incidents(tenant, from, to, state, kind, event)
        },
    );
    view! {
        <Title text={format!("Incidents · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Incidents />
        <div class="page-head"><h1>"Incidents"</h1>
            <p class="muted">"Hours where an event's volume left the band expected from the same hours of past weeks and its recent level, grouped per series and release; and hours where no data arrived at all."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(list) => view! {
                        <Filters list=list.clone() state=state.get_untracked() kind=kind.get_untracked() event=event.get_untracked() />
                        <IncidentTable list />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The range and filters, as a GET form.
#[component]
fn Filters(list: IncidentList, state: String, kind: String, event: String) -> impl IntoView {
    let option = move |value: &'static str, current: &str| {
        view! { <option value=value selected={value == current}>{if value.is_empty() { "any" } else { value }}</option> }
    };
    let states: Vec<_> = std::iter::once("")
        .chain(IncidentState::NAMES.iter().copied())
        .map(|v| option(v, &state))
        .collect();
    let kinds: Vec<_> = std::iter::once("")
        .chain(IncidentKind::NAMES.iter().copied())
        .map(|v| option(v, &kind))
        .collect();
    let hour = |text: &str| text.get(..13).unwrap_or(text).to_owned();
    view! {
        <form method="get" action=tenant_path(&list.tenant, &["incidents"]) class="range" data-testid="incident-filters">
            <label>"From " <input type="text" name="from" value=hour(&list.from) placeholder="YYYY-MM-DDTHH" size="13" /></label>
            <label>"to (exclusive) " <input type="text" name="to" value=hour(&list.to) placeholder="YYYY-MM-DDTHH" size="13" /></label>
            <label>"State " <select name="state">{states}</select></label>
            <label>"Kind " <select name="kind">{kinds}</select></label>
            <label>"Event " <input type="text" name="event" value=event size="14" /></label>
            <button type="submit" class="secondary">"Show"</button>
            <span class="muted small">{format!("UTC · {} open now", list.open)}</span>
        </form>
    }
}

#[component]
fn IncidentTable(list: IncidentList) -> impl IntoView {
    if list.incidents.is_empty() {
        return view! { <p class="muted" data-testid="no-incidents">"No incidents in this range."</p> }.into_any();
    }
    view! {
        <table class="data-table" data-testid="incidents">
            <thead><tr><th>"Kind"</th><th>"What"</th><th>"From → to"</th><th class="num">"Observed vs expected"</th><th>"State"</th></tr></thead>
            <tbody>
                {list.incidents.iter().map(|i| {
                    let href = tenant_path(&list.tenant, &["incidents", &i.id.to_string()]);
                    view! {
                        <tr data-incident=i.id>
                            <td><KindBadge kind=i.kind /></td>
                            <td><a href=href>{i.what()}</a></td>
                            <td class="when"><Time at=i.from.clone() />" → "<Time at=i.to.clone() /></td>
                            <td class="num">{i.figures()}</td>
                            <td><span class=format!("badge state-{}", i.state)>{i.state.as_str()}</span></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
