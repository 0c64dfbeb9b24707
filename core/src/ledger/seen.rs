//! Keeps first/last seen exact: after an hour is replaced, every catalog row the old or new hour
//! touched has the earliest/latest hour with a non-zero count (NULL when none is left) — widened to
//! the hour when the hour counts it, recomputed when only the replaced hour did.
//! Plain SQL that runs unchanged on SQLite and Postgres; id lists are integers we produced.

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Statement};

use crate::ledger::resolve::Created;
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

/// Runs an `UPDATE` over `ids` in batches and returns the ids of the rows it changed, sorted.
async fn changed_batched(
    txn: &DatabaseTransaction,
    ids: &[i64],
    statement: impl Fn(&str) -> String,
) -> Result<Vec<i64>, LedgerError> {
    ids_batched(txn, ids, |list| format!("{} RETURNING id", statement(list))).await
}

/// `UPDATE {table} SET first_seen = {first}, last_seen = {last} WHERE {column} IN ({list})`, only
/// for the rows whose span it changes: a row written with the values it holds costs Postgres a new
/// row version and its index entries, and an hour written again changes almost none.
fn set_span(table: &str, column: &str, first: &str, last: &str, list: &str) -> String {
    format!(
        "UPDATE {table} SET first_seen = {first}, last_seen = {last} \
         WHERE {column} IN ({list}) \
         AND (first_seen IS DISTINCT FROM {first} OR last_seen IS DISTINCT FROM {last})"
    )
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
/// their types) are then taken from their children — only the parents of children whose span
/// changed, since a parent's span is the span of its children. Only rows whose span changes are
/// written, and they are what the result names with the rows this write `created` (which start
/// with the hour as their span): an hour written again touches almost nothing.
pub async fn recompute(
    txn: &DatabaseTransaction,
    seen: &HourSeen,
    window: i64,
    created: &[Created],
) -> Result<Touched, LedgerError> {
    let hour = seen.hour;
    let created_of = |kind: &'static str| {
        created
            .iter()
            .filter(move |item| item.kind == kind)
            .map(|item| item.id)
    };
    let mut combinations =
        widen(txn, "combinations", "id", &seen.present_combinations, hour).await?;
    combinations.extend(created_of("combination"));
    let stale = ids_batched(txn, &seen.gone_combinations, |list| {
        format!(
            "SELECT id FROM combinations WHERE id IN ({list}) \
             AND (first_seen = {hour} OR last_seen = {hour})"
        )
    })
    .await?;
    combinations.extend(recompute_combinations(txn, &stale, window).await?);
    combinations.sort_unstable();
    combinations.dedup();
    let [mut versions, mut screens, mut events] = recompute_parents(txn, &combinations).await?;
    for (changed, kind) in [
        (&mut versions, "version"),
        (&mut screens, "screen"),
        (&mut events, "event"),
    ] {
        changed.extend(created_of(kind));
        changed.sort_unstable();
        changed.dedup();
    }
    let mut applications = recompute_applications(txn, &versions).await?;
    applications.extend(created_of("application"));
    applications.sort_unstable();
    applications.dedup();
    let mut key_types = widen(txn, "key_types", "id", &seen.present_key_types, hour).await?;
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
    key_types.extend(recompute_key_types(txn, &stale_types, window).await?);
    key_types.extend(created_of("key_type"));
    key_types.sort_unstable();
    key_types.dedup();
    let mut keys = recompute_keys(txn, &key_types).await?;
    keys.extend(created_of("key"));
    keys.sort_unstable();
    keys.dedup();
    Ok(Touched {
        versions,
        screens,
        events,
        applications,
        combinations,
        keys,
        key_types,
    })
}

/// Widens the first/last seen of `ids` in `table` to take in `hour`; returns the rows it changed.
async fn widen(
    txn: &DatabaseTransaction,
    table: &str,
    column: &str,
    ids: &[i64],
    hour: i64,
) -> Result<Vec<i64>, LedgerError> {
    // Only the rows whose span does not yet take the hour in are written.
    changed_batched(txn, ids, |list| {
        format!(
            "UPDATE {table} SET \
             first_seen = CASE WHEN first_seen IS NULL OR first_seen > {hour} THEN {hour} ELSE first_seen END, \
             last_seen = CASE WHEN last_seen IS NULL OR last_seen < {hour} THEN {hour} ELSE last_seen END \
             WHERE {column} IN ({list}) \
             AND (first_seen IS NULL OR first_seen > {hour} OR last_seen IS NULL OR last_seen < {hour})"
        )
    })
    .await
}

