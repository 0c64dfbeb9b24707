//! The rows of one hour, built from what the reader counted: the catalog rows they need are
//! created first (in a stable order, so ids never depend on hash order), then the hour's count,
//! session and key rows refer to them.

use std::collections::{BTreeSet, HashMap};

use rustc_hash::FxHashMap;
use sea_orm::{DatabaseTransaction, Set};

use crate::entities::hourly_session;
use crate::ingest::aggregate::Counts;
use crate::ingest::json::JsonType;
use crate::ingest::sketch::Sketch;
use crate::ledger::LedgerError;
use crate::ledger::resolve::Catalog;

/// Values each session row of an hour binds (rows per INSERT follow, `crate::sql::chunk_len`).
pub(super) const SESSION_VALUES: usize = 6;

/// The columns of an hourly count row, in the order of [`HourRows::counts`].
pub(super) const COUNT_COLUMNS: [&str; 5] =
    ["tenant_id", "hour", "combination_id", "events", "sessions"];

/// The columns of an hourly key row, in the order of [`HourRows::keys`]: the row's key, then the
/// count of each JSON type (the migration's order, which is `JsonType::ALL`'s).
pub(super) const KEY_COLUMNS: [&str; 11] = {
    let mut columns = [
        "tenant_id",
        "hour",
        "version_id",
        "key_id",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ];
    let mut i = 0;
    while i < blueprint_migration::TYPE_COLUMNS.len() {
        columns[4 + i] = blueprint_migration::TYPE_COLUMNS[i];
        i += 1;
    }
    columns
};

/// The hour's new rows, and the combinations and keys they touch. Count and key rows are plain
/// integers in the column order above: they are most of an hour's rows and go in by bulk insert.
pub(super) struct HourRows {
    pub counts: Vec<[i64; 5]>,
    pub sessions: Vec<hourly_session::ActiveModel>,
    pub keys: Vec<[i64; 11]>,
    pub combination_ids: Vec<i64>,
    pub key_ids: Vec<i64>,
    /// The key types the hour counts (a key with at least one value of that type).
    pub key_type_ids: Vec<i64>,
}

/// Where the rows go: the tenant and the hour (epoch seconds).
#[derive(Clone, Copy)]
pub(super) struct Slot {
    pub tenant_id: i64,
    pub hour: i64,
}

/// Creates the catalog rows the hour needs and builds its rows.
pub(super) async fn build(
    txn: &DatabaseTransaction,
    catalog: &mut Catalog,
    slot: Slot,
    counts: &Counts,
) -> Result<HourRows, LedgerError> {
    let version_ids = ensure_dimensions(txn, catalog, counts).await?;
    let (group_sessions, version_sessions) = counts.sessions();
    let combined =
        combination_rows(txn, catalog, slot, counts, &version_ids, &group_sessions).await?;
    let sessions = session_rows(
        slot,
        &version_sessions,
        &version_ids,
        &combined.version_events,
    );
    let (keys, key_ids) = key_rows(txn, catalog, slot, counts, &version_ids).await?;
    let key_type_ids = present_key_types(catalog, &keys)?;
    Ok(HourRows {
        counts: combined.rows,
        sessions,
        keys,
        combination_ids: combined.ids,
        key_ids,
        key_type_ids,
    })
}

/// Applications × versions × platforms, screens and events; returns the catalog id of each of
/// the reader's version numbers.
async fn ensure_dimensions(
    txn: &DatabaseTransaction,
    catalog: &mut Catalog,
    counts: &Counts,
) -> Result<HashMap<u32, i64>, LedgerError> {
    let text = |id: u32| counts.strings.get(id);
    let version_texts: BTreeSet<(String, String, String)> = counts
        .versions
        .keys()
        .map(|key| {
            (
                text(key[0]).to_owned(),
                text(key[1]).to_owned(),
                text(key[2]).to_owned(),
            )
        })
        .collect();
    catalog.ensure_versions(txn, &version_texts).await?;
    let mut version_ids = HashMap::with_capacity(counts.versions.len());
    for (key, local) in &counts.versions {
        let id = catalog
            .version_id(text(key[0]), text(key[1]), text(key[2]))
            .ok_or(LedgerError::Missing("application version"))?;
        version_ids.insert(*local, id);
    }
    let screens: BTreeSet<String> = counts
        .groups
        .keys()
        .map(|key| text(key[3]).to_owned())
        .collect();
    catalog.ensure_screens(txn, &screens).await?;
    let mut events: BTreeSet<String> = counts
        .groups
        .keys()
        .map(|key| text(key[4]).to_owned())
        .collect();
    let key_events: rustc_hash::FxHashSet<u32> =
        counts.keys().map(|((_, event, _), _)| event).collect();
    events.extend(key_events.into_iter().map(|event| text(event).to_owned()));
    catalog.ensure_events(txn, &events).await?;
    Ok(version_ids)
}

/// The count rows of the hour's combinations, with the events each version sent.
struct CombinationRows {
    rows: Vec<[i64; 5]>,
    ids: Vec<i64>,
    version_events: HashMap<i64, i64>,
}

