//! Key type totals summed over the daily key rows (for the catalog and the pages).

use super::rollup;

#[derive(sea_orm::FromQueryResult)]
struct KeyTypeSums {
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

impl KeyTypeSums {
    /// The counts in `JsonType::ALL` order.
    fn counts(&self) -> [i64; 7] {
        [
            self.string_count,
            self.integer_count,
            self.number_count,
            self.boolean_count,
            self.object_count,
            self.array_count,
            self.null_count,
        ]
    }
}

/// The `daily_keys` rows that match `condition` (SQL with `?` placeholders for `values`), summed
/// per key, or per key and version when `by_version` (otherwise `version_id` is 0).
async fn sum_key_types(
    conn: &impl sea_orm::ConnectionTrait,
    by_version: bool,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Vec<KeyTypeSums>, sea_orm::DbErr> {
    use sea_orm::FromQueryResult;
    let sums = rollup::KEY_COLUMNS
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .join(", ");
    let (version, group) = if by_version {
        ("version_id", "key_id, version_id")
    } else {
        ("CAST(0 AS BIGINT) AS version_id", "key_id")
    };
    let sql = format!(
        "SELECT key_id, {version}, {sums} FROM daily_keys WHERE {condition} GROUP BY {group}"
    );
    KeyTypeSums::find_by_statement(crate::sql::statement(
        conn.get_database_backend(),
        &sql,
        values,
    ))
    .all(conn)
    .await
}

/// The count of each JSON type (in `JsonType::ALL` order) per key, summed over the `daily_keys`
/// rows that match `condition` (SQL with `?` placeholders for `values`).
pub(crate) async fn key_type_totals(
    conn: &impl sea_orm::ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<std::collections::HashMap<i64, [i64; 7]>, sea_orm::DbErr> {
    let rows = sum_key_types(conn, false, condition, values).await?;
    Ok(rows.iter().map(|t| (t.key_id, t.counts())).collect())
}

/// Like [`key_type_totals`], per key and version: `(key_id, version_id)` → the count of each
/// JSON type (in `JsonType::ALL` order).
pub(crate) async fn key_type_totals_by_version(
    conn: &impl sea_orm::ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<std::collections::HashMap<(i64, i64), [i64; 7]>, sea_orm::DbErr> {
    let rows = sum_key_types(conn, true, condition, values).await?;
    Ok(rows
        .iter()
        .map(|t| ((t.key_id, t.version_id), t.counts()))
        .collect())
}
