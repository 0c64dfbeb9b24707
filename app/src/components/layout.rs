//! The frame of every page: header with navigation and the signed-in user, footer with the version.

use blueprint_types::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::VERSION;
use crate::error::AppError;

/// The signed-in user, if any (the header asks on every page).
#[server]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    let Ok(actor) = crate::error::actor() else {
        return Ok(None);
    };
    let unread = match crate::error::services() {
        Ok(services) => blueprint_core::notify::unread_count(&services, &actor)
            .await
            .unwrap_or_default(),
        Err(_) => 0,
    };
    let owner = actor.is_admin() || actor.memberships().keys().any(|t| actor.can_own(*t));
    Ok(Some(CurrentUser {
        admin: actor.is_admin(),
        owner,
        email: actor.email,
        display_name: actor.display_name,
        unread,
    }))
}

#[component]
pub fn Header() -> impl IntoView {
    let user = Resource::new(|| (), |_| whoami());
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Blueprint"
            </a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => view! { <SignedInNav user /> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn SignedInNav(user: CurrentUser) -> impl IntoView {
    view! {
        <nav class="site-nav" aria-label="Main">
            <A href="/" exact=true>"Tenants"</A>
            <A href="/compare">"Compare"</A>
            <A href="/inbox">
                "Inbox"
                {(user.unread > 0).then(|| view! {
                    " " <span class="badge unread" data-testid="unread" aria-label=format!("{} unread", user.unread)>{user.unread}</span>
                })}
            </A>
            <A href="/watches">"Watches"</A>
            // Viewers manage no tenant: these pages would only refuse them.
            {(user.owner || user.admin).then(|| view! {
                <A href="/admin/tokens">"Tokens"</A>
                <A href="/admin/notifications">"Notifications"</A>
            })}
            {user.admin.then(|| view! {
                <A href="/admin/users">"Users"</A>
                <A href="/admin/audit">"Audit"</A>
                <A href="/admin/ingestion">"Ingestion"</A>
            })}
        </nav>
        <div class="session">
            <span class="muted" data-testid="signed-in-as">{user.email}</span>
            <A href="/account">"Account"</A>
            <form method="post" action="/logout">
                <button type="submit" class="secondary">"Sign out"</button>
            </form>
        </div>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <span>"Blueprint " {VERSION}</span>
            <span class="muted">"Clickstream event catalog"</span>
        </footer>
    }
}
