//! `/`: the tenants the visitor can see, with a filter that works as a plain GET form without
//! JavaScript and narrows the list as you type once the page is hydrated.

use blueprint_types::TenantSummary;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::time::Time;
use crate::components::urls::encode_query_value;
use crate::error::AppError;

/// Tenants whose slug or name contains `search` (case-insensitive), ordered by slug.
#[server]
pub async fn get_tenants(search: Option<String>) -> Result<Vec<TenantSummary>, AppError> {
    use blueprint_core::tenants::{TenantQuery, list_tenants};
    let services = crate::error::services()?;
    let actor = crate::error::actor()?;
    list_tenants(&services, &actor, &TenantQuery { search })
        .await
        .map_err(|err| crate::error::unavailable("Listing tenants", err))
}

#[component]
pub fn TenantsPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.with(|q| q.get("q").unwrap_or_default());
    let tenants = Resource::new(search, |q| get_tenants((!q.trim().is_empty()).then_some(q)));
    let navigate = use_navigate();
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let target = if value.is_empty() {
            "/".to_owned()
        } else {
            format!("/?q={}", encode_query_value(&value))
        };
        navigate(
            &target,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <Title text="Tenants" />
        <div class="page-head">
            <h1>"Tenants"</h1>
            <p class="muted">"Every top-level folder of the events root is a tenant (a brand)."</p>
        </div>
        <form method="get" action="/" class="toolbar" role="search">
            <label class="visually-hidden" for="tenant-filter">"Filter tenants"</label>
            <input
                id="tenant-filter"
                type="search"
                name="q"
                placeholder="Filter by name"
                autocomplete="off"
                value=search
                on:input=on_input
            />
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Loading tenants…"</p> }>
            {move || Suspend::new(async move {
                match tenants.await {
                    Ok(list) => view! { <TenantTable tenants=list searching=!search().is_empty() /> }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TenantTable(tenants: Vec<TenantSummary>, searching: bool) -> impl IntoView {
    if tenants.is_empty() {
        let message = if searching {
            "No tenant matches this filter."
        } else {
            "No tenants yet. Blueprint finds them as folders of the events root: <root>/<tenant>/dt=YYYY-MM-DD/hr=HH/*.jsonl"
        };
        return view! { <p class="empty" data-testid="tenants-empty">{message}</p> }.into_any();
    }
    let count = tenants.len();
    view! {
        <table class="data-table" data-testid="tenants">
            <caption class="muted">{format!("{count} tenant{}", if count == 1 { "" } else { "s" })}</caption>
            <thead>
                <tr>
                    <th scope="col">"Tenant"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Discovered"</th>
                </tr>
            </thead>
            <tbody>
                {tenants
                    .into_iter()
                    .map(|tenant| {
                        view! {
                            <tr>
                                <td class="mono">
                                    <a href=crate::components::urls::tenant_path(&tenant.slug, &[])>{tenant.slug.clone()}</a>
                                </td>

                                <td>{tenant.name}</td>
                                <td><Time at=tenant.discovered_at.clone() /></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
