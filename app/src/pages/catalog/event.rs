//! `/t/{tenant}/events/{event}`: the event's curation (editable by owners and admins), its volume
//! by hour and by day split by version or platform, where it fires, its keys and types, and its
//! discoveries as a timeline.

// `update_curation` takes one argument per form field (the form posts without JavaScript), and
// the client stub `#[server]` generates for it cannot carry an attribute of its own.
#![allow(clippy::too_many_arguments)]

use blueprint_types::catalog::{Curation, EventDetail};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::charts::{ChartKind, Palette, TimeChart, thousands};
use crate::components::forms::{
    LastRow, ROW_FIELD, done_without_js, successes, typed_or, typed_values,
};
use crate::components::tenant::{
    RangePicker, Tab, TenantTabs, path_param, query_param, range_query, tenant_param,
};
use crate::components::time::MaybeTime;
use crate::components::urls::{encode_query_value, query_string, tenant_path};
use crate::error::AppError;
use crate::pages::admin::Refusal;
use crate::pages::catalog::DiscoveryItems;
use crate::pages::catalog::incidents::changed::EventIncidents;
use crate::pages::inbox::WatchButton;

#[server]
pub async fn get_event(
    tenant: String,
    event: String,
    from: String,
    to: String,
    split: String,
) -> Result<EventDetail, AppError> {
    use blueprint_core::browse::events::{Split, detail};
    let (services, actor, tenant) = crate::error::open_tenant(&tenant).await?;
    let range = crate::error::range_of(&tenant, &from, &to)?;
    let split = Split::parse(Some(&split)).map_err(|err| crate::error::from_account("", err))?;
    detail(&services, &actor, &tenant, &event, range, split)
        .await
        .map_err(|err| crate::error::from_account("Reading the event", err))
}

/// Saves the description, owner, status and tags of an application, screen or event. `kind` is
/// `application` (with `platform`), `screen` or `event`; `tags` are comma-separated.
#[server]
pub async fn update_curation(
    tenant: String,
    kind: String,
    name: String,
    #[server(default)] platform: String,
    description: String,
    owner: String,
    status: String,
    tags: String,
    /// Events only: their own quiet period in days; empty leaves it, 0 goes back to the tenant's.
    #[server(default)]
    quiet_days: String,
) -> Result<Curation, AppError> {
    use blueprint_core::browse::curate::{Subject, split_tags, update};
    use blueprint_types::catalog::CurationEdit;
    let (services, actor, tenant) = crate::error::open_tenant(&tenant).await?;
    let subject = match kind.as_str() {
        "application" => Subject::Application { name, platform },
        "screen" => Subject::Screen(name),
        "event" => Subject::Event(name),
        other => {
            return Err(AppError::Client(blueprint_types::ClientError::Invalid(
                format!("`{other}` is not application, screen or event"),
            )));
        }
    };
    let quiet_days = match quiet_days.trim() {
        "" => None,
        text => Some(text.parse::<i32>().map_err(|_| {
            AppError::Client(blueprint_types::ClientError::Invalid(format!(
                "the quiet period `{text}` is not a number of days"
            )))
        })?),
    };
    let edit = CurationEdit {
        description: Some(description),
        owner: Some(owner),
        status: Some(status),
        tags: Some(split_tags(&tags)),
        quiet_days,
    };
    update(&services, &actor, &tenant, &subject, &edit)
        .await
        .map_err(|err| crate::error::from_account("Saving the description", err))
}

