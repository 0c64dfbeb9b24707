//! `/admin/notifications`: for each tenant the caller owns (admins: every tenant), the quiet period
//! after which unseen events, screens and applications are marked obsolete, and its webhooks with
//! their secrets and last deliveries (status, attempts, the endpoint's answer). Forms post to
//! server functions, so the page works without JavaScript. Each tenant's forms say what their
//! last submission did; removing a webhook asks first (`?remove=ID`).

use blueprint_types::notify::{TenantChannels, Webhook};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::forms::{Confirm, LastRow, ROW_FIELD, worked};
use crate::components::tenant::query_param;
use crate::components::time::{MaybeTime, Time};
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn get_channels() -> Result<Vec<TenantChannels>, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::channels::webhooks::settings_of(&services()?, &actor()?)
        .await
        .map_err(|err| from_account("Reading the notification settings", err))
}

/// Adds a webhook; `news` is comma-separated kinds (empty: all).
#[server]
pub async fn add_webhook(tenant: String, url: String, news: String) -> Result<Webhook, AppError> {
    use crate::error::{actor, from_account, services, webhook_hosts};
    let kinds = crate::pages::inbox::split_kinds(&news);
    let request = blueprint_types::notify::WebhookRequest {
        url,
        news: (!kinds.is_empty()).then_some(kinds),
    };
    let hosts = webhook_hosts();
    blueprint_core::channels::webhooks::create_as(
        &services()?,
        &hosts,
        &actor()?,
        &tenant,
        &request,
    )
    .await
    .map_err(|err| from_account("Adding the webhook", err))
}

#[server]
pub async fn remove_webhook(id: i64) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::channels::webhooks::delete_as(&services()?, &actor()?, id)
        .await
        .map_err(|err| from_account("Removing the webhook", err))
}

/// Sets a tenant's quiet period in days (0: the default).
#[server]
pub async fn set_quiet_days(tenant: String, days: String) -> Result<Option<i32>, AppError> {
    use crate::error::{actor, from_account, services};
    let days: i32 = days.trim().parse().map_err(|_| {
        AppError::Client(blueprint_types::ClientError::Invalid(format!(
            "the quiet period `{days}` is not a number of days"
        )))
    })?;
    blueprint_core::channels::webhooks::set_quiet_days_as(&services()?, &actor()?, &tenant, days)
        .await
        .map_err(|err| from_account("Saving the quiet period", err))
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    let quiet = ServerAction::<SetQuietDays>::new();
    let data = Resource::new(
        move || {
            (
                add.version().get(),
                remove.version().get(),
                quiet.version().get(),
            )
        },
        |_| get_channels(),
    );
    // One action per kind of form for every tenant: each section speaks only of its own.
    let rows = Rows {
        added: LastRow::new(add, |a: &AddWebhook| a.tenant.clone()),
        saved: LastRow::new(quiet, |q: &SetQuietDays| q.tenant.clone()),
    };
    let confirm = query_param("remove");
    let removed = worked(remove);
    let failure = move || {
        let messages: Vec<String> = [
            add.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
            quiet.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .map(|err| err.to_string())
        .collect();
        (!messages.is_empty())
            .then(|| view! { <p class="error" role="alert">{messages.join(" ")}</p> })
    };
    view! {
        <Title text="Notifications" />
        <div class="page-head"><h1>"Notifications"</h1>
            <p class="muted">"Per tenant: when unseen things count as obsolete, and the webhooks that receive its news. "
                "Each delivery is a JSON POST with a Slack-compatible "<code>"text"</code>", signed: "
                <code>"X-Blueprint-Signature: sha256=HMAC-SHA256(secret, timestamp + \".\" + body)"</code>
                " with the timestamp in "<code>"X-Blueprint-Timestamp"</code>"."</p>
        </div>
        {failure}
        {move || removed.get().then(|| view! { <p class="ok" role="status" data-testid="webhook-removed">"Webhook removed."</p> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let confirm = confirm.get();
                Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">"You own no tenant."</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|t| view! { <TenantSection t add remove quiet rows confirm=confirm.clone() /> }).collect_view().into_any(),
                }
            })}}
        </Suspense>
    }
}

/// Which tenant's section added a webhook and saved a quiet period last.
#[derive(Clone, Copy)]
struct Rows {
    added: LastRow,
    saved: LastRow,
}

