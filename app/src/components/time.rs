//! A time as a person reads it: `3 hours ago`, `yesterday 14:00`, with the exact UTC time on
//! hover (the `title`) and in the `datetime` attribute. The server words it from the services'
//! clock, the browser from its own.

use blueprint_types::words::{relative_time, utc_text};
use leptos::prelude::*;

/// Now, in seconds since 1970: the services' clock on the server, the browser's clock in it.
pub fn now_seconds() -> i64 {
    #[cfg(feature = "ssr")]
    if let Ok(services) = crate::error::services() {
        return services.db.now_seconds();
    }
    system_now()
}

#[cfg(target_arch = "wasm32")]
fn system_now() -> i64 {
    (leptos::web_sys::js_sys::Date::now() / 1000.0) as i64
}

#[cfg(all(not(target_arch = "wasm32"), feature = "ssr"))]
fn system_now() -> i64 {
    use blueprint_core::time::{Clock, SystemClock};
    SystemClock.now().timestamp()
}

/// Without the server side (no services, no clock): times read as they are, relative to 1970.
#[cfg(all(not(target_arch = "wasm32"), not(feature = "ssr")))]
fn system_now() -> i64 {
    0
}

/// `at` (RFC 3339 UTC, or an hour `YYYY-MM-DDTHH`) relative to now; what is not a time (`never`,
/// empty) shows as it is.
#[component]
pub fn Time(#[prop(into)] at: String) -> impl IntoView {
    let Some(title) = utc_text(&at) else {
        return view! { <span class="time">{at}</span> }.into_any();
    };
    let text = relative_time(&at, now_seconds()).unwrap_or_else(|| at.clone());
    view! { <time class="time" datetime=at title=title>{text}</time> }.into_any()
}

/// An optional time, `fallback` when there is none.
#[component]
pub fn MaybeTime(at: Option<String>, #[prop(into, optional)] fallback: String) -> impl IntoView {
    match at {
        Some(at) if !at.is_empty() => view! { <Time at /> }.into_any(),
        _ => view! { <span class="muted">{fallback}</span> }.into_any(),
    }
}
