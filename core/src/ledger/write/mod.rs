//! Writing one tenant-hour: in one transaction, the hour's previous rows are replaced by the new
//! counts, first/last seen are recomputed for everything either touched, new catalog rows become
//! discoveries (news or history, decided by the caller), and the hour's state is recorded.
//! Re-running an hour therefore never double counts, in any order.

mod replace;
mod rows;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, sea_query::Expr,
};

use crate::entities::{ingested_hour, ingestion_run, tenant};
use crate::hour::Hour;
use crate::ingest::reader::{HourFile, HourRead, HourStats};
use crate::ledger::resolve::{Catalog, Created};
use crate::ledger::{LedgerError, RunState, seen};
use rows::Slot;

/// One hour to write.
pub struct HourWrite<'a> {
    pub tenant_id: i64,
    pub hour: Hour,
    pub read: &'a HourRead,
    pub files: &'a [HourFile],
    pub run_id: i64,
    /// Whether discoveries of this hour are news (pushed item by item) or history.
    pub news: bool,
    /// The first hour kept in hourly detail (retention); earlier first/last seen stay as recorded.
    pub window: Hour,
    /// How long reading the files took.
    pub read_ms: i64,
    /// When the hour is written (epoch seconds, from the services' clock).
    pub at: i64,
}

/// Time spent on a run's two phases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    pub read_ms: i64,
    pub write_ms: i64,
}

/// What writing the hour changed.
#[derive(Debug, Default)]
pub struct Written {
    pub discoveries: Vec<Created>,
    pub timings: Timings,
}

/// Writes one hour in one transaction (see the module's first lines).
pub async fn write_hour(
    db: &DatabaseConnection,
    write: HourWrite<'_>,
) -> Result<Written, LedgerError> {
    let started = std::time::Instant::now();
    let txn = crate::db::begin_write(db).await?;
    let slot = Slot {
        tenant_id: write.tenant_id,
        hour: write.hour.epoch_seconds(),
    };
    let mut phases = Phases::new();
    lock_tenant(&txn, slot.tenant_id).await?;
    roomy_cache(&txn).await?;
    let mut catalog = Catalog::load(&txn, slot.tenant_id, slot.hour).await?;
    phases.done("catalog");
    let rows = rows::build(&txn, &mut catalog, slot, &write.read.counts).await?;
    phases.done("rows");
    let hour_seen = replace::replace_hour(&txn, slot, rows).await?;
    phases.done("replace and roll up");
    let created = std::mem::take(&mut catalog.created);
    let window = write.window.epoch_seconds();
    let touched = seen::recompute(&txn, &hour_seen, window, &created).await?;
    phases.done("seen");
    record_discoveries(&txn, &write, &created).await?;
    seen::redate_discoveries(&txn, slot.tenant_id, &touched).await?;
    let status = record_hour(&txn, &write).await?;
    phases.done("discoveries");
    let timings = Timings {
        read_ms: write.read_ms,
        write_ms: started.elapsed().as_millis() as i64,
    };
    let finished = RunEnd {
        status,
        stats: &write.read.stats,
        timings,
        error: None,
        at: write.at,
        news_pending: write.news && !created.is_empty(),
    };
    finish_run(&txn, write.run_id, finished).await?;
    txn.commit().await?;
    phases.done("commit");
    tracing::debug!(tenant_id = slot.tenant_id, hour = slot.hour, phases = %phases, "hour written");
    Ok(Written {
        discoveries: created,
        timings: Timings {
            write_ms: started.elapsed().as_millis() as i64,
            ..timings
        },
    })
}

/// Milliseconds spent in each phase of writing an hour (logged at debug level).
struct Phases {
    last: std::time::Instant,
    done: Vec<(&'static str, u128)>,
}

impl Phases {
    fn new() -> Self {
        Self {
            last: std::time::Instant::now(),
            done: Vec::new(),
        }
    }

    fn done(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.done.push((phase, (now - self.last).as_millis()));
        self.last = now;
    }
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, (phase, ms)) in self.done.iter().enumerate() {
            write!(f, "{}{phase} {ms} ms", if n == 0 { "" } else { ", " })?;
        }
        Ok(())
    }
}

