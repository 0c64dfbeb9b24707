//! Creating the catalog rows an hour needs, in bulk: applications and versions, screens, events,
//! combinations, keys and key types; each new row is noted as a discovery.

use std::collections::BTreeSet;

use sea_orm::{DatabaseTransaction, EntityTrait, Set};

use super::{BATCH, Catalog};
use crate::entities::{app_version, application, event, screen};
use crate::ledger::LedgerError;
use crate::sql::{Cells, insert_columns};

impl Catalog {
    /// Ensures every (name, version, platform) exists, with its application.
    pub async fn ensure_versions(
        &mut self,
        txn: &DatabaseTransaction,
        wanted: &BTreeSet<(String, String, String)>,
    ) -> Result<(), LedgerError> {
        let apps: BTreeSet<(String, String)> = wanted
            .iter()
            .map(|(name, _, platform)| (name.clone(), platform.clone()))
            .filter(|key| !self.applications.contains_key(key))
            .collect();
        if !apps.is_empty() {
            let rows: Vec<application::ActiveModel> = apps
                .iter()
                .map(|(name, platform)| application::ActiveModel {
                    tenant_id: Set(self.tenant_id),
                    name: Set(name.clone()),
                    platform: Set(platform.clone()),
                    first_seen: Set(Some(self.hour)),
                    last_seen: Set(Some(self.hour)),
                    status: Set("active".to_owned()),
                    ..Default::default()
                })
                .collect();
            insert_batches!(
                txn,
                application::Entity,
                rows,
                [
                    application::Column::TenantId,
                    application::Column::Name,
                    application::Column::Platform
                ]
            );
            self.reload_applications(txn).await?;
            for (name, platform) in &apps {
                let id = self.applications[&(name.clone(), platform.clone())];
                self.note("application", id, format!("{name} ({platform})"));
            }
        }
        let missing: Vec<(i64, &String, &String, &String)> = wanted
            .iter()
            .map(|(name, version, platform)| {
                (
                    self.applications[&(name.clone(), platform.clone())],
                    name,
                    version,
                    platform,
                )
            })
            .filter(|(app, _, version, _)| !self.versions.contains_key(&(*app, (*version).clone())))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let rows: Vec<app_version::ActiveModel> = missing
            .iter()
            .map(|(app, _, version, _)| app_version::ActiveModel {
                tenant_id: Set(self.tenant_id),
                application_id: Set(*app),
                version: Set((*version).clone()),
                first_seen: Set(Some(self.hour)),
                last_seen: Set(Some(self.hour)),
                ..Default::default()
            })
            .collect();
        insert_batches!(
            txn,
            app_version::Entity,
            rows,
            [
                app_version::Column::ApplicationId,
                app_version::Column::Version
            ]
        );
        self.reload_versions(txn).await?;
        for (app, name, version, platform) in missing {
            let id = self.versions[&(app, version.clone())];
            self.note("version", id, format!("{name} {version} ({platform})"));
        }
        Ok(())
    }

    pub fn version_id(&self, name: &str, version: &str, platform: &str) -> Option<i64> {
        let app = self
            .applications
            .get(&(name.to_owned(), platform.to_owned()))?;
        self.versions.get(&(*app, version.to_owned())).copied()
    }

    /// Ensures every screen name exists.
    pub async fn ensure_screens(
        &mut self,
        txn: &DatabaseTransaction,
        wanted: &BTreeSet<String>,
    ) -> Result<(), LedgerError> {
        ensure_named!(self, txn, wanted, screens, screen, reload_screens, "screen")
    }

    /// Ensures every event name exists.
    pub async fn ensure_events(
        &mut self,
        txn: &DatabaseTransaction,
        wanted: &BTreeSet<String>,
    ) -> Result<(), LedgerError> {
        ensure_named!(self, txn, wanted, events, event, reload_events, "event")
    }

