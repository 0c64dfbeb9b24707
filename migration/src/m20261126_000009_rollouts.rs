//! Roll-outs: a candidate version of an application (× platform) checked against a baseline
//! version, stage by stage. `plan` (JSON) holds the stages, tolerance and minimum samples; a tenant
//! may keep its own default plan (`tenants.rollout_plan`). `report` is the latest evaluation
//! (JSON); `rollout_verdicts` records every change of a stage's verdict, so none flips silently.
//! Times are epoch seconds (UTC).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
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
    let mut rollouts = Table::create();
    rollouts
        .table(Alias::new("rollouts"))
        .col(id())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("application_id").big_integer().not_null())
        .col(col("candidate_id").big_integer().not_null())
        .col(col("baseline_id").big_integer().not_null())
        .col(col("state").string().not_null())
        .col(col("opened_by").string().not_null())
        .col(col("plan").text().not_null())
        .col(col("stage").integer().null())
        .col(col("verdict").string().not_null())
        .col(col("share").double().null())
        .col(col("latest_hour").big_integer().null())
        .col(col("report").text().null())
        .col(col("created_at").big_integer().not_null())
        .col(col("evaluated_at").big_integer().null())
        .col(col("closed_at").big_integer().null());
    let mut verdicts = Table::create();
    verdicts
        .table(Alias::new("rollout_verdicts"))
        .col(id())
        .col(col("rollout_id").big_integer().not_null())
        .col(col("stage").integer().not_null())
        .col(col("verdict").string().not_null())
        .col(col("share").double().not_null())
        .col(col("latest_hour").big_integer().not_null())
        .col(col("reason").text().not_null())
        .col(col("at").big_integer().not_null());
    vec![
        (
            rollouts,
            vec![
                Index::create()
                    .name("ux_rollouts_candidate")
                    .table(Alias::new("rollouts"))
                    .col(Alias::new("application_id"))
                    .col(Alias::new("candidate_id"))
                    .unique()
                    .to_owned(),
                Index::create()
                    .name("ix_rollouts_tenant")
                    .table(Alias::new("rollouts"))
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("state"))
                    .to_owned(),
            ],
        ),
        (
            verdicts,
            vec![
                Index::create()
                    .name("ix_rollout_verdicts_rollout")
                    .table(Alias::new("rollout_verdicts"))
                    .col(Alias::new("rollout_id"))
                    .col(Alias::new("id"))
                    .to_owned(),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("tenants"))
                    .add_column(col("rollout_plan").text().null())
                    .to_owned(),
            )
            .await?;
        for (table, indexes) in tables() {
            manager.create_table(table).await?;
            for index in indexes {
                manager.create_index(index).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, _) in tables().into_iter().rev() {
            if let Some(name) = table.get_table_name().cloned() {
                manager
                    .drop_table(Table::drop().table(name).to_owned())
                    .await?;
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("tenants"))
                    .drop_column(Alias::new("rollout_plan"))
                    .to_owned(),
            )
            .await
    }
}
