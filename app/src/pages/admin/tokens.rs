//! `/admin/tokens`: the caller's API tokens (admins: everyone's), with last use; create one (its
//! secret is shown once) or revoke one. The create form offers only the tenants and roles the
//! caller may give a token. Without JavaScript the post sends the browser back to this page: the
//! secret then waits in the session, sealed, and the server hands it to this page's next view
//! alone (`blueprint-server`'s `web::handover`), never in an address.

use blueprint_types::{TokenChoices, TokenRow};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::forms::clear_after_success;
use crate::components::tenant::query_param;
use crate::components::time::{MaybeTime, Time};
use crate::error::AppError;
use crate::pages::admin::Refusal;

/// The page that shows a new token's secret.
pub const TOKENS_PATH: &str = "/admin/tokens";

/// The session key under which a new token's sealed secret waits for [`TOKENS_PATH`].
pub const NEW_TOKEN_KEY: &str = "new_token";

/// A new token's secret, taken out of the session for this one view of [`TOKENS_PATH`] (a
/// request extension the server sets).
#[derive(Clone)]
pub struct HandedTokenSecret(pub String);

impl std::fmt::Debug for HandedTokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HandedTokenSecret(…)")
    }
}

#[server]
pub async fn list_tokens() -> Result<Vec<TokenRow>, AppError> {
    use crate::error::{actor, from_account, services};
    let tokens = blueprint_core::accounts::tokens::list_tokens(&services()?, &actor()?)
        .await
        .map_err(|err| from_account("Listing tokens", err))?;
    Ok(tokens)
}

/// The tenants and roles the caller may give a new token.
#[server]
pub async fn get_token_choices() -> Result<TokenChoices, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::accounts::tokens::token_choices(&services()?, &actor()?)
        .await
        .map_err(|err| from_account("Reading the token choices", err))
}

/// Creates a token; returns its secret, shown once. `tenant` empty means every tenant (admins).
/// Posted without JavaScript, the secret is kept (sealed) in the session for the page the browser
/// is sent back to.
#[server]
pub async fn create_token(name: String, tenant: String, role: String) -> Result<String, AppError> {
    use crate::error::{actor, from_account, plain_form_post, services};
    use blueprint_core::accounts::tokens::{NewToken, create_token as create};
    let role = match role.as_str() {
        "admin" => None,
        other => Some(
            other
                .parse()
                .map_err(|err| from_account("Creating a token", err))?,
        ),
    };
    let tenant = Some(tenant.trim().to_owned()).filter(|t| !t.is_empty());
    let services = services()?;
    let (secret, _) = create(&services, &actor()?, NewToken { name, tenant, role })
        .await
        .map_err(|err| from_account("Creating a token", err))?;
    if plain_form_post() {
        keep_for_the_page(&services, &secret).await?;
    }
    Ok(secret)
}

/// Seals `secret` into the caller's session for the next view of [`TOKENS_PATH`].
#[cfg(feature = "ssr")]
async fn keep_for_the_page(
    services: &blueprint_core::Services,
    secret: &str,
) -> Result<(), AppError> {
    use crate::error::unavailable;
    const CONTEXT: &str =
        "Keeping the new token for the page (it was created: revoke it and create another)";
    let session: tower_sessions::Session = leptos_axum::extract()
        .await
        .map_err(|err| unavailable(CONTEXT, err))?;
    let id = session
        .id()
        .ok_or_else(|| unavailable(CONTEXT, "the request has no saved session"))?;
    let sealed = blueprint_core::accounts::sealed::Sealed::seal(
        secret,
        &id.to_string(),
        services.db.now_seconds(),
    );
    session
        .insert(NEW_TOKEN_KEY, sealed)
        .await
        .map_err(|err| unavailable(CONTEXT, err))
}

/// The secret of the token a form posted without JavaScript just created, for this view only.
#[server]
pub async fn new_token_secret() -> Result<Option<String>, AppError> {
    crate::error::actor()?;
    Ok(use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<HandedTokenSecret>()
            .map(|secret| secret.0.clone())
    }))
}

