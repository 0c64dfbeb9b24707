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

/// `UPDATE {table} SET first_seen = {first}, last_seen = {last} WHERE id IN ({list})`, only for
/// the rows whose span it changes: a row written with the values it holds costs Postgres a new
/// row version and its index entries, and an hour written again changes almost none.
fn set_span(table: &str, first: &str, last: &str, list: &str) -> String {
    format!(
        "UPDATE {table} SET first_seen = {first}, last_seen = {last} \
         WHERE id IN ({list}) \
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
    // The changed rows of a kind with those this write created, each once, in order.
    let and_created = |mut changed: Vec<i64>, kind: &str| {
        changed.extend(
            created
                .iter()
                .filter(|item| item.kind == kind)
                .map(|item| item.id),
        );
        changed.sort_unstable();
        changed.dedup();
        changed
    };
    let mut combinations =
        widen(txn, "combinations", "id", &seen.present_combinations, hour).await?;
    let stale = ids_batched(txn, &seen.gone_combinations, |list| {
        format!(
            "SELECT id FROM combinations WHERE id IN ({list}) \
             AND (first_seen = {hour} OR last_seen = {hour})"
        )
    })
    .await?;
    combinations.extend(recompute_combinations(txn, &stale, window).await?);
    let combinations = and_created(combinations, "combination");
    let [versions, screens, events] = recompute_parents(txn, &combinations).await?;
    let versions = and_created(versions, "version");
    let applications = and_created(recompute_applications(txn, &versions).await?, "application");
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
    let key_types = and_created(key_types, "key_type");
    let keys = and_created(recompute_keys(txn, &key_types).await?, "key");
    Ok(Touched {
        versions,
        screens: and_created(screens, "screen"),
        events: and_created(events, "event"),
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

/// The `first_seen` and `last_seen` of a row taken from its rows in `hourly` (aliased `h`) that
/// match `counted`. Hours before `window` are no longer kept in hourly detail, so a first or last
/// seen before it stays as recorded.
fn span_from_hours(hourly: &str, counted: &str, window: i64) -> (String, String) {
    let rows = format!("FROM {hourly} h WHERE {counted}");
    (
        format!(
            "(CASE WHEN first_seen < {window} THEN first_seen ELSE (SELECT MIN(h.hour) {rows}) END)"
        ),
        format!(
            "COALESCE((SELECT MAX(h.hour) {rows}), CASE WHEN last_seen < {window} THEN last_seen END)"
        ),
    )
}

/// The combinations recomputed from their hourly counts; returns those that changed.
async fn recompute_combinations(
    txn: &DatabaseTransaction,
    combinations: &[i64],
    window: i64,
) -> Result<Vec<i64>, LedgerError> {
    let counted = "h.combination_id = combinations.id AND h.events > 0";
    let (first, last) = span_from_hours("hourly_counts", counted, window);
    changed_batched(txn, combinations, |list| {
        set_span("combinations", &first, &last, list)
    })
    .await
}

/// The parents in `parents` of the `children` rows of `child_table` (whose column `link` names
/// the parent), their first/last seen taken from all their children; returns those that changed.
async fn recompute_parents_of(
    txn: &DatabaseTransaction,
    (child_table, link): (&str, &str),
    children: &[i64],
    parents: &str,
) -> Result<Vec<i64>, LedgerError> {
    let found = ids_batched(txn, children, |list| {
        format!("SELECT DISTINCT {link} AS id FROM {child_table} WHERE id IN ({list})")
    })
    .await?;
    let first =
        format!("(SELECT MIN(c.first_seen) FROM {child_table} c WHERE c.{link} = {parents}.id)");
    let last =
        format!("(SELECT MAX(c.last_seen) FROM {child_table} c WHERE c.{link} = {parents}.id)");
    changed_batched(txn, &found, |ids| set_span(parents, &first, &last, ids)).await
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
    for (changed, (table, link)) in parents.iter_mut().zip(tables) {
        *changed = recompute_parents_of(txn, ("combinations", link), combinations, table).await?;
    }
    Ok(parents)
}

/// The applications of the versions, their first/last seen recomputed; returns those that changed.
async fn recompute_applications(
    txn: &DatabaseTransaction,
    versions: &[i64],
) -> Result<Vec<i64>, LedgerError> {
    recompute_parents_of(
        txn,
        ("app_versions", "application_id"),
        versions,
        "applications",
    )
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
    let counted = format!("h.key_id = key_types.key_id AND {type_count} > 0");
    let (first, last) = span_from_hours("hourly_keys", &counted, window);
    changed_batched(txn, stale, |list| {
        set_span("key_types", &first, &last, list)
    })
    .await
}

/// The keys of the changed `key_types`, their first/last seen taken from their types; returns the
/// keys that changed.
async fn recompute_keys(
    txn: &DatabaseTransaction,
    key_types: &[i64],
) -> Result<Vec<i64>, LedgerError> {
    recompute_parents_of(txn, ("key_types", "key_id"), key_types, "event_keys").await
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