#[component]
pub fn EventPage() -> impl IntoView {
    let tenant = tenant_param();
    let event = path_param("event");
    let (from, to) = range_query();
    let split = query_param("split");
    let save = ServerAction::<UpdateCuration>::new();
    let saves = successes(save);
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                event.get(),
                from.get(),
                to.get(),
                split.get(),
                saves.get(),
            )
        },
        |(tenant, event, from, to, split, _)| get_event(tenant, event, from, to, split),
    );
    view! {
        <Title text={format!("{} · {}", event.get_untracked(), tenant.get_untracked())} />
        <TenantTabs tenant=tenant.get_untracked() current=Tab::Events />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <Refusal error /> }.into_any(),
                    Ok(detail) => view! { <EventView detail save /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CurationView(
    curation: Curation,
    can_edit: bool,
    save: ServerAction<UpdateCuration>,
    tenant: String,
    kind: &'static str,
    name: String,
    /// The application's platform (applications only).
    #[prop(optional, into)]
    platform: String,
    /// On a page with one such form per row (the applications), the row submitted last: only
    /// that row says "Saved" or shows the refusal.
    #[prop(optional)]
    last: Option<LastRow>,
) -> impl IntoView {
    let row = curation_row(kind, &name, &platform);
    let mine = {
        let row = row.clone();
        Signal::derive(move || last.is_none_or(|last| last.is(&row)))
    };
    // A refusal sent back without JavaScript: what was typed into this form, and its error.
    let typed = typed_values::<UpdateCuration>()
        .get_untracked()
        .filter(|fields| {
            typed_or(&Some(fields.clone()), "name", String::new()) == name
                && typed_or(&Some(fields.clone()), "platform", String::new()) == platform
        });
    let refused = move || matches!(save.value().get(), Some(Err(_))) && mine.get();
    // The refusal's message, beside the field it names (at the top when it names none).
    let error = move |at: &'static str| {
        save.value()
            .get()
            .filter(|_| mine.get())
            .and_then(|result| result.err())
            .map(|err| err.to_string())
            .filter(|message| field_of(message) == at)
            .map(|message| view! { <p class="error" role="alert" data-testid="save-error" data-field=at>{message}</p> })
    };
    let done = done_without_js::<UpdateCuration>();
    let saved = move || {
        ((matches!(save.value().get(), Some(Ok(_))) || done.get()) && mine.get()).then(
            || view! { <span class="saved small" role="status" data-testid="saved">"Saved"</span> },
        )
    };
    let c = curation.clone();
    let field = |name: &str, stored: String| typed_or(&typed, name, stored);
    let description = field("description", c.description.clone().unwrap_or_default());
    let owner = field("owner", c.owner.clone().unwrap_or_default());
    let status = field("status", c.status.clone());
    let tags = field("tags", c.tags.join(", "));
    let quiet_days = field("quiet_days", c.quiet_days.unwrap_or(0).to_string());
    view! {
        <section class="card" data-testid="curation">
            <p class="description" data-testid="description">
                {c.description.clone().unwrap_or_else(|| "No description yet.".into())}
            </p>
            <p class="small">
                <span class=format!("badge {}", c.status)>{c.status.clone()}</span>
                {c.quiet_days.map(|days| view! { " " <span class="muted" data-testid="quiet-days">{format!("obsolete after {days} quiet days")}</span> })}
                " owner: " <span data-testid="owner">{c.owner.clone().unwrap_or_else(|| "nobody".into())}</span>
                {c.tags.iter().map(|t| view! { " " <span class="tag">{t.clone()}</span> }).collect::<Vec<_>>()}
                " " {saved}
            </p>
            {can_edit.then(|| view! {
                // Open while its last submission was refused, so the error shows beside the form.
                <details class="edit" open=refused>
                    <summary>"Edit"</summary>
                    <ActionForm action=save attr:class="stacked-form" attr:data-testid="edit-form">
                        <input type="hidden" name="tenant" value=tenant.clone() />
                        <input type="hidden" name="kind" value=kind />
                        <input type="hidden" name="name" value=name.clone() />
                        <input type="hidden" name="platform" value=platform.clone() />
                        {last.is_some().then(|| view! { <input type="hidden" name=ROW_FIELD value=row.clone() /> })}
                        {move || error("form")}
                        <label>"Description"<textarea name="description" rows="3">{description}</textarea></label>
                        {move || error("description")}
                        <label>"Owner (email of a member)"<input type="email" name="owner" value=owner /></label>
                        {move || error("owner")}
                        <label>"Status"
                            <select name="status">
                                {["active", "deprecated", "obsolete"].map(|s| view! { <option value=s selected=s == status>{s}</option> })}
                            </select>
                        </label>
                        <label>"Tags (comma-separated)"<input type="text" name="tags" value=tags /></label>
                        {move || error("tags")}
                        {(kind == "event").then(|| view! {
                            <label>"Obsolete after this many days without a sighting (0: the tenant's period)"
                                <input type="number" name="quiet_days" min="0" max="365" value=quiet_days />
                            </label>
                            {move || error("quiet_days")}
                        })}
                        <button type="submit">"Save"</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

/// The key of one curation form among others on a page: `kind:name:platform`.
pub fn curation_row(kind: &str, name: &str, platform: &str) -> String {
    format!("{kind}:{name}:{platform}")
}

/// The edit form's field a refusal's message is about ("form" when it names none).
fn field_of(message: &str) -> &'static str {
    let message = message.to_lowercase();
    [
        ("quiet", "quiet_days"),
        ("tag", "tags"),
        ("owner", "owner"),
        ("member", "owner"),
        ("description", "description"),
    ]
    .into_iter()
    .find(|(word, _)| message.contains(word))
    .map_or("form", |(_, field)| field)
}

#[component]
fn EventView(detail: EventDetail, save: ServerAction<UpdateCuration>) -> impl IntoView {
    let d = detail;
    let base = tenant_path(&d.tenant, &["events", &d.name]);
    let other_split = if d.split == "version" {
        "platform"
    } else {
        "version"
    };
    let split_href = format!(
        "{base}{}",
        query_string(&[
            ("from", &d.range.from),
            ("to", &d.range.to),
            ("split", other_split)
        ])
    );
    let schema = format!(
        "/api/v1/tenants/{}/events/{}/schema",
        encode_query_value(&d.tenant),
        encode_query_value(&d.name)
    );
    let tenant = d.tenant.clone();
    // One colour per version (or platform) in both charts.
    let palette = Palette::of(&[&d.hourly, &d.daily]);
    view! {
        <div class="page-head">
            <h1 data-testid="event-name">{d.name.clone()}</h1>
            <WatchButton tenant=d.tenant.clone() target="event" name=d.name.clone() />
            <p class="muted small">
                "first seen " <MaybeTime at=d.first_seen.clone() /> " · last seen " <MaybeTime at=d.last_seen.clone() />
                {format!(" · {} events in the range", thousands(d.events_total))}
                " · " <a href=schema.clone()>"JSON Schema"</a>
            </p>
            <RangePicker range=d.range.clone() action=base.clone() keep=vec![("split", d.split.clone())] />
        </div>
        {(d.shown_status == "quiet").then(|| view! {
            <p class="banner warn" role="status" data-testid="quiet-banner">
                {format!("Not seen since {}: nothing sent it for 48 hours or more before the tenant's latest hour.", d.last_seen.clone().unwrap_or_default())}
            </p>
        })}
        <CurationView curation=d.curation.clone() can_edit=d.can_edit save tenant=d.tenant.clone() kind="event" name=d.name.clone() />
        <section class="card">
            <h2>{format!("Volume by hour, by {}", d.split)} " " <a class="small" href=split_href>{format!("split by {other_split}")}</a></h2>
            <TimeChart data=d.hourly.clone() kind=ChartKind::StackedBars label=format!("Events of {} per hour", d.name) palette=palette.clone() />
            <EventIncidents tenant=d.tenant.clone() event=d.name.clone() buckets=d.hourly.buckets.clone() />
            <h2>{format!("Volume by day (90 days), by {}", d.split)}</h2>
            <TimeChart data=d.daily.clone() kind=ChartKind::StackedBars label=format!("Events of {} per day", d.name) palette fit=true />
        </section>
        <section class="card" data-testid="keys">
            <h2>"Keys"</h2>
            {if d.keys.is_empty() {
                view! { <p class="muted">"This event carries no keys."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table">
                        <thead><tr><th>"Path"</th><th>"Types in the range"</th><th class="num">"Carried by"</th><th>"First seen"</th><th>"Last seen"</th></tr></thead>
                        <tbody>
                            {d.keys.iter().map(|k| {
                                view! {
                                    <tr class=k.conflict.then_some("conflict")>
                                        <td class="mono">{k.path.clone()}</td>
                                        <td>
                                            <span class="type" data-testid="key-types">{type_text(k)}</span>" "
                                            {k.conflict.then(|| view! { <span class="badge warn" title="more than one type besides null">"type conflict"</span> })}
                                        </td>
                                        <td class="num">{format!("{:.0}%", k.coverage * 100.0)}</td>
                                        <td><MaybeTime at=k.first_seen.clone() /></td>
                                        <td><MaybeTime at=k.last_seen.clone() /></td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <div class="grid-2">
            <section class="card" data-testid="screens">
                <h2>"Screens"</h2>
                <SeenTable rows=d.screens.clone() tenant=tenant.clone() link="screens" />
            </section>
            <section class="card" data-testid="versions">
                <h2>"Application versions"</h2>
                <SeenTable rows=d.versions.clone() tenant=tenant.clone() link="" />
            </section>
        </div>
        <section class="card" data-testid="timeline">
            <h2>"Discoveries"</h2>
            <ul class="discoveries">
                <DiscoveryItems items=d.discoveries.clone() />
            </ul>
        </section>
    }
}

/// Where something was seen: name (a link when `link` names a tenant page), first/last seen,
/// events in the range.
#[component]
pub fn SeenTable(
    rows: Vec<blueprint_types::catalog::SeenRow>,
    tenant: String,
    link: &'static str,
) -> impl IntoView {
    view! {
        <table class="data-table">
            <thead><tr><th>"Name"</th><th>"First seen"</th><th>"Last seen"</th><th class="num">"Events in range"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <td>{if link.is_empty() {
                            r.name.clone().into_any()
                        } else {
                            view! { <a href=tenant_path(&tenant, &[link, &r.name])>{r.name.clone()}</a> }.into_any()
                        }}</td>
                        <td><MaybeTime at=r.first_seen.clone() /></td>
                        <td><MaybeTime at=r.last_seen.clone() /></td>
                        <td class="num">{thousands(r.events)}</td>
                    </tr>
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
}

/// A key's types with their counts and, for a conflict, the versions that sent each: "number in
/// 1,234 lines (3.9, 3.10), string in 12 lines (3.10)".
fn type_text(key: &blueprint_types::catalog::KeyRow) -> String {
    key.types
        .iter()
        .enumerate()
        .map(|(i, (t, n))| {
            let lines = if *n == 1 { "line" } else { "lines" };
            let versions = key
                .type_versions
                .get(i)
                .filter(|v| key.conflict && !v.is_empty())
                .map(|v| format!(" ({})", v.join(", ")))
                .unwrap_or_default();
            format!("{t} in {} {lines}{versions}", thousands(*n))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
