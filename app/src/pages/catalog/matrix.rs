//! `/t/{tenant}/matrix`: events × versions (or screens) as a heat map of counts; cells where an
//! event stopped after an earlier version sent it are marked.

use blueprint_types::catalog::Matrix;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::charts::{heat, thousands};
use crate::components::tenant::{
    RangePicker, Tab, TenantTabs, query_param, range_query, tenant_param,
};
use crate::components::urls::tenant_path;
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn get_matrix(
    tenant: String,
    by: String,
    application: String,
    from: String,
    to: String,
) -> Result<Matrix, AppError> {
    let (services, _, tenant) = crate::error::open_tenant(&tenant).await?;
    let range = crate::error::range_of(&tenant, &from, &to)?;
    blueprint_core::browse::matrix::matrix(&services, &tenant, range, Some(&by), Some(&application))
        .await
        .map_err(|err| crate::error::from_account("Reading the matrix", err))
}

#[component]
pub fn MatrixPage() -> impl IntoView {
    let tenant = tenant_param();
    let (from, to) = range_query();
    let by = query_param("by");
    let application = query_param("application");
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                by.get(),
                application.get(),
                from.get(),
                to.get(),
            )
        },
        |(tenant, by, application, from, to)| get_matrix(tenant, by, application, from, to),
    );
    view! {
        <Title text={format!("Matrix · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Matrix />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(m) => view! { <MatrixView m tenant=tenant.get_untracked() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MatrixView(m: Matrix, tenant: String) -> impl IntoView {
    let action = tenant_path(&tenant, &["matrix"]);
    let current = m.application.clone().unwrap_or_default();
    let keep = vec![("by", m.by.clone()), ("application", current.clone())];
    view! {
        <div class="page-head">
            <h1>{if m.by == "version" { "Events × versions" } else { "Events × screens" }}</h1>
            <form method="get" action=action.clone() class="toolbar">
                <label>"Application "
                    <select name="application">
                        {m.applications.iter().map(|a| view! { <option value=a.clone() selected=*a == current>{a.clone()}</option> }).collect::<Vec<_>>()}
                    </select>
                </label>
                <label>" by "
                    <select name="by">
                        <option value="version" selected=m.by == "version">"version"</option>
                        <option value="screen" selected=m.by == "screen">"screen"</option>
                    </select>
                </label>
                <input type="hidden" name="from" value=m.range.from.clone() />
                <input type="hidden" name="to" value=m.range.to.clone() />
                <button type="submit" class="secondary">"Show"</button>
            </form>
            <RangePicker range=m.range.clone() action keep />
        </div>
        <p class="muted small">
            "Events sent in the range; darker is more. "
            {(m.by == "version").then(|| view! { <span class="stopped-key">"✕"</span>" an event an earlier version sent and this one does not, though its traffic says it should have." })}
            {(m.more > 0).then(|| format!(" The {} smallest events are left out.", m.more))}
        </p>
        <div class="matrix-wrap">
            <table class="matrix" data-testid="matrix">
                <thead>
                    <tr><th>"Event"</th>{m.columns.iter().map(|c| view! { <th class="col" scope="col">{c.clone()}</th> }).collect::<Vec<_>>()}</tr>
                </thead>
                <tbody>
                    {m.rows.iter().map(|row| view! {
                        <tr data-event=row.event.clone()>
                            <th scope="row"><a href=tenant_path(&tenant, &["events", &row.event])>{row.event.clone()}</a></th>
                            {row.cells.iter().enumerate().map(|(i, n)| {
                                let stopped = row.stopped.contains(&i);
                                let column = m.columns.get(i).cloned().unwrap_or_default();
                                view! {
                                    <td class=if stopped { "cell stopped" } else { "cell" } style=heat(*n, m.max)
                                        title=format!("{} · {column}: {}", row.event, thousands(*n)) data-column=column>
                                        {if stopped { "✕".to_owned() } else if *n > 0 { crate::components::charts::compact(*n as f64) } else { String::new() }}
                                    </td>
                                }
                            }).collect::<Vec<_>>()}
                        </tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </div>
    }
}
