//! Finds or creates the catalog rows an hour refers to (applications, versions, screens, events,
//! combinations, keys, key types) and notes which were created: those are discoveries.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use crate::entities::{app_version, application, combination, event, event_key, key_type, screen};
use crate::ledger::LedgerError;

/// A catalog row created by this hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    pub kind: &'static str,
    pub id: i64,
    pub label: String,
}

/// Ids of the tenant's catalog rows, by natural key; filled lazily and extended as rows are made.
pub struct Catalog {
    tenant_id: i64,
    hour: i64,
    applications: HashMap<(String, String), (i64, String)>,
    versions: HashMap<(i64, String), (i64, String)>,
    screens: HashMap<String, i64>,
    events: HashMap<String, i64>,
    combinations: HashMap<(i64, i64, i64), i64>,
    keys: HashMap<(i64, String), (i64, String)>,
    key_types: HashMap<(i64, String), i64>,
    pub created: Vec<Created>,
}

impl Catalog {
    pub async fn load(
        txn: &DatabaseTransaction,
        tenant_id: i64,
        hour: i64,
    ) -> Result<Self, LedgerError> {
        let events: HashMap<String, i64> = event::Entity::find()
            .filter(event::Column::TenantId.eq(tenant_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| (row.name, row.id))
            .collect();
        let event_names: HashMap<i64, String> = events
            .iter()
            .map(|(name, id)| (*id, name.clone()))
            .collect();
        let applications: HashMap<(String, String), (i64, String)> = application::Entity::find()
            .filter(application::Column::TenantId.eq(tenant_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| {
                (
                    (row.name.clone(), row.platform.clone()),
                    (row.id, format!("{} ({})", row.name, row.platform)),
                )
            })
            .collect();
        let app_labels: HashMap<i64, (String, String)> = applications
            .iter()
            .map(|((name, platform), (id, _))| (*id, (name.clone(), platform.clone())))
            .collect();
        let versions = app_version::Entity::find()
            .filter(app_version::Column::TenantId.eq(tenant_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| {
                let (name, platform) = app_labels
                    .get(&row.application_id)
                    .cloned()
                    .unwrap_or_default();
                let label = format!("{name} {} ({platform})", row.version);
                ((row.application_id, row.version), (row.id, label))
            })
            .collect();
        let screens = screen::Entity::find()
            .filter(screen::Column::TenantId.eq(tenant_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| (row.name, row.id))
            .collect();
        let combinations = combination::Entity::find()
            .filter(combination::Column::TenantId.eq(tenant_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| ((row.version_id, row.screen_id, row.event_id), row.id))
            .collect();
        let keys = event_key::Entity::find()
            .filter(event_key::Column::TenantId.eq(tenant_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| {
                let label = format!(
                    "{}: {}",
                    event_names.get(&row.event_id).cloned().unwrap_or_default(),
                    row.path
                );
                ((row.event_id, row.path), (row.id, label))
            })
            .collect();
        let key_types = key_type::Entity::find()
            .filter(key_type::Column::TenantId.eq(tenant_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| ((row.key_id, row.json_type), row.id))
            .collect();
        Ok(Self {
            tenant_id,
            hour,
            applications,
            versions,
            screens,
            events,
            combinations,
            keys,
            key_types,
            created: Vec::new(),
        })
    }

    fn note(&mut self, kind: &'static str, id: i64, label: String) {
        self.created.push(Created { kind, id, label });
    }

    /// The version row of (application, version, platform), creating the application too.
    pub async fn version(
        &mut self,
        txn: &DatabaseTransaction,
        name: &str,
        version: &str,
        platform: &str,
    ) -> Result<(i64, String), LedgerError> {
        let app_key = (name.to_owned(), platform.to_owned());
        let app_id = match self.applications.get(&app_key) {
            Some((id, _)) => *id,
            None => {
                let row = application::ActiveModel {
                    tenant_id: Set(self.tenant_id),
                    name: Set(name.to_owned()),
                    platform: Set(platform.to_owned()),
                    first_seen: Set(Some(self.hour)),
                    last_seen: Set(Some(self.hour)),
                    status: Set("active".to_owned()),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                let label = format!("{name} ({platform})");
                self.note("application", row.id, label.clone());
                self.applications.insert(app_key, (row.id, label));
                row.id
            }
        };
        let version_key = (app_id, version.to_owned());
        if let Some(found) = self.versions.get(&version_key) {
            return Ok(found.clone());
        }
        let row = app_version::ActiveModel {
            tenant_id: Set(self.tenant_id),
            application_id: Set(app_id),
            version: Set(version.to_owned()),
            first_seen: Set(Some(self.hour)),
            last_seen: Set(Some(self.hour)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let label = format!("{name} {version} ({platform})");
        self.note("version", row.id, label.clone());
        self.versions.insert(version_key, (row.id, label.clone()));
        Ok((row.id, label))
    }

    pub async fn screen(
        &mut self,
        txn: &DatabaseTransaction,
        name: &str,
    ) -> Result<i64, LedgerError> {
        if let Some(id) = self.screens.get(name) {
            return Ok(*id);
        }
        let row = screen::ActiveModel {
            tenant_id: Set(self.tenant_id),
            name: Set(name.to_owned()),
            first_seen: Set(Some(self.hour)),
            last_seen: Set(Some(self.hour)),
            status: Set("active".to_owned()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        self.note("screen", row.id, name.to_owned());
        self.screens.insert(name.to_owned(), row.id);
        Ok(row.id)
    }

    pub async fn event(
        &mut self,
        txn: &DatabaseTransaction,
        name: &str,
    ) -> Result<i64, LedgerError> {
        if let Some(id) = self.events.get(name) {
            return Ok(*id);
        }
        let row = event::ActiveModel {
            tenant_id: Set(self.tenant_id),
            name: Set(name.to_owned()),
            first_seen: Set(Some(self.hour)),
            last_seen: Set(Some(self.hour)),
            status: Set("active".to_owned()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        self.note("event", row.id, name.to_owned());
        self.events.insert(name.to_owned(), row.id);
        Ok(row.id)
    }

    pub async fn combination(
        &mut self,
        txn: &DatabaseTransaction,
        ids: (i64, i64, i64),
        label: impl FnOnce() -> String,
    ) -> Result<i64, LedgerError> {
        if let Some(id) = self.combinations.get(&ids) {
            return Ok(*id);
        }
        let row = combination::ActiveModel {
            tenant_id: Set(self.tenant_id),
            version_id: Set(ids.0),
            screen_id: Set(ids.1),
            event_id: Set(ids.2),
            first_seen: Set(Some(self.hour)),
            last_seen: Set(Some(self.hour)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        self.note("combination", row.id, label());
        self.combinations.insert(ids, row.id);
        Ok(row.id)
    }

    /// The key row of (event, path) and its type row, creating either.
    pub async fn key(
        &mut self,
        txn: &DatabaseTransaction,
        event_id: i64,
        event_name: &str,
        path: &str,
        json_type: &str,
    ) -> Result<i64, LedgerError> {
        let key = (event_id, path.to_owned());
        let (key_id, label) = match self.keys.get(&key) {
            Some(found) => found.clone(),
            None => {
                let row = event_key::ActiveModel {
                    tenant_id: Set(self.tenant_id),
                    event_id: Set(event_id),
                    path: Set(path.to_owned()),
                    first_seen: Set(Some(self.hour)),
                    last_seen: Set(Some(self.hour)),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                let label = format!("{event_name}: {path}");
                self.note("key", row.id, label.clone());
                self.keys.insert(key, (row.id, label.clone()));
                (row.id, label)
            }
        };
        let type_key = (key_id, json_type.to_owned());
        if !self.key_types.contains_key(&type_key) {
            let row = key_type::ActiveModel {
                tenant_id: Set(self.tenant_id),
                key_id: Set(key_id),
                json_type: Set(json_type.to_owned()),
                first_seen: Set(Some(self.hour)),
                last_seen: Set(Some(self.hour)),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            self.note("key_type", row.id, format!("{label} is {json_type}"));
            self.key_types.insert(type_key, row.id);
        }
        Ok(key_id)
    }
}
