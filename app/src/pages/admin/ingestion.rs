//! `/admin/ingestion`: the job monitor. Each tenant's last 48 hours as a strip coloured by state
//! (hover for figures, click for the hour: its runs, error and rejected samples, and a retry
//! button); a form to re-ingest a range; backfills with live progress and a cancel button; the
//! live workers and the queue. With JavaScript the page refreshes itself every two seconds while
//! work is queued or running; without it, forms post and the page comes back.

use blueprint_types::jobs::{Backfill, HourCell, HourDetail, Ingestion, WorkerRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::forms::sent_back_note;
use crate::components::time::Time;
use crate::components::urls::query_string;
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn get_ingestion() -> Result<Ingestion, AppError> {
    use crate::error::{actor, from_account, services};
    let settings = use_context::<blueprint_core::jobs::JobSettings>().unwrap_or_default();
    blueprint_core::jobs::monitor::ingestion_as(&services()?, &actor()?, &settings)
        .await
        .map_err(|err| from_account("Reading the ingestion state", err))
}

#[server]
pub async fn get_hour(tenant: String, hour: String) -> Result<HourDetail, AppError> {
    use crate::error::{actor, from_account, services};
    let at = parse_hour("hour", &hour)?;
    let delay = use_context::<blueprint_core::jobs::JobSettings>()
        .unwrap_or_default()
        .schedule_delay;
    blueprint_core::jobs::monitor::hour_detail_as(&services()?, &actor()?, &tenant, at, delay)
        .await
        .map_err(|err| from_account("Reading the hour", err))
}

#[server]
pub async fn request_backfill(
    tenant: String,
    from: String,
    to: String,
) -> Result<Backfill, AppError> {
    use crate::error::{actor, from_account, services};
    let actor = actor()?;
    let (from, to) = (parse_hour("from", &from)?, parse_hour("to", &to)?);
    blueprint_core::jobs::backfills::request_as(&services()?, &actor, &tenant, from, to, "admin")
        .await
        .map_err(|err| from_account("Queueing the re-ingestion", err))
}

#[server]
pub async fn cancel_backfill(id: i64) -> Result<Backfill, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::jobs::backfills::cancel_as(&services()?, &actor()?, id)
        .await
        .map_err(|err| from_account("Cancelling the backfill", err))
}

#[server]
pub async fn retry_hour(tenant: String, hour: String) -> Result<i64, AppError> {
    use crate::error::{actor, from_account, services};
    let at = parse_hour("hour", &hour)?;
    blueprint_core::jobs::tasks::retry_hour_as(&services()?, &actor()?, &tenant, at)
        .await
        .map_err(|err| from_account("Queueing the hour again", err))
}

#[cfg(feature = "ssr")]
fn parse_hour(name: &str, text: &str) -> Result<blueprint_core::hour::Hour, AppError> {
    text.parse()
        .map_err(|err: blueprint_core::hour::HourError| {
            AppError::Client(blueprint_types::ClientError::Invalid(format!(
                "{name}: {err}"
            )))
        })
}

fn cell_title(tenant: &str, cell: &HourCell) -> String {
    let mut text = format!("{tenant} {}: {}", cell.hour, cell.state.replace('_', " "));
    if cell.files > 0 || cell.events > 0 {
        text.push_str(&format!(
            "; {} events, {} rejected, {} files",
            cell.events, cell.rejected, cell.files
        ));
    }
    if let Some(ms) = cell.duration_ms {
        text.push_str(&format!("; {:.1} s", ms as f64 / 1000.0));
    }
    if let Some(error) = &cell.error {
        text.push_str(&format!("; {error}"));
    }
    text
}

