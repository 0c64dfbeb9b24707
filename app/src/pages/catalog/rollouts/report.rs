//! `/t/{tenant}/rollouts/{id}`: one roll-out's report — its head with the state buttons, the
//! stages, the latest evaluation and its series, the method, and the plan.

use blueprint_types::rollouts::{RolloutReport, RolloutSummary};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use super::evaluation::EvaluationView;
use super::method::MethodView;
use super::plan::{RolloutPlanForm, saves};
use super::series::SeriesView;
use super::stages::StagesView;
use super::text::{plan_summary, share};
use super::{SetRolloutPlan, SetRolloutState, get_rollout};
use crate::components::forms::sent_back_note;
use crate::components::tenant::{Tab, TenantTabs, path_param, query_param, tenant_param};
use crate::components::time::Time;
use crate::components::urls::tenant_path;
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[component]
pub fn RolloutPage() -> impl IntoView {
    let tenant = tenant_param();
    let id = path_param("id");
    let state = ServerAction::<SetRolloutState>::new();
    let plan = ServerAction::<SetRolloutPlan>::new();
    // `?close=1`: the report asks to confirm closing.
    let close = query_param("close");
    let saved = saves(move || plan.value().with(|v| matches!(v, Some(Ok(_)))));
    let data = Resource::new(
        move || (id.get(), state.version().get(), saved.get()),
        |(id, _, _)| async move {
            match id.parse::<i64>() {
                Ok(id) => get_rollout(id).await,
                Err(_) => Err(AppError::Client(blueprint_types::ClientError::NotFound)),
            }
        },
    );
    view! {
        <Title text={format!("Roll-out · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Rollouts />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let closing = close.get() == "1";
                Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(report) if report.rollout.tenant != tenant.get_untracked() => {
                        let _ = report;
                        view! { <Refusal error=AppError::Client(blueprint_types::ClientError::NotFound) /> }.into_any()
                    }
                    Ok(report) => view! { <Report report state plan closing /> }.into_any(),
                }
            })}}
        </Suspense>
        {move || state.value().get().map(|result| match result {
            Ok(report) => view! { <p class="notice" role="status" data-testid="state-done">{format!("Done: the roll-out is {}.", report.rollout.state)}</p> }.into_any(),
            Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
        })}
        // Sent back without JavaScript: the state is in the head above.
        {sent_back_note::<SetRolloutState>("state-done", "Done: the state above is the new one.")}
    }
}

#[component]
fn Report(
    report: RolloutReport,
    state: ServerAction<SetRolloutState>,
    plan: ServerAction<SetRolloutPlan>,
    /// Asking to confirm closing (`?close=1`).
    closing: bool,
) -> impl IntoView {
    let r = report.rollout.clone();
    let evaluation = match report.evaluation.clone() {
        None => view! { <p class="muted">"Not evaluated yet."</p> }.into_any(),
        Some(e) => view! {
            <EvaluationView e=e.clone() tolerance=report.plan.tolerance />
            <SeriesView e candidate=r.candidate.clone() baseline=r.baseline.clone() />
        }
        .into_any(),
    };
    let current = report.plan.clone();
    let edit = report.can_manage.then(move || {
        view! { <RolloutPlanForm id=r.id plan=current evaluates=r.state == "open" save=plan /> }
            .into_any()
    });
    view! {
        <ReportHead rollout=report.rollout.clone() can_manage=report.can_manage state closing />
        <StagesView report=report.clone() />
        {evaluation}
        <MethodView plan=report.plan.clone() />
        <p class="small muted plan-summary" data-testid="plan-summary">{format!("Plan: {}", plan_summary(&report.plan))}</p>
        {edit}
    }
}

/// The roll-out's title and state, with the buttons that move it on (owners and admins).
/// "Close" is a link to `?close=1`, where the head asks again and only "Yes, close" posts (the
/// same with JavaScript on or off).
#[component]
fn ReportHead(
    rollout: RolloutSummary,
    can_manage: bool,
    state: ServerAction<SetRolloutState>,
    closing: bool,
) -> impl IntoView {
    let r = rollout;
    let here = tenant_path(&r.tenant, &["rollouts", &r.id.to_string()]);
    let actions = can_manage.then(|| {
        let choices: Vec<(&'static str, &'static str)> = match r.state.as_str() {
            "open" => vec![("paused", "Pause"), ("closed", "Close")],
            "paused" => vec![("open", "Resume"), ("closed", "Close")],
            _ => vec![("open", "Open again")],
        };
        choices
            .into_iter()
            .map(|(to, label)| {
                let form = move |label: &'static str, class: &'static str| {
                    view! {
                        <ActionForm action=state attr:class="inline-form">
                            <input type="hidden" name="id" value=r.id />
                            <input type="hidden" name="state" value=to />
                            <button type="submit" class=class>{label}</button>
                        </ActionForm>
                    }
                };
                if to != "closed" {
                    form(label, "secondary").into_any()
                } else if closing {
                    view! {
                        <span class="confirm" role="alert" data-testid="confirm-close">
                            "Close this roll-out? It is no longer evaluated. "
                            {form("Yes, close", "danger")}
                            " " <a href=here.clone()>"Cancel"</a>
                        </span>
                    }
                    .into_any()
                } else {
                    view! { <a class="button secondary" href=format!("{here}?close=1")>{label}</a> }
                        .into_any()
                }
            })
            .collect_view()
    });
    view! {
        <div class="page-head">
            <h1 data-testid="rollout-title">{format!("{} {} ({}) against {}", r.application, r.candidate, r.platform, r.baseline)}</h1>
            <p class="muted small">
                {format!("{} · opened by {} ", r.state, r.opened_by)}
                <Time at=r.created_at.clone() />
                {format!(" · candidate share {} of sessions over the last 24 ingested hours", share(r.share))}
            </p>
            {actions}
        </div>
    }
    .into_any()
}
