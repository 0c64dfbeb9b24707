//! Replacing an hour: what it held before is read and deleted, the new rows go in, and every
//! combination and key either version touched is returned so first/last seen can be recomputed.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use super::rows::{COUNT_VALUES, HourRows, KEY_VALUES, SESSION_VALUES, Slot};
use crate::entities::{hourly_count, hourly_key, hourly_session};
use crate::ledger::LedgerError;
use crate::sql::chunk_len;

/// Replaces the hour's rows; returns the combinations and keys touched before or now.
pub(super) async fn replace_hour(
    txn: &DatabaseTransaction,
    slot: Slot,
    rows: HourRows,
) -> Result<(Vec<i64>, Vec<i64>), LedgerError> {
    let mut combinations = held_combinations(txn, slot).await?;
    let mut key_ids = held_keys(txn, slot).await?;
    delete_hour(txn, slot).await?;
    combinations.extend(rows.combination_ids);
    key_ids.extend(rows.key_ids);
    for chunk in rows.counts.chunks(chunk_len(COUNT_VALUES)) {
        hourly_count::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in rows.sessions.chunks(chunk_len(SESSION_VALUES)) {
        hourly_session::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in rows.keys.chunks(chunk_len(KEY_VALUES)) {
        hourly_key::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok((
        combinations.into_iter().collect(),
        key_ids.into_iter().collect(),
    ))
}

async fn held_combinations(
    txn: &DatabaseTransaction,
    slot: Slot,
) -> Result<BTreeSet<i64>, LedgerError> {
    Ok(hourly_count::Entity::find()
        .select_only()
        .column(hourly_count::Column::CombinationId)
        .filter(hourly_count::Column::TenantId.eq(slot.tenant_id))
        .filter(hourly_count::Column::Hour.eq(slot.hour))
        .into_tuple::<i64>()
        .all(txn)
        .await?
        .into_iter()
        .collect())
}

async fn held_keys(txn: &DatabaseTransaction, slot: Slot) -> Result<BTreeSet<i64>, LedgerError> {
    Ok(hourly_key::Entity::find()
        .select_only()
        .column(hourly_key::Column::KeyId)
        .filter(hourly_key::Column::TenantId.eq(slot.tenant_id))
        .filter(hourly_key::Column::Hour.eq(slot.hour))
        .into_tuple::<i64>()
        .all(txn)
        .await?
        .into_iter()
        .collect())
}

async fn delete_hour(txn: &DatabaseTransaction, slot: Slot) -> Result<(), LedgerError> {
    hourly_count::Entity::delete_many()
        .filter(hourly_count::Column::TenantId.eq(slot.tenant_id))
        .filter(hourly_count::Column::Hour.eq(slot.hour))
        .exec(txn)
        .await?;
    hourly_session::Entity::delete_many()
        .filter(hourly_session::Column::TenantId.eq(slot.tenant_id))
        .filter(hourly_session::Column::Hour.eq(slot.hour))
        .exec(txn)
        .await?;
    hourly_key::Entity::delete_many()
        .filter(hourly_key::Column::TenantId.eq(slot.tenant_id))
        .filter(hourly_key::Column::Hour.eq(slot.hour))
        .exec(txn)
        .await?;
    Ok(())
}