#[component]
fn Timeline(
    tenant: String,
    name: String,
    latest: Option<String>,
    no_data_since: Option<String>,
    hours: Vec<HourCell>,
) -> impl IntoView {
    let first = hours.first().map(|c| c.hour.clone()).unwrap_or_default();
    let last = hours.last().map(|c| c.hour.clone()).unwrap_or_default();
    view! {
        <section class="timeline" data-testid="timeline" data-tenant=tenant.clone()>
            <h3>
                {name} " "
                <span class="muted small">
                    {match latest {
                        Some(latest) => format!("latest hour {latest}"),
                        None => "nothing ingested yet".to_owned(),
                    }}
                </span>
                {no_data_since.map(|since| view! {
                    " " <span class="badge no_data" data-testid="no-data-since">{format!("no data since {since}")}</span>
                })}
            </h3>
            <div class="hours" role="list">
                {hours.into_iter().map(|cell| {
                    let title = cell_title(&tenant, &cell);
                    let href = format!("/admin/ingestion{}", query_string(&[("tenant", &tenant), ("hour", &cell.hour)]));
                    let class = format!("hour-cell state-{}", cell.state);
                    view! {
                        <a role="listitem" class=class href=href title=title.clone() aria-label=title data-state=cell.state.clone()></a>
                    }
                }).collect_view()}
            </div>
            <div class="hours-axis muted small"><span>{first}</span><span>{last}</span></div>
        </section>
    }
}

#[component]
fn Progress(backfill: Backfill) -> impl IntoView {
    let total = backfill.hours_total.max(1);
    let share = |n: i64| format!("width: {:.1}%", n as f64 * 100.0 / total as f64);
    view! {
        <div class="progress" aria-label=format!("{} of {} hours finished", backfill.hours_finished(), backfill.hours_total)>
            <span class="done" style=share(backfill.hours_done)></span>
            <span class="failed" style=share(backfill.hours_failed)></span>
            <span class="running" style=share(backfill.hours_running)></span>
        </div>
    }
}

