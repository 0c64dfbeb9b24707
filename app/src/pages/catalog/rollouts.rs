//! `/t/{tenant}/rollouts`: the tenant's roll-outs with their state, stage and verdict, and a form
//! to open one by hand; `/t/{tenant}/rollouts/{id}`: one roll-out's report — the stage timeline
//! with its verdicts, every check with candidate against baseline, the intervals drawn against the
//! tolerance, the per-hour series of each rate, and the method in plain words. Owners pause,
//! resume or close it.

use blueprint_types::catalog::{Series, TimeSeries};
use blueprint_types::rollouts::{
    Check, Evaluation, Plan, RolloutReport, RolloutSummary, TenantPlan, signed_percent,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::charts::{ChartKind, TimeChart, thousands};
use crate::components::tenant::{Tab, TenantTabs, path_param, tenant_param};
use crate::components::urls::tenant_path;
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn list_rollouts(tenant: String) -> Result<Vec<RolloutSummary>, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::rollouts::list_as(&services()?, &actor()?, &tenant)
        .await
        .map_err(|err| from_account("Reading the roll-outs", err))
}

#[server]
pub async fn get_rollout(id: i64) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::rollouts::report_as(&services()?, &actor()?, id)
        .await
        .map_err(|err| from_account("Reading the roll-out", err))
}

/// Opens a roll-out by hand; an empty baseline picks the busiest other version.
#[server]
pub async fn open_rollout(
    tenant: String,
    application: String,
    platform: String,
    version: String,
    baseline: String,
) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    let request = blueprint_types::rollouts::OpenRollout {
        application: application.trim().to_owned(),
        platform: platform.trim().to_owned(),
        version: version.trim().to_owned(),
        baseline: Some(baseline.trim().to_owned()).filter(|b| !b.is_empty()),
    };
    blueprint_core::rollouts::open(&services()?, Some(&actor()?), &tenant, &request)
        .await
        .map_err(|err| from_account("Opening the roll-out", err))
}

/// Pauses, resumes or closes a roll-out.
#[server]
pub async fn set_rollout_state(id: i64, state: String) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    let edit = blueprint_types::rollouts::RolloutEdit {
        state: Some(state),
        plan: None,
    };
    blueprint_core::rollouts::edit_as(&services()?, &actor()?, id, &edit)
        .await
        .map_err(|err| from_account("Changing the roll-out", err))
}

/// A plan typed into the form, or what to fix in it.
#[cfg(feature = "ssr")]
fn plan_from_form(
    stages: &str,
    tolerance: &str,
    min_sessions: &str,
    min_count: &str,
    top: &str,
) -> Result<Plan, AppError> {
    Plan::from_form(stages, tolerance, min_sessions, min_count, top)
        .map_err(|message| AppError::Client(blueprint_types::ClientError::Invalid(message)))
}

/// Changes a roll-out's plan (owners and admins); the form's fields, read by [`Plan::from_form`].
#[server]
pub async fn set_rollout_plan(
    id: i64,
    stages: String,
    tolerance: String,
    min_sessions: String,
    min_count: String,
    top: String,
) -> Result<RolloutReport, AppError> {
    use crate::error::{actor, from_account, services};
    let (services, actor) = (services()?, actor()?);
    let edit = blueprint_types::rollouts::RolloutEdit {
        state: None,
        plan: Some(plan_from_form(
            &stages,
            &tolerance,
            &min_sessions,
            &min_count,
            &top,
        )?),
    };
    blueprint_core::rollouts::edit_as(&services, &actor, id, &edit)
        .await
        .map_err(|err| from_account("Changing the plan", err))
}

#[server]
pub async fn get_tenant_plan(tenant: String) -> Result<TenantPlan, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::rollouts::tenant_plan_as(&services()?, &actor()?, &tenant)
        .await
        .map_err(|err| from_account("Reading the plan", err))
}

