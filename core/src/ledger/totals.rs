//! Key type totals summed over the daily key rows (for the catalog and the pages).

use super::rollup;

#[derive(sea_orm::FromQueryResult)]
struct KeyTotals {
    key_id: i64,
    string_count: i64,
    integer_count: i64,
    number_count: i64,
    boolean_count: i64,
    object_count: i64,
    array_count: i64,
    null_count: i64,
}

/// The count of each JSON type (in `JsonType::ALL` order) per key, summed over the `daily_keys`
/// rows that match `condition` (SQL with `?` placeholders for `values`).
pub(crate) async fn key_type_totals(
    conn: &impl sea_orm::ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<std::collections::HashMap<i64, [i64; 7]>, sea_orm::DbErr> {
    use sea_orm::FromQueryResult;
    let sums = rollup::KEY_COLUMNS
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .join(", ");
    let sql = format!("SELECT key_id, {sums} FROM daily_keys WHERE {condition} GROUP BY key_id");
    Ok(KeyTotals::find_by_statement(crate::sql::statement(
        conn.get_database_backend(),
        &sql,
        values,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|t| {
        (
            t.key_id,
            [
                t.string_count,
                t.integer_count,
                t.number_count,
                t.boolean_count,
                t.object_count,
                t.array_count,
                t.null_count,
            ],
        )
    })
    .collect())
}

#[derive(sea_orm::FromQueryResult)]
struct VersionKeyTotals {
    key_id: i64,
    version_id: i64,
    string_count: i64,
    integer_count: i64,
    number_count: i64,
    boolean_count: i64,
    object_count: i64,
    array_count: i64,
    null_count: i64,
}

/// Like [`key_type_totals`], per key and version: `(key_id, version_id)` → the count of each
/// JSON type (in `JsonType::ALL` order).
pub(crate) async fn key_type_totals_by_version(
    conn: &impl sea_orm::ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<std::collections::HashMap<(i64, i64), [i64; 7]>, sea_orm::DbErr> {
    use sea_orm::FromQueryResult;
    let sums = rollup::KEY_COLUMNS
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .join(", ");
    let sql = format!(
        "SELECT key_id, version_id, {sums} FROM daily_keys WHERE {condition} GROUP BY key_id, version_id"
    );
    Ok(VersionKeyTotals::find_by_statement(crate::sql::statement(
        conn.get_database_backend(),
        &sql,
        values,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|t| {
        (
            (t.key_id, t.version_id),
            [
                t.string_count,
                t.integer_count,
                t.number_count,
                t.boolean_count,
                t.object_count,
                t.array_count,
                t.null_count,
            ],
        )
    })
    .collect())
}
