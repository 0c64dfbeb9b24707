//! `blueprint demo`: writes the demo data set (two tenants, 14 days of hours ending with the last
//! full hour) into the local events root and ingests it, tenant by tenant, with progress.

use anyhow::{Context, bail};
use blueprint_core::events_root::EventsLocation;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunStatus};
use blueprint_demo::{DemoOptions, TENANTS, generate};

use crate::commands::open_services;
use crate::commands::progress::Progress;
use crate::config::Config;

pub async fn demo(config: &Config, hours: u32, events_per_hour: u32) -> anyhow::Result<()> {
    let EventsLocation::Local(root) = &config.events else {
        bail!("demo writes its events to a local folder; set BLUEPRINT_EVENTS_URL to a path");
    };
    let mut options = DemoOptions::demo(chrono::Utc::now());
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
        let outcomes = ingestion::backfill(
            &services,
            tenant,
            from,
            to,
            config.ingest_workers,
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
    print_demo_logins(&services).await?;
    println!(
        "demo data ready: run `blueprint serve` and open http://{}",
        config.listen
    );
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
            .map(|role| TENANTS.iter().map(|t| ((*t).to_owned(), role)).collect())
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
            Err(blueprint_core::accounts::AccountError::Invalid(_)) => {
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
