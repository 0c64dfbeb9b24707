//! Per-tenant field mappings stored in the database (`blueprint mapping`, the admin UI): the
//! `segment` preset until a tenant's mapping is set.

use sea_orm::{EntityTrait, Set, sea_query::OnConflict};

use crate::Services;
use crate::entities::mapping as mapping_row;

use crate::mapping::Mapping;

#[derive(Debug, thiserror::Error)]
pub enum MappingStoreError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("the stored mapping of tenant {tenant_id} is unreadable: {reason}")]
    Corrupt { tenant_id: i64, reason: String },
}

pub async fn load_mapping(
    services: &Services,
    tenant_id: i64,
) -> Result<Mapping, MappingStoreError> {
    match mapping_row::Entity::find_by_id(tenant_id)
        .one(services.db.conn())
        .await?
    {
        None => Ok(Mapping::default()),
        Some(row) => {
            serde_json::from_str(&row.definition).map_err(|err| MappingStoreError::Corrupt {
                tenant_id,
                reason: err.to_string(),
            })
        }
    }
}

pub async fn save_mapping(
    services: &Services,
    tenant_id: i64,
    mapping: &Mapping,
) -> Result<(), MappingStoreError> {
    let definition = serde_json::to_string(mapping).map_err(|err| MappingStoreError::Corrupt {
        tenant_id,
        reason: err.to_string(),
    })?;
    mapping_row::Entity::insert(mapping_row::ActiveModel {
        tenant_id: Set(tenant_id),
        preset: Set(mapping.preset.clone()),
        definition: Set(definition),
        updated_at: Set(services.db.now_seconds()),
    })
    .on_conflict(
        OnConflict::column(mapping_row::Column::TenantId)
            .update_columns([
                mapping_row::Column::Preset,
                mapping_row::Column::Definition,
                mapping_row::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(services.db.conn())
    .await?;
    // The command line is the only way to change a mapping so far; it acts as the operator.
    let target = format!("mapping of tenant {tenant_id}");
    crate::accounts::audit::record(
        services.db.conn(),
        crate::accounts::audit::Entry {
            at: services.db.now_seconds(),
            by: None,
            tenant_id: Some(tenant_id),
            action: "mapping.set",
            target: &target,
        },
        None,
        Some(mapping),
    )
    .await
    .map_err(|err| MappingStoreError::Corrupt {
        tenant_id,
        reason: err.to_string(),
    })?;
    Ok(())
}
