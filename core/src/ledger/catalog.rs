//! The tenant's catalog (the tracking plan as observed), as `blueprint catalog` prints it
//! (DESIGN.md, "Command line"): applications per version, screens, and events with their keys and
//! the count of each JSON type. Rows whose counts are all gone are left out.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::Services;
use crate::entities::{app_version, application, event, event_key, screen};
use crate::ledger::LedgerError;
use crate::time::optional_hour_text as hour_text;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Catalog {
    pub tenant: String,
    pub applications: Vec<ApplicationEntry>,
    pub screens: Vec<ScreenEntry>,
    pub events: Vec<EventEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApplicationEntry {
    pub name: String,
    pub platform: String,
    pub version: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScreenEntry {
    pub name: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventEntry {
    pub name: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub owner: Option<String>,
    pub status: String,
    pub keys: Vec<KeyEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyEntry {
    pub path: String,
    pub types: BTreeMap<String, i64>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

pub async fn catalog(
    services: &Services,
    tenant_id: i64,
    slug: &str,
) -> Result<Catalog, LedgerError> {
    let conn = services.db.conn();
    let apps: HashMap<i64, application::Model> = application::Entity::find()
        .filter(application::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut applications: Vec<ApplicationEntry> = app_version::Entity::find()
        .filter(app_version::Column::TenantId.eq(tenant_id))
        .filter(app_version::Column::FirstSeen.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|version| {
            let app = apps.get(&version.application_id)?;
            Some(ApplicationEntry {
                name: app.name.clone(),
                platform: app.platform.clone(),
                version: version.version,
                first_seen: hour_text(version.first_seen),
                last_seen: hour_text(version.last_seen),
            })
        })
        .collect();
    applications.sort_by(|a, b| {
        (&a.name, &a.platform, &a.version).cmp(&(&b.name, &b.platform, &b.version))
    });
    let mut screens: Vec<ScreenEntry> = screen::Entity::find()
        .filter(screen::Column::TenantId.eq(tenant_id))
        .filter(screen::Column::FirstSeen.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|row| ScreenEntry {
            name: row.name,
            first_seen: hour_text(row.first_seen),
            last_seen: hour_text(row.last_seen),
        })
        .collect();
    screens.sort_by(|a, b| a.name.cmp(&b.name));

    let totals =
        crate::ledger::totals::key_type_totals(conn, "tenant_id = ?", vec![tenant_id.into()])
            .await?;
    let mut keys_by_event: HashMap<i64, Vec<KeyEntry>> = HashMap::new();
    for key in event_key::Entity::find()
        .filter(event_key::Column::TenantId.eq(tenant_id))
        .filter(event_key::Column::FirstSeen.is_not_null())
        .all(conn)
        .await?
    {
        let counts = totals.get(&key.id).copied().unwrap_or_default();
        let types = crate::ingest::json::JsonType::ALL
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| (t.name().to_owned(), n))
            .collect();
        keys_by_event
            .entry(key.event_id)
            .or_default()
            .push(KeyEntry {
                path: key.path,
                types,
                first_seen: hour_text(key.first_seen),
                last_seen: hour_text(key.last_seen),
            });
    }
    let mut events: Vec<EventEntry> = event::Entity::find()
        .filter(event::Column::TenantId.eq(tenant_id))
        .filter(event::Column::FirstSeen.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let mut keys = keys_by_event.remove(&row.id).unwrap_or_default();
            keys.sort_by(|a, b| a.path.cmp(&b.path));
            EventEntry {
                name: row.name,
                first_seen: hour_text(row.first_seen),
                last_seen: hour_text(row.last_seen),
                owner: row.owner,
                status: row.status,
                keys,
            }
        })
        .collect();
    events.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Catalog {
        tenant: slug.to_owned(),
        applications,
        screens,
        events,
    })
}
