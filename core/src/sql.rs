//! Raw SQL for either backend (storage layer): statements written with `?` placeholders, rows read
//! into `FromQueryResult` types, `IN (…)` lists of ids and `LIKE` patterns.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    Select, Statement, Value,
};

/// A statement with `?` placeholders, numbered for Postgres.
pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Every row `sql` (with `?` placeholders for `values`) returns.
pub(crate) async fn fetch<T: FromQueryResult>(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(statement(conn.get_database_backend(), sql, values))
        .all(conn)
        .await
}

/// The first row `sql` (with `?` placeholders for `values`) returns, if any.
pub(crate) async fn fetch_one<T: FromQueryResult>(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<T>, DbErr> {
    T::find_by_statement(statement(conn.get_database_backend(), sql, values))
        .one(conn)
        .await
}

/// `IN (…)` of ids the ledger produced itself (never user text); `(NULL)` when empty.
pub(crate) fn ids(list: impl IntoIterator<Item = i64>) -> String {
    let text = list
        .into_iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    if text.is_empty() {
        "(NULL)".to_owned()
    } else {
        format!("({text})")
    }
}

/// Bound values one statement may carry on SQLite (`SQLITE_MAX_VARIABLE_NUMBER`, 32,766 since 3.32).
pub const SQLITE_MAX_BINDS: usize = 32_766;
/// Bound values one statement may carry on Postgres (its wire protocol counts them in 16 bits).
pub const POSTGRES_MAX_BINDS: usize = 65_535;
/// Values kept free in every chunked statement for its other conditions (tenant, hour, …).
const OTHER_BINDS: usize = 64;
/// Rows (or `IN` values) per statement at most, whatever the bind budget allows: statements stay
/// small enough to plan and log.
const MAX_ROWS: usize = 1_000;

/// How many rows of `binds_per_row` values (1 for an `IN` list) one statement may take so that it
/// stays under the bind limit of both databases. Every multi-row insert and `IN` list built from
/// data chunks by it.
pub const fn chunk_len(binds_per_row: usize) -> usize {
    let per_row = if binds_per_row == 0 { 1 } else { binds_per_row };
    let budget = if SQLITE_MAX_BINDS < POSTGRES_MAX_BINDS {
        SQLITE_MAX_BINDS
    } else {
        POSTGRES_MAX_BINDS
    } - OTHER_BINDS;
    let rows = budget / per_row;
    if rows > MAX_ROWS {
        MAX_ROWS
    } else if rows == 0 {
        1
    } else {
        rows
    }
}

/// Values per `IN (…)` list.
pub const IN_LIST: usize = chunk_len(1);

/// The rows of `query` whose `column` is one of `ids`, asked [`IN_LIST`] ids at a time (each id
/// once), so any number of ids fits both databases' bind limits.
pub(crate) async fn find_in<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    query: Select<E>,
    column: E::Column,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<E::Model>, DbErr> {
    let ids: std::collections::BTreeSet<i64> = ids.into_iter().collect();
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut rows = Vec::new();
    for chunk in ids.chunks(IN_LIST) {
        let chunk_query = query.clone().filter(column.is_in(chunk.iter().copied()));
        rows.extend(chunk_query.all(conn).await?);
    }
    Ok(rows)
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` escaped (use `ESCAPE '\'`).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk of any row width, plus the statement's other values, fits both databases.
    #[test]
    fn chunks_stay_under_both_bind_limits() {
        for per_row in [1, 2, 6, 8, 9, 11, 12, 40, 500, 40_000] {
            let rows = chunk_len(per_row);
            assert!(rows >= 1, "{per_row}");
            let binds = rows.saturating_mul(per_row).min(usize::MAX - OTHER_BINDS);
            if per_row <= SQLITE_MAX_BINDS - OTHER_BINDS {
                assert!(
                    binds + OTHER_BINDS <= SQLITE_MAX_BINDS,
                    "{per_row}: {binds}"
                );
                assert!(
                    binds + OTHER_BINDS <= POSTGRES_MAX_BINDS,
                    "{per_row}: {binds}"
                );
            }
        }
        assert_eq!(IN_LIST, 1_000);
        assert_eq!(chunk_len(11), 1_000, "hourly_keys rows: 11 values each");
        assert_eq!(chunk_len(40), (SQLITE_MAX_BINDS - OTHER_BINDS) / 40);
        // 70,000 values in chunks of IN_LIST: 70 statements, none over either limit.
        let ids: Vec<i64> = (0..70_000).collect();
        let chunks: Vec<&[i64]> = ids.chunks(IN_LIST).collect();
        assert_eq!(chunks.len(), 70);
        assert!(
            chunks
                .iter()
                .all(|c| c.len() + OTHER_BINDS <= SQLITE_MAX_BINDS)
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("Add_to%"), "%add\\_to\\%%");
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        let s = statement(
            DbBackend::Postgres,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(s.sql, "a = $1 AND b = $2");
    }

    #[test]
    fn empty_id_lists_match_nothing() {
        assert_eq!(ids([]), "(NULL)");
        assert_eq!(ids([3, 1]), "(3,1)");
    }
}
