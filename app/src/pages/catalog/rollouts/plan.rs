//! The plan forms: the tenant's plan for new roll-outs on the list page, and one roll-out's plan
//! on its report. Both post the same fields, read by [`Plan::from_form`].

use blueprint_types::rollouts::{Plan, TenantPlan};
use leptos::form::ActionForm;
use leptos::prelude::*;

use super::text::{plan_summary, stages_text, tolerance_text};
use super::{SetRolloutPlan, SetTenantPlan, get_tenant_plan};
use crate::components::forms::saved_note;
use crate::pages::admin::Refusal;

/// Counts an action's successful results. A resource keyed on the count reloads after each save,
/// and not after a refusal, which leaves the form as it was typed.
pub fn saves(succeeded: impl Fn() -> bool + Send + Sync + 'static) -> Memo<u32> {
    Memo::new(move |n: Option<&u32>| n.copied().unwrap_or(0) + u32::from(succeeded()))
}

/// The plan's fields, named as [`super::set_rollout_plan`] and [`super::set_tenant_plan`] read
/// them.
#[component]
fn PlanFields(plan: Plan) -> impl IntoView {
    view! {
        <label>"Stages (% of the two versions' sessions, ascending)"
            <input type="text" name="stages" value=stages_text(&plan) required />
        </label>
        <label>"Tolerance (± %)"
            <input type="text" inputmode="decimal" name="tolerance" value=tolerance_text(&plan) required />
        </label>
        <label>"Sessions each version needs before a verdict"
            <input type="number" name="min_sessions" min="1" value=plan.min_sessions required />
        </label>
        <label>"Coverage: ignore what the baseline sent fewer times than"
            <input type="number" name="min_count" min="1" value=plan.min_count required />
        </label>
        <label>"Top events and screens checked one by one"
            <input type="number" name="top" min="1" max="50" value=plan.top required />
        </label>
    }
    .into_any()
}

/// The default plan on the list page: read by every member, changed by owners and admins.
#[component]
pub fn TenantPlanView(tenant: String) -> impl IntoView {
    let save = ServerAction::<SetTenantPlan>::new();
    let saved = saves(move || save.value().with(|v| matches!(v, Some(Ok(_)))));
    let hidden = tenant.clone();
    let data = Resource::new(
        move || (tenant.clone(), saved.get()),
        |(tenant, _)| get_tenant_plan(tenant),
    );
    view! {
        <section class="card" data-testid="tenant-plan">
            <h2>"Plan for new roll-outs"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let tenant = hidden.clone();
                    Suspend::new(async move {
                        match data.await {
                            Err(error) => view! { <Refusal error /> }.into_any(),
                            Ok(current) => view! { <TenantPlanBody current tenant save /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            {move || save.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
            {saved_note(save, "plan-saved", "Saved: new roll-outs start with this plan.")}
        </section>
    }
    .into_any()
}

/// The tenant's plan in a sentence and, for those who may change it, the form.
#[component]
fn TenantPlanBody(
    current: TenantPlan,
    tenant: String,
    save: ServerAction<SetTenantPlan>,
) -> impl IntoView {
    let TenantPlan { plan, can_manage } = current;
    view! {
        <p class="small plan-summary" data-testid="plan-summary">{plan_summary(&plan)}</p>
        {can_manage.then(|| view! {
            <details class="edit">
                <summary>"Change the plan for new roll-outs"</summary>
                <ActionForm action=save attr:class="stacked-form" attr:data-testid="tenant-plan-form">
                    <input type="hidden" name="tenant" value=tenant />
                    <PlanFields plan />
                    <button type="submit">"Save"</button>
                </ActionForm>
            </details>
        })}
    }
    .into_any()
}

/// One roll-out's plan form (owners and admins), with the refusal of the last save.
#[component]
pub fn RolloutPlanForm(
    id: i64,
    plan: Plan,
    /// Only an open roll-out is evaluated; a paused or closed one keeps its last evaluation.
    evaluates: bool,
    save: ServerAction<SetRolloutPlan>,
) -> impl IntoView {
    let save_label = if evaluates {
        "Save and evaluate again"
    } else {
        "Save the plan"
    };
    view! {
        <details class="edit">
            <summary>"Change the plan"</summary>
            <ActionForm action=save attr:class="stacked-form" attr:data-testid="plan-form">
                <input type="hidden" name="id" value=id />
                <PlanFields plan />
                <button type="submit">{save_label}</button>
            </ActionForm>
        </details>
        {move || save.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
        {saved_note(save, "plan-saved", if evaluates { "Saved and evaluated again." } else { "Saved." })}
    }
    .into_any()
}
