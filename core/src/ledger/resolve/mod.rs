//! Finds or creates, in bulk, the catalog rows an hour refers to (applications, versions,
//! screens, events, combinations, keys, key types) and notes which were created: those are the
//! hour's discoveries. Rows are inserted in a stable order (so ids never depend on hash order)
//! with ON CONFLICT DO NOTHING (so two processes may race), then read back for their ids.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::entities::{app_version, application, combination, event, event_key, key_type, screen};
use crate::ledger::LedgerError;

/// Rows per INSERT: a catalog row binds at most 10 values (screens and events, with their
/// curated fields), so a batch stays under both databases' bind limits.
const BATCH: usize = crate::sql::chunk_len(10);

/// A catalog row created by this hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    pub kind: &'static str,
    pub id: i64,
    pub label: String,
}

/// Ids of the tenant's catalog rows by natural key, extended as rows are created.
pub struct Catalog {
    tenant_id: i64,
    hour: i64,
    pub applications: HashMap<(String, String), i64>,
    pub versions: HashMap<(i64, String), i64>,
    pub screens: HashMap<String, i64>,
    pub events: HashMap<String, i64>,
    pub combinations: HashMap<(i64, i64, i64), i64>,
    pub keys: HashMap<(i64, String), i64>,
    pub key_types: HashMap<(i64, String), i64>,
    pub created: Vec<Created>,
}

/// The tenant's rows of one catalog table, as natural key → id.
async fn load_ids<E, K>(
    txn: &DatabaseTransaction,
    tenant_column: E::Column,
    tenant_id: i64,
    key: impl Fn(E::Model) -> (K, i64),
) -> Result<HashMap<K, i64>, LedgerError>
where
    E: EntityTrait,
    K: Eq + std::hash::Hash,
{
    Ok(E::find()
        .filter(tenant_column.eq(tenant_id))
        .all(txn)
        .await?
        .into_iter()
        .map(key)
        .collect())
}

macro_rules! insert_batches {
    ($txn:expr, $entity:ty, $rows:expr, $conflict:expr) => {
        for chunk in $rows.chunks(BATCH) {
            <$entity>::insert_many(chunk.to_vec())
                .on_conflict_do_nothing_on($conflict)
                .exec_without_returning($txn)
                .await?;
        }
    };
}

/// Screens and events: catalog rows named by a string, created with the curated defaults, each
/// new one noted as a discovery of `$kind`.
macro_rules! ensure_named {
    ($self:ident, $txn:ident, $wanted:ident, $map:ident, $entity:ident, $reload:ident, $kind:literal) => {{
        let missing: Vec<String> = $wanted
            .iter()
            .filter(|name| !$self.$map.contains_key(*name))
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let rows: Vec<$entity::ActiveModel> = missing
            .iter()
            .map(|name| $entity::ActiveModel {
                tenant_id: Set($self.tenant_id),
                name: Set(name.clone()),
                first_seen: Set(Some($self.hour)),
                last_seen: Set(Some($self.hour)),
                status: Set("active".to_owned()),
                ..Default::default()
            })
            .collect();
        insert_batches!(
            $txn,
            $entity::Entity,
            rows,
            [$entity::Column::TenantId, $entity::Column::Name]
        );
        $self.$reload($txn).await?;
        for name in missing {
            let id = $self.$map[&name];
            $self.note($kind, id, name);
        }
        Ok(())
    }};
}

mod ensure;

impl Catalog {
    pub async fn load(
        txn: &DatabaseTransaction,
        tenant_id: i64,
        hour: i64,
    ) -> Result<Self, LedgerError> {
        let mut catalog = Self {
            tenant_id,
            hour,
            applications: HashMap::new(),
            versions: HashMap::new(),
            screens: HashMap::new(),
            events: HashMap::new(),
            combinations: HashMap::new(),
            keys: HashMap::new(),
            key_types: HashMap::new(),
            created: Vec::new(),
        };
        catalog.reload_applications(txn).await?;
        catalog.reload_versions(txn).await?;
        catalog.reload_screens(txn).await?;
        catalog.reload_events(txn).await?;
        catalog.reload_combinations(txn).await?;
        catalog.reload_keys(txn).await?;
        catalog.reload_key_types(txn).await?;
        Ok(catalog)
    }

    async fn reload_applications(&mut self, txn: &DatabaseTransaction) -> Result<(), LedgerError> {
        self.applications = load_ids::<application::Entity, _>(
            txn,
            application::Column::TenantId,
            self.tenant_id,
            |row| ((row.name, row.platform), row.id),
        )
        .await?;
        Ok(())
    }

    async fn reload_versions(&mut self, txn: &DatabaseTransaction) -> Result<(), LedgerError> {
        self.versions = load_ids::<app_version::Entity, _>(
            txn,
            app_version::Column::TenantId,
            self.tenant_id,
            |row| ((row.application_id, row.version), row.id),
        )
        .await?;
        Ok(())
    }

    async fn reload_screens(&mut self, txn: &DatabaseTransaction) -> Result<(), LedgerError> {
        self.screens =
            load_ids::<screen::Entity, _>(txn, screen::Column::TenantId, self.tenant_id, |row| {
                (row.name, row.id)
            })
            .await?;
        Ok(())
    }

    async fn reload_events(&mut self, txn: &DatabaseTransaction) -> Result<(), LedgerError> {
        self.events =
            load_ids::<event::Entity, _>(txn, event::Column::TenantId, self.tenant_id, |row| {
                (row.name, row.id)
            })
            .await?;
        Ok(())
    }

    async fn reload_combinations(&mut self, txn: &DatabaseTransaction) -> Result<(), LedgerError> {
        self.combinations = load_ids::<combination::Entity, _>(
            txn,
            combination::Column::TenantId,
            self.tenant_id,
            |row| ((row.version_id, row.screen_id, row.event_id), row.id),
        )
        .await?;
        Ok(())
    }

    async fn reload_keys(&mut self, txn: &DatabaseTransaction) -> Result<(), LedgerError> {
        self.keys = load_ids::<event_key::Entity, _>(
            txn,
            event_key::Column::TenantId,
            self.tenant_id,
            |row| ((row.event_id, row.path), row.id),
        )
        .await?;
        Ok(())
    }

    async fn reload_key_types(&mut self, txn: &DatabaseTransaction) -> Result<(), LedgerError> {
        self.key_types = load_ids::<key_type::Entity, _>(
            txn,
            key_type::Column::TenantId,
            self.tenant_id,
            |row| ((row.key_id, row.json_type), row.id),
        )
        .await?;
        Ok(())
    }

    fn note(&mut self, kind: &'static str, id: i64, label: String) {
        self.created.push(Created { kind, id, label });
    }
}
