//! `/admin/audit`: every change anyone made, newest first, filterable by actor, action and target
//! (a GET form, so filters work without JavaScript and can be bookmarked).

use blueprint_types::words::{epoch_seconds, readable_instants};
use blueprint_types::{AuditChange, AuditRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::time::Time;
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn list_audit(
    actor_filter: String,
    action: String,
    target: String,
) -> Result<Vec<AuditRow>, AppError> {
    use crate::error::{actor, from_account, services};
    use blueprint_core::accounts::audit::{AuditQuery, list_audit as list};
    let query = AuditQuery {
        actor: Some(actor_filter),
        action: Some(action),
        target: Some(target),
        limit: 200,
    };
    let rows = list(&services()?, &actor()?, &query)
        .await
        .map_err(|err| from_account("Reading the audit log", err))?;
    Ok(rows)
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| query.with(|q| q.get(name).unwrap_or_default());
    let rows = Resource::new(
        move || (param("actor"), param("action"), param("target")),
        |(actor, action, target)| list_audit(actor, action, target),
    );
    view! {
        <Title text="Audit log" />
        <div class="page-head"><h1>"Audit log"</h1></div>
        <form method="get" action="/admin/audit" class="toolbar">
            <input type="search" name="actor" placeholder="who" value=move || param("actor") />
            <input type="search" name="action" placeholder="action" value=move || param("action") />
            <input type="search" name="target" placeholder="what" value=move || param("target") />
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(list) => view! {
                        <table class="data-table" data-testid="audit">
                            <thead><tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"What"</th><th>"Changes"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|r| view! {
                                    <tr>
                                        <td><Time at=r.at.clone() /></td>
                                        <td>{r.actor}</td>
                                        <td class="mono">{r.action}</td>
                                        <td>{readable_instants(&r.target)}</td>
                                        <td><Changes changes=r.changes /></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The fields a change changed, one a line: `field: old → new`.
#[component]
fn Changes(changes: Vec<AuditChange>) -> impl IntoView {
    if changes.is_empty() {
        return view! { <span class="muted">"–"</span> }.into_any();
    }
    view! {
        <ul class="changes" data-testid="changes">
            {changes.into_iter().map(|c| {
                let field = (!c.field.is_empty()).then(|| view! { <span class="field">{c.field}</span>": " });
                view! {
                    <li>
                        {field}
                        <del class="before"><Value value=c.before /></del>
                        " → "
                        <ins class="after"><Value value=c.after /></ins>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One side of a change: `none` when absent, a time as a time, else the value as written.
#[component]
fn Value(value: Option<String>) -> impl IntoView {
    match value {
        None => view! { "none" }.into_any(),
        Some(v) if v.len() >= 13 && epoch_seconds(&v).is_some() => {
            view! { <Time at=v /> }.into_any()
        }
        Some(v) => view! { {v} }.into_any(),
    }
}
