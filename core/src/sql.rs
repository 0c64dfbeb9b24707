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

/// Rows per statement of [`insert_columns`] on Postgres: each row's values travel as one element of
/// each column's array, so a statement is bounded by memory, not by binds (50,000 rows of 11 values
/// are about 13 MB while bound).
const ARRAY_ROWS: usize = 50_000;

/// One column of rows to insert.
pub(crate) enum Cells {
    Int(Vec<i64>),
    Text(Vec<String>),
    Bool(Vec<bool>),
}

impl Cells {
    fn len(&self) -> usize {
        match self {
            Cells::Int(v) => v.len(),
            Cells::Text(v) => v.len(),
            Cells::Bool(v) => v.len(),
        }
    }

    /// Postgres' name of the column's array type.
    fn array_type(&self) -> &'static str {
        match self {
            Cells::Int(_) => "int8[]",
            Cells::Text(_) => "text[]",
            Cells::Bool(_) => "bool[]",
        }
    }

    /// Rows `range` of the column, as one array value.
    fn array(&self, range: std::ops::Range<usize>) -> Value {
        match self {
            Cells::Int(v) => Value::from(v[range].to_vec()),
            Cells::Text(v) => Value::from(v[range].to_vec()),
            Cells::Bool(v) => Value::from(v[range].to_vec()),
        }
    }

    /// Row `row` of the column, as one bound value.
    fn value(&self, row: usize) -> Value {
        match self {
            Cells::Int(v) => Value::BigInt(Some(v[row])),
            Cells::Text(v) => Value::String(Some(v[row].clone())),
            Cells::Bool(v) => Value::Bool(Some(v[row])),
        }
    }
}

/// Inserts rows given column by column into `table`, the fastest way each backend takes them
/// inside the caller's transaction; `suffix` ends the statement (an `ON CONFLICT …` clause, or
/// empty). Postgres: one `INSERT … SELECT FROM unnest($1::int8[], $2::text[], …)` per
/// [`ARRAY_ROWS`] rows, each column bound as one array. SQLite: multi-row `INSERT … VALUES` of
/// [`chunk_len`] rows whose text is the same for every full chunk, so the driver prepares it once
/// and reuses it. Every column holds the same number of rows.
pub(crate) async fn insert_columns(
    conn: &impl ConnectionTrait,
    table: &str,
    columns: &[(&str, Cells)],
    suffix: &str,
) -> Result<(), DbErr> {
    let rows = columns.first().map_or(0, |(_, cells)| cells.len());
    debug_assert!(columns.iter().all(|(_, cells)| cells.len() == rows));
    let names = columns
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ");
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres {
        let arrays = unnest(columns.iter().map(|(_, cells)| cells.array_type()));
        let sql = format!("INSERT INTO {table} ({names}) SELECT * FROM {arrays} {suffix}");
        for start in (0..rows).step_by(ARRAY_ROWS) {
            let range = start..rows.min(start + ARRAY_ROWS);
            let values = columns
                .iter()
                .map(|(_, cells)| cells.array(range.clone()))
                .collect::<Vec<_>>();
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                sql.as_str(),
                values,
            ))
            .await?;
        }
        return Ok(());
    }
    let width = columns.len();
    let row = format!("({})", vec!["?"; width].join(", "));
    let per_statement = chunk_len(width);
    let sql_for = |len: usize| {
        format!(
            "INSERT INTO {table} ({names}) VALUES {} {suffix}",
            vec![row.as_str(); len].join(", ")
        )
    };
    let full = sql_for(per_statement.min(rows));
    for start in (0..rows).step_by(per_statement) {
        let end = rows.min(start + per_statement);
        let sql = if end - start == per_statement.min(rows) {
            full.clone()
        } else {
            sql_for(end - start)
        };
        let mut values = Vec::with_capacity((end - start) * width);
        for row in start..end {
            values.extend(columns.iter().map(|(_, cells)| cells.value(row)));
        }
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// [`insert_columns`] for rows of integers (`columns` in each row's order), turned into columns
/// one statement's worth at a time (an hour's key rows are tens of megabytes; they are not copied
/// whole).
pub(crate) async fn insert_integers<const N: usize>(
    conn: &impl ConnectionTrait,
    table: &str,
    columns: [&str; N],
    rows: &[[i64; N]],
) -> Result<(), DbErr> {
    upsert_integers(conn, table, columns, rows, "").await
}

/// [`insert_integers`] ending each statement with `suffix` (an `ON CONFLICT …` clause).
pub(crate) async fn upsert_integers<const N: usize>(
    conn: &impl ConnectionTrait,
    table: &str,
    columns: [&str; N],
    rows: &[[i64; N]],
    suffix: &str,
) -> Result<(), DbErr> {
    let per_statement = if conn.get_database_backend() == DbBackend::Postgres {
        ARRAY_ROWS
    } else {
        chunk_len(N)
    };
    for chunk in rows.chunks(per_statement) {
        let cells: Vec<(&str, Cells)> = columns
            .iter()
            .enumerate()
            .map(|(n, name)| (*name, Cells::Int(chunk.iter().map(|row| row[n]).collect())))
            .collect();
        insert_columns(conn, table, &cells, suffix).await?;
    }
    Ok(())
}

/// Postgres' `unnest($1::type1, $2::type2, …)` of one bound array per column, of these types.
fn unnest<'a>(types: impl Iterator<Item = &'a str>) -> String {
    let arrays = types
        .enumerate()
        .map(|(n, array_type)| format!("${}::{array_type}", n + 1))
        .collect::<Vec<_>>()
        .join(", ");
    format!("unnest({arrays})")
}

