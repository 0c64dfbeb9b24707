//! `/admin/users`: every user with their role and tenants; create, disable or enable, reset a
//! password. Admins only.

use blueprint_types::UserRow;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::pages::admin::Refusal;

#[server]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::error::{actor, from_account, services};
    let users = blueprint_core::accounts::users::list_users(&services()?, &actor()?)
        .await
        .map_err(|err| from_account("Listing users", err))?;
    Ok(users
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            admin: u.admin,
            disabled: u.disabled,
            tenants: u
                .tenants
                .into_iter()
                .map(|(slug, role)| (slug, role.to_string()))
                .collect(),
        })
        .collect())
}

/// Creates a user: `role` is admin, owner or viewer; `tenants` a comma-separated list of slugs.
#[server]
pub async fn create_user(
    email: String,
    role: String,
    tenants: String,
    password: String,
) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    use blueprint_core::accounts::users::{NewUser, create_user as create};
    let actor = actor()?;
    let (admin, tenants) = blueprint_core::accounts::users::parse_rights(&role, &tenants)
        .map_err(|err| from_account("Reading the rights", err))?;
    create(
        &services()?,
        Some(&actor),
        NewUser {
            email,
            display_name: None,
            password,
            admin,
            tenants,
        },
    )
    .await
    .map(|_| ())
    .map_err(|err| from_account("Creating a user", err))
}

#[server]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::accounts::users::set_disabled(&services()?, &actor()?, user_id, disabled)
        .await
        .map_err(|err| from_account("Changing a user", err))
}

/// Replaces a user's rights: `role` admin, owner or viewer of the comma-separated `tenants`.
#[server]
pub async fn set_user_rights(user_id: i64, role: String, tenants: String) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    let (admin, tenants) = blueprint_core::accounts::users::parse_rights(&role, &tenants)
        .map_err(|err| from_account("Reading the rights", err))?;
    blueprint_core::accounts::users::set_rights(&services()?, &actor()?, user_id, admin, tenants)
        .await
        .map_err(|err| from_account("Changing rights", err))
}

#[server]
pub async fn reset_password(email: String, password: String) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    let actor = actor()?;
    blueprint_core::accounts::users::set_password(&services()?, Some(&actor), &email, &password)
        .await
        .map_err(|err| from_account("Resetting a password", err))
}

/// What the last submission of a form came to: saved, or why not.
fn outcome(value: Option<Result<(), AppError>>) -> AnyView {
    match value {
        Some(Err(err)) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
        Some(Ok(())) => view! { <p class="ok">"Saved."</p> }.into_any(),
        None => ().into_any(),
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let toggle = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let rights = ServerAction::<SetUserRights>::new();
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                toggle.version().get(),
                rights.version().get(),
            )
        },
        |_| list_users(),
    );
    view! {
        <Title text="Users" />
        <div class="page-head"><h1>"Users"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(list) => view! { <UserTable list toggle /> }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Create a user"</h2>
        <ActionForm action=create attr:class="inline-form">
            <input type="email" name="email" placeholder="email" required />
            <RoleSelect />
            <input type="text" name="tenants" placeholder="tenants (comma-separated)" />
            <input type="password" name="password" placeholder="initial password (10+ characters)" required />
            <button type="submit">"Create"</button>
        </ActionForm>
        {move || outcome(create.value().get())}
        <h2>"Change a user's rights"</h2>
        <ActionForm action=rights attr:class="inline-form">
            <input type="number" name="user_id" placeholder="user id" required />
            <RoleSelect />
            <input type="text" name="tenants" placeholder="tenants (comma-separated)" />
            <button type="submit">"Save"</button>
        </ActionForm>
        {move || outcome(rights.value().get())}
        <h2>"Reset a password"</h2>
        <ActionForm action=reset attr:class="inline-form">
            <input type="email" name="email" placeholder="email" required />
            <input type="password" name="password" placeholder="new password (10+ characters)" required />
            <button type="submit">"Reset"</button>
        </ActionForm>
        {move || outcome(reset.value().get())}
    }
}

/// The `role` field of the create and rights forms.
#[component]
fn RoleSelect() -> impl IntoView {
    view! {
        <select name="role">
            <option value="viewer">"viewer"</option>
            <option value="owner">"owner"</option>
            <option value="admin">"admin"</option>
        </select>
    }
}

/// Every user, with the button that disables or enables them.
#[component]
fn UserTable(list: Vec<UserRow>, toggle: ServerAction<SetUserDisabled>) -> impl IntoView {
    view! {
        <table class="data-table" data-testid="users">
            <thead><tr><th>"Id"</th><th>"Email"</th><th>"Role"</th><th>"Tenants"</th><th>"State"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|u| {
                    let tenants = u.tenants.iter().map(|(s, r)| format!("{s} ({r})")).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr>
                            <td class="mono muted">{u.id}</td>
                            <td class="mono">{u.email.clone()}</td>
                            <td>{if u.admin { "admin" } else { "member" }}</td>
                            <td>{tenants}</td>
                            <td>{if u.disabled { "disabled" } else { "active" }}</td>
                            <td>
                                <ActionForm action=toggle>
                                    <input type="hidden" name="user_id" value=u.id />
                                    <input type="hidden" name="disabled" value=(!u.disabled).to_string() />
                                    <button type="submit" class="secondary">{if u.disabled { "Enable" } else { "Disable" }}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
