//! `/account`: the signed-in user's own account: a new password (every other session ends; this
//! one goes on) and "sign out everywhere" (every session ends, this one too). Plain forms posting
//! to `POST /account/password` and `POST /logout/everywhere`, so they work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn message(error: &str, changed: bool) -> Option<(&'static str, &'static str)> {
    let text = match error {
        "current" => "The current password is incorrect.",
        "short" => "A password needs at least 10 characters.",
        "busy" => "Too many sign-ins at once. Please try again in a moment.",
        "unavailable" => "That is not possible right now. Please try again in a moment.",
        _ if changed => {
            return Some((
                "ok",
                "Your password is changed; your other sessions are signed out.",
            ));
        }
        _ => return None,
    };
    Some(("error", text))
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    let shown = query.with(|q| {
        message(
            &q.get("error").unwrap_or_default(),
            q.get("changed").is_some(),
        )
    });
    view! {
        <Title text="Account" />
        <div class="page-head"><h1>"Your account"</h1></div>
        {shown.map(|(class, text)| view! { <p class=class role="alert" data-testid="account-message">{text}</p> })}
        <section>
            <h2>"Change your password"</h2>
            <form method="post" action="/account/password" class="stacked-form">
                <label>"Current password"
                    <input type="password" name="current" autocomplete="current-password" required />
                </label>
                <label>"New password (at least 10 characters)"
                    <input type="password" name="password" autocomplete="new-password" minlength="10" required />
                </label>
                <button type="submit">"Change password"</button>
            </form>
        </section>
        <section>
            <h2>"Sessions"</h2>
            <p class="muted">"Signs you out in every browser and on every device, this one included."</p>
            <form method="post" action="/logout/everywhere">
                <button type="submit" class="secondary">"Sign out everywhere"</button>
            </form>
        </section>
    }
}
