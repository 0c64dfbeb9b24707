//! `/t/{tenant}/screens` and `/t/{tenant}/screens/{screen}`.

use blueprint_types::catalog::{ScreenDetail, ScreenList};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::charts::{ChartKind, TimeChart, thousands};
use crate::components::tenant::{
    RangePicker, Tab, TenantTabs, path_param, query_param, range_query, tenant_param,
};
use crate::components::time::MaybeTime;
use crate::components::urls::tenant_path;
use crate::error::AppError;
use crate::pages::admin::Refusal;
use crate::pages::catalog::event::{CurationView, SeenTable, UpdateCuration};
use crate::pages::inbox::WatchButton;

#[server]
pub async fn list_screens(
    tenant: String,
    q: String,
    from: String,
    to: String,
) -> Result<ScreenList, AppError> {
    let (services, _, tenant) = crate::error::open_tenant(&tenant).await?;
    let range = crate::error::range_of(&tenant, &from, &to)?;
    blueprint_core::browse::screens::list(&services, &tenant, range, Some(&q))
        .await
        .map_err(|err| crate::error::from_account("Listing screens", err))
}

#[server]
pub async fn get_screen(
    tenant: String,
    screen: String,
    from: String,
    to: String,
) -> Result<ScreenDetail, AppError> {
    let (services, actor, tenant) = crate::error::open_tenant(&tenant).await?;
    let range = crate::error::range_of(&tenant, &from, &to)?;
    blueprint_core::browse::screens::detail(&services, &actor, &tenant, &screen, range)
        .await
        .map_err(|err| crate::error::from_account("Reading the screen", err))
}

#[component]
pub fn ScreensPage() -> impl IntoView {
    let tenant = tenant_param();
    let (from, to) = range_query();
    let q = query_param("q");
    let data = Resource::new(
        move || (tenant.get(), q.get(), from.get(), to.get()),
        |(tenant, q, from, to)| list_screens(tenant, q, from, to),
    );
    view! {
        <Title text={format!("Screens · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Screens />
        <div class="page-head"><h1>"Screens"</h1></div>
        <form method="get" action=move || tenant_path(&tenant.get(), &["screens"]) class="toolbar" role="search">
            <input type="search" name="q" placeholder="Filter screens" value=move || q.get() />
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(list) => {
                        let slug = tenant.get_untracked();
                        view! {
                            <RangePicker range=list.range.clone() action=tenant_path(&slug, &["screens"]) keep=vec![("q", q.get_untracked())] />
                            <table class="data-table" data-testid="screens">
                                <thead><tr><th>"Screen"</th><th>"Status"</th><th>"First seen"</th><th>"Last seen"</th><th class="num">"Events in range"</th></tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td><a href=tenant_path(&slug, &["screens", &r.name])>{r.name.clone()}</a>
                                                {r.description.map(|d| view! { <div class="muted small clip">{d}</div> })}</td>
                                            <td><span class=format!("badge {}", r.status)>{r.status.clone()}</span></td>
                                            <td><MaybeTime at=r.first_seen.clone() /></td>
                                            <td><MaybeTime at=r.last_seen.clone() /></td>
                                            <td class="num">{thousands(r.volume)}</td>
                                        </tr>
                                    }).collect::<Vec<_>>()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ScreenPage() -> impl IntoView {
    let tenant = tenant_param();
    let screen = path_param("screen");
    let (from, to) = range_query();
    let save = ServerAction::<UpdateCuration>::new();
    let saves = crate::components::forms::successes(save);
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                screen.get(),
                from.get(),
                to.get(),
                saves.get(),
            )
        },
        |(tenant, screen, from, to, _)| get_screen(tenant, screen, from, to),
    );
    view! {
        <Title text={format!("{} · {}", screen.get_untracked(), tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Screens />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(s) => view! {
                        <div class="page-head">
                            <h1>{s.name.clone()}</h1>
                            <WatchButton tenant=s.tenant.clone() target="screen" name=s.name.clone() />
                            <p class="muted small">"first seen " <MaybeTime at=s.first_seen.clone() /> " · last seen " <MaybeTime at=s.last_seen.clone() /></p>
                            <RangePicker range=s.range.clone() action=tenant_path(&s.tenant, &["screens", &s.name]) />
                        </div>
                        <CurationView curation=s.curation.clone() can_edit=s.can_edit save tenant=s.tenant.clone() kind="screen" name=s.name.clone() />
                        <section class="card">
                            <h2>"Events on this screen per day"</h2>
                            <TimeChart data=s.daily.clone() kind=ChartKind::StackedBars label=format!("Events on {} per day", s.name) />
                        </section>
                        <section class="card" data-testid="screen-events">
                            <h2>"Events fired on it"</h2>
                            <SeenTable rows=s.events.clone() tenant=s.tenant.clone() link="events" />
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
