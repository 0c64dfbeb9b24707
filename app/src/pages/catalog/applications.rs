//! `/t/{tenant}/applications`: each application × platform with its versions, the share of
//! sessions per version per day (stacked) and events per session.

use blueprint_types::catalog::{ApplicationEntry, Applications};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::charts::{ChartKind, TimeChart, thousands};
use crate::components::forms::LastRow;
use crate::components::tenant::{RangePicker, Tab, TenantTabs, range_query, tenant_param};
use crate::components::time::MaybeTime;
use crate::components::urls::{query_string, tenant_path};
use crate::error::AppError;
use crate::pages::admin::Refusal;
use crate::pages::catalog::event::{CurationView, UpdateCuration, curation_row};
use crate::pages::catalog::rollouts::failing::FailingRollouts;
use crate::pages::inbox::WatchButton;

#[server]
pub async fn get_applications(
    tenant: String,
    from: String,
    to: String,
) -> Result<Applications, AppError> {
    let (services, actor, tenant) = crate::error::open_tenant(&tenant).await?;
    let range = crate::error::range_of(&tenant, &from, &to)?;
    blueprint_core::browse::applications::applications(&services, &actor, &tenant, range)
        .await
        .map_err(|err| crate::error::from_account("Reading the applications", err))
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let tenant = tenant_param();
    let (from, to) = range_query();
    let save = ServerAction::<UpdateCuration>::new();
    let saves = crate::components::forms::successes(save);
    // One save action for every application's form: each says "Saved" only for its own save.
    let last = LastRow::new(save, |s: &UpdateCuration| {
        curation_row(&s.kind, &s.name, &s.platform)
    });
    let data = Resource::new(
        move || (tenant.get(), from.get(), to.get(), saves.get()),
        |(tenant, from, to, _)| get_applications(tenant, from, to),
    );
    view! {
        <Title text={format!("Applications · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Applications />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(apps) => {
                        let slug = tenant.get_untracked();
                        view! {
                            <div class="page-head">
                                <h1>"Applications"</h1>
                                <RangePicker range=apps.range.clone() action=tenant_path(&slug, &["applications"]) />
                            </div>
                            {apps.applications.is_empty().then(|| view! { <p class="muted">"No application has sent events yet."</p> })}
                            {apps.applications.into_iter().map(|app| view! { <Application app tenant=slug.clone() can_edit=apps.can_edit save last /> }).collect::<Vec<_>>()}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Application(
    app: ApplicationEntry,
    tenant: String,
    can_edit: bool,
    save: ServerAction<UpdateCuration>,
    last: LastRow,
) -> impl IntoView {
    let events = tenant_path(&tenant, &["events"]);
    let matrix = format!(
        "{}{}",
        tenant_path(&tenant, &["matrix"]),
        query_string(&[("application", &format!("{} ({})", app.name, app.platform))])
    );
    view! {
        <section class="card" data-testid="application">
            <h2>{format!("{} ", app.name)}<span class="badge">{app.platform.clone()}</span></h2>
            <WatchButton tenant=tenant.clone() target="application" name=app.name.clone() />
            <p class="muted small">
                "first seen " <MaybeTime at=app.first_seen.clone() /> " · last seen " <MaybeTime at=app.last_seen.clone() />
                " · " <a href=matrix>"events × versions"</a>
            </p>
            <FailingRollouts tenant=tenant.clone() application=(app.name.clone(), app.platform.clone()) />
            <CurationView curation=app.curation.clone() can_edit save tenant=tenant.clone() kind="application" name=app.name.clone() platform=app.platform.clone() last />
            <div class="grid-2">
                <div>
                    <h3>{format!("Share of {} per version", app.share_of)}</h3>
                    {(app.share_of == "events").then(|| view! { <p class="muted small" data-testid="share-of-events">"It sends no session ids, so its events are shared instead."</p> })}
                    <TimeChart data=app.share.clone() kind=ChartKind::StackedBars percent=true label=format!("Share of {} per version of {}", app.share_of, app.name) />
                </div>
                <table class="data-table">
                    <thead><tr><th>"Version"</th><th>"First seen"</th><th>"Last seen"</th><th class="num">"Events"</th><th class="num">"Sessions ≈"</th><th class="num">"Events / session"</th></tr></thead>
                    <tbody>
                        {app.versions.iter().map(|v| {
                            let href = format!("{events}{}", query_string(&[("application", &app.name), ("platform", &app.platform), ("version", &v.version)]));
                            view! {
                                <tr>
                                    <td><a href=href>{v.version.clone()}</a></td>
                                    <td><MaybeTime at=v.first_seen.clone() /></td>
                                    <td><MaybeTime at=v.last_seen.clone() /></td>
                                    <td class="num">{thousands(v.events)}</td>
                                    <td class="num">{thousands(v.sessions)}</td>
                                    <td class="num">{v.events_per_session.map(|r| format!("{r:.2}")).unwrap_or_else(|| "–".into())}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
