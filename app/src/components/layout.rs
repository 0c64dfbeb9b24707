//! The frame of every page: header with navigation, footer with the version.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::VERSION;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Blueprint"
            </a>
            <nav class="site-nav" aria-label="Main">
                <A href="/" exact=true>"Tenants"</A>
            </nav>
        </header>
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
