//! What email digests and webhook deliveries share: rows that wait to be sent, are queued once on
//! the job queue, claimed by exactly one worker per attempt, and settled as sent, retrying or
//! failed. The claim (`pending`/`retrying` → `sending`) is one conditional UPDATE, so two workers
//! holding the same job never both send; `queued_at` is set by a conditional UPDATE too, so two
//! dispatchers never queue a row twice. A failed attempt does not wait in a worker: the row gets
//! `next_at` (the back-off doubles each time, up to 16 times the first) and a later dispatch queues
//! a new job for it, so a dead endpoint never holds a worker slot that others need. A row left
//! `sending` by a process that died is sent again; a queued row whose job was lost is queued again.

use std::time::Duration;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// A row left `sending` this long (its worker died mid-send) is sent again.
const STALE_SENDING: i64 = 600;
/// A row queued this long ago and still waiting lost its job; it is queued again.
const LOST_JOB: i64 = 3_600;

/// How one attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Failed; another attempt is queued after a back-off.
    Retry(String),
    /// Failed for the last time (recorded; the others go on).
    GaveUp(String),
    /// Nothing to do: already sent, or another worker has it.
    Skipped,
}

/// One outbox table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outbox {
    pub table: &'static str,
    /// Attempts before giving up.
    pub attempts: i32,
    /// The column that records when a row was sent.
    pub sent_column: &'static str,
}

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// The wait before attempt `attempts + 1`: `first`, doubled after each failure, at most 16×.
pub fn backoff(first: Duration, attempts: i32) -> i64 {
    let doublings = attempts.clamp(1, 5) - 1;
    Ord::max(first.as_secs(), 1) as i64 * (1_i64 << doublings)
}

impl Outbox {
    /// Claims a row for one attempt at `now` (epoch seconds); `false` when it is not waiting (sent, failed, or taken).
    pub async fn claim(
        &self,
        conn: &impl ConnectionTrait,
        now: i64,
        id: i64,
    ) -> Result<bool, DbErr> {
        let statement = Query::update()
            .table(col(self.table))
            .value(col("status"), "sending")
            .value(col("claimed_at"), now)
            .value(col("attempts"), Expr::col(col("attempts")).add(1))
            .and_where(Expr::col(col("id")).eq(id))
            .and_where(Expr::col(col("status")).is_in(["pending", "retrying"]))
            .to_owned();
        Ok(conn.execute(&statement).await?.rows_affected() == 1)
    }

    /// Settles this worker's attempt (the row must still be `sending`): sent, or a failure that is
    /// retried after `first` backed off, unless it was the last attempt.
    pub async fn settle(
        &self,
        conn: &impl ConnectionTrait,
        now: i64,
        id: i64,
        attempts: i32,
        failure: Option<String>,
        first: Duration,
    ) -> Result<Attempt, DbErr> {
        let mut statement = Query::update();
        statement
            .table(col(self.table))
            .and_where(Expr::col(col("id")).eq(id))
            .and_where(Expr::col(col("status")).eq("sending"));
        let outcome = match failure {
            None => {
                statement
                    .value(col("status"), "sent")
                    .value(col(self.sent_column), now)
                    .value(col("last_error"), Value::String(None));
                Attempt::Sent
            }
            Some(reason) if attempts >= self.attempts => {
                statement
                    .value(col("status"), "failed")
                    .value(col("last_error"), reason.clone());
                Attempt::GaveUp(reason)
            }
            Some(reason) => {
                statement
                    .value(col("status"), "retrying")
                    .value(col("queued_at"), Value::BigInt(None))
                    .value(col("next_at"), now + backoff(first, attempts))
                    .value(col("last_error"), reason.clone());
                Attempt::Retry(reason)
            }
        };
        conn.execute(&statement).await?;
        Ok(outcome)
    }

    /// Rows to push onto the job queue now: waiting rows not queued whose time has come, rows whose
    /// worker died mid-send, and rows whose job was lost. Each is marked queued by this caller only.
    pub async fn take_unqueued(
        &self,
        conn: &impl ConnectionTrait,
        at: i64,
    ) -> Result<Vec<i64>, DbErr> {
        let died = Query::update()
            .table(col(self.table))
            .value(col("status"), "retrying")
            .value(col("queued_at"), Value::BigInt(None))
            .and_where(Expr::col(col("status")).eq("sending"))
            .and_where(Expr::col(col("claimed_at")).lt(at - STALE_SENDING))
            .to_owned();
        conn.execute(&died).await?;
        let lost = Query::update()
            .table(col(self.table))
            .value(col("queued_at"), Value::BigInt(None))
            .and_where(Expr::col(col("status")).is_in(["pending", "retrying"]))
            .and_where(Expr::col(col("queued_at")).lt(at - LOST_JOB))
            .to_owned();
        conn.execute(&lost).await?;
        let backend = conn.get_database_backend();
        let sql = format!(
            "SELECT id FROM {} WHERE queued_at IS NULL AND status IN ('pending', 'retrying') \
             AND (next_at IS NULL OR next_at <= {at}) ORDER BY id LIMIT 500",
            quoted(backend, self.table)
        );
        let rows = conn
            .query_all_raw(Statement::from_string(backend, sql))
            .await?;
        let mut taken = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let mark = Query::update()
                .table(col(self.table))
                .value(col("queued_at"), at)
                .and_where(Expr::col(col("id")).eq(id))
                .and_where(Expr::col(col("queued_at")).is_null())
                .to_owned();
            if conn.execute(&mark).await?.rows_affected() == 1 {
                taken.push(id);
            }
        }
        Ok(taken)
    }

    /// Forgets that rows were queued (their push failed), so the next dispatch queues them.
    pub async fn unqueue(&self, conn: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
        if ids.is_empty() {
            return Ok(());
        }
        let statement = Query::update()
            .table(col(self.table))
            .value(col("queued_at"), Value::BigInt(None))
            .and_where(Expr::col(col("id")).is_in(ids.iter().copied()))
            .to_owned();
        conn.execute(&statement).await?;
        Ok(())
    }
}

fn quoted(backend: DbBackend, table: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{table}`"),
        _ => format!("\"{table}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_sixteen_times() {
        let first = Duration::from_secs(30);
        let waits: Vec<i64> = (1..=6).map(|a| backoff(first, a)).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 480]);
    }
}
