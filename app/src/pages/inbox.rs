//! `/inbox` and `/watches`: the caller's news, newest first (filters by kind and unread, mark read),
//! and what they watch (add by tenant, target, name and kinds of news; stop watching, which asks
//! first). Forms post to server functions, so both pages work without JavaScript. `/watches`
//! also holds the email digest choice; [`WatchButton`] watches a catalog page's subject in one
//! click.

use blueprint_types::notify::{DIGESTS, Inbox, MailPreference, NEWS_KINDS, Watch, WatchChoices};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::forms::{Confirm, clear_after_success, sent_back_note, worked};
use crate::components::tenant::query_param;
use crate::components::time::{MaybeTime, Time};
use crate::error::AppError;
use crate::pages::admin::Refusal;

/// Items on one page of the inbox.
pub const INBOX_PAGE: u64 = 100;

/// A page of the inbox: the newest, or older than `before`, or newer than `after` (ids).
#[server]
pub async fn get_inbox(
    unread: String,
    kind: String,
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
) -> Result<Inbox, AppError> {
    use crate::error::{actor, from_account, services};
    let query = blueprint_core::notify::InboxQuery {
        unread_only: unread == "true",
        tenant: None,
        kind: Some(kind),
        limit: INBOX_PAGE,
        before: before.and_then(|b| b.trim().parse().ok()),
        after: after.and_then(|a| a.trim().parse().ok()),
    };
    blueprint_core::notify::inbox_of(&services()?, &actor()?, &query)
        .await
        .map_err(|err| from_account("Reading the inbox", err))
}

/// Marks one notification read (`id`), or all of them (`id` empty).
#[server]
pub async fn mark_read(id: String) -> Result<i64, AppError> {
    use crate::error::{actor, from_account, services};
    let ids = match id.trim() {
        "" => None,
        text => Some(vec![text.parse::<i64>().map_err(|_| {
            AppError::Client(blueprint_types::ClientError::Invalid(format!(
                "`{text}` is not a notification"
            )))
        })?]),
    };
    blueprint_core::notify::mark_read_as(&services()?, &actor()?, ids)
        .await
        .map_err(|err| from_account("Marking read", err))
}

#[server]
pub async fn list_watches() -> Result<Vec<Watch>, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::notify::watches_of(&services()?, &actor()?)
        .await
        .map_err(|err| from_account("Reading your watches", err))
}

/// Watches `name` (empty for the whole tenant) for the kinds of news ticked (`kinds[]`) and
/// typed comma-separated (`news`, for scripts); none of either: every kind.
#[server]
pub async fn add_watch(
    tenant: String,
    target: String,
    name: String,
    #[server(default)] news: String,
    #[server(default)] kinds: Vec<String>,
) -> Result<Watch, AppError> {
    use crate::error::{actor, from_account, services};
    let mut kinds: Vec<String> = kinds.into_iter().chain(split_kinds(&news)).collect();
    kinds.dedup();
    let request = blueprint_types::notify::WatchRequest {
        tenant,
        target,
        name: (!name.trim().is_empty()).then(|| name.trim().to_owned()),
        news: (!kinds.is_empty()).then_some(kinds),
    };
    blueprint_core::notify::watch_as(&services()?, &actor()?, &request)
        .await
        .map_err(|err| from_account("Adding the watch", err))
}

