//! What an ingestion run cut and what it still owes: `keys_cut` counts the key paths left out of
//! the hour's lines (longer than the mapping allows, or past its limit of key paths per line);
//! `news_pending` is set when the hour's news is written with the hour and cleared once it has
//! been told, so a run whose news could not be told is told again (never twice: notifications
//! are unique per user and discovery).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The added columns, each added by its own statement (SQLite alters one column at a time).
fn columns() -> [ColumnDef; 2] {
    [
        ColumnDef::new(Alias::new("keys_cut"))
            .big_integer()
            .not_null()
            .default(0)
            .to_owned(),
        ColumnDef::new(Alias::new("news_pending"))
            .boolean()
            .not_null()
            .default(false)
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("ingestion_runs"))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_ingestion_runs_news_pending")
                    .table(Alias::new("ingestion_runs"))
                    .col(Alias::new("news_pending"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ingestion_runs_news_pending")
                    .table(Alias::new("ingestion_runs"))
                    .to_owned(),
            )
            .await?;
        for name in ["news_pending", "keys_cut"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("ingestion_runs"))
                        .drop_column(Alias::new(name))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