#[component]
fn Backfills(list: Vec<Backfill>, cancel: ServerAction<CancelBackfill>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No backfills yet."</p> }.into_any();
    }
    view! {
        <table class="data-table" data-testid="backfills">
            <thead><tr>
                <th>"Id"</th><th>"Tenant"</th><th>"Hours"</th><th>"Status"</th><th>"Progress"</th>
                <th class="num">"Done"</th><th class="num">"Failed"</th><th class="num">"Events"</th><th>"Asked by"</th><th></th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|b| {
                    let open = b.is_open();
                    let id = b.id;
                    view! {
                        <tr data-backfill=b.id data-status=b.status.clone()>
                            <td class="mono muted">{b.id}</td>
                            <td>{b.tenant.clone()}</td>
                            <td><Time at=b.from.clone() />" to "<Time at=b.to.clone() /></td>
                            <td><span class=format!("badge status-{}", b.status)>{b.status.clone()}</span></td>
                            <td><Progress backfill=b.clone() /></td>
                            <td class="num">{format!("{}/{}", b.hours_done, b.hours_total)}</td>
                            <td class="num">{b.hours_failed}</td>
                            <td class="num">{b.events}</td>
                            <td class="small">{b.requested_by.clone().unwrap_or_else(|| b.origin.clone())}</td>
                            <td>
                                {open.then(|| view! {
                                    <ActionForm action=cancel>
                                        <input type="hidden" name="id" value=id />
                                        <button type="submit" class="secondary">"Cancel"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn HourPanel(detail: HourDetail, retry: ServerAction<RetryHour>) -> impl IntoView {
    let HourDetail {
        tenant,
        cell,
        runs,
        rejected,
    } = detail;
    let title = format!("{tenant} {}", cell.hour);
    view! {
        <section class="card hour-detail" data-testid="hour-detail">
            <h2>{title} " " <span class=format!("badge state-{}", cell.state)>{cell.state.replace('_', " ")}</span></h2>
            <p>
                {format!("{} events, {} rejected lines, {} files", cell.events, cell.rejected, cell.files)}
                {cell.duration_ms.map(|ms| format!(", {:.2} s", ms as f64 / 1000.0))}
            </p>
            {cell.error.clone().map(|error| view! { <p class="error" role="alert">{error}</p> })}
            <ActionForm action=retry attr:class="inline-form">
                <input type="hidden" name="tenant" value=tenant.clone() />
                <input type="hidden" name="hour" value=cell.hour.clone() />
                <button type="submit">"Ingest this hour again"</button>
            </ActionForm>
            <h3>"Runs"</h3>
            <table class="data-table">
                <thead><tr><th>"Run"</th><th>"Status"</th><th>"Trigger"</th><th>"Started"</th><th class="num">"Events"</th><th class="num">"Rejected"</th><th class="num" title="Key paths left out: too long, or past the mapping's limit per line">"Keys cut"</th><th class="num">"Read ms"</th><th class="num">"Write ms"</th><th>"Worker"</th><th>"Error"</th></tr></thead>
                <tbody>
                    {runs.into_iter().map(|r| view! {
                        <tr>
                            <td class="mono muted">{r.id}</td>
                            <td>{r.status}</td>
                            <td>{r.trigger}</td>
                            <td><Time at=r.started_at.clone() /></td>
                            <td class="num">{r.events}</td>
                            <td class="num">{r.rejected}</td>
                            <td class="num">{r.keys_cut}</td>
                            <td class="num">{r.read_ms}</td>
                            <td class="num">{r.write_ms}</td>
                            <td class="mono small">{r.worker.unwrap_or_default()}</td>
                            <td class="small">{r.error.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!rejected.is_empty()).then(|| view! {
                <h3>"Rejected lines (samples)"</h3>
                <table class="data-table">
                    <thead><tr><th>"File"</th><th class="num">"Offset"</th><th>"Why"</th><th>"Line"</th></tr></thead>
                    <tbody>
                        {rejected.into_iter().map(|s| view! {
                            <tr>
                                <td class="mono small">{s.file}</td>
                                <td class="num">{s.offset}</td>
                                <td>{s.reason}</td>
                                <td class="mono small">{s.text}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

fn outcome<T>(value: Option<Result<T, AppError>>, ok: impl Fn(T) -> String) -> AnyView {
    match value {
        Some(Err(err)) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
        Some(Ok(value)) => view! { <p class="ok" role="status">{ok(value)}</p> }.into_any(),
        None => ().into_any(),
    }
}

/// Ticks every two seconds in the browser while `busy` holds; the server renders once.
fn tick_while(busy: RwSignal<bool>) -> RwSignal<u32> {
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if busy.get_untracked() {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_secs(2),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    tick
}

#[component]
pub fn IngestionPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| query.with(|q| q.get(name).unwrap_or_default());
    let request = ServerAction::<RequestBackfill>::new();
    let cancel = ServerAction::<CancelBackfill>::new();
    let retry = ServerAction::<RetryHour>::new();
    let busy = RwSignal::new(false);
    let tick = tick_while(busy);
    let state = Resource::new(
        move || {
            (
                tick.get(),
                request.version().get(),
                cancel.version().get(),
                retry.version().get(),
            )
        },
        |_| get_ingestion(),
    );
    let detail = Resource::new(
        move || (param("tenant"), param("hour"), retry.version().get()),
        |(tenant, hour, _)| async move {
            if tenant.is_empty() || hour.is_empty() {
                None
            } else {
                Some(get_hour(tenant, hour).await)
            }
        },
    );
    view! {
        <Title text="Ingestion" />
        <div class="page-head">
            <h1>"Ingestion"</h1>
            <a href="/admin/ingestion" class="muted">"Refresh"</a>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Some(Err(err)) => view! { <Refusal error=err /> }.into_any(),
                    Some(Ok(detail)) => view! { <HourPanel detail=detail retry=retry /> }.into_any(),
                    None => ().into_any(),
                }
            })}
        </Suspense>
        {move || outcome(retry.value().get(), |task| format!("Hour queued again (task {task})."))}
        {sent_back_note::<RetryHour>("retry-queued", "Hour queued again.")}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match state.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(state) => {
                        busy.set(state.hours_queued + state.hours_running > 0 || state.backfills.iter().any(Backfill::is_open));
                        view! { <IngestionState state request cancel /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The queue's figures, the re-ingest form, the backfills, each tenant's hours and the workers.
#[component]
fn IngestionState(
    state: Ingestion,
    request: ServerAction<RequestBackfill>,
    cancel: ServerAction<CancelBackfill>,
) -> impl IntoView {
    let tenants: Vec<String> = state.tenants.iter().map(|t| t.tenant.clone()).collect();
    view! {
        <div class="stats" data-testid="queue">
            <div class="stat"><span class="value">{state.workers.len()}</span><span class="label">"workers alive"</span></div>
            <div class="stat"><span class="value">{state.hours_queued}</span><span class="label">"hours queued"</span></div>
            <div class="stat"><span class="value">{state.hours_running}</span><span class="label">"hours running"</span></div>
            <div class="stat"><span class="value">{state.hours_failed_recently}</span><span class="label">"hours failed (24 h)"</span></div>
        </div>
        <h2>"Re-ingest a range"</h2>
        <ActionForm action=request attr:class="inline-form" attr:data-testid="backfill-form">
            <select name="tenant" aria-label="tenant">
                {tenants.into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
            </select>
            // Whole UTC hours; the server also takes `YYYY-MM-DDTHH` as scripts send it.
            <label>"from " <input type="datetime-local" step="3600" name="from" aria-label="from" required /></label>
            <label>"to (exclusive) " <input type="datetime-local" step="3600" name="to" aria-label="to" required /></label>
            <span class="muted small">"hours in UTC"</span>
            <button type="submit">"Queue"</button>
        </ActionForm>
        {move || outcome(request.value().get(), |b: Backfill| format!("Backfill {} queued: {} hours of {}.", b.id, b.hours_total, b.tenant))}
        {move || outcome(cancel.value().get(), |b: Backfill| format!("Backfill {} cancelled.", b.id))}
        {sent_back_note::<RequestBackfill>("backfill-queued", "Backfill queued: it is in the list below.")}
        {sent_back_note::<CancelBackfill>("backfill-cancelled", "Backfill cancelled.")}
        <h2>"Backfills"</h2>
        <Backfills list=state.backfills cancel=cancel />
        <h2>"Hours"</h2>
        <p class="legend small">
            {["ingested", "no_data", "running", "queued", "failed", "not_due", "missing"].into_iter().map(|s| view! {
                <span class="legend-item"><span class=format!("hour-cell state-{s}")></span>{s.replace('_', " ")}</span>
            }).collect_view()}
        </p>
        {state.tenants.into_iter().map(|t| view! {
            <Timeline tenant=t.tenant name=t.name latest=t.latest no_data_since=t.no_data_since hours=t.hours />
        }).collect_view()}
        <h2>"Workers"</h2>
        <WorkerTable workers=state.workers />
    }
    .into_any()
}

/// The live workers, with the hours each is ingesting.
#[component]
fn WorkerTable(workers: Vec<WorkerRow>) -> impl IntoView {
    view! {
        <table class="data-table" data-testid="workers">
            <thead><tr><th>"Worker"</th><th>"Kind"</th><th>"Host"</th><th class="num">"Pid"</th><th class="num">"Concurrency"</th><th>"Started"</th><th>"Last heartbeat"</th><th>"Ingesting"</th></tr></thead>
            <tbody>
                {workers.into_iter().map(|w| view! {
                    <tr>
                        <td class="mono small">{w.id}</td>
                        <td>{w.kind}</td>
                        <td>{w.host}</td>
                        <td class="num">{w.pid}</td>
                        <td class="num">{w.concurrency}</td>
                        <td><Time at=w.started_at.clone() /></td>
                        <td><Time at=w.heartbeat_at.clone() /></td>
                        <td class="small">{w.running.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
