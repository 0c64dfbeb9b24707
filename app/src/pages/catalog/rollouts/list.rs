//! `/t/{tenant}/rollouts`: the tenant's roll-outs with their state, stage and verdict (failing
//! ones first, with their reason), a form to open one by hand, and the plan new roll-outs start
//! with.

use blueprint_types::rollouts::{RolloutSummary, Verdict};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use super::plan::TenantPlanView;
use super::text::share;
use super::verdict::VerdictBadge;
use super::{OpenRollout, get_tenant_plan, get_version_choices, list_rollouts};
use crate::components::forms::{clear_after_success, saved_note};
use crate::components::tenant::{Tab, TenantTabs, tenant_param};
use crate::components::time::MaybeTime;
use crate::components::urls::tenant_path;
use crate::pages::admin::Refusal;

#[component]
pub fn RolloutsPage() -> impl IntoView {
    let tenant = tenant_param();
    let open = ServerAction::<OpenRollout>::new();
    let data = Resource::new(
        move || (tenant.get(), open.version().get()),
        |(tenant, _)| list_rollouts(tenant),
    );
    let plan = Resource::new(move || tenant.get(), get_tenant_plan);
    view! {
        <Title text={format!("Roll-outs · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Rollouts />
        <div class="page-head"><h1>"Roll-outs"</h1>
            <p class="muted">"Each new version is checked against the version it replaces, stage by stage: does it keep the screen loads, events and keys per session of the old one?"</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No roll-outs yet: one opens by itself when a new version appears."</p> }.into_any(),
                    Ok(list) => view! { <RolloutTable list /> }.into_any(),
                }
            })}
        </Suspense>
        // Owners and admins only: a viewer is not offered what would be refused.
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let manage = plan.await.is_ok_and(|p| p.can_manage);
                manage.then(|| view! {
                    <h2>"Open a roll-out by hand"</h2>
                    <OpenRolloutForm tenant=tenant.get_untracked() open />
                })
            })}
        </Suspense>
        <TenantPlanView tenant=tenant.get_untracked() />
    }
}

/// One row per roll-out, failing ones first (each with its reason), its application linking to
/// the report.
#[component]
fn RolloutTable(mut list: Vec<RolloutSummary>) -> impl IntoView {
    list.sort_by_key(|r| r.verdict != Verdict::Fail);
    view! {
        <table class="data-table" data-testid="rollouts">
            <thead><tr><th>"Application"</th><th>"Candidate"</th><th>"Baseline"</th><th>"State"</th><th class="num">"Share"</th><th class="num">"Stage"</th><th>"Verdict"</th><th>"Latest hour"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|r| {
                    let href = tenant_path(&r.tenant, &["rollouts", &r.id.to_string()]);
                    view! {
                        <tr>
                            <td><a href=href>{format!("{} ({})", r.application, r.platform)}</a></td>
                            <td class="mono">{r.candidate.clone()}</td>
                            <td class="mono">{r.baseline.clone()}</td>
                            <td>{r.state.as_str()}</td>
                            <td class="num">{share(r.share)}</td>
                            <td class="num">{r.stage.map(|s| format!("{s} %")).unwrap_or_else(|| "–".into())}</td>
                            <td>
                                <VerdictBadge verdict=r.verdict.as_str() />
                                {r.reason.clone().map(|reason| view! { <div class="reason small" data-testid="rollout-reason">{reason}</div> })}
                            </td>
                            <td><MaybeTime at=r.latest_hour.clone() /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Opens a roll-out by hand, picking the application, platform and versions from the tenant's
/// catalog (versions from a searchable list); an empty baseline picks the busiest other version.
/// The form is cleared once the roll-out is open.
#[component]
fn OpenRolloutForm(tenant: String, open: ServerAction<OpenRollout>) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    clear_after_success(form, open);
    let choices = Resource::new(|| (), {
        let tenant = tenant.clone();
        move |_| get_version_choices(tenant.clone())
    });
    let options = |values: Vec<String>| {
        values
            .into_iter()
            .map(|v| view! { <option value=v.clone()>{v.clone()}</option> })
            .collect_view()
    };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let tenant = tenant.clone();
                Suspend::new(async move {
                    let known = choices.await.unwrap_or_default();
                    view! {
                        <ActionForm action=open node_ref=form attr:class="inline-form" attr:data-testid="open-rollout">
                            <input type="hidden" name="tenant" value=tenant />
                            <select name="application" aria-label="application" required>{options(known.applications)}</select>
                            <select name="platform" aria-label="platform" required>{options(known.platforms)}</select>
                            <input type="text" name="version" list="known-versions" placeholder="candidate version" aria-label="candidate version" autocomplete="off" required />
                            <input type="text" name="baseline" list="known-versions" placeholder="baseline (empty: the busiest)" aria-label="baseline version" autocomplete="off" />
                            <datalist id="known-versions" data-testid="known-versions">
                                {known.versions.into_iter().map(|v| view! { <option value=v></option> }).collect_view()}
                            </datalist>
                            <button type="submit">"Open"</button>
                        </ActionForm>
                    }
                })
            }}
        </Suspense>
        {move || open.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
        {saved_note(open, "rollout-opened", "Roll-out opened: it is in the list above.")}
    }
}