/// Sets the plan the tenant's new roll-outs start with (owners and admins).
#[server]
pub async fn set_tenant_plan(
    tenant: String,
    stages: String,
    tolerance: String,
    min_sessions: String,
    min_count: String,
    top: String,
) -> Result<Plan, AppError> {
    use crate::error::{actor, from_account, services};
    let (services, actor) = (services()?, actor()?);
    let plan = plan_from_form(&stages, &tolerance, &min_sessions, &min_count, &top)?;
    blueprint_core::rollouts::set_default_plan_as(&services, &actor, &tenant, &plan)
        .await
        .map_err(|err| from_account("Changing the plan", err))
}

/// Counts an action's successful results. A resource keyed on the count reloads after each save,
/// and not after a refusal, which leaves the form as it was typed.
fn saves(succeeded: impl Fn() -> bool + Send + Sync + 'static) -> Memo<u32> {
    Memo::new(move |n: Option<&u32>| n.copied().unwrap_or(0) + u32::from(succeeded()))
}

/// A plan in a sentence: `stages 1, 5, 20, 50, 100 % of sessions · tolerance ±10 % · …`.
fn plan_summary(plan: &Plan) -> String {
    format!(
        "stages {} % of sessions · tolerance ±{} % · at least {} sessions per version · coverage from {} sightings · top {} events and screens",
        stages_text(plan),
        tolerance_text(plan),
        plan.min_sessions,
        plan.min_count,
        plan.top
    )
}

fn stages_text(plan: &Plan) -> String {
    plan.stages
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tolerance in percent as a person types it: `10`, `12.5`.
fn tolerance_text(plan: &Plan) -> String {
    let text = format!("{:.2}", plan.tolerance * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The plan's fields, named as [`set_rollout_plan`] and [`set_tenant_plan`] read them.
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
fn TenantPlanView(tenant: String) -> impl IntoView {
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
                    let hidden = hidden.clone();
                    Suspend::new(async move {
                    match data.await {
                        Err(error) => view! { <Refusal error /> }.into_any(),
                        Ok(TenantPlan { plan, can_manage }) => view! {
                            <p class="small plan-summary" data-testid="plan-summary">{plan_summary(&plan)}</p>
                            {can_manage.then(|| view! {
                                <details class="edit">
                                    <summary>"Change the plan for new roll-outs"</summary>
                                    <ActionForm action=save attr:class="stacked-form" attr:data-testid="tenant-plan-form">
                                        <input type="hidden" name="tenant" value=hidden.clone() />
                                        <PlanFields plan=plan.clone() />
                                        <button type="submit">"Save"</button>
                                    </ActionForm>
                                </details>
                            })}
                        }
                        .into_any(),
                    }
                    })
                }}
            </Suspense>
            {move || save.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
        </section>
    }
    .into_any()
}

fn share(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |s| format!("{:.1} %", s * 100.0))
}

#[component]
fn VerdictBadge(#[prop(into)] verdict: String) -> impl IntoView {
    let class = match verdict.as_str() {
        "pass" => "badge ok",
        "fail" => "badge bad",
        "inconclusive" => "badge warn",
        _ => "badge",
    };
    view! { <span class=class data-testid="verdict">{verdict}</span> }
}

#[component]
pub fn RolloutsPage() -> impl IntoView {
    let tenant = tenant_param();
    let open = ServerAction::<OpenRollout>::new();
    let data = Resource::new(
        move || (tenant.get(), open.version().get()),
        |(tenant, _)| list_rollouts(tenant),
    );
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
                    Ok(list) => view! {
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
                                            <td><VerdictBadge verdict=r.verdict.as_str() /></td>
                                            <td class="mono small">{r.latest_hour.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Open a roll-out by hand"</h2>
        <ActionForm action=open attr:class="inline-form">
            <input type="hidden" name="tenant" value=tenant.get_untracked() />
            <input type="text" name="application" placeholder="application" aria-label="application" required />
            <input type="text" name="platform" placeholder="platform" aria-label="platform" required />
            <input type="text" name="version" placeholder="candidate version" aria-label="candidate version" required />
            <input type="text" name="baseline" placeholder="baseline (empty: the busiest)" aria-label="baseline version" />
            <button type="submit">"Open"</button>
        </ActionForm>
        {move || open.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
        <TenantPlanView tenant=tenant.get_untracked() />
    }
}

#[component]
pub fn RolloutPage() -> impl IntoView {
    let tenant = tenant_param();
    let id = path_param("id");
    let state = ServerAction::<SetRolloutState>::new();
    let plan = ServerAction::<SetRolloutPlan>::new();
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
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(report) if report.rollout.tenant != tenant.get_untracked() => {
                        let _ = report;
                        view! { <Refusal error=AppError::Client(blueprint_types::ClientError::NotFound) /> }.into_any()
                    }
                    Ok(report) => view! { <Report report state plan /> }.into_any(),
                }
            })}
        </Suspense>
        {move || state.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
    }
}