    /// Ensures every (version, screen, event) exists; `wanted` carries each one's label.
    pub async fn ensure_combinations(
        &mut self,
        txn: &DatabaseTransaction,
        wanted: &[((i64, i64, i64), String)],
    ) -> Result<(), LedgerError> {
        let missing: Vec<&((i64, i64, i64), String)> = wanted
            .iter()
            .filter(|(ids, _)| !self.combinations.contains_key(ids))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let rows = missing.len();
        let columns = [
            ("tenant_id", Cells::Int(vec![self.tenant_id; rows])),
            (
                "version_id",
                Cells::Int(missing.iter().map(|((v, _, _), _)| *v).collect()),
            ),
            (
                "screen_id",
                Cells::Int(missing.iter().map(|((_, s, _), _)| *s).collect()),
            ),
            (
                "event_id",
                Cells::Int(missing.iter().map(|((_, _, e), _)| *e).collect()),
            ),
            ("first_seen", Cells::Int(vec![self.hour; rows])),
            ("last_seen", Cells::Int(vec![self.hour; rows])),
        ];
        insert_columns(
            txn,
            "combinations",
            &columns,
            "ON CONFLICT (version_id, screen_id, event_id) DO NOTHING",
        )
        .await?;
        self.reload_combinations(txn).await?;
        for (ids, label) in missing {
            self.note("combination", self.combinations[ids], label.clone());
        }
        Ok(())
    }

    /// Ensures every (event, path) key and every (key, type) exists; `wanted` holds
    /// (event id, event name, path, type).
    pub async fn ensure_keys(
        &mut self,
        txn: &DatabaseTransaction,
        wanted: &BTreeSet<(i64, String, String, &'static str)>,
    ) -> Result<(), LedgerError> {
        let mut missing_keys: Vec<(i64, &String, &String)> = Vec::new();
        for (event, event_name, path, _) in wanted {
            if !self.keys.contains_key(&(*event, path.clone()))
                && missing_keys.last() != Some(&(*event, event_name, path))
            {
                missing_keys.push((*event, event_name, path));
            }
        }
        missing_keys.dedup();
        if !missing_keys.is_empty() {
            let rows = missing_keys.len();
            let columns = [
                ("tenant_id", Cells::Int(vec![self.tenant_id; rows])),
                (
                    "event_id",
                    Cells::Int(missing_keys.iter().map(|(event, _, _)| *event).collect()),
                ),
                (
                    "path",
                    Cells::Text(
                        missing_keys
                            .iter()
                            .map(|(_, _, path)| (*path).clone())
                            .collect(),
                    ),
                ),
                ("first_seen", Cells::Int(vec![self.hour; rows])),
                ("last_seen", Cells::Int(vec![self.hour; rows])),
            ];
            insert_columns(
                txn,
                "event_keys",
                &columns,
                "ON CONFLICT (event_id, path) DO NOTHING",
            )
            .await?;
            self.reload_keys(txn).await?;
            for (event, name, path) in &missing_keys {
                self.note(
                    "key",
                    self.keys[&(*event, (*path).clone())],
                    format!("{name}: {path}"),
                );
            }
        }
        let missing_types: Vec<(i64, String, &'static str)> = wanted
            .iter()
            .filter_map(|(event, name, path, json_type)| {
                let key = self.keys[&(*event, path.clone())];
                (!self.key_types.contains_key(&(key, (*json_type).to_owned())))
                    .then(|| (key, format!("{name}: {path} is {json_type}"), *json_type))
            })
            .collect();
        if missing_types.is_empty() {
            return Ok(());
        }
        let rows = missing_types.len();
        let columns = [
            ("tenant_id", Cells::Int(vec![self.tenant_id; rows])),
            (
                "key_id",
                Cells::Int(missing_types.iter().map(|(key, _, _)| *key).collect()),
            ),
            (
                "json_type",
                Cells::Text(
                    missing_types
                        .iter()
                        .map(|(_, _, t)| (*t).to_owned())
                        .collect(),
                ),
            ),
            ("first_seen", Cells::Int(vec![self.hour; rows])),
            ("last_seen", Cells::Int(vec![self.hour; rows])),
        ];
        insert_columns(
            txn,
            "key_types",
            &columns,
            "ON CONFLICT (key_id, json_type) DO NOTHING",
        )
        .await?;
        self.reload_key_types(txn).await?;
        for (key, label, json_type) in missing_types {
            self.note(
                "key_type",
                self.key_types[&(key, json_type.to_owned())],
                label,
            );
        }
        Ok(())
    }
}
