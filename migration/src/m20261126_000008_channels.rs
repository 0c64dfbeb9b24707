//! The channels beyond the inbox, and the quiet periods. Each user chooses an email digest (`off`,
//! `hourly`, `daily`); a digest gathers the user's unread notifications of one period, and each
//! notification joins at most one digest (`notifications.digest_id`), so email never repeats news.
//! A tenant's webhooks each get one delivery per piece of news (`(webhook_id, dedupe)` is unique),
//! retried with back-off on the job queue; the last attempt's status and response are kept for
//! admins. A failed attempt waits until `next_at` before it is queued again. `quiet_days` on a tenant or an event overrides the default period after which
//! something not seen is marked obsolete. Times are epoch seconds (UTC).

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

/// Columns added to existing tables (one statement each: SQLite adds one column at a time).
fn added_columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        (
            "users",
            col("mail_digest")
                .string()
                .not_null()
                .default("daily")
                .to_owned(),
        ),
        ("users", col("mail_since").big_integer().null().to_owned()),
        ("tenants", col("quiet_days").integer().null().to_owned()),
        ("events", col("quiet_days").integer().null().to_owned()),
        (
            "notifications",
            col("digest_id").big_integer().null().to_owned(),
        ),
    ]
}

fn tables() -> Vec<(TableCreateStatement, Vec<IndexCreateStatement>)> {
    let mut digests = Table::create();
    digests
        .table(Alias::new("mail_digests"))
        .col(id())
        .col(col("user_id").big_integer().not_null())
        .col(col("period").string().not_null())
        .col(col("period_end").big_integer().not_null())
        .col(col("status").string().not_null())
        .col(col("attempts").integer().not_null().default(0))
        .col(col("notifications").integer().not_null().default(0))
        .col(col("queued_at").big_integer().null())
        .col(col("claimed_at").big_integer().null())
        .col(col("next_at").big_integer().null())
        .col(col("last_error").text().null())
        .col(col("created_at").big_integer().not_null())
        .col(col("sent_at").big_integer().null());
    let mut webhooks = Table::create();
    webhooks
        .table(Alias::new("webhooks"))
        .col(id())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("url").text().not_null())
        .col(col("secret").string().not_null())
        .col(col("news").string().not_null())
        .col(col("enabled").boolean().not_null().default(true))
        .col(col("created_at").big_integer().not_null());
    let mut deliveries = Table::create();
    deliveries
        .table(Alias::new("webhook_deliveries"))
        .col(id())
        .col(col("webhook_id").big_integer().not_null())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("dedupe").string().not_null())
        .col(col("kind").string().not_null())
        .col(col("title").text().not_null())
        .col(col("link").string().not_null())
        .col(col("hour").big_integer().null())
        .col(col("status").string().not_null())
        .col(col("attempts").integer().not_null().default(0))
        .col(col("queued_at").big_integer().null())
        .col(col("claimed_at").big_integer().null())
        .col(col("next_at").big_integer().null())
        .col(col("response_status").integer().null())
        .col(col("response_body").text().null())
        .col(col("last_error").text().null())
        .col(col("created_at").big_integer().not_null())
        .col(col("delivered_at").big_integer().null());
    vec![
        (
            digests,
            vec![
                index(
                    "ux_mail_digests_period",
                    "mail_digests",
                    &["user_id", "period_end"],
                    true,
                ),
                index("ix_mail_digests_status", "mail_digests", &["status"], false),
            ],
        ),
        (
            webhooks,
            vec![index(
                "ix_webhooks_tenant",
                "webhooks",
                &["tenant_id"],
                false,
            )],
        ),
        (
            deliveries,
            vec![
                index(
                    "ux_webhook_deliveries_dedupe",
                    "webhook_deliveries",
                    &["webhook_id", "dedupe"],
                    true,
                ),
                index(
                    "ix_webhook_deliveries_status",
                    "webhook_deliveries",
                    &["status", "queued_at"],
                    false,
                ),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in added_columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Email starts now for the users there are: their older news is not mailed.
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        manager
            .get_connection()
            .execute_unprepared(&format!("UPDATE users SET mail_since = {started}"))
            .await?;
        manager
            .create_index(index(
                "ix_notifications_digest",
                "notifications",
                &["user_id", "digest_id"],
                false,
            ))
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
            .drop_index(
                Index::drop()
                    .name("ix_notifications_digest")
                    .table(Alias::new("notifications"))
                    .to_owned(),
            )
            .await?;
        for (table, column) in added_columns().into_iter().rev() {
            let name = column.get_column_name();
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(name))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
