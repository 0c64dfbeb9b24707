//! `/t/{tenant}/incidents/{id}`: one incident — what it touches, when, observed against expected,
//! its state and who acted on it; each series against its expected band and the series table;
//! and, for owners and admins only, the forms that acknowledge (with a comment), snooze, resolve,
//! reopen and mute a series.

use blueprint_types::signals::{IncidentReport, IncidentState, SeriesChart};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{ChangeIncident, KindBadge, MuteSeries, get_incident};
use crate::components::band_chart::BandChart;
use crate::components::forms::sent_back_note;
use crate::components::tenant::{Tab, TenantTabs, path_param, tenant_param};
use crate::components::urls::tenant_path;
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[component]
pub fn IncidentPage() -> impl IntoView {
    let tenant = tenant_param();
    let id = path_param("id");
    let change = ServerAction::<ChangeIncident>::new();
    let mute = ServerAction::<MuteSeries>::new();
    let data = Resource::new(
        move || (id.get(), change.version().get(), mute.version().get()),
        |(id, _, _)| async move {
            match id.parse::<i64>() {
                Ok(id) => get_incident(id).await,
                Err(_) => Err(AppError::Client(blueprint_types::ClientError::NotFound)),
            }
        },
    );
    view! {
        <Title text={format!("Incident · {}", tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Incidents />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(report) if report.detail.tenant != tenant.get_untracked() => {
                        let _ = report;
                        view! { <Refusal error=AppError::Client(blueprint_types::ClientError::NotFound) /> }.into_any()
                    }
                    Ok(report) => view! { <Report report change mute /> }.into_any(),
                }
            })}
        </Suspense>
        {move || change.value().get().map(|result| match result {
            Ok(detail) => view! { <p class="notice" role="status" data-testid="change-done">{format!("Done: the incident is {}.", detail.incident.state)}</p> }.into_any(),
            Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
        })}
        {move || mute.value().get().map(|result| match result {
            Ok(()) => view! { <p class="notice" role="status">"Done."</p> }.into_any(),
            Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
        })}
        // Sent back without JavaScript: the state and who acted are in the head above.
        {sent_back_note::<ChangeIncident>("change-done", "Done: the state above is the new one.")}
        {sent_back_note::<MuteSeries>("mute-done", "Done.")}
    }
}

#[component]
fn Report(
    report: IncidentReport,
    change: ServerAction<ChangeIncident>,
    mute: ServerAction<MuteSeries>,
) -> impl IntoView {
    let d = report.detail.clone();
    let i = d.incident.clone();
    let acted = d.acted_by.clone().map(|by| {
        let comment = d.comment.clone().map(|c| format!(": “{c}”")).unwrap_or_default();
        let until = d
            .snoozed_until
            .clone()
            .filter(|_| i.state == IncidentState::Snoozed)
            .map(|u| format!(" until {u}"))
            .unwrap_or_default();
        view! {
            <p class="small" data-testid="acted">
                {format!("{}{until} by {by} at {}{comment}", i.state, d.acted_at.clone().unwrap_or_default())}
            </p>
        }
    });
    let told = match (&d.told_at, d.news) {
        (Some(at), _) => format!("told to watchers at {at}"),
        (None, true) => "not told yet".to_owned(),
        (None, false) => "found in history: shown here, told to no one".to_owned(),
    };
    let list_href = tenant_path(&d.tenant, &["incidents"]);
    let actions = d
        .can_act
        .then(|| view! { <Actions id=i.id state=i.state change /> });
    let tenant = d.tenant.clone();
    let charts = report
        .charts
        .clone()
        .into_iter()
        .map(|chart| view! { <SeriesCard chart /> })
        .collect_view();
    view! {
        <div class="page-head">
            <p class="small"><a href=list_href>"← Incidents"</a></p>
            <h1 data-testid="incident-title"><KindBadge kind=i.kind />" "{i.what()}</h1>
            <p class="muted small">{format!("{} → {} (UTC, to exclusive) · {} · {told}", i.from, i.to, i.figures())}</p>
            <p>"State: "<span class=format!("badge state-{}", i.state) data-testid="incident-state">{i.state.as_str()}</span></p>
            {acted}
        </div>
        {actions}
        <section class="card" data-testid="series">
            <h2>"Series"</h2>
            <SeriesTable report=report.clone() tenant can_act=d.can_act mute />
        </section>
        {charts}
    }
}

