//! `/compare`: the same event name across the tenants you can see, keys and types side by side,
//! differences marked.

use blueprint_types::catalog::Comparison;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::tenant::query_param;
use crate::components::urls::tenant_path;
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn compare_event(event: String) -> Result<Comparison, AppError> {
    let services = crate::error::services()?;
    let actor = crate::error::actor()?;
    blueprint_core::browse::compare::compare(&services, &actor, &event)
        .await
        .map_err(|err| crate::error::from_account("Comparing tenants", err))
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let event = query_param("event");
    let data = Resource::new(move || event.get(), compare_event);
    view! {
        <Title text="Compare tenants" />
        <div class="page-head">
            <h1>"Compare tenants"</h1>
            <p class="muted">"One event name across the tenants you can see: keys and types that differ are marked."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(c) => view! { <CompareView c /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CompareView(c: Comparison) -> impl IntoView {
    let current = c.event.clone();
    view! {
        <form method="get" action="/compare" class="toolbar">
            <label>"Event "
                <input type="text" name="event" list="shared-events" value=current.clone() placeholder="event name" />
            </label>
            <datalist id="shared-events">
                {c.shared_events.iter().map(|e| view! { <option value=e.clone() /> }).collect::<Vec<_>>()}
            </datalist>
            <button type="submit">"Compare"</button>
            <span class="muted small">{format!("{} event names are shared by at least two of your tenants", c.shared_events.len())}</span>
        </form>
        {if current.is_empty() {
            view! { <p class="muted">"Pick an event name."</p> }.into_any()
        } else if c.tenants.is_empty() {
            view! { <p class="muted">"None of your tenants has sent this event."</p> }.into_any()
        } else {
            view! {
                <table class="data-table" data-testid="comparison">
                    <thead>
                        <tr><th>"Key"</th>{c.tenants.iter().map(|t| view! {
                            <th><a href=tenant_path(&t.tenant, &["events", &current])>{t.tenant.clone()}</a>
                            <div class="muted small">{format!("{} · last {}", t.status, t.last_seen.clone().unwrap_or_default())}</div></th>
                        }).collect::<Vec<_>>()}</tr>
                    </thead>
                    <tbody>
                        {c.keys.iter().map(|k| view! {
                            <tr class=k.differs.then_some("differs")>
                                <td class="mono">{k.path.clone()}{k.differs.then(|| view! { " " <span class="badge warn">"differs"</span> })}</td>
                                {k.types.iter().map(|t| match t {
                                    Some(types) => view! { <td class="mono small">{types.join(" | ")}</td> }.into_any(),
                                    None => view! { <td class="muted small">"missing"</td> }.into_any(),
                                }).collect::<Vec<_>>()}
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