#[component]
fn TenantSection(
    t: TenantChannels,
    add: ServerAction<AddWebhook>,
    remove: ServerAction<RemoveWebhook>,
    quiet: ServerAction<SetQuietDays>,
    rows: Rows,
    /// The webhook asked to be removed (`?remove=ID`), if any.
    confirm: String,
) -> impl IntoView {
    let (for_quiet, for_add) = (t.tenant.clone(), t.tenant.clone());
    let (added, saved) = (worked(add), worked(quiet));
    let here = t.tenant.clone();
    let added_here = {
        let here = here.clone();
        move || added.get() && rows.added.is(&here)
    };
    let saved_here = move || saved.get() && rows.saved.is(&here);
    // The form is kept (redrawn in place) when the list reloads: empty it once its webhook is in.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new({
        let added_here = added_here.clone();
        move |_| {
            if added_here()
                && let Some(form) = form.get_untracked()
            {
                form.reset();
            }
        }
    });
    view! {
        <section class="card" data-testid=format!("channels-{}", t.tenant)>
            <h2>{t.tenant.clone()}</h2>
            <ActionForm action=quiet attr:class="inline-form">
                <input type="hidden" name="tenant" value=for_quiet.clone() />
                <input type="hidden" name=ROW_FIELD value=for_quiet />
                <label>{format!("Obsolete after this many days without a sighting (0: the default, {})", t.default_quiet_days)}
                    <input type="number" name="days" min="0" max="365" value=t.quiet_days.unwrap_or(0) />
                </label>
                <button type="submit">"Save"</button>
            </ActionForm>
            {move || saved_here().then(|| view! { <p class="ok" role="status" data-testid="quiet-saved">"Saved."</p> })}
            <h3>"Webhooks"</h3>
            {if t.webhooks.is_empty() {
                view! { <p class="muted">"No webhooks."</p> }.into_any()
            } else {
                t.webhooks.into_iter().map(|h| {
                    let asking = confirm == h.id.to_string();
                    view! { <WebhookView h remove asking /> }
                }).collect_view().into_any()
            }}
            {move || added_here().then(|| view! { <p class="ok" role="status" data-testid="webhook-added">"Webhook added."</p> })}
            <ActionForm action=add node_ref=form attr:class="inline-form" attr:data-testid="webhook-form">
                <input type="hidden" name="tenant" value=for_add.clone() />
                <input type="hidden" name=ROW_FIELD value=for_add />
                <input type="url" name="url" placeholder="https://hooks.example.com/…" aria-label="webhook URL" required />
                <input type="text" name="news" placeholder="kinds of news (empty: all)" aria-label="kinds of news" />
                <button type="submit">"Add webhook"</button>
            </ActionForm>
        </section>
    }
}

/// One webhook: "Remove" is a link to `?remove=ID`, where the webhook asks again and only "Yes,
/// remove" posts (the same with JavaScript on or off).
#[component]
fn WebhookView(
    h: Webhook,
    remove: ServerAction<RemoveWebhook>,
    /// This webhook is the one asked to be removed.
    asking: bool,
) -> impl IntoView {
    let removal = if asking {
        view! {
            <Confirm question=format!("Remove the webhook to {}? It receives no more news. ", h.url) testid="confirm-remove-webhook" cancel="/admin/notifications">
                <ActionForm action=remove attr:class="inline-form">
                    <input type="hidden" name="id" value=h.id />
                    <button type="submit" class="danger">"Yes, remove"</button>
                </ActionForm>
            </Confirm>
        }
        .into_any()
    } else {
        view! { <a class="button secondary" href=format!("/admin/notifications?remove={}", h.id)>"Remove"</a> }
            .into_any()
    };
    view! {
        <div class="webhook" data-testid="webhook">
            <p>
                <code>{h.url.clone()}</code>" · "
                {if h.news.is_empty() { "every kind of news".to_owned() } else { h.news.join(", ").replace('_', " ") }}
                " · secret " <code class="small">{h.secret.clone()}</code>
            </p>
            {removal}
            {if h.deliveries.is_empty() {
                view! { <p class="muted small">"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table" data-testid="deliveries">
                        <thead><tr><th>"News"</th><th>"Status"</th><th class="num">"Attempts"</th><th>"Answer"</th><th>"Created"</th><th>"Delivered"</th></tr></thead>
                        <tbody>
                            {h.deliveries.into_iter().map(|d| view! {
                                <tr>
                                    <td>{d.title.clone()}</td>
                                    <td><span class=format!("badge {}", d.status)>{d.status.clone()}</span></td>
                                    <td class="num">{d.attempts}</td>
                                    <td class="small">
                                        {d.response_status.map(|s| format!("HTTP {s} ")).unwrap_or_default()}
                                        <span class="mono">{d.response_body.clone().unwrap_or_default()}</span>
                                        {d.error.clone().map(|e| view! { <span class="error">{e}</span> })}
                                    </td>
                                    <td><Time at=d.created_at.clone() /></td>
                                    <td><MaybeTime at=d.delivered_at.clone() /></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}
