//! `/admin/tokens`: the caller's API tokens (admins: everyone's), with last use; create one (its
//! secret is shown once) or revoke one.

use blueprint_types::TokenRow;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::forms::clear_after_success;
use crate::components::tenant::query_param;
use crate::components::time::{MaybeTime, Time};
use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn list_tokens() -> Result<Vec<TokenRow>, AppError> {
    use crate::error::{actor, from_account, services};
    let tokens = blueprint_core::accounts::tokens::list_tokens(&services()?, &actor()?)
        .await
        .map_err(|err| from_account("Listing tokens", err))?;
    Ok(tokens)
}

/// Creates a token; returns its secret, shown once. `tenant` empty means every tenant (admins).
#[server]
pub async fn create_token(name: String, tenant: String, role: String) -> Result<String, AppError> {
    use crate::error::{actor, from_account, services};
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
    let (secret, _) = create(&services()?, &actor()?, NewToken { name, tenant, role })
        .await
        .map_err(|err| from_account("Creating a token", err))?;
    Ok(secret)
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
    let confirm = query_param("revoke");
    let created = NodeRef::<leptos::html::Form>::new();
    clear_after_success(created, create);
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
        <h2>"Create a token"</h2>
        <ActionForm action=create node_ref=created attr:class="inline-form" attr:data-testid="create-token">
            <input type="text" name="name" placeholder="name, e.g. release pipeline" aria-label="token name" required />
            <input type="text" name="tenant" placeholder="tenant (empty: all, admins only)" aria-label="tenant" />
            <select name="role">
                <option value="viewer">"viewer"</option>
                <option value="owner">"owner"</option>
                <option value="admin">"admin"</option>
            </select>
            <button type="submit">"Create"</button>
        </ActionForm>
        {move || match create.value().get() {
            Some(Ok(secret)) => view! {
                <p class="ok">"Copy this token now; it is not shown again: "<code data-testid="new-token">{secret}</code></p>
            }.into_any(),
            Some(Err(err)) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
            None => ().into_any(),
        }}
    }
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
