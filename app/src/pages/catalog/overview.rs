//! `/t/{tenant}`: the tenant at a glance — what changed (open incidents, news of the last day,
//! what went quiet), activity, ingestion health, what is new, what went quiet, the biggest
//! movers.

use blueprint_types::catalog::{DiscoveryItem, Health, Mover, Overview, QuietItem};
use blueprint_types::words::count_kind;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::charts::{ChartKind, TimeChart, thousands};
use crate::components::tenant::{RangePicker, Tab, TenantTabs, range_query, tenant_param};
use crate::components::time::{MaybeTime, Time};
use crate::components::urls::{query_string, tenant_path};
use crate::error::AppError;
use crate::pages::admin::Refusal;
use crate::pages::catalog::DiscoveryItems;
use crate::pages::catalog::incidents::changed::WhatChanged;
use crate::pages::catalog::rollouts::failing::FailingRollouts;
use crate::pages::inbox::WatchButton;

#[server]
pub async fn get_overview(tenant: String, from: String, to: String) -> Result<Overview, AppError> {
    let (services, _, tenant) = crate::error::open_tenant(&tenant).await?;
    let range = crate::error::range_of(&tenant, &from, &to)?;
    blueprint_core::browse::overview::overview(&services, &tenant, range)
        .await
        .map_err(|err| crate::error::from_account("Reading the overview", err))
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let tenant = tenant_param();
    let (from, to) = range_query();
    let data = Resource::new(
        move || (tenant.get(), from.get(), to.get()),
        |(tenant, from, to)| get_overview(tenant, from, to),
    );
    view! {
        <Title text={tenant.get_untracked()} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Overview />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(o) => view! { <OverviewView o /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(o: Overview) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>{o.name.clone()}</h1>
            <WatchButton tenant=o.tenant.clone() target="tenant" />
            <RangePicker range=o.range.clone() action=tenant_path(&o.tenant, &[]) />
        </div>
        <FailingRollouts tenant=o.tenant.clone() />
        <WhatChanged tenant=o.tenant.clone() latest_hour=o.health.latest_hour.clone() discovered=o.discovered.clone() quiet=o.quiet.clone() />
        <section class="card">
            <h2>"Activity"</h2>
            <p class="muted small">
                {format!("{} events in the range; sessions are distinct per version and period (approximate over days).", thousands(o.events_total))}
            </p>
            <TimeChart data=o.activity.clone() kind=ChartKind::Lines label="Events and sessions over time" />
        </section>
        <div class="grid-2">
            <HealthCard health=o.health.clone() />
            <MoversCard tenant=o.tenant.clone() movers=o.movers.clone() days=o.movers_days.clone() />
        </div>
        <div class="grid-2">
            <NewCard
                tenant=o.tenant.clone()
                since=o.range.from.clone()
                discovered=o.discovered.clone()
                by_kind=o.discovered_by_kind.clone()
            />
            <QuietCard quiet=o.quiet.clone() />
        </div>
    }
}

/// The range's hours: ingested, empty, failed or missing, and the lines rejected.
#[component]
fn HealthCard(health: Health) -> impl IntoView {
    let h = &health;
    let health_class = if h.problem_count > 0 || h.no_data_since.is_some() {
        "card warn"
    } else {
        "card"
    };
    let rejected_share = if h.lines > 0 {
        format!("{:.3}%", h.rejected_lines as f64 * 100.0 / h.lines as f64)
    } else {
        "–".to_owned()
    };
    let problems = h.problems.clone();
    let more_problems = h.problem_count - problems.len() as i64;
    view! {
        <section class=health_class data-testid="health">
            <h2>"Ingestion health"</h2>
            {h.no_data_since.clone().map(|since| view! {
                <p class="warn" data-testid="no-data-since">
                    {format!("No data since {since} ({} hours ingested without files or events). Nothing is marked gone while data is missing.", h.no_data_hours)}
                </p>
            })}
            <dl class="facts">
                <dt>"Latest hour"</dt><dd><MaybeTime at=h.latest_hour.clone() fallback="never ingested" /></dd>
                <dt>"Hours with data"</dt><dd>{h.hours_ok}</dd>
                <dt>"Hours without files"</dt><dd>{h.hours_no_data}</dd>
                <dt>"Failed or missing hours"</dt><dd>{h.problem_count}</dd>
                <dt>"Rejected lines"</dt><dd>{format!("{} of {} ({rejected_share})", thousands(h.rejected_lines), thousands(h.lines))}</dd>
            </dl>
            {(!problems.is_empty()).then(|| view! {
                <ul class="compact">
                    {problems.into_iter().map(|p| view! {
                        <li><span class="mono">{p.hour}</span>" "<span class=format!("badge {}", p.problem)>{p.problem.clone()}</span>" "<span class="muted small">{p.detail.unwrap_or_default()}</span></li>
                    }).collect::<Vec<_>>()}
                    {(more_problems > 0).then(|| view! { <li class="muted">{format!("and {more_problems} more")}</li> })}
                </ul>
            })}
        </section>
    }
}

/// The events whose volume changed most between the range's last two days.
#[component]
fn MoversCard(tenant: String, movers: Vec<Mover>, days: Option<(String, String)>) -> impl IntoView {
    view! {
        <section class="card" data-testid="movers">
            <h2>"Biggest movers"</h2>
            {days.map(|(a, b)| view! { <p class="muted small">{format!("{a} → {b}")}</p> })}
            {if movers.is_empty() {
                view! { <p class="muted">"No event changed volume."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table">
                        <thead><tr><th>"Event"</th><th class="num">"Before"</th><th class="num">"After"</th><th class="num">"Change"</th></tr></thead>
                        <tbody>
                            {movers.iter().map(|m| {
                                let change = if m.before > 0 { format!("{:+.0}%", (m.after - m.before) as f64 * 100.0 / m.before as f64) } else { "new".into() };
                                view! {
                                    <tr>
                                        <td><a href=tenant_path(&tenant, &["events", &m.event])>{m.event.clone()}</a></td>
                                        <td class="num">{thousands(m.before)}</td>
                                        <td class="num">{thousands(m.after)}</td>
                                        <td class="num">{change}</td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// What was first seen in the range, counted by kind, with a link to the new events.
#[component]
fn NewCard(
    tenant: String,
    /// The range's first day.
    since: String,
    discovered: Vec<DiscoveryItem>,
    by_kind: Vec<(String, i64)>,
) -> impl IntoView {
    let events_href = tenant_path(&tenant, &["events"]);
    view! {
        <section class="card" data-testid="new">
            <h2>"New in this range"</h2>
            <p class="small">
                {by_kind.iter().map(|(kind, n)| count_kind(*n, kind)).collect::<Vec<_>>().join(" · ")}
            </p>
            <ul class="compact">
                <DiscoveryItems items=discovered />
            </ul>
            <a href=format!("{events_href}{}", query_string(&[("new_since", &since)]))>"Events first seen in this range →"</a>
        </section>
    }
}

/// What has not been sent for a while.
#[component]
fn QuietCard(quiet: Vec<QuietItem>) -> impl IntoView {
    view! {
        <section class="card" data-testid="quiet">
            <h2>"Not seen for a while"</h2>
            {if quiet.is_empty() {
                view! { <p class="muted">"Everything sent in the last two days."</p> }.into_any()
            } else {
                view! {
                    <ul class="compact">
                        {quiet.iter().map(|q| view! {
                            <li><span class="badge">{q.kind.clone()}</span>" "{q.name.clone()}" "<span class="muted small">"last seen " <Time at=q.last_seen.clone() /></span></li>
                        }).collect::<Vec<_>>()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
