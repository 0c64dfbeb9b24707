//! Replacing an hour: its count rows as held are taken out of their day's roll-ups and deleted, the
//! new ones go in (by bulk insert) and into the roll-ups; its key rows, most of an hour's rows,
//! change by difference: held and new rows are merged in (version, key) order, and only rows that
//! differ are deleted, inserted and added to their day (so an unchanged hour written again writes
//! no key row). What either version counted is returned so first/last seen can follow.

use std::collections::BTreeSet;

use futures::StreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    StreamTrait,
};

use super::rows::{COUNT_COLUMNS, HourRows, KEY_COLUMNS, SESSION_VALUES, Slot};
use crate::entities::{hourly_count, hourly_session};
use crate::ledger::seen::HourSeen;
use crate::ledger::{LedgerError, rollup};
use crate::sql::{chunk_len, delete_keys, insert_integers, upsert_integers};

/// Replaces the hour's rows and updates its day's roll-ups by the difference.
pub(super) async fn replace_hour(
    txn: &DatabaseTransaction,
    slot: Slot,
    rows: HourRows,
) -> Result<HourSeen, LedgerError> {
    use hourly_count::Column as C;
    use hourly_session::Column as S;
    let held_combinations =
        held::<hourly_count::Entity>(txn, slot, [C::TenantId, C::Hour, C::CombinationId]).await?;
    let old_keys = held_keys(txn, slot).await?;
    let mut versions =
        held::<hourly_session::Entity>(txn, slot, [S::TenantId, S::Hour, S::VersionId]).await?;
    let replacing = !held_combinations.is_empty() || !old_keys.is_empty() || !versions.is_empty();
    if replacing {
        rollup::apply_counts(txn, slot.tenant_id, slot.hour, rollup::Sign::Remove).await?;
    }
    delete_counts(txn, slot).await?;
    let present: BTreeSet<i64> = rows.combination_ids.iter().copied().collect();
    let mut key_ids: BTreeSet<i64> = old_keys.iter().map(|row| row[1]).collect();
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
    rollup::apply_counts(txn, slot.tenant_id, slot.hour, rollup::Sign::Add).await?;
    if old_keys.is_empty() {
        insert_integers(txn, "hourly_keys", KEY_COLUMNS, &rows.keys).await?;
        rollup::add_keys(txn, slot.tenant_id, slot.hour).await?;
    } else {
        change_keys(txn, slot, &key_change(slot, &old_keys, &rows.keys)).await?;
    }
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

/// An hourly key row as held: version, key, then the count of each type.
type HeldKey = [i64; 9];

/// The hour's key rows as they stand, in (version, key) order.
async fn held_keys(txn: &DatabaseTransaction, slot: Slot) -> Result<Vec<HeldKey>, LedgerError> {
    let columns = KEY_COLUMNS[2..].join(", ");
    let sql = format!(
        "SELECT {columns} FROM hourly_keys WHERE tenant_id = {} AND hour = {} \
         ORDER BY version_id, key_id",
        slot.tenant_id, slot.hour
    );
    // Streamed row by row into plain integers: an hour's key rows are hundreds of thousands,
    // and the driver's rows held all at once would take several times their size.
    let mut found = txn
        .stream_raw(sea_orm::Statement::from_string(
            ConnectionTrait::get_database_backend(txn),
            sql,
        ))
        .await?;
    let mut held = Vec::new();
    while let Some(row) = found.next().await {
        let row = row?;
        let mut cells = [0i64; 9];
        for (n, cell) in cells.iter_mut().enumerate() {
            *cell = row.try_get_by_index::<i64>(n)?;
        }
        held.push(cells);
    }
    Ok(held)
}

/// How a replaced hour's key rows change: the rows that go (gone or changed), the rows that come
/// (new or changed), each changed (version, key)'s difference for its day, and the (version, key)s
/// whose day lost counts (their day's row may now be all zero).
#[derive(Debug, Default, PartialEq, Eq)]
struct KeyChange {
    gone: Vec<[i64; 2]>,
    put: Vec<[i64; 11]>,
    deltas: Vec<[i64; 11]>,
    lowered: Vec<[i64; 2]>,
}

/// The difference between the hour's held key rows and its new ones, both in (version, key)
/// order: an unchanged row costs nothing.
fn key_change(slot: Slot, old: &[HeldKey], new: &[[i64; 11]]) -> KeyChange {
    let day = rollup::day_of(slot.hour);
    let mut change = KeyChange::default();
    let delta = |key: [i64; 2], counts: [i64; 7], change: &mut KeyChange| {
        let mut row = [slot.tenant_id, day, key[0], key[1], 0, 0, 0, 0, 0, 0, 0];
        row[4..].copy_from_slice(&counts);
        if counts.iter().any(|c| *c < 0) {
            change.lowered.push(key);
        }
        change.deltas.push(row);
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let old_key = old.get(i).map(|row| [row[0], row[1]]);
        let new_key = new.get(j).map(|row| [row[2], row[3]]);
        match (old_key, new_key) {
            (Some(o), Some(n)) if o == n => {
                let (was, now) = (&old[i][2..], &new[j][4..]);
                if was != now {
                    change.gone.push(o);
                    change.put.push(new[j]);
                    let counts = std::array::from_fn(|t| now[t] - was[t]);
                    delta(o, counts, &mut change);
                }
                i += 1;
                j += 1;
            }
            (Some(o), n) if n.is_none_or(|n| o < n) => {
                change.gone.push(o);
                delta(o, std::array::from_fn(|t| -old[i][2 + t]), &mut change);
                i += 1;
            }
            (_, Some(n)) => {
                change.put.push(new[j]);
                delta(n, std::array::from_fn(|t| new[j][4 + t]), &mut change);
                j += 1;
            }
            (_, None) => unreachable!("the loop runs while either side has rows"),
        }
    }
    change
}

/// Writes a [`KeyChange`]: the hour's rows that go and come, and the day's by the difference.
async fn change_keys(
    txn: &DatabaseTransaction,
    slot: Slot,
    change: &KeyChange,
) -> Result<(), LedgerError> {
    let this_hour = format!("tenant_id = {} AND hour = {}", slot.tenant_id, slot.hour);
    delete_keys(
        txn,
        "hourly_keys",
        &this_hour,
        ["version_id", "key_id"],
        &change.gone,
    )
    .await?;
    insert_integers(txn, "hourly_keys", KEY_COLUMNS, &change.put).await?;
    let mut daily = KEY_COLUMNS;
    daily[1] = "day";
    upsert_integers(
        txn,
        "daily_keys",
        daily,
        &change.deltas,
        &rollup::daily_keys_added(),
    )
    .await?;
    rollup::tidy_keys(txn, slot.tenant_id, slot.hour, &change.lowered).await
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

/// Deletes the hour's count and session rows (its key rows change by difference).
async fn delete_counts(txn: &DatabaseTransaction, slot: Slot) -> Result<(), LedgerError> {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_row(version: i64, key: i64, counts: [i64; 7]) -> [i64; 11] {
        let mut row = [1, 7_200, version, key, 0, 0, 0, 0, 0, 0, 0];
        row[4..].copy_from_slice(&counts);
        row
    }

    fn held(version: i64, key: i64, counts: [i64; 7]) -> HeldKey {
        let mut row = [version, key, 0, 0, 0, 0, 0, 0, 0];
        row[2..].copy_from_slice(&counts);
        row
    }

    #[test]
    fn an_unchanged_hour_changes_no_key_row() {
        let slot = Slot {
            tenant_id: 1,
            hour: 7_200,
        };
        let counts = [3, 0, 1, 0, 0, 0, 0];
        let change = key_change(slot, &[held(1, 5, counts)], &[new_row(1, 5, counts)]);
        assert_eq!(change, KeyChange::default());
    }

    #[test]
    fn gone_changed_and_new_rows_change_by_their_difference() {
        let slot = Slot {
            tenant_id: 1,
            hour: 86_400 + 7_200,
        };
        let old = [
            held(1, 4, [2, 0, 0, 0, 0, 0, 0]),
            held(1, 5, [3, 1, 0, 0, 0, 0, 0]),
            held(2, 5, [1, 0, 0, 0, 0, 0, 0]),
        ];
        let new = [
            new_row(1, 5, [1, 4, 0, 0, 0, 0, 0]),
            new_row(2, 5, [1, 0, 0, 0, 0, 0, 0]),
            new_row(3, 1, [0, 0, 0, 0, 0, 0, 9]),
        ];
        let change = key_change(slot, &old, &new);
        assert_eq!(change.gone, vec![[1, 4], [1, 5]]);
        assert_eq!(change.put, vec![new[0], new[2]]);
        let day = 86_400;
        assert_eq!(
            change.deltas,
            vec![
                [1, day, 1, 4, -2, 0, 0, 0, 0, 0, 0],
                [1, day, 1, 5, -2, 3, 0, 0, 0, 0, 0],
                [1, day, 3, 1, 0, 0, 0, 0, 0, 0, 9],
            ]
        );
        assert_eq!(change.lowered, vec![[1, 4], [1, 5]]);
        let emptied = key_change(slot, &old, &[]);
        assert_eq!(emptied.gone.len(), 3);
        assert!(emptied.put.is_empty());
        assert_eq!(emptied.lowered.len(), 3);
    }
}
