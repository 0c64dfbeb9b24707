//! Watches and the inbox: who wants to hear about what (a tenant, an application, a screen or an
//! event, and which kinds of news), and the notifications produced for them. A notification's
//! `dedupe` key (the discovery, or the backfill it summarises) is unique per user, so the same news
//! never reaches a person twice, whatever re-ingestion, retry or second worker happens.
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

fn index(name: &str, table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

fn tables() -> Vec<(TableCreateStatement, Vec<IndexCreateStatement>)> {
    let mut watches = Table::create();
    watches
        .table(Alias::new("watches"))
        .col(id())
        .col(col("user_id").big_integer().not_null())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("target").string().not_null())
        .col(col("name").string().not_null())
        .col(col("news").string().not_null())
        .col(col("created_at").big_integer().not_null());
    let mut notifications = Table::create();
    notifications
        .table(Alias::new("notifications"))
        .col(id())
        .col(col("user_id").big_integer().not_null())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("kind").string().not_null())
        .col(col("title").text().not_null())
        .col(col("link").string().not_null())
        .col(col("hour").big_integer().null())
        .col(col("dedupe").string().not_null())
        .col(col("created_at").big_integer().not_null())
        .col(col("read_at").big_integer().null());
    vec![
        (
            watches,
            vec![
                index(
                    "ux_watches_subject",
                    "watches",
                    &["user_id", "tenant_id", "target", "name"],
                    true,
                ),
                index(
                    "ix_watches_tenant",
                    "watches",
                    &["tenant_id", "target", "name"],
                    false,
                ),
            ],
        ),
        (
            notifications,
            vec![
                index(
                    "ux_notifications_dedupe",
                    "notifications",
                    &["user_id", "dedupe"],
                    true,
                ),
                index(
                    "ix_notifications_inbox",
                    "notifications",
                    &["user_id", "read_at", "id"],
                    false,
                ),
            ],
        ),
    ]
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
        Ok(())
    }
}
