//! `blueprint demo`: writes the demo data set (two tenants, 14 days of hours ending with the last
//! full hour) into the local events root and ingests it, tenant by tenant, with progress; then the
//! `launchpad` tenant, whose new app versions roll out (one breaks its screen loads, one stops
//! sending an event, one is healthy, one has too little traffic), ingested hour after hour so its
//! roll-outs open and are judged as they would be live.

use anyhow::{Context, bail};
use blueprint_core::events_root::EventsLocation;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunStatus};
use blueprint_core::pipeline;
use blueprint_demo::{DemoOptions, TENANTS, generate, rollouts};

use crate::commands::open_services;
use crate::commands::progress::Progress;
use crate::config::Config;
use blueprint_core::time::{Clock, SystemClock};

pub async fn demo(config: &Config, hours: u32, events_per_hour: u32) -> anyhow::Result<()> {
    let EventsLocation::Local(root) = &config.events else {
        bail!("demo writes its events to a local folder; set BLUEPRINT_EVENTS_URL to a path");
    };
    let mut options = DemoOptions::demo(SystemClock.now());
    options.first_hour += chrono::Duration::hours(i64::from(options.hours) - i64::from(hours));
    options.hours = hours;
    options.events_per_hour = events_per_hour;
    let from = Hour::containing(options.first_hour);
    let to = from.plus(i64::from(options.hours));
    eprintln!(
        "writing demo events for {} into {} ({from} to {to})",
        TENANTS.join(", "),
        root.display()
    );
    let root_for_writer = root.clone();
    let expected = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&root_for_writer)?;
        generate(&root_for_writer, &options)
    })
    .await
    .context("demo writer stopped")?
    .context("cannot write the demo events")?;
    let services = open_services(config).await?;
    for tenant in TENANTS {
        let total = from.until(to).count();
        let mut progress = Progress::new(format!("ingest {tenant}"), total);
        let outcomes = pipeline::backfill(
            &services,
            tenant,
            from,
            to,
            config.reading(),
            |done, _, outcome| {
                progress.update(done, &outcome.hour.to_string());
            },
        )
        .await?;
        if let Some(failed) = outcomes
            .iter()
            .find(|o| matches!(o.status, RunStatus::Failed(_)))
        {
            bail!("{tenant} {}: {:?}", failed.hour, failed.status);
        }
        let events: u64 = outcomes.iter().map(|o| o.stats.events).sum();
        let wanted: u64 = expected
            .tenants
            .get(tenant)
            .map_or(0, |t| t.hours.values().map(|h| h.events).sum());
        println!(
            "{tenant}: {} hours ingested, {events} events (the generator wrote {wanted})",
            outcomes.len()
        );
    }
    launchpad(config, &services, root).await?;
    print_demo_logins(&services).await?;
    println!(
        "demo data ready: run `blueprint serve` and open http://{}",
        config.listen
    );
    Ok(())
}

/// The roll-out tenant: its hours up to the last full hour, ingested one after the other, as the
/// hourly schedule would, so each new version is news and its roll-out is judged hour by hour.
async fn launchpad(
    config: &Config,
    services: &blueprint_core::Services,
    root: &std::path::Path,
) -> anyhow::Result<()> {
    let last = services.db.clock().hour().plus(-1);
    let start = last.plus(1 - rollouts::HOURS);
    let folder = root.to_owned();
    tokio::task::spawn_blocking(move || rollouts::write(&folder, rollouts::TENANT, start.start()))
        .await
        .context("demo writer stopped")?
        .context("cannot write the roll-out demo events")?;
    blueprint_core::tenants::discover_tenants(services).await?;
    let total = rollouts::HOURS as usize;
    let mut progress = Progress::new(format!("ingest {}", rollouts::TENANT), total);
    for (done, hour) in start.until(last.plus(1)).enumerate() {
        pipeline::ingest_hour(
            services,
            rollouts::TENANT,
            hour,
            ingestion::Trigger::Cli,
            None,
            config.reading(),
        )
        .await?;
        progress.update(done + 1, &hour.to_string());
    }
    let list = blueprint_core::rollouts::list_for(services, rollouts::TENANT).await?;
    println!("{}: {} roll-outs:", rollouts::TENANT, list.len());
    for r in list {
        println!(
            "  {} {} ({}) against {}: {}{}",
            r.application,
            r.candidate,
            r.platform,
            r.baseline,
            r.verdict,
            r.stage.map(|s| format!(" at {s} %")).unwrap_or_default()
        );
    }
    Ok(())
}

/// One user per role (created once; a later run resets their passwords), printed for the demo.
async fn print_demo_logins(services: &blueprint_core::Services) -> anyhow::Result<()> {
    use blueprint_core::accounts::users::{NewUser, create_user, set_password};
    use blueprint_core::accounts::{Role, passwords};
    let logins: [(&str, bool, Option<Role>); 3] = [
        ("admin@demo.blueprint", true, None),
        ("owner@demo.blueprint", false, Some(Role::Owner)),
        ("viewer@demo.blueprint", false, Some(Role::Viewer)),
    ];
    println!("demo logins:");
    for (email, admin, role) in logins {
        let password = passwords::random_password();
        let tenants = role
            .map(|role| {
                TENANTS
                    .iter()
                    .chain([&rollouts::TENANT])
                    .map(|t| ((*t).to_owned(), role))
                    .collect()
            })
            .unwrap_or_default();
        let new = NewUser {
            email: email.to_owned(),
            display_name: None,
            password: password.clone(),
            admin,
            tenants,
        };
        match create_user(services, None, new).await {
            Ok(_) => {}
            // The user exists (a second `demo`): their password is set again.
            Err(blueprint_core::accounts::ServiceError::Conflict(_)) => {
                set_password(services, None, email, &password).await?
            }
            Err(err) => return Err(err.into()),
        }
        let label = if admin {
            "admin"
        } else if role == Some(Role::Owner) {
            "owner"
        } else {
            "viewer"
        };
        println!("  {label:<6} {email}  password: {password}");
    }
    Ok(())
}
