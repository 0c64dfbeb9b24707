//! Raw SQL for either backend (storage layer): statements written with `?` placeholders, rows read
//! into `FromQueryResult` types, `IN (…)` lists of ids and `LIKE` patterns.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};

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