/// One writer per tenant at a time: two hours of a tenant written side by side would each sum
/// their day's totals without the other's uncommitted rows. Touching the tenant's row first
/// takes its row lock on Postgres, and SQLite's write lock before any read.
async fn lock_tenant(txn: &DatabaseTransaction, tenant_id: i64) -> Result<(), LedgerError> {
    tenant::Entity::update_many()
        .col_expr(tenant::Column::Id, Expr::col(tenant::Column::Id))
        .filter(tenant::Column::Id.eq(tenant_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Pages of the database SQLite keeps in memory for this connection: an hour's rows and their
/// indexes spill out of the 2 MB default to the WAL and back many times while they are written.
/// 64 MiB at most, and only while a connection writes hours. Postgres has its own buffers.
async fn roomy_cache(txn: &DatabaseTransaction) -> Result<(), LedgerError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        txn.execute_unprepared("PRAGMA cache_size = -65536").await?;
    }
    Ok(())
}

/// Every first sighting of the hour, dated by it, news or history as the caller decided.
async fn record_discoveries(
    txn: &DatabaseTransaction,
    write: &HourWrite<'_>,
    created: &[Created],
) -> Result<(), LedgerError> {
    use crate::sql::Cells;
    let rows = created.len();
    let columns = [
        ("tenant_id", Cells::Int(vec![write.tenant_id; rows])),
        (
            "kind",
            Cells::Text(created.iter().map(|item| item.kind.to_owned()).collect()),
        ),
        (
            "subject_id",
            Cells::Int(created.iter().map(|item| item.id).collect()),
        ),
        (
            "label",
            Cells::Text(created.iter().map(|item| item.label.clone()).collect()),
        ),
        ("hour", Cells::Int(vec![write.hour.epoch_seconds(); rows])),
        ("news", Cells::Bool(vec![write.news; rows])),
        ("run_id", Cells::Int(vec![write.run_id; rows])),
        ("created_at", Cells::Int(vec![write.at; rows])),
    ];
    crate::sql::insert_columns(txn, "discoveries", &columns, "").await?;
    Ok(())
}

/// The hour's state (data or none) with its file listing; returns the status written.
async fn record_hour(
    txn: &DatabaseTransaction,
    write: &HourWrite<'_>,
) -> Result<RunState, LedgerError> {
    let hour = write.hour.epoch_seconds();
    let status = if write.files.is_empty() {
        RunState::NoData
    } else {
        RunState::Ok
    };
    ingested_hour::Entity::delete_many()
        .filter(ingested_hour::Column::TenantId.eq(write.tenant_id))
        .filter(ingested_hour::Column::Hour.eq(hour))
        .exec(txn)
        .await?;
    ingested_hour::Entity::insert(ingested_hour::ActiveModel {
        tenant_id: Set(write.tenant_id),
        hour: Set(hour),
        status: Set(status.as_str().to_owned()),
        run_id: Set(write.run_id),
        files: Set(serde_json::to_string(write.files).unwrap_or_else(|_| "[]".to_owned())),
        ingested_at: Set(write.at),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(status)
}

/// How a run ended: its status, figures and error, and when (epoch seconds); `news_pending` when
/// the hour's news is written and still to be told.
pub struct RunEnd<'a> {
    pub status: RunState,
    pub stats: &'a HourStats,
    pub timings: Timings,
    pub error: Option<String>,
    pub at: i64,
    pub news_pending: bool,
}

/// Records a run's outcome and figures.
pub async fn finish_run(
    conn: &impl ConnectionTrait,
    run_id: i64,
    end: RunEnd<'_>,
) -> Result<(), LedgerError> {
    let RunEnd {
        status,
        stats,
        timings,
        error,
        at,
        news_pending,
    } = end;
    let figure = |value: u64| Set(value as i64);
    let samples = (!stats.samples.is_empty())
        .then(|| serde_json::to_string(&stats.samples).unwrap_or_default());
    ingestion_run::Entity::update(ingestion_run::ActiveModel {
        id: Set(run_id),
        status: Set(status.as_str().to_owned()),
        finished_at: Set(Some(at)),
        files: figure(stats.files),
        bytes: figure(stats.bytes),
        lines: figure(stats.lines),
        events: figure(stats.events),
        rejected: figure(stats.rejected),
        skewed: figure(stats.skewed),
        untimed: figure(stats.untimed),
        duplicates: figure(stats.duplicates),
        keys_cut: figure(stats.keys_cut),
        news_pending: Set(news_pending),
        read_ms: Set(timings.read_ms),
        write_ms: Set(timings.write_ms),
        rejected_samples: Set(samples),
        error: Set(error),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}
