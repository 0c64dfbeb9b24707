//! `blueprint user add` and `blueprint user passwd`: accounts from the command line (the first
//! admin is created this way). Without `--password-stdin` a random password is made and printed
//! once; passwords are never logged.

use std::collections::BTreeMap;
use std::io::BufRead;

use anyhow::{Context, bail};
use blueprint_core::accounts::users::{NewUser, create_user, set_password};
use blueprint_core::accounts::{Role, passwords};

use crate::commands::open_services;
use crate::config::Config;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create a user: an admin, or an owner or viewer of the given tenants.
    Add {
        email: String,
        #[arg(long, value_enum)]
        role: CliRole,
        /// A tenant the user belongs to (repeat for several).
        #[arg(long = "tenant")]
        tenants: Vec<String>,
        /// Read the password from the first line of stdin (else a random one is printed).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password.
    Passwd {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

/// The role given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CliRole {
    Admin,
    Owner,
    Viewer,
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((passwords::random_password(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("no password on stdin");
    }
    Ok((password, false))
}

pub async fn add(
    config: &Config,
    email: &str,
    role: CliRole,
    tenants: &[String],
    password_stdin: bool,
) -> anyhow::Result<()> {
    let (admin, member_role) = match role {
        CliRole::Admin => (true, None),
        CliRole::Owner => (false, Some(Role::Owner)),
        CliRole::Viewer => (false, Some(Role::Viewer)),
    };
    if !admin && tenants.is_empty() {
        bail!("an owner or viewer needs at least one --tenant");
    }
    let (password, generated) = read_password(password_stdin)?;
    let services = open_services(config).await?;
    for tenant in tenants {
        blueprint_core::ingestion::tenant_id(&services, tenant).await?;
    }
    let memberships: BTreeMap<String, Role> = member_role
        .map(|role| tenants.iter().map(|t| (t.clone(), role)).collect())
        .unwrap_or_default();
    let user = create_user(
        &services,
        None,
        NewUser {
            email: email.to_owned(),
            display_name: None,
            password: password.clone(),
            admin,
            tenants: memberships,
        },
    )
    .await?;
    println!(
        "created {} ({})",
        user.email,
        if admin {
            "admin".to_owned()
        } else {
            format!("{role:?}").to_lowercase()
        }
    );
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

pub async fn passwd(config: &Config, email: &str, password_stdin: bool) -> anyhow::Result<()> {
    let (password, generated) = read_password(password_stdin)?;
    let services = open_services(config).await?;
    set_password(&services, None, email, &password).await?;
    println!("password of {email} changed");
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

/// Runs a `user` command.
pub async fn run(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            role,
            tenants,
            password_stdin,
        } => add(config, &email, role, &tenants, password_stdin).await,
        UserCommand::Passwd {
            email,
            password_stdin,
        } => passwd(config, &email, password_stdin).await,
    }
}