/// Kinds of news typed comma-separated, trimmed; none when empty.
pub fn split_kinds(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a watch on `tenant` can name: its events, screens and applications.
#[server]
pub async fn get_watch_choices(tenant: String) -> Result<WatchChoices, AppError> {
    use crate::error::{open_tenant, unavailable};
    let (services, _, tenant) = open_tenant(&tenant).await?;
    let events = blueprint_core::browse::events::event_names(&services, &tenant)
        .await
        .map_err(|err| unavailable("Reading the event names", err))?;
    let options = blueprint_core::browse::events::options(&services, &tenant)
        .await
        .map_err(|err| unavailable("Reading the names", err))?;
    Ok(WatchChoices {
        events,
        screens: options.screens,
        applications: options.applications,
    })
}

#[server]
pub async fn remove_watch(id: i64) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::notify::unwatch_as(&services()?, &actor()?, id)
        .await
        .map_err(|err| from_account("Removing the watch", err))
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| query.with(|q| q.get(name).unwrap_or_default());
    let read = ServerAction::<MarkRead>::new();
    let inbox = Resource::new(
        move || {
            (
                (param("unread"), param("kind")),
                (param("before"), param("after")),
                read.version().get(),
            )
        },
        |((unread, kind), (before, after), _)| {
            let given = |cursor: String| (!cursor.is_empty()).then_some(cursor);
            get_inbox(unread, kind, given(before), given(after))
        },
    );
    // A link to another page of the inbox with the same filters.
    let page_link = move |cursor: &'static str, id: i64| {
        let (unread, kind) = (param("unread"), param("kind"));
        let id = id.to_string();
        format!(
            "/inbox{}",
            crate::components::urls::query_string(&[
                ("kind", kind.as_str()),
                ("unread", unread.as_str()),
                (cursor, id.as_str()),
            ])
        )
    };
    view! {
        <Title text="Inbox" />
        <div class="page-head"><h1>"Inbox"</h1></div>
        <form method="get" action="/inbox" class="toolbar">
            <select name="kind" aria-label="kind of news">
                <option value="">"every kind"</option>
                {NEWS_KINDS.iter().chain(["summary"].iter()).map(|k| view! {
                    <option value=*k selected=move || param("kind") == *k>{k.replace('_', " ")}</option>
                }).collect_view()}
            </select>
            <label><input type="checkbox" name="unread" value="true" checked=move || param("unread") == "true" /> " unread only"</label>
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(inbox) if inbox.items.is_empty() && inbox.older.is_none() && inbox.newer.is_none() => view! {
                        <p class="muted" data-testid="inbox-empty">"Nothing here yet. Watch a tenant, an application, a screen or an event to hear what is new."</p>
                    }.into_any(),
                    Ok(inbox) => view! {
                        <p class="muted">{format!("{} unread", inbox.unread)}</p>
                        <ActionForm action=read>
                            <input type="hidden" name="id" value="" />
                            <button type="submit" class="secondary">"Mark all read"</button>
                        </ActionForm>
                        <table class="data-table" data-testid="inbox">
                            <thead><tr><th>"News"</th><th>"Tenant"</th><th>"Kind"</th><th>"Hour"</th><th></th></tr></thead>
                            <tbody>
                                {inbox.items.into_iter().map(|item| view! {
                                    <tr class:unread=!item.read data-read=item.read.to_string()>
                                        <td><a href=item.link.clone()>{item.title.clone()}</a></td>
                                        <td>{item.tenant.clone()}</td>
                                        <td><span class="badge">{item.kind.replace('_', " ")}</span></td>
                                        <td><MaybeTime at=item.hour.clone() /></td>
                                        <td>
                                            {(!item.read).then(|| view! {
                                                <ActionForm action=read>
                                                    <input type="hidden" name="id" value=item.id />
                                                    <button type="submit" class="secondary">"Mark read"</button>
                                                </ActionForm>
                                            })}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <nav class="pager" aria-label="inbox pages" data-testid="inbox-pages">
                            {inbox.newer.map(|id| view! { <a rel="prev" href=page_link("after", id)>"← newer"</a> " " })}
                            {inbox.older.map(|id| view! { <a rel="next" href=page_link("before", id)>"older →"</a> })}
                        </nav>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The caller's email digest choice, and whether email is on at all.
#[server]
pub async fn get_mail_preference() -> Result<MailPreference, AppError> {
    use crate::error::{actor, from_account, services};
    let on =
        leptos::prelude::use_context::<blueprint_core::channels::EmailOn>().unwrap_or_default();
    blueprint_core::channels::mail::preference_of(&services()?, &actor()?, on.0)
        .await
        .map_err(|err| from_account("Reading your email settings", err))
}

/// Sets the caller's email digest: `off`, `hourly` or `daily`.
#[server]
pub async fn set_mail_preference(digest: String) -> Result<MailPreference, AppError> {
    use crate::error::{actor, from_account, services};
    let on =
        leptos::prelude::use_context::<blueprint_core::channels::EmailOn>().unwrap_or_default();
    blueprint_core::channels::mail::set_preference_as(&services()?, &actor()?, &digest, on.0)
        .await
        .map_err(|err| from_account("Saving your email settings", err))
}

/// A button on a catalog page that watches its subject for every kind of news; once watched it
/// says "Watching" (also after a reload) with an "Unwatch" button that removes the watch.
#[component]
pub fn WatchButton(
    tenant: String,
    /// `tenant`, `application`, `screen` or `event`.
    target: &'static str,
    /// The subject's name (none for a tenant).
    #[prop(optional, into)]
    name: String,
) -> impl IntoView {
    let add = ServerAction::<AddWatch>::new();
    let remove = ServerAction::<RemoveWatch>::new();
    let watches = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| list_watches(),
    );
    let subject = (tenant.clone(), target.to_owned(), name.clone());
    let failure = move || {
        [
            add.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|err| view! { <span class="error small" role="alert">{err.to_string()}</span> })
    };
    view! {
        <span class="watch-button" data-testid="watch-button">
            <Suspense fallback=|| ()>
                {move || {
                    let (tenant, target, name) = subject.clone();
                    Suspend::new(async move {
                        let watching = watches.await.ok().and_then(|list| {
                            list.into_iter().find(|w| w.tenant == tenant && w.target == target && w.name == name)
                        });
                        match watching {
                            Some(watch) => view! {
                                <span class="ok small" role="status" data-testid="watching">"Watching · " <a href="/watches">"manage watches"</a></span>
                                <ActionForm action=remove attr:class="inline-form">
                                    <input type="hidden" name="id" value=watch.id />
                                    <button type="submit" class="secondary">"Unwatch"</button>
                                </ActionForm>
                            }.into_any(),
                            None => view! {
                                <ActionForm action=add attr:class="inline-form">
                                    <input type="hidden" name="tenant" value=tenant />
                                    <input type="hidden" name="target" value=target.clone() />
                                    <input type="hidden" name="name" value=name />
                                    <input type="hidden" name="news" value="" />
                                    <button type="submit" class="secondary" title="Be told of its news in your inbox, by email and digest">
                                        {format!("Watch this {target}")}
                                    </button>
                                </ActionForm>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
            {failure}
        </span>
    }
}

#[component]
fn MailSettings() -> impl IntoView {
    let save = ServerAction::<SetMailPreference>::new();
    let current = Resource::new(move || save.version().get(), |_| get_mail_preference());
    let sent_back = sent_back_note::<SetMailPreference>("mail-saved", "Saved.");
    view! {
        <h2>"Email"</h2>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match current.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(pref) => view! {
                        <ActionForm action=save attr:class="inline-form" attr:data-testid="mail-form">
                            <label>"Send me a digest of my unread news "
                                <select name="digest">
                                    {DIGESTS.map(|d| view! { <option value=d selected=d == pref.digest>{d}</option> })}
                                </select>
                            </label>
                            <button type="submit">"Save"</button>
                        </ActionForm>
                        {(!pref.email_enabled).then(|| view! {
                            <p class="muted small">"Email is not set up on this installation (BLUEPRINT_SMTP_URL); your choice applies once it is."</p>
                        })}
                    }.into_any(),
                }
            })}
        </Suspense>
        {move || match save.value().get() {
            Some(Err(err)) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
            Some(Ok(pref)) => view! { <p class="ok" role="status" data-testid="mail-saved">{format!("Saved: email digest {}.", pref.digest)}</p> }.into_any(),
            // Sent back without JavaScript: the form above shows the digest chosen.
            None => sent_back().into_any(),
        }}
    }
}

#[component]
pub fn WatchesPage() -> impl IntoView {
    let add = ServerAction::<AddWatch>::new();
    let remove = ServerAction::<RemoveWatch>::new();
    let watches = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| list_watches(),
    );
    let confirm = query_param("remove");
    let removed = worked(remove);
    view! {
        <Title text="Watches" />
        <div class="page-head"><h1>"Watches"</h1></div>
        {move || removed.get().then(|| view! { <p class="ok" role="status" data-testid="watch-removed">"Stopped watching."</p> })}
        {move || remove.value().get().and_then(|r| r.err()).map(|err| view! { <p class="error" role="alert">{err.to_string()}</p> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let confirm = confirm.get();
                Suspend::new(async move {
                match watches.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">"You watch nothing yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data-table" data-testid="watches">
                            <thead><tr><th>"Tenant"</th><th>"Watching"</th><th>"News"</th><th>"Since"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|w| {
                                    let asking = confirm == w.id.to_string();
                                    let what = if w.target == "tenant" { format!("the whole tenant {}", w.tenant) } else { format!("{} {}", w.target, w.name) };
                                    view! {
                                    <tr>
                                        <td>{w.tenant.clone()}</td>
                                        <td>{if w.target == "tenant" { "the whole tenant".to_owned() } else { format!("{} {}", w.target, w.name) }}</td>
                                        <td>{if w.news.is_empty() { "every kind".to_owned() } else { w.news.join(", ").replace('_', " ") }}</td>
                                        <td><Time at=w.created_at.clone() /></td>
                                        <td>{stop_watching(w.id, what, asking, remove)}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}}
        </Suspense>
        <h2>"Watch something"</h2>
        <WatchForm add />
        <MailSettings />
    }
}

/// "Stop watching" is a link to `?remove=ID`, where the row asks again and only "Yes, stop"
/// posts (the same with JavaScript on or off): the kinds of news picked would be lost.
fn stop_watching(
    id: i64,
    what: String,
    asking: bool,
    remove: ServerAction<RemoveWatch>,
) -> AnyView {
    if !asking {
        return view! { <a class="button secondary" href=format!("/watches?remove={id}")>"Stop watching"</a> }
            .into_any();
    }
    view! {
        <Confirm question=format!("Stop watching {what}? Its news no longer reaches you. ") testid="confirm-unwatch" cancel="/watches">
            <ActionForm action=remove attr:class="inline-form">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="danger">"Yes, stop"</button>
            </ActionForm>
        </Confirm>
    }
    .into_any()
}

/// Adds a watch by picking: one of the caller's tenants, a name from that tenant's events,
/// screens and applications (a searchable list; other names may be typed) and the kinds of news
/// (none ticked: every kind). Without JavaScript the names offered are those of the tenant in
/// `?tenant=` (the first one otherwise); the links below the form switch it. The form is cleared
/// once a watch is added.
#[component]
fn WatchForm(add: ServerAction<AddWatch>) -> impl IntoView {
    let query = use_query_map();
    let form = NodeRef::<leptos::html::Form>::new();
    clear_after_success(form, add);
    let sent_back =
        sent_back_note::<AddWatch>("watch-added", "Watch added: it is in the list above.");
    let tenants = Resource::new(|| (), |_| crate::pages::tenants::get_tenants(None));
    // The tenant picked in the form (with JavaScript), else the one in the address, else the first.
    let picked = RwSignal::new(None::<String>);
    let asked = move || {
        picked
            .get()
            .unwrap_or_else(|| query.with(|q| q.get("tenant").unwrap_or_default()))
    };
    let choices = Resource::new(asked, |tenant| async move {
        let tenant = match tenant.is_empty() {
            false => tenant,
            true => match crate::pages::tenants::get_tenants(None).await?.first() {
                Some(first) => first.slug.clone(),
                None => return Ok((tenant, WatchChoices::default())),
            },
        };
        get_watch_choices(tenant.clone()).await.map(|c| (tenant, c))
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let list = match tenants.await {
                    Err(err) => return view! { <Refusal error=err /> }.into_any(),
                    Ok(list) => list,
                };
                let asked = query.with_untracked(|q| q.get("tenant").unwrap_or_default());
                let first = list
                    .iter()
                    .find(|t| t.slug == asked)
                    .or(list.first())
                    .map(|t| t.slug.clone())
                    .unwrap_or_default();
                let links = list.iter().map(|t| view! {
                    " " <a href=format!("/watches?tenant={}", crate::components::urls::encode_query_value(&t.slug))>{t.slug.clone()}</a>
                }).collect_view();
                view! {
                    <ActionForm action=add node_ref=form attr:class="inline-form" attr:data-testid="watch-form">
                        <select name="tenant" aria-label="tenant" required on:change=move |ev| picked.set(Some(event_target_value(&ev)))>
                            {list.iter().map(|t| view! {
                                <option value=t.slug.clone() selected=t.slug == first>{t.slug.clone()}</option>
                            }).collect_view()}
                        </select>
                        <select name="target" aria-label="what">
                            <option value="event">"event"</option>
                            <option value="screen">"screen"</option>
                            <option value="application">"application"</option>
                            <option value="tenant">"the whole tenant"</option>
                        </select>
                        <input type="text" name="name" list="watch-names" placeholder="name (empty for a tenant)" aria-label="name" autocomplete="off" />
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let (tenant, names) = choices.await.unwrap_or_default();
                                let offer = |names: Vec<String>, kind: &'static str| names.into_iter().map(move |n| view! {
                                    <option value=n.clone() label=kind data-kind=kind></option>
                                }).collect_view();
                                view! {
                                    <datalist id="watch-names" data-testid="watch-names" data-tenant=tenant>
                                        {offer(names.events, "event")}
                                        {offer(names.screens, "screen")}
                                        {offer(names.applications, "application")}
                                    </datalist>
                                }
                            })}
                        </Transition>
                        <fieldset class="news-kinds" data-testid="news-kinds">
                            <legend>"Kinds of news (none ticked: every kind)"</legend>
                            {NEWS_KINDS.iter().map(|k| view! {
                                <label><input type="checkbox" name="kinds[]" value=*k />{format!(" {}", k.replace('_', " "))}</label>
                            }).collect_view()}
                        </fieldset>
                        <button type="submit">"Watch"</button>
                    </ActionForm>
                    <p class="muted small" data-testid="names-of">
                        "Names offered from one tenant; from another: " {links}
                    </p>
                }.into_any()
            })}
        </Suspense>
        {move || match add.value().get() {
            Some(Err(err)) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
            Some(Ok(w)) => {
                let what = if w.target == "tenant" { format!("the whole tenant {}", w.tenant) } else { format!("{} {} in {}", w.target, w.name, w.tenant) };
                view! { <p class="ok" role="status" data-testid="watch-added">{format!("Watching {what}.")}</p> }.into_any()
            }
            None => sent_back().into_any(),
        }}
    }
}
