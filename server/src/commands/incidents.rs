//! `blueprint incidents`: a tenant's incidents over `[from, to)`, as a table (one line each) or
//! as the JSON array the API answers (DESIGN.md, "Command line").

use anyhow::Context;
use blueprint_core::hour::Hour;
use blueprint_core::ingestion;
use blueprint_core::signals::{Incident, store, views};

use crate::commands::open_services;
use crate::config::Config;

/// Output formats of `incidents`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum IncidentFormat {
    Table,
    Json,
}

/// `blueprint incidents`' arguments.
#[derive(Debug, clap::Args)]
pub struct IncidentsArgs {
    #[arg(long)]
    pub tenant: String,
    #[arg(long)]
    pub from: Hour,
    /// Exclusive.
    #[arg(long)]
    pub to: Hour,
    /// Only incidents in this state: open, acknowledged, snoozed or resolved.
    #[arg(long)]
    pub state: Option<String>,
    /// Only incidents of this kind: stopped, drop, spike or outage.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only incidents with a series of this event.
    #[arg(long)]
    pub event: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: IncidentFormat,
}

pub async fn incidents(config: &Config, args: &IncidentsArgs) -> anyhow::Result<()> {
    let (tenant, from, to) = (&args.tenant, args.from, args.to);
    if to <= from {
        anyhow::bail!(
            "the range {from} to {to} is empty: --to is exclusive and must be after --from"
        );
    }
    let filter = views::parse_filter(
        args.state.as_deref(),
        args.kind.as_deref(),
        args.event.as_deref(),
    )?;
    let services = open_services(config).await?;
    let tenant_id = ingestion::tenant_id(&services, tenant).await?;
    let list = store::list(services.db.conn(), tenant_id, from, to, &filter).await?;
    match args.format {
        IncidentFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&list).context("encode incidents")?
        ),
        IncidentFormat::Table => print!("{}", table(&list)),
    }
    Ok(())
}

/// One line per incident: id, kind, state, from → to, what, observed against expected.
fn table(list: &[Incident]) -> String {
    if list.is_empty() {
        return "no incidents in this range\n".to_owned();
    }
    let mut out = String::new();
    for incident in list {
        out.push_str(&format!(
            "{:>6}  {:<7}  {:<12}  {} → {}  {}  {}\n",
            incident.id,
            incident.kind.as_str(),
            incident.state.as_str(),
            incident.from,
            incident.to,
            incident.what(),
            incident.figures()
        ));
    }
    out
}
