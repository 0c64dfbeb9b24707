//! Accounts: tenant memberships with a role, web sessions (tower-sessions records), API tokens
//! (stored as SHA-256 hashes), the audit log of every change, and sign-in throttling state.
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

fn tables() -> Vec<(TableCreateStatement, Vec<IndexCreateStatement>)> {
    let mut out = Vec::new();

    let mut t = table("memberships");
    t.col(col("user_id").big_integer().not_null())
        .col(col("tenant_id").big_integer().not_null())
        .col(col("role").string().not_null())
        .primary_key(
            Index::create()
                .col(Alias::new("user_id"))
                .col(Alias::new("tenant_id")),
        );
    out.push((t, vec![]));

    let mut t = table("web_sessions");
    t.col(col("id").string().not_null().primary_key())
        .col(col("data").text().not_null())
        .col(col("expires_at").big_integer().not_null());
    out.push((
        t,
        vec![
            Index::create()
                .name("ix_web_sessions_expiry")
                .table(Alias::new("web_sessions"))
                .col(Alias::new("expires_at"))
                .to_owned(),
        ],
    ));

    let mut t = table("api_tokens");
    t.col(
        col("id")
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key(),
    )
    .col(col("user_id").big_integer().not_null())
    .col(col("name").string().not_null())
    .col(col("tenant_id").big_integer().null())
    .col(col("role").string().not_null())
    .col(col("prefix").string().not_null())
    .col(col("hash").string().not_null())
    .col(col("created_at").big_integer().not_null())
    .col(col("last_used_at").big_integer().null())
    .col(col("revoked_at").big_integer().null());
    out.push((
        t,
        vec![
            Index::create()
                .name("ux_api_tokens_hash")
                .table(Alias::new("api_tokens"))
                .col(Alias::new("hash"))
                .unique()
                .to_owned(),
        ],
    ));

    let mut t = table("audit_log");
    t.col(
        col("id")
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key(),
    )
    .col(col("at").big_integer().not_null())
    .col(col("actor_id").big_integer().null())
    .col(col("actor").string().not_null())
    .col(col("tenant_id").big_integer().null())
    .col(col("action").string().not_null())
    .col(col("target").string().not_null())
    .col(col("before").text().null())
    .col(col("after").text().null());
    out.push((
        t,
        vec![
            Index::create()
                .name("ix_audit_log_at")
                .table(Alias::new("audit_log"))
                .col(Alias::new("at"))
                .to_owned(),
        ],
    ));

    let mut t = table("sign_in_throttle");
    t.col(col("subject").string().not_null().primary_key())
        .col(col("failures").integer().not_null())
        .col(col("blocked_until").big_integer().not_null())
        .col(col("updated_at").big_integer().not_null());
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
