//! `/login`: the sign-in form. It posts to `POST /login` (a plain form, so it works without
//! JavaScript); a failed attempt comes back here with one calm message that never says whether
//! the email exists.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn message(error: &str, wait: &str) -> Option<String> {
    match error {
        "credentials" => Some("The email or password is incorrect.".to_owned()),
        "throttled" => Some(format!(
            "Too many failed attempts. Please wait {wait} seconds and try again."
        )),
        "busy" => Some("Too many sign-ins at once. Please try again in a moment.".to_owned()),
        "unavailable" => {
            Some("Signing in is not possible right now. Please try again in a moment.".to_owned())
        }
        _ => None,
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let next = param("next");
    let error = message(&param("error"), &param("wait"));
    view! {
        <Title text="Sign in" />
        <section class="login">
            <h1>"Sign in to Blueprint"</h1>
            {error.map(|text| view! { <p class="error" role="alert" data-testid="login-error">{text}</p> })}
            <form method="post" action="/login" class="stacked">
                <input type="hidden" name="next" value=next />
                <label for="email">"Email"</label>
                <input id="email" type="email" name="email" autocomplete="username" required />
                <label for="password">"Password"</label>
                <input id="password" type="password" name="password" autocomplete="current-password" required />
                <button type="submit">"Sign in"</button>
            </form>
        </section>
    }
}