/// Deletes the rows of `table` matching `filter` (SQL the ledger wrote, never user text) whose
/// `columns` hold one of `keys`: Postgres matches them against `unnest` of one array per column,
/// [`ARRAY_ROWS`] keys per statement; SQLite against a `VALUES` list of [`chunk_len`] keys.
pub(crate) async fn delete_keys<const N: usize>(
    conn: &impl ConnectionTrait,
    table: &str,
    filter: &str,
    columns: [&str; N],
    keys: &[[i64; N]],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let names = columns.join(", ");
    if backend == DbBackend::Postgres {
        let arrays = unnest(std::iter::repeat_n("int8[]", N));
        let sql =
            format!("DELETE FROM {table} WHERE {filter} AND ({names}) IN (SELECT * FROM {arrays})");
        for chunk in keys.chunks(ARRAY_ROWS) {
            let values = (0..N)
                .map(|n| Value::from(chunk.iter().map(|key| key[n]).collect::<Vec<i64>>()))
                .collect::<Vec<_>>();
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                sql.as_str(),
                values,
            ))
            .await?;
        }
        return Ok(());
    }
    let row = format!("({})", vec!["?"; N].join(", "));
    for chunk in keys.chunks(chunk_len(N)) {
        let sql = format!(
            "DELETE FROM {table} WHERE {filter} AND ({names}) IN (VALUES {})",
            vec![row.as_str(); chunk.len()].join(", ")
        );
        let values = chunk
            .iter()
            .flat_map(|key| key.iter().map(|v| Value::BigInt(Some(*v))))
            .collect::<Vec<_>>();
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
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

    #[tokio::test]
    async fn bulk_inserts_cross_every_statement_boundary_on_both_databases() {
        for db in crate::testing::test_databases().await {
            let conn = db.db.conn();
            conn.execute_unprepared(
                "CREATE TABLE bulk_probe (n BIGINT NOT NULL PRIMARY KEY, label TEXT NOT NULL, \
                 even BOOLEAN NOT NULL)",
            )
            .await
            .unwrap();
            // More rows than one Postgres array statement and many SQLite chunks, and a last
            // chunk of another length.
            let rows = ARRAY_ROWS * 2 + 3;
            let label = |n: usize| format!("it's \"{n}\" é ✓ '); --");
            let columns = [
                ("n", Cells::Int((0..rows as i64).collect())),
                ("label", Cells::Text((0..rows).map(label).collect())),
                (
                    "even",
                    Cells::Bool((0..rows).map(|n| n.is_multiple_of(2)).collect()),
                ),
            ];
            insert_columns(conn, "bulk_probe", &columns, "")
                .await
                .unwrap();
            // A suffix: the same rows again are skipped, one new row goes in.
            let again = [
                ("n", Cells::Int(vec![0, rows as i64])),
                ("label", Cells::Text(vec!["changed".into(), label(rows)])),
                ("even", Cells::Bool(vec![false, rows.is_multiple_of(2)])),
            ];
            insert_columns(conn, "bulk_probe", &again, "ON CONFLICT (n) DO NOTHING")
                .await
                .unwrap();
            #[derive(sea_orm::FromQueryResult, Debug, PartialEq)]
            struct Summary {
                rows: i64,
                total: i64,
                evens: i64,
            }
            let summary = fetch_one::<Summary>(
                conn,
                "SELECT COUNT(*) AS rows, CAST(SUM(n) AS BIGINT) AS total, \
                 CAST(SUM(CASE WHEN even THEN 1 ELSE 0 END) AS BIGINT) AS evens FROM bulk_probe",
                vec![],
            )
            .await
            .unwrap()
            .unwrap();
            let all = rows as i64 + 1;
            assert_eq!(
                summary,
                Summary {
                    rows: all,
                    total: all * (all - 1) / 2,
                    evens: (all + 1) / 2,
                },
                "{}",
                db.label
            );
            #[derive(sea_orm::FromQueryResult)]
            struct Label {
                label: String,
            }
            for n in [0, 1, ARRAY_ROWS - 1, ARRAY_ROWS, rows - 1, rows] {
                let found = fetch_one::<Label>(
                    conn,
                    "SELECT label FROM bulk_probe WHERE n = ?",
                    vec![(n as i64).into()],
                )
                .await
                .unwrap()
                .unwrap();
                assert_eq!(found.label, label(n), "{} row {n}", db.label);
            }

            conn.execute_unprepared(
                "CREATE TABLE bulk_integers (a BIGINT NOT NULL, b BIGINT NOT NULL)",
            )
            .await
            .unwrap();
            let pairs: Vec<[i64; 2]> = (0..chunk_len(2) as i64 * 3 + 7).map(|n| [n, -n]).collect();
            insert_integers(conn, "bulk_integers", ["b", "a"], &pairs)
                .await
                .unwrap();
            let summary = fetch_one::<Summary>(
                conn,
                "SELECT COUNT(*) AS rows, CAST(SUM(a) AS BIGINT) AS total, \
                 CAST(SUM(CASE WHEN b >= 0 THEN 1 ELSE 0 END) AS BIGINT) AS evens FROM bulk_integers",
                vec![],
            )
            .await
            .unwrap()
            .unwrap();
            let count = pairs.len() as i64;
            assert_eq!(summary.rows, count, "{}", db.label);
            assert_eq!(summary.total, -(count * (count - 1) / 2), "{}", db.label);
            assert_eq!(summary.evens, count, "{}", db.label);
        }
    }
}
