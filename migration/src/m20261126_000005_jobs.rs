//! Background jobs: Blueprint's own view of the work that apalis delivers (apalis keeps only its
//! queue rows; it has no progress field and cannot update a task, so state lives here).
//!
//! - `job_workers`: every process that runs jobs (`serve`, `worker`, a waiting CLI), with a
//!   heartbeat; one whose heartbeat is stale is dead and its work is taken over.
//! - `backfills`: a re-ingestion of a range of hours, with the news rule decided when it was asked
//!   for. Its progress is the state of its hour tasks.
//! - `hour_tasks`: one tenant-hour to ingest, whoever asked for it (the schedule, a backfill, a
//!   retry). `after_run` is the highest ingestion run id when it was queued: a later successful
//!   run of the same hour already did its work, so a queued duplicate is never run twice.
//! - `hour_claims`: at most one row per tenant-hour, held by the worker ingesting it.
//! - `job_schedule`: the last hour the schedule planned, so that one process plans each hour.
//!
//! Times are epoch seconds (UTC).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn table(name: &str) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(Alias::new(name));
    table
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

fn id() -> ColumnDef {
    col("id")
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn tables() -> Vec<(TableCreateStatement, Vec<IndexCreateStatement>)> {
    let mut out = Vec::new();

    let mut t = table("job_workers");
    t.col(col("id").string().not_null().primary_key())
        .col(col("kind").string().not_null())
        .col(col("host").string().not_null())
        .col(col("pid").big_integer().not_null())
        .col(col("concurrency").integer().not_null())
        .col(col("started_at").big_integer().not_null())
        .col(col("heartbeat_at").big_integer().not_null())
        .col(col("stopped_at").big_integer().null());
    out.push((
        t,
        vec![index(
            "ix_job_workers_heartbeat",
            "job_workers",
            &["heartbeat_at"],
        )],
    ));

    let mut t = table("backfills");
    t.col(id())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("from_hour").big_integer().not_null())
        .col(col("to_hour").big_integer().not_null())
        .col(col("origin").string().not_null())
        .col(col("requested_by").string().null())
        .col(col("status").string().not_null())
        .col(col("hours_total").integer().not_null())
        .col(col("previous_latest").big_integer().null())
        .col(col("long_forward").boolean().not_null())
        .col(col("created_at").big_integer().not_null())
        .col(col("started_at").big_integer().null())
        .col(col("finished_at").big_integer().null())
        .col(col("error").text().null());
    out.push((
        t,
        vec![
            index("ix_backfills_tenant", "backfills", &["tenant_id", "id"]),
            index("ix_backfills_status", "backfills", &["status"]),
        ],
    ));

    let mut t = table("hour_tasks");
    t.col(id())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("hour").big_integer().not_null())
        .col(col("backfill_id").big_integer().null())
        .col(col("origin").string().not_null())
        .col(col("state").string().not_null())
        .col(col("after_run").big_integer().not_null())
        .col(col("previous_latest").big_integer().null())
        .col(col("long_forward").boolean().not_null())
        .col(col("attempts").integer().not_null())
        .col(col("queued_at").big_integer().not_null())
        .col(col("started_at").big_integer().null())
        .col(col("finished_at").big_integer().null())
        .col(col("worker_id").string().null())
        .col(col("run_id").big_integer().null())
        .col(col("events").big_integer().not_null())
        .col(col("error").text().null());
    out.push((
        t,
        vec![
            index(
                "ix_hour_tasks_backfill",
                "hour_tasks",
                &["backfill_id", "state"],
            ),
            index("ix_hour_tasks_hour", "hour_tasks", &["tenant_id", "hour"]),
            index("ix_hour_tasks_state", "hour_tasks", &["state", "worker_id"]),
        ],
    ));

    let mut t = table("hour_claims");
    t.col(col("tenant_id").big_integer().not_null())
        .col(col("hour").big_integer().not_null())
        .col(col("task_id").big_integer().not_null())
        .col(col("worker_id").string().not_null())
        .col(col("claimed_at").big_integer().not_null())
        .primary_key(
            Index::create()
                .col(Alias::new("tenant_id"))
                .col(Alias::new("hour")),
        );
    out.push((t, vec![]));

    let mut t = table("job_schedule");
    t.col(col("name").string().not_null().primary_key())
        .col(col("due_hour").big_integer().not_null())
        .col(col("planned_at").big_integer().not_null())
        .col(col("worker_id").string().not_null());
    out.push((t, vec![]));

    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, indexes) in tables() {
            manager.create_table(table).await?;
            for index in indexes {
                manager.create_index(index).await?;
            }
        }
        // Runs record which worker did them, so a run cut short by a dead worker can be closed.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("ingestion_runs"))
                    .add_column(col("worker_id").string().null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("ingestion_runs"))
                    .drop_column(Alias::new("worker_id"))
                    .to_owned(),
            )
            .await?;
        for (table, _) in tables().into_iter().rev() {
            if let Some(name) = table.get_table_name().cloned() {
                manager
                    .drop_table(Table::drop().table(name).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}
