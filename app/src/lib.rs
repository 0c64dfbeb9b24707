//! Blueprint's pages: the document shell, the router and the page components. Data comes from
//! server functions (one per file, next to the page that uses it) whose bodies only call
//! `blueprint-core` services. Every route renders completely on the server (`SsrMode::Async`),
//! so pages read the same with JavaScript off; the WASM bundle then hydrates them.

pub mod components;
pub mod error;
pub mod hydration;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::components::layout::{Footer, Header};
use crate::pages::admin::{
    audit::AuditPage, ingestion::IngestionPage, notifications::NotificationsPage,
    tokens::TokensPage, users::UsersPage,
};
use crate::pages::catalog::{
    applications::ApplicationsPage, compare::ComparePage, event::EventPage, events::EventsPage,
    incidents::list::IncidentsPage, incidents::report::IncidentPage, matrix::MatrixPage,
    overview::OverviewPage, rollouts::list::RolloutsPage, rollouts::report::RolloutPage,
    screens::ScreenPage, screens::ScreensPage,
};
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::tenants::TenantsPage;

/// The product version shown in the footer and reported by `/healthz`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The HTML document around the app. `hydrate` is false when the WASM bundle is not installed:
/// pages then stay server-rendered and no script is requested. The hydration script is our own
/// ([`hydration`]): with JavaScript off a page downloads no `.js` and no `.wasm`.
pub fn shell(options: LeptosOptions, hydrate: bool) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=format!("/assets/blueprint.css?v={VERSION}") />
                <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
                {hydrate.then(|| view! { <hydration::HydrationScript options /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header, the routed page, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Set only in the browser, once hydration has run: tests and styles can tell the two apart.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Blueprint".to_owned() } else { format!("{page} · Blueprint") }
        } />
        <Router>
            <div class="app" data-hydrated=move || hydrated.get().then_some("true")>
                <Header />
                <main class="page">
                    <Routes fallback=NotFound>
                        <Route path=StaticSegment("") view=TenantsPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("account") view=crate::pages::account::AccountPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("inbox") view=crate::pages::inbox::InboxPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("watches") view=crate::pages::inbox::WatchesPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("users")) view=UsersPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("tokens")) view=TokensPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("audit")) view=AuditPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("ingestion")) view=IngestionPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("notifications")) view=NotificationsPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant")) view=OverviewPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("applications")) view=ApplicationsPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("events")) view=EventsPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("events"), ParamSegment("event")) view=EventPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("screens")) view=ScreensPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("screens"), ParamSegment("screen")) view=ScreenPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("matrix")) view=MatrixPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("rollouts")) view=RolloutsPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("rollouts"), ParamSegment("id")) view=RolloutPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("incidents")) view=IncidentsPage ssr=SsrMode::Async />
                        <Route path=(StaticSegment("t"), ParamSegment("tenant"), StaticSegment("incidents"), ParamSegment("id")) view=IncidentPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("compare") view=ComparePage ssr=SsrMode::Async />


                    </Routes>
                </main>
                <Footer />
            </div>
        </Router>
    }
}
