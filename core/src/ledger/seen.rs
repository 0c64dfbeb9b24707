//! Keeps first/last seen exact: after an hour is replaced, every catalog row the old or new hour
//! touched has the earliest/latest hour with a non-zero count (NULL when none is left) — widened to
//! the hour when the hour counts it, recomputed when only the replaced hour did.
//! Plain SQL that runs unchanged on SQLite and Postgres; id lists are integers we produced.

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Statement};

use crate::ledger::{LedgerError, id_list};

const BATCH: usize = 500;

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

async fn ids(txn: &DatabaseTransaction, sql: String) -> Result<Vec<i64>, LedgerError> {
    let backend = txn.get_database_backend();
    Ok(Id::find_by_statement(Statement::from_string(backend, sql))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect())
}

async fn run_batched(
    txn: &DatabaseTransaction,
    ids: &[i64],
    statement: impl Fn(&str) -> String,
) -> Result<(), LedgerError> {
    for chunk in ids.chunks(BATCH) {
        txn.execute_unprepared(&statement(&id_list(chunk))).await?;
    }
    Ok(())
}

/// What one written hour counted, and what only the hour it replaced counted.
#[derive(Debug, Default)]
pub struct HourSeen {
    /// The hour (epoch seconds).
    pub hour: i64,
    /// Combinations the hour counts now.
    pub present_combinations: Vec<i64>,
    /// Combinations only the replaced hour counted.
    pub gone_combinations: Vec<i64>,
    /// Key types the hour counts now.
    pub present_key_types: Vec<i64>,
    /// Keys the hour counts now or counted before.
    pub keys: Vec<i64>,
}

/// Brings first/last seen up to date after an hour is written. What the hour counts only widens
/// a row's span to take in the hour (one statement per batch, whatever the window holds); a row
/// the replaced hour counted and the new one does not is recomputed from the hourly rows, and only
/// when the hour was its first or last. Values before `window` (the first hour still kept in
/// hourly detail) stay as recorded. Parents (versions, screens, events, applications; keys from
/// their types) are then taken from their children.
pub async fn recompute(
    txn: &DatabaseTransaction,
    seen: &HourSeen,
    window: i64,
) -> Result<Touched, LedgerError> {
    let hour = seen.hour;
    widen(txn, "combinations", "id", &seen.present_combinations, hour).await?;
    let stale = ids_batched(txn, &seen.gone_combinations, |list| {
        format!(
            "SELECT id FROM combinations WHERE id IN ({list}) \
             AND (first_seen = {hour} OR last_seen = {hour})"
        )
    })
    .await?;
    recompute_combinations(txn, &stale, window).await?;
    let mut combinations = seen.present_combinations.clone();
    combinations.extend(&seen.gone_combinations);
    combinations.sort_unstable();
    combinations.dedup();
    let [versions, screens, events] = recompute_parents(txn, &combinations).await?;
    let applications = recompute_applications(txn, &versions).await?;
    widen(txn, "key_types", "id", &seen.present_key_types, hour).await?;
    let present: std::collections::HashSet<i64> = seen.present_key_types.iter().copied().collect();
    let stale_types: Vec<i64> = ids_batched(txn, &seen.keys, |list| {
        format!(
            "SELECT id FROM key_types WHERE key_id IN ({list}) \
             AND (first_seen = {hour} OR last_seen = {hour})"
        )
    })
    .await?
    .into_iter()
    .filter(|id| !present.contains(id))
    .collect();
    let key_types = recompute_keys(txn, &seen.keys, &stale_types, window).await?;
    Ok(Touched {
        versions,
        screens,
        events,
        applications,
        combinations,
        keys: seen.keys.clone(),
        key_types,
    })
}

/// Widens the first/last seen of `ids` in `table` to take in `hour`.
async fn widen(
    txn: &DatabaseTransaction,
    table: &str,
    column: &str,
    ids: &[i64],
    hour: i64,
) -> Result<(), LedgerError> {
    run_batched(txn, ids, |list| {
        format!(
            "UPDATE {table} SET \
             first_seen = CASE WHEN first_seen IS NULL OR first_seen > {hour} THEN {hour} ELSE first_seen END, \
             last_seen = CASE WHEN last_seen IS NULL OR last_seen < {hour} THEN {hour} ELSE last_seen END \
             WHERE {column} IN ({list})"
        )
    })
    .await
}

/// The combinations recomputed from their hourly counts.
async fn recompute_combinations(
    txn: &DatabaseTransaction,
    combinations: &[i64],
    window: i64,
) -> Result<(), LedgerError> {
    run_batched(txn, combinations, |list| {
        format!(
            "UPDATE combinations SET \
             first_seen = CASE WHEN first_seen < {window} THEN first_seen ELSE \
             (SELECT MIN(h.hour) FROM hourly_counts h WHERE h.combination_id = combinations.id AND h.events > 0) END, \
             last_seen = COALESCE((SELECT MAX(h.hour) FROM hourly_counts h WHERE h.combination_id = combinations.id AND h.events > 0), \
             CASE WHEN last_seen < {window} THEN last_seen END) \
             WHERE id IN ({list})"
        )
    })
    .await
}