#[server]
pub async fn revoke_token(token_id: i64) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::accounts::tokens::revoke_token(&services()?, &actor()?, token_id)
        .await
        .map_err(|err| from_account("Revoking a token", err))
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let choices = Resource::new(|| (), |_| get_token_choices());
    let handed = Resource::new(|| (), |_| new_token_secret());
    let confirm = query_param("revoke");
    view! {
        <Title text="API tokens" />
        <div class="page-head"><h1>"API tokens"</h1>
            <p class="muted">"Use a token as "<code>"Authorization: Bearer …"</code>" with the REST API under /api/v1."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading tokens…"</p> }>
            {move || {
                let confirm = confirm.get();
                Suspend::new(async move {
                match tokens.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(list) => view! {
                        <table class="data-table" data-testid="tokens">
                            <thead><tr><th>"Name"</th><th>"Tenant"</th><th>"Role"</th><th>"Starts with"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| view! {
                                    <tr>
                                        <td>{t.name.clone()}</td>
                                        <td>{t.tenant.clone().unwrap_or_else(|| "all".into())}</td>
                                        <td>{t.role.clone()}</td>
                                        <td class="mono">{t.prefix.clone()}"…"</td>
                                        <td><Time at=t.created_at.clone() /></td>
                                        <td><MaybeTime at=t.last_used_at.clone() fallback="never" /></td>
                                        <td>{revoke_cell(&t, &confirm, revoke)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! { <CreateForm choices create /> }.into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || {
                let answer = create.value().get();
                Suspend::new(async move {
                    let handed = handed.await.ok().flatten();
                    match answer {
                        Some(Ok(secret)) => view! { <NewSecret secret /> }.into_any(),
                        Some(Err(err)) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                        None => handed.map(|secret| view! { <NewSecret secret /> }).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The secret of a token just created, with the warning that it is shown this once.
#[component]
fn NewSecret(secret: String) -> impl IntoView {
    view! {
        <p class="ok" role="status">"Copy this token now; it is not shown again: "<code data-testid="new-token">{secret}</code></p>
    }
}

/// Creates a token for one of the caller's tenants (admins: also every tenant) with a role they
/// may give; cleared once it worked. Someone who may make no token gets no form.
#[component]
fn CreateForm(choices: TokenChoices, create: ServerAction<CreateToken>) -> impl IntoView {
    if choices.tenants.is_empty() && !choices.every_tenant {
        return view! { <p class="muted">"You are a member of no tenant, so there is no token to create."</p> }
            .into_any();
    }
    let roles = choices.roles();
    let created = NodeRef::<leptos::html::Form>::new();
    clear_after_success(created, create);
    view! {
        <h2>"Create a token"</h2>
        <ActionForm action=create node_ref=created attr:class="inline-form" attr:data-testid="create-token">
            <input type="text" name="name" placeholder="name, e.g. release pipeline" aria-label="token name" required />
            <select name="tenant" aria-label="tenant">
                {choices.tenants.into_iter().map(|t| view! { <option value=t.slug.clone()>{t.slug.clone()}</option> }).collect_view()}
                {choices.every_tenant.then(|| view! { <option value="">"every tenant"</option> })}
            </select>
            <select name="role" aria-label="role">
                {roles.into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
            </select>
            <button type="submit">"Create"</button>
        </ActionForm>
    }
    .into_any()
}

/// "Revoke" is a link to `?revoke=ID`, where the row asks again and only "Yes, revoke" posts
/// (the same with JavaScript on or off).
fn revoke_cell(t: &TokenRow, confirm: &str, revoke: ServerAction<RevokeToken>) -> AnyView {
    if t.revoked {
        return view! { <span class="muted">"revoked"</span> }.into_any();
    }
    if confirm != t.id.to_string() {
        return view! { <a class="button secondary" href=format!("/admin/tokens?revoke={}", t.id)>"Revoke"</a> }
            .into_any();
    }
    let (id, question) = (
        t.id,
        format!("Revoke {}? Anything using it stops working. ", t.name),
    );
    view! {
        <span class="confirm" role="alert" data-testid="confirm-revoke">
            {question}
            <ActionForm action=revoke attr:class="inline-form">
                <input type="hidden" name="token_id" value=id />
                <button type="submit" class="danger">"Yes, revoke"</button>
            </ActionForm>
            " " <a href="/admin/tokens">"Cancel"</a>
        </span>
    }
    .into_any()
}
