//! `/admin/users`: every user with their role and tenants; create, disable or enable, reset a
//! password. Admins only.

use blueprint_types::UserRow;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::forms::{clear_after_success, outcome_note, successes};
use crate::components::tenant::query_param;
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

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let toggle = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let rights = ServerAction::<SetUserRights>::new();
    // Reloaded after a change that worked; a refusal keeps the forms as they were typed.
    let (created, toggled, changed) = (successes(create), successes(toggle), successes(rights));
    let users = Resource::new(
        move || (created.get(), toggled.get(), changed.get()),
        |_| list_users(),
    );
    let confirm = query_param("disable");
    // Only an admin sees the forms: anyone else gets the refusal alone.
    view! {
        <Title text="Users" />
        <div class="page-head"><h1>"Users"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || {
                let confirm = confirm.get();
                Suspend::new(async move {
                match users.await {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(list) => {
                        let emails = list.iter().map(|u| (u.id, u.email.clone())).collect();
                        view! {
                        <UserTable list toggle confirm />
                        <UserForms users=emails create rights reset />
                    }.into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

/// Create a user, change rights (of a user picked by email), reset a password. The create form
/// is cleared once it worked.
#[component]
fn UserForms(
    /// Every user's id and email.
    users: Vec<(i64, String)>,
    create: ServerAction<CreateUser>,
    rights: ServerAction<SetUserRights>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    let created = NodeRef::<leptos::html::Form>::new();
    clear_after_success(created, create);
    view! {
        <h2>"Create a user"</h2>
        <ActionForm action=create node_ref=created attr:class="inline-form" attr:data-testid="create-user">
            <input type="email" name="email" placeholder="email" aria-label="email" required />
            <RoleSelect />
            <input type="text" name="tenants" placeholder="tenants (comma-separated)" aria-label="tenants" />
            <input type="password" name="password" placeholder="initial password (10+ characters)" aria-label="initial password" required />
            <button type="submit">"Create"</button>
        </ActionForm>
        {outcome_note(create, "user-created", "User created.")}
        <h2>"Change a user's rights"</h2>
        <ActionForm action=rights attr:class="inline-form" attr:data-testid="user-rights">
            <select name="user_id" aria-label="user" required>
                {users.into_iter().map(|(id, email)| view! { <option value=id>{email}</option> }).collect_view()}
            </select>
            <RoleSelect />
            <input type="text" name="tenants" placeholder="tenants (comma-separated)" />
            <button type="submit">"Save"</button>
        </ActionForm>
        {outcome_note(rights, "rights-saved", "Rights saved.")}
        <h2>"Reset a password"</h2>
        <ActionForm action=reset attr:class="inline-form">
            <input type="email" name="email" placeholder="email" required />
            <input type="password" name="password" placeholder="new password (10+ characters)" required />
            <button type="submit">"Reset"</button>
        </ActionForm>
        {outcome_note(reset, "password-reset", "Password reset.")}
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

/// Every user, with the button that enables them or asks to confirm disabling them: "Disable" is
/// a link to `?disable=ID`, where the row asks again and only "Yes, disable" posts (the same with
/// JavaScript on or off; oneself included).
#[component]
fn UserTable(
    list: Vec<UserRow>,
    toggle: ServerAction<SetUserDisabled>,
    confirm: String,
) -> impl IntoView {
    view! {
        <table class="data-table" data-testid="users">
            <thead><tr><th>"Id"</th><th>"Email"</th><th>"Role"</th><th>"Tenants"</th><th>"State"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|u| {
                    let tenants = u.tenants.iter().map(|(s, r)| format!("{s} ({r})")).collect::<Vec<_>>().join(", ");
                    let asking = !u.disabled && confirm == u.id.to_string();
                    let action = if u.disabled {
                        toggle_form(toggle, u.id, false, "Enable").into_any()
                    } else if asking {
                        view! {
                            <span class="confirm" role="alert" data-testid="confirm-disable">
                                {format!("Disable {}? They are signed out and cannot sign in until enabled. ", u.email)}
                                {toggle_form(toggle, u.id, true, "Yes, disable")}
                                " " <a href="/admin/users">"Cancel"</a>
                            </span>
                        }.into_any()
                    } else {
                        view! { <a class="button secondary" href=format!("/admin/users?disable={}", u.id)>"Disable"</a> }.into_any()
                    };
                    view! {
                        <tr data-testid=format!("user-{}", u.email)>
                            <td class="mono muted">{u.id}</td>
                            <td class="mono">{u.email.clone()}</td>
                            <td>{if u.admin { "admin" } else { "member" }}</td>
                            <td>{tenants}</td>
                            <td>{if u.disabled { "disabled" } else { "active" }}</td>
                            <td>{action}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The form that disables (`disabled`) or enables a user.
fn toggle_form(
    toggle: ServerAction<SetUserDisabled>,
    id: i64,
    disabled: bool,
    label: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action=toggle attr:class="inline-form">
            <input type="hidden" name="user_id" value=id />
            <input type="hidden" name="disabled" value=disabled.to_string() />
            <button type="submit" class=if disabled { "danger" } else { "secondary" }>{label}</button>
        </ActionForm>
    }
}
