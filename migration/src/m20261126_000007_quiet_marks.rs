//! Obsolete detection: an event, screen, application or application version not seen for a while
//! (counted back from the tenant's latest ingested hour) gets an open mark, and its owner and
//! watchers are told once; when it is seen again the mark is lifted (and they are told). `scope` is
//! `gone` (not seen anywhere) or `retired` (an event still sent by older versions of an application
//! but absent from its newest live version). Times are epoch seconds (UTC).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("quiet_marks"))
                    .col(
                        col("id")
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(col("tenant_id").big_integer().not_null())
                    .col(col("kind").string().not_null())
                    .col(col("subject_id").big_integer().not_null())
                    .col(col("label").string().not_null())
                    .col(col("scope").string().not_null())
                    .col(col("last_seen").big_integer().null())
                    .col(col("marked_at").big_integer().not_null())
                    .col(col("lifted_at").big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quiet_marks_open")
                    .table(Alias::new("quiet_marks"))
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("lifted_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("quiet_marks")).to_owned())
            .await
    }
}