async fn combination_rows(
    txn: &DatabaseTransaction,
    catalog: &mut Catalog,
    slot: Slot,
    counts: &Counts,
    version_ids: &HashMap<u32, i64>,
    group_sessions: &FxHashMap<u32, u64>,
) -> Result<CombinationRows, LedgerError> {
    let text = |id: u32| counts.strings.get(id);
    let mut groups: Vec<_> = counts.groups.iter().collect();
    groups.sort_by_key(|(key, _)| key.map(text));
    let mut wanted = Vec::with_capacity(groups.len());
    let mut resolved = Vec::with_capacity(groups.len());
    for (key, (local, events)) in &groups {
        let version_id = version_ids[&counts.versions[&[key[0], key[1], key[2]]]];
        let ids = (
            version_id,
            catalog.screens[text(key[3])],
            catalog.events[text(key[4])],
        );
        let label = format!(
            "{} on {} in {} {} ({})",
            text(key[4]),
            text(key[3]),
            text(key[0]),
            text(key[1]),
            text(key[2])
        );
        wanted.push((ids, label));
        resolved.push((ids, *local, *events));
    }
    catalog.ensure_combinations(txn, &wanted).await?;
    let mut out = CombinationRows {
        rows: Vec::with_capacity(resolved.len()),
        ids: Vec::with_capacity(resolved.len()),
        version_events: HashMap::new(),
    };
    for (ids, local, events) in resolved {
        *out.version_events.entry(ids.0).or_default() += events as i64;
        let combination_id = catalog.combinations[&ids];
        out.ids.push(combination_id);
        out.rows.push([
            slot.tenant_id,
            slot.hour,
            combination_id,
            events as i64,
            group_sessions.get(&local).copied().unwrap_or(0) as i64,
        ]);
    }
    Ok(out)
}

/// One row per version: its exact sessions, their sketch, and its events.
fn session_rows(
    slot: Slot,
    version_sessions: &FxHashMap<u32, (u64, Sketch)>,
    version_ids: &HashMap<u32, i64>,
    version_events: &HashMap<i64, i64>,
) -> Vec<hourly_session::ActiveModel> {
    let mut version_locals: Vec<(i64, u32)> = version_ids
        .iter()
        .map(|(local, id)| (*id, *local))
        .collect();
    version_locals.sort_unstable();
    version_locals
        .iter()
        .map(|(version_id, local)| {
            let (sessions, sketch) = version_sessions.get(local).cloned().unwrap_or_default();
            hourly_session::ActiveModel {
                tenant_id: Set(slot.tenant_id),
                hour: Set(slot.hour),
                version_id: Set(*version_id),
                sessions: Set(sessions as i64),
                sketch: Set(sketch.to_bytes()),
                events: Set(version_events.get(version_id).copied().unwrap_or(0)),
            }
        })
        .collect()
}

/// The keys and key types of the hour in the catalog, and one row per (version, key).
async fn key_rows(
    txn: &DatabaseTransaction,
    catalog: &mut Catalog,
    slot: Slot,
    counts: &Counts,
    version_ids: &HashMap<u32, i64>,
) -> Result<(Vec<[i64; 11]>, Vec<i64>), LedgerError> {
    let text = |id: u32| counts.strings.get(id);
    // The types each (event, path) had in any version: the catalog's keys and key types are
    // looked up once per path, not once per row.
    let mut types_by_path: FxHashMap<(u32, u32), [bool; 7]> = FxHashMap::default();
    for ((_, event, path), types) in counts.keys() {
        let seen = types_by_path.entry((event, path)).or_default();
        for (flag, count) in seen.iter_mut().zip(types) {
            *flag |= count > 0;
        }
    }
    let mut key_wanted = BTreeSet::new();
    for ((event, path), seen) in &types_by_path {
        let event_id = catalog.events[text(*event)];
        for (index, _) in seen.iter().enumerate().filter(|(_, seen)| **seen) {
            key_wanted.insert((
                event_id,
                text(*event).to_owned(),
                text(*path).to_owned(),
                JsonType::ALL[index].name(),
            ));
        }
    }
    catalog.ensure_keys(txn, &key_wanted).await?;
    let key_of: FxHashMap<(u32, u32), i64> = types_by_path
        .keys()
        .map(|&(event, path)| {
            let event_id = catalog.events[text(event)];
            (
                (event, path),
                catalog.keys[&(event_id, text(path).to_owned())],
            )
        })
        .collect();
    // Sized once: hundreds of thousands of rows grown by doubling held up to half as much again,
    // and during each move both copies.
    let mut rows: Vec<[i64; 11]> = Vec::with_capacity(counts.key_rows());
    rows.extend(counts.keys().map(|((version, event, path), types)| {
        let mut row = [0; 11];
        row[..4].copy_from_slice(&[
            slot.tenant_id,
            slot.hour,
            version_ids[&version],
            key_of[&(event, path)],
        ]);
        for (cell, count) in row[4..].iter_mut().zip(types.iter()) {
            *cell = *count as i64;
        }
        row
    }));
    // In the table's key order (version, key): one row per pair, so the order is stable.
    rows.sort_unstable_by_key(|row| (row[2], row[3]));
    let mut ids: Vec<i64> = key_of.into_values().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok((rows, ids))
}

/// The key type ids of the hour's key rows: each (key, type) with a count above zero, once.
fn present_key_types(catalog: &Catalog, keys: &[[i64; 11]]) -> Result<Vec<i64>, LedgerError> {
    let mut present: rustc_hash::FxHashSet<(i64, usize)> = rustc_hash::FxHashSet::default();
    for row in keys {
        for (index, count) in row[4..].iter().enumerate() {
            if *count > 0 {
                present.insert((row[3], index));
            }
        }
    }
    let mut present: Vec<(i64, usize)> = present.into_iter().collect();
    present.sort_unstable();
    present
        .into_iter()
        .map(|(key_id, index)| {
            catalog
                .key_types
                .get(&(key_id, JsonType::ALL[index].name().to_owned()))
                .copied()
                .ok_or(LedgerError::Missing("key type"))
        })
        .collect()
}