#[component]
fn Report(
    report: RolloutReport,
    state: ServerAction<SetRolloutState>,
    plan: ServerAction<SetRolloutPlan>,
) -> impl IntoView {
    let r = report.rollout.clone();
    let actions = report.can_manage.then(|| {
        let choices: Vec<(&'static str, &'static str)> = match r.state.as_str() {
            "open" => vec![("paused", "Pause"), ("closed", "Close")],
            "paused" => vec![("open", "Resume"), ("closed", "Close")],
            _ => vec![("open", "Open again")],
        };
        choices
            .into_iter()
            .map(|(to, label)| {
                view! {
                    <ActionForm action=state attr:class="inline-form">
                        <input type="hidden" name="id" value=r.id />
                        <input type="hidden" name="state" value=to />
                        <button type="submit" class="secondary">{label}</button>
                    </ActionForm>
                }
            })
            .collect_view()
    });
    let head = view! {
        <div class="page-head">
            <h1 data-testid="rollout-title">{format!("{} {} ({}) against {}", r.application, r.candidate, r.platform, r.baseline)}</h1>
            <p class="muted small">
                {format!("{} · opened by {} on {} · candidate share {} of sessions over the last 24 ingested hours", r.state, r.opened_by, r.created_at, share(r.share))}
            </p>
            {actions}
        </div>
    }
    .into_any();
    let evaluation = match report.evaluation.clone() {
        None => view! { <p class="muted">"Not evaluated yet."</p> }.into_any(),
        Some(e) => view! {
            <EvaluationView e=e.clone() tolerance=report.plan.tolerance />
            <SeriesView e candidate=r.candidate.clone() baseline=r.baseline.clone() />
        }
        .into_any(),
    };
    let current = report.plan.clone();
    // Only an open roll-out is evaluated; a paused or closed one keeps its last evaluation.
    let save_label = if r.state == "open" {
        "Save and evaluate again"
    } else {
        "Save the plan"
    };
    let edit = report.can_manage.then(move || {
        view! {
            <details class="edit">
                <summary>"Change the plan"</summary>
                <ActionForm action=plan attr:class="stacked-form" attr:data-testid="plan-form">
                    <input type="hidden" name="id" value=r.id />
                    <PlanFields plan=current />
                    <button type="submit">{save_label}</button>
                </ActionForm>
            </details>
            {move || plan.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
        }
        .into_any()
    });
    view! {
        {head}
        <StagesView report=report.clone() />
        {evaluation}
        <MethodView plan=report.plan.clone() />
        <p class="small muted plan-summary" data-testid="plan-summary">{format!("Plan: {}", plan_summary(&report.plan))}</p>
        {edit}
    }
}

#[component]
fn StagesView(report: RolloutReport) -> impl IntoView {
    let reached_stage = report.rollout.stage;
    let stages = report
        .plan
        .stages
        .iter()
        .map(|s| {
            let last = report
                .history
                .iter()
                .rev()
                .find(|h| h.stage == *s)
                .map(|h| h.verdict.as_str());
            let reached = reached_stage.is_some_and(|at| at >= *s);
            let state = match last {
                Some(v) => view! { <VerdictBadge verdict=v /> }.into_any(),
                None if reached => view! { <span class="muted">"passed through"</span> }.into_any(),
                None => view! { <span class="muted">"not yet"</span> }.into_any(),
            };
            view! {
                <li class=if reached { "reached" } else { "ahead" }>
                    <strong>{format!("{s} %")}</strong>" " {state}
                </li>
            }
            .into_any()
        })
        .collect_view();
    let history = (!report.history.is_empty()).then(|| {
        let rows = report
            .history
            .iter()
            .rev()
            .map(|h| {
                view! {
                    <tr>
                        <td class="mono small">{h.at.clone()}</td>
                        <td class="mono small">{h.latest_hour.clone()}</td>
                        <td class="num">{format!("{} %", h.stage)}</td>
                        <td class="num">{share(Some(h.share))}</td>
                        <td><VerdictBadge verdict=h.verdict.as_str() /></td>
                        <td class="small">{h.reason.clone()}</td>
                    </tr>
                }
                .into_any()
            })
            .collect_view();
        view! {
            <table class="data-table" data-testid="history">
                <thead><tr><th>"When"</th><th>"Latest hour"</th><th class="num">"Stage"</th><th class="num">"Share"</th><th>"Verdict"</th><th>"Why"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    });
    view! {
        <section class="card" data-testid="stages">
            <h2>"Stages"</h2>
            <ol class="stages">{stages}</ol>
            {history}
        </section>
    }
    .into_any()
}

#[component]
fn CheckRow(c: Check) -> impl IntoView {
    let interval = match (c.change, c.low, c.high) {
        (Some(x), Some(l), Some(h)) => format!(
            "{} ({} to {})",
            signed_percent(x),
            signed_percent(l),
            signed_percent(h)
        ),
        _ => String::new(),
    };
    let value = |v: Option<f64>| {
        v.filter(|_| c.kind != "coverage")
            .map(|v| format!("{v:.3}"))
            .unwrap_or_default()
    };
    let (candidate, baseline) = (value(c.candidate), value(c.baseline));
    let missing = (!c.missing.is_empty()).then(|| {
        let items = c
            .missing
            .iter()
            .take(20)
            .map(|m| view! { <li class="mono">{m.clone()}</li> }.into_any())
            .collect_view();
        view! { <ul class="missing">{items}</ul> }.into_any()
    });
    let headline = c
        .headline
        .then(|| view! { " " <span class="muted small">"headline"</span> }.into_any());
    view! {
        <tr class=format!("check {}", c.verdict) data-testid="check">
            <td>{c.name.clone()}{headline}</td>
            <td><VerdictBadge verdict=c.verdict.as_str() /></td>
            <td class="num">{candidate}</td>
            <td class="num">{baseline}</td>
            <td class="num">{interval}</td>
            <td class="small">{c.detail.clone()}{missing}</td>
        </tr>
    }
    .into_any()
}

#[component]
fn EvaluationView(e: Evaluation, tolerance: f64) -> impl IntoView {
    let charted: Vec<Check> = e
        .checks
        .iter()
        .filter(|c| c.change.is_some())
        .cloned()
        .collect();
    let chart = (!charted.is_empty())
        .then(|| view! { <IntervalChart checks=charted tolerance /> }.into_any());
    let rows = e
        .checks
        .iter()
        .map(|c| view! { <CheckRow c=c.clone() /> }.into_any())
        .collect_view();
    let summary = format!(
        "{} hours in which both versions ran · {} candidate and {} baseline sessions · latest hour {}",
        e.hours_compared,
        thousands(e.candidate_sessions),
        thousands(e.baseline_sessions),
        e.latest_hour.clone().unwrap_or_default()
    );
    view! {
        <section class="card" data-testid="evaluation">
            <h2>"Latest evaluation " <VerdictBadge verdict=e.verdict.as_str() /></h2>
            <p data-testid="reason">{e.reason.clone()}</p>
            <p class="muted small">{summary}</p>
            {chart}
            <table class="data-table" data-testid="checks">
                <thead><tr><th>"Check"</th><th>"Verdict"</th><th class="num">"Candidate"</th><th class="num">"Baseline"</th><th class="num">"Change (95 % interval)"</th><th>"Detail"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn SeriesView(e: Evaluation, candidate: String, baseline: String) -> impl IntoView {
    let charts = e
        .checks
        .iter()
        .filter(|c| c.headline && !c.hours.is_empty())
        .map(|c| {
            let data = TimeSeries {
                buckets: c.hours.iter().map(|h| h.hour.clone()).collect(),
                series: vec![
                    Series {
                        label: format!("candidate {candidate}"),
                        values: c.hours.iter().map(|h| h.candidate_rate).collect(),
                    },
                    Series {
                        label: format!("baseline {baseline}"),
                        values: c.hours.iter().map(|h| h.baseline_rate).collect(),
                    },
                ],
            };
            let label = format!("{} per hour, candidate against baseline", c.name);
            view! {
                <h3>{c.name.clone()}</h3>
                <TimeChart data kind=ChartKind::Lines label />
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="card" data-testid="series">
            <h2>"Hour by hour"</h2>
            {charts}
        </section>
    }
    .into_any()
}

#[component]
fn MethodView(plan: Plan) -> impl IntoView {
    let rates = format!(
        "Both versions run in the same hours, so each hour gives a fair comparison: time of day and day of week affect both alike. For every rate (screen loads per session, events per session, each of the baseline's top {} events and screens per session, and each top event's share of the other events), each hour's baseline rate applied to the candidate's sessions says how many the candidate would have sent had nothing changed. What it sent over what was expected, across the hours in which both ran, is the relative change, and how much it varies from hour to hour gives a 95 % interval. A check passes when the whole interval lies within ±{} %, fails when the whole interval lies outside it, and is inconclusive when it straddles the line — more traffic narrows it.",
        plan.top,
        tolerance_text(&plan)
    );
    let coverage = format!(
        "Coverage checks list what the baseline sent at least {} times that the candidate never sent (events, screens, event × screen combinations, keys of its events), counted only when the candidate's traffic makes it expected at least 10 times; a key that now carries a type the baseline never sent fails too. Nothing is decided before each version has {} sessions in the compared hours. The stage is the candidate's share of the two versions' sessions over the last 24 ingested hours; a stage fails when any check fails, and passes when every headline check passes.",
        plan.min_count, plan.min_sessions
    );
    view! {
        <section class="card method" data-testid="method">
            <h2>"How the verdict is reached"</h2>
            <p>{rates}</p>
            <p>{coverage}</p>
        </section>
    }
    .into_any()
}

/// Each check's estimate and 95 % interval against the tolerance band, on one axis (±50 %).
#[component]
fn IntervalChart(checks: Vec<Check>, tolerance: f64) -> impl IntoView {
    let (w, label_w, row) = (720.0, 250.0, 22.0);
    let h = row * checks.len() as f64 + 28.0;
    let span = 0.5;
    let x =
        move |v: f64| label_w + (v.clamp(-span, span) + span) / (2.0 * span) * (w - label_w - 12.0);
    let band = (x(-tolerance), x(tolerance));
    view! {
        <svg class="interval-chart" data-testid="interval-chart" viewBox=format!("0 0 {w} {h}") role="img"
             aria-label="Each check's change with its 95 % interval against the tolerance">
            <rect x=band.0 y="0" width=band.1 - band.0 height=h - 20.0 class="tolerance" />
            <line x1=x(0.0) x2=x(0.0) y1="0" y2=h - 20.0 class="zero" />
            {[-0.5, -0.25, 0.0, 0.25, 0.5].map(|t| view! {
                <text x=x(t) y=h - 6.0 text-anchor="middle" class="axis">{format!("{:+.0}%", t * 100.0)}</text>
            })}
            {checks.into_iter().enumerate().map(|(i, c)| {
                let y = row * i as f64 + row / 2.0 + 2.0;
                let (low, high, mid) = (c.low.unwrap_or(0.0), c.high.unwrap_or(0.0), c.change.unwrap_or(0.0));
                let class = format!("interval {}", c.verdict);
                view! {
                    <g class=class>
                        <text x=label_w - 8.0 y=y + 4.0 text-anchor="end" class="label">{c.name.clone()}</text>
                        <line x1=x(low) x2=x(high) y1=y y2=y class="ci" />
                        <circle cx=x(mid) cy=y r="4" class="point" />
                        <title>{format!("{}: {} ({} to {})", c.name, signed_percent(mid), signed_percent(low), signed_percent(high))}</title>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}
