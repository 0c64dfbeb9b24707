//! Replacing an hour: what it held before is taken out of its day's roll-ups and deleted, the new
//! rows go in (by bulk insert) and into the roll-ups, and what either version counted is returned
//! so first/last seen can follow.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use super::rows::{COUNT_COLUMNS, HourRows, KEY_COLUMNS, SESSION_VALUES, Slot};
use crate::entities::{hourly_count, hourly_key, hourly_session};
use crate::ledger::seen::HourSeen;
use crate::ledger::{LedgerError, rollup};
use crate::sql::{chunk_len, insert_integers};

/// Replaces the hour's rows and updates its day's roll-ups by the difference.
pub(super) async fn replace_hour(
    txn: &DatabaseTransaction,
    slot: Slot,
    rows: HourRows,
) -> Result<HourSeen, LedgerError> {
    use hourly_count::Column as C;
    use hourly_key::Column as K;
    use hourly_session::Column as S;
    let held_combinations =
        held::<hourly_count::Entity>(txn, slot, [C::TenantId, C::Hour, C::CombinationId]).await?;
    let mut key_ids =
        held::<hourly_key::Entity>(txn, slot, [K::TenantId, K::Hour, K::KeyId]).await?;
    let mut versions =
        held::<hourly_session::Entity>(txn, slot, [S::TenantId, S::Hour, S::VersionId]).await?;
    let replacing = !held_combinations.is_empty() || !key_ids.is_empty() || !versions.is_empty();
    if replacing {
        rollup::apply_hour(txn, slot.tenant_id, slot.hour, rollup::Sign::Remove).await?;
    }
    delete_hour(txn, slot).await?;
    let present: BTreeSet<i64> = rows.combination_ids.iter().copied().collect();
    key_ids.extend(rows.key_ids);
    versions.extend(
        rows.sessions
            .iter()
            .filter_map(|row| row.version_id.try_as_ref().copied()),
    );
    insert_integers(txn, "hourly_counts", COUNT_COLUMNS, &rows.counts).await?;
    for chunk in rows.sessions.chunks(chunk_len(SESSION_VALUES)) {
        hourly_session::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    insert_integers(txn, "hourly_keys", KEY_COLUMNS, &rows.keys).await?;
    rollup::apply_hour(txn, slot.tenant_id, slot.hour, rollup::Sign::Add).await?;
    if replacing {
        rollup::tidy_day(txn, slot.tenant_id, slot.hour).await?;
    }
    let versions: Vec<i64> = versions.into_iter().collect();
    rollup::merge_day_sessions(txn, slot.tenant_id, slot.hour, &versions).await?;
    Ok(HourSeen {
        hour: slot.hour,
        gone_combinations: held_combinations.difference(&present).copied().collect(),
        present_combinations: present.into_iter().collect(),
        present_key_types: rows.key_type_ids,
        keys: key_ids.into_iter().collect(),
    })
}

/// The distinct values of `column` in the hour's rows of `E` (`tenant` and `hour` name its slot).
async fn held<E: EntityTrait>(
    txn: &DatabaseTransaction,
    slot: Slot,
    [tenant, hour, column]: [E::Column; 3],
) -> Result<BTreeSet<i64>, LedgerError> {
    Ok(E::find()
        .select_only()
        .column(column)
        .filter(tenant.eq(slot.tenant_id))
        .filter(hour.eq(slot.hour))
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