/// Observed against the band, one chart per series.
#[component]
fn SeriesCard(chart: SeriesChart) -> impl IntoView {
    let name = series_name(&chart);
    let body = if chart.points.is_empty() {
        view! { <p class="muted">"No hours recorded for this series."</p> }.into_any()
    } else {
        view! { <BandChart points=chart.points.clone() label=format!("{name}: observed against the expected band per hour") /> }.into_any()
    };
    view! {
        <section class="card">
            <h2>{name}</h2>
            {body}
        </section>
    }
}

fn series_name(chart: &SeriesChart) -> String {
    let s = &chart.series;
    let event = s.event.clone().unwrap_or_else(|| "every event".into());
    match (&s.application, &s.version, &s.platform) {
        (Some(a), Some(v), Some(p)) => format!("{event} on {a} {v} ({p})"),
        _ => event,
    }
}

/// Each series with its sums and, for owners and admins, a mute button.
#[component]
fn SeriesTable(
    report: IncidentReport,
    tenant: String,
    can_act: bool,
    mute: ServerAction<MuteSeries>,
) -> impl IntoView {
    let rows = report
        .charts
        .iter()
        .map(|chart| {
            let s = chart.series.clone();
            let change = if s.expected > 0.0 {
                format!("{:+.0} %", (s.observed as f64 / s.expected - 1.0) * 100.0)
            } else {
                "–".into()
            };
            let hidden = s.clone();
            let tenant = tenant.clone();
            let form = can_act.then(move || {
                let s = hidden;
                let (to, label) = if chart.muted { ("unmute", "Unmute") } else { ("mute", "Mute") };
                view! {
                    <ActionForm action=mute attr:class="inline-form">
                        <input type="hidden" name="tenant" value=tenant />
                        <input type="hidden" name="event" value=s.event.clone().unwrap_or_default() />
                        <input type="hidden" name="application" value=s.application.clone().unwrap_or_default() />
                        <input type="hidden" name="version" value=s.version.clone().unwrap_or_default() />
                        <input type="hidden" name="platform" value=s.platform.clone().unwrap_or_default() />
                        <input type="hidden" name="mute" value=to />
                        <button type="submit" class="secondary">{label}</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <td>{s.event.clone().unwrap_or_else(|| "–".into())}</td>
                    <td>{s.application.clone().unwrap_or_else(|| "–".into())}</td>
                    <td class="mono">{s.version.clone().unwrap_or_else(|| "–".into())}</td>
                    <td>{s.platform.clone().unwrap_or_else(|| "–".into())}</td>
                    <td class="num">{s.observed}</td>
                    <td class="num">{format!("{:.0}", s.expected)}</td>
                    <td class="num">{change}</td>
                    <td>{chart.muted.then(|| view! { <span class="badge">"muted"</span> })}{form}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table">
            <thead><tr><th>"Event"</th><th>"Application"</th><th>"Version"</th><th>"Platform"</th><th class="num">"Observed"</th><th class="num">"Expected"</th><th class="num">"Change"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Acknowledge with a comment, snooze until a time, resolve, reopen (owners and admins).
#[component]
fn Actions(id: i64, state: IncidentState, change: ServerAction<ChangeIncident>) -> impl IntoView {
    let simple = |to: &'static str, label: &'static str| {
        view! {
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="state" value=to />
                <button type="submit" class="secondary">{label}</button>
            </ActionForm>
        }
    };
    let resolve = (state != IncidentState::Resolved).then(|| simple("resolved", "Resolve"));
    let reopen = (state != IncidentState::Open).then(|| simple("open", "Reopen"));
    view! {
        <section class="card" data-testid="incident-actions">
            <h2>"Act on it"</h2>
            <ActionForm action=change attr:class="stacked-form" attr:data-testid="acknowledge-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="state" value="acknowledged" />
                <label>"Comment" <textarea name="comment" rows="2" maxlength="2000"></textarea></label>
                <button type="submit">"Acknowledge"</button>
            </ActionForm>
            <ActionForm action=change attr:class="inline-form" attr:data-testid="snooze-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="state" value="snoozed" />
                <label>"Snooze until (UTC) " <input type="text" name="snooze_until" placeholder="YYYY-MM-DDTHH" size="13" required /></label>
                <button type="submit" class="secondary">"Snooze"</button>
            </ActionForm>
            {resolve}
            {reopen}
        </section>
    }
}
