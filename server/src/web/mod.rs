//! The web server: one axum router with the Leptos pages and their server functions, static
//! assets, `/healthz` and `/metrics`. Built once from the configuration by [`serve`], or by tests
//! through [`build_router`].

pub mod account;
pub mod api;
mod assets;
pub mod auth;
pub mod client;
mod form_echo;
pub mod guard;
mod handover;
mod health;
pub mod metrics;
pub mod next_path;
pub mod origin;
pub mod sessions;
pub mod site;

use std::sync::{Arc, LazyLock};

use anyhow::Context;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use blueprint_app::{App, shell};
use blueprint_core::Services;
use blueprint_core::channels::webhooks::AllowedHosts;
use blueprint_core::db::{Database, PoolSettings};
use blueprint_core::events_root::EventsRoot;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::jobs::JobRuntime;
use crate::web::metrics::Metrics;
use crate::web::site::Site;
use blueprint_core::jobs::workers::WorkerKind;
use blueprint_core::jobs::{Clock, JobSettings, SystemClock};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub services: Services,
    pub metrics: Arc<Metrics>,
    pub site: Site,
    /// Session cookies carry `Secure` (Blueprint is served over HTTPS).
    pub secure_cookies: bool,
    /// The public URL when it is configured: the origin forms must come from, and the base
    /// `next` paths are resolved against.
    pub public_url: Option<url::Url>,
    /// Proxies whose forwarded client address is believed.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// How jobs run (the ingestion page tells live workers by their heartbeat).
    pub jobs: JobSettings,
    /// Email is configured (`BLUEPRINT_SMTP_URL`): users can choose a digest.
    pub email: bool,
    /// `webhook_allowed_hosts`: the internal hosts a webhook may be added for.
    pub webhook_hosts: AllowedHosts,
    /// The longest range the counts API reads at once, in hours (`max_counts_hours`).
    pub max_counts_hours: i64,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Opens the database and events root, then serves (with job workers and the hourly schedule)
/// until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    run(config, listener, Arc::new(SystemClock), shutdown_signal()).await
}

/// `blueprint worker`: job workers and the schedule, no web server, until Ctrl-C or SIGTERM.
pub async fn work(config: Config) -> anyhow::Result<()> {
    let services = crate::commands::open_services(&config).await?;
    if let Err(err) = blueprint_core::tenants::discover_tenants(&services).await {
        tracing::warn!(error = %err, "tenant discovery failed; will retry later");
    }
    let runtime = JobRuntime::start(
        services.clone(),
        config.jobs.clone(),
        config.channels.clone(),
        WorkerKind::Worker,
        Some(Arc::new(SystemClock)),
    )
    .await?;
    println!(
        "Blueprint worker {} is running on {}",
        runtime.worker_id,
        services.db.target()
    );
    shutdown_signal().await;
    runtime.shutdown().await;
    Ok(())
}

/// Serves on `listener` until `shutdown` completes, with job workers whose schedule reads
/// `clock` (tests pass a clock they move).
pub async fn run(
    config: Config,
    listener: tokio::net::TcpListener,
    clock: Arc<dyn Clock>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let db = Database::open(&config.database_url, &PoolSettings::default()).await?;
    let events = EventsRoot::open(&config.events)?;
    // One clock for the services and the schedule (tests pass one they move).
    let services = Services::new(db.with_clock(clock.clone()), events)
        .with_schedule_delay(config.jobs.schedule_delay);
    match blueprint_core::tenants::discover_tenants(&services).await {
        Ok(_) => {}
        // An unreachable bucket must not keep the catalog from being served.
        Err(err) => tracing::warn!(error = %err, "tenant discovery failed; will retry later"),
    }
    let site = Site::locate(config.site_root.as_deref());
    let state = AppState {
        leptos: leptos_options(&site, config.listen),
        services,
        metrics: Arc::new(Metrics::new()),
        site,
        secure_cookies: config.secure_cookies,
        public_url: config.public_url.clone(),
        trusted_proxies: config.trusted_proxies.clone().into(),
        jobs: config.jobs.clone(),
        email: config.channels.mailer.is_some(),
        webhook_hosts: config.channels.webhook_hosts.clone(),
        max_counts_hours: config.max_counts_hours,
    };

    match blueprint_core::accounts::users::count_users(&state.services).await {
        Ok(0) => eprintln!(
            "No users yet. Create the first admin with:\n  blueprint user add you@example.com --role admin --password-stdin"
        ),
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "cannot count users"),
    }
    spawn_session_cleanup(state.services.clone());
    let runtime = JobRuntime::start(
        state.services.clone(),
        config.jobs.clone(),
        config.channels.clone(),
        WorkerKind::Serve,
        Some(clock),
    )
    .await?;
    let router = build_router(state.clone());
    let address = listener.local_addr().context("listener address")?;
    tracing::info!(
        database = state.services.db.target(),
        events = state.services.events.display(),
        site = %state.site.root.display(),
        hydrate = state.site.hydrate,
        "Blueprint {} is serving http://{address}",
        blueprint_app::VERSION
    );
    println!("Blueprint is serving http://{address}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("the web server stopped")?;
    runtime.shutdown().await;
    Ok(())
}

/// Leptos' settings, derived from ours (no Cargo.toml or LEPTOS_* variables needed).
pub fn leptos_options(site: &Site, listen: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(site.output_name.as_str())
        .site_root(site.root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(listen)
        .build()
}

/// Deletes expired sessions every hour.
fn spawn_session_cleanup(services: Services) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now = services.db.now_seconds();
            match blueprint_core::accounts::sessions::delete_expired(&services, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "deleted expired sessions"),
                Err(err) => tracing::warn!(error = %err, "cannot delete expired sessions"),
            }
        }
    });
}

/// The app's routes, listed once per process. Listing renders the app with Leptos' resource
/// loading switched off for the whole process (`SuppressResourceLoad` sets a global flag, and a
/// resource first polled meanwhile waits forever), so it must not run while any router renders.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The whole router, as `serve` runs it.
pub fn build_router(state: AppState) -> Router {
    let routes = ROUTES.clone();
    let services = state.services.clone();
    let jobs = state.jobs.clone();
    let email = blueprint_core::channels::EmailOn(state.email);
    let webhook_hosts = state.webhook_hosts.clone();
    let context = move || {
        provide_context(services.clone());
        provide_context(jobs.clone());
        provide_context(email);
        provide_context(webhook_hosts.clone());
    };
    let shell_options = state.leptos.clone();
    let hydrate = state.site.hydrate;
    let app_shell = move || shell(shell_options.clone(), hydrate);
    let not_found =
        leptos_axum::render_app_to_stream_with_context(context.clone(), app_shell.clone());
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::render))
        .merge(assets::routes(&state.site))
        .merge(api::routes())
        .route("/login", axum::routing::post(account::login_form))
        .route("/logout", axum::routing::post(account::logout_form))
        .route(
            "/logout/everywhere",
            axum::routing::post(account::logout_everywhere_form),
        )
        .route(
            "/account/password",
            axum::routing::post(account::password_form),
        )
        .leptos_routes_with_context(&state, routes, context, app_shell)
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            handover::hand_over,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(sessions::layer(
            state.services.clone(),
            state.secure_cookies,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(axum::middleware::from_fn(form_echo::echo_forms))
        .layer(axum::middleware::from_fn(guard::limit_body))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(guard::security_headers))
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