/// The combinations recomputed from their hourly counts; returns those that changed.
async fn recompute_combinations(
    txn: &DatabaseTransaction,
    combinations: &[i64],
    window: i64,
) -> Result<Vec<i64>, LedgerError> {
    let first = format!(
        "(CASE WHEN first_seen < {window} THEN first_seen ELSE \
         (SELECT MIN(h.hour) FROM hourly_counts h WHERE h.combination_id = combinations.id AND h.events > 0) END)"
    );
    let last = format!(
        "COALESCE((SELECT MAX(h.hour) FROM hourly_counts h WHERE h.combination_id = combinations.id AND h.events > 0), \
         CASE WHEN last_seen < {window} THEN last_seen END)"
    );
    changed_batched(txn, combinations, |list| {
        set_span("combinations", "id", &first, &last, list)
    })
    .await
}

/// The versions, screens and events of the combinations, their first/last seen recomputed;
/// returns those that changed.
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
    for (changed, (table, column)) in parents.iter_mut().zip(tables) {
        let found = ids_batched(txn, combinations, |list| {
            format!("SELECT DISTINCT {column} AS id FROM combinations WHERE id IN ({list})")
        })
        .await?;
        let first =
            format!("(SELECT MIN(c.first_seen) FROM combinations c WHERE c.{column} = {table}.id)");
        let last =
            format!("(SELECT MAX(c.last_seen) FROM combinations c WHERE c.{column} = {table}.id)");
        *changed =
            changed_batched(txn, &found, |ids| set_span(table, "id", &first, &last, ids)).await?;
    }
    Ok(parents)
}

/// The applications of the versions, their first/last seen recomputed; returns those that changed.
async fn recompute_applications(
    txn: &DatabaseTransaction,
    versions: &[i64],
) -> Result<Vec<i64>, LedgerError> {
    let applications = ids_batched(txn, versions, |list| {
        format!("SELECT DISTINCT application_id AS id FROM app_versions WHERE id IN ({list})")
    })
    .await?;
    let first =
        "(SELECT MIN(v.first_seen) FROM app_versions v WHERE v.application_id = applications.id)";
    let last =
        "(SELECT MAX(v.last_seen) FROM app_versions v WHERE v.application_id = applications.id)";
    changed_batched(txn, &applications, |list| {
        set_span("applications", "id", first, last, list)
    })
    .await
}

/// The `stale` key types recomputed from the hourly rows; returns those that changed.
async fn recompute_key_types(
    txn: &DatabaseTransaction,
    stale: &[i64],
    window: i64,
) -> Result<Vec<i64>, LedgerError> {
    let type_count = "CASE key_types.json_type \
        WHEN 'string' THEN h.string_count WHEN 'integer' THEN h.integer_count \
        WHEN 'number' THEN h.number_count WHEN 'boolean' THEN h.boolean_count \
        WHEN 'object' THEN h.object_count WHEN 'array' THEN h.array_count ELSE h.null_count END";
    let first = format!(
        "(CASE WHEN first_seen < {window} THEN first_seen ELSE \
         (SELECT MIN(h.hour) FROM hourly_keys h WHERE h.key_id = key_types.key_id AND {type_count} > 0) END)"
    );
    let last = format!(
        "COALESCE((SELECT MAX(h.hour) FROM hourly_keys h WHERE h.key_id = key_types.key_id AND {type_count} > 0), \
         CASE WHEN last_seen < {window} THEN last_seen END)"
    );
    changed_batched(txn, stale, |list| {
        set_span("key_types", "id", &first, &last, list)
    })
    .await
}

/// The keys of the changed `key_types`, their first/last seen taken from their types; returns the
/// keys that changed.
async fn recompute_keys(
    txn: &DatabaseTransaction,
    key_types: &[i64],
) -> Result<Vec<i64>, LedgerError> {
    let keys = ids_batched(txn, key_types, |list| {
        format!("SELECT DISTINCT key_id AS id FROM key_types WHERE id IN ({list})")
    })
    .await?;
    let first = "(SELECT MIN(t.first_seen) FROM key_types t WHERE t.key_id = event_keys.id)";
    let last = "(SELECT MAX(t.last_seen) FROM key_types t WHERE t.key_id = event_keys.id)";
    changed_batched(txn, &keys, |list| {
        set_span("event_keys", "id", first, last, list)
    })
    .await
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

/// The catalog rows whose first/last seen this write changed.
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
/// hour can move). A row whose span did not change keeps the date it was given when it last did.
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