/// The versions, screens and events of the combinations, their first/last seen recomputed.
async fn recompute_parents(
    txn: &DatabaseTransaction,
    combinations: &[i64],
) -> Result<[Vec<i64>; 3], LedgerError> {
    let mut parents: [Vec<i64>; 3] = Default::default();
    let tables = [
        ("app_versions", "version_id"),
        ("screens", "screen_id"),
        ("events", "event_id"),
    ];
    for (found, (table, column)) in parents.iter_mut().zip(tables) {
        *found = ids_batched(txn, combinations, |list| {
            format!("SELECT DISTINCT {column} AS id FROM combinations WHERE id IN ({list})")
        })
        .await?;
        run_batched(txn, found, |ids| {
            format!(
                "UPDATE {table} SET \
                 first_seen = (SELECT MIN(c.first_seen) FROM combinations c WHERE c.{column} = {table}.id), \
                 last_seen = (SELECT MAX(c.last_seen) FROM combinations c WHERE c.{column} = {table}.id) \
                 WHERE id IN ({ids})"
            )
        })
        .await?;
    }
    Ok(parents)
}

/// The applications of the versions, their first/last seen recomputed.
async fn recompute_applications(
    txn: &DatabaseTransaction,
    versions: &[i64],
) -> Result<Vec<i64>, LedgerError> {
    let applications = ids_batched(txn, versions, |list| {
        format!("SELECT DISTINCT application_id AS id FROM app_versions WHERE id IN ({list})")
    })
    .await?;
    run_batched(txn, &applications, |list| {
        format!(
            "UPDATE applications SET \
             first_seen = (SELECT MIN(v.first_seen) FROM app_versions v WHERE v.application_id = applications.id), \
             last_seen = (SELECT MAX(v.last_seen) FROM app_versions v WHERE v.application_id = applications.id) \
             WHERE id IN ({list})"
        )
    })
    .await?;
    Ok(applications)
}

/// The `stale` key types recomputed from the hourly rows, then every key of the hour from its
/// types; returns the key types of the keys.
async fn recompute_keys(
    txn: &DatabaseTransaction,
    keys: &[i64],
    stale: &[i64],
    window: i64,
) -> Result<Vec<i64>, LedgerError> {
    let type_count = "CASE key_types.json_type \
        WHEN 'string' THEN h.string_count WHEN 'integer' THEN h.integer_count \
        WHEN 'number' THEN h.number_count WHEN 'boolean' THEN h.boolean_count \
        WHEN 'object' THEN h.object_count WHEN 'array' THEN h.array_count ELSE h.null_count END";
    run_batched(txn, stale, |list| {
        format!(
            "UPDATE key_types SET \
             first_seen = CASE WHEN first_seen < {window} THEN first_seen ELSE \
             (SELECT MIN(h.hour) FROM hourly_keys h WHERE h.key_id = key_types.key_id AND {type_count} > 0) END, \
             last_seen = COALESCE((SELECT MAX(h.hour) FROM hourly_keys h WHERE h.key_id = key_types.key_id AND {type_count} > 0), \
             CASE WHEN last_seen < {window} THEN last_seen END) \
             WHERE id IN ({list})"
        )
    })
    .await?;
    run_batched(txn, keys, |list| {
        format!(
            "UPDATE event_keys SET \
             first_seen = (SELECT MIN(t.first_seen) FROM key_types t WHERE t.key_id = event_keys.id), \
             last_seen = (SELECT MAX(t.last_seen) FROM key_types t WHERE t.key_id = event_keys.id) \
             WHERE id IN ({list})"
        )
    })
    .await?;
    let mut key_types = Vec::new();
    for chunk in keys.chunks(BATCH) {
        let sql = format!(
            "SELECT id FROM key_types WHERE key_id IN ({})",
            id_list(chunk)
        );
        key_types.extend(ids(txn, sql).await?);
    }
    Ok(key_types)
}

/// The distinct ids a query gives over `list` in batches, sorted.
async fn ids_batched(
    txn: &DatabaseTransaction,
    list: &[i64],
    statement: impl Fn(&str) -> String,
) -> Result<Vec<i64>, LedgerError> {
    let mut found = Vec::new();
    for chunk in list.chunks(BATCH) {
        found.extend(ids(txn, statement(&id_list(chunk))).await?);
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

/// The catalog rows whose first/last seen were recomputed.
#[derive(Debug, Default)]
pub struct Touched {
    pub applications: Vec<i64>,
    pub versions: Vec<i64>,
    pub screens: Vec<i64>,
    pub events: Vec<i64>,
    pub combinations: Vec<i64>,
    pub keys: Vec<i64>,
    pub key_types: Vec<i64>,
}

/// Dates the discoveries of the touched rows by their first-seen hour (which a re-ingested older
/// hour can move).
pub async fn redate_discoveries(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    touched: &Touched,
) -> Result<(), LedgerError> {
    for (kind, table, subjects) in [
        ("application", "applications", &touched.applications),
        ("version", "app_versions", &touched.versions),
        ("screen", "screens", &touched.screens),
        ("event", "events", &touched.events),
        ("combination", "combinations", &touched.combinations),
        ("key", "event_keys", &touched.keys),
        ("key_type", "key_types", &touched.key_types),
    ] {
        run_batched(txn, subjects, |list| {
            format!(
                "UPDATE discoveries SET hour = (SELECT s.first_seen FROM {table} s WHERE s.id = discoveries.subject_id) \
                 WHERE tenant_id = {tenant_id} AND kind = '{kind}' AND subject_id IN ({list}) \
                 AND EXISTS (SELECT 1 FROM {table} s WHERE s.id = discoveries.subject_id AND s.first_seen IS NOT NULL \
                 AND s.first_seen <> discoveries.hour)"
            )
        })
        .await?;
    }
    Ok(())
}
