//! The ledger (DESIGN.md, "Ledger semantics"): per-tenant mappings; the catalog (applications,
//! versions, screens, events, combinations, keys and key types, each with first/last seen hour);
//! hourly counts, sessions (with a mergeable sketch) and key statistics; daily roll-ups;
//! discoveries; ingestion runs and the state of each ingested hour; each tenant's retention of
//! hourly detail (days, default 35).
//! Hours and days are stored as epoch seconds (UTC) in BIGINT columns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id(table: &mut TableCreateStatement) {
    table.col(
        ColumnDef::new(Alias::new("id"))
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key(),
    );
}

fn big(table: &mut TableCreateStatement, name: &str) {
    table.col(ColumnDef::new(Alias::new(name)).big_integer().not_null());
}

fn big_null(table: &mut TableCreateStatement, name: &str) {
    table.col(ColumnDef::new(Alias::new(name)).big_integer().null());
}

fn text(table: &mut TableCreateStatement, name: &str) {
    table.col(ColumnDef::new(Alias::new(name)).string().not_null());
}

fn text_null(table: &mut TableCreateStatement, name: &str) {
    table.col(ColumnDef::new(Alias::new(name)).text().null());
}

fn seen(table: &mut TableCreateStatement) {
    big_null(table, "first_seen");
    big_null(table, "last_seen");
}

/// Description, owner and manual status of what people curate.
fn curated(table: &mut TableCreateStatement) {
    text_null(table, "description");
    text_null(table, "owner");
    table.col(
        ColumnDef::new(Alias::new("status"))
            .string()
            .not_null()
            .default("active"),
    );
}

fn unique(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table)).unique();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

fn table(name: &str) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(Alias::new(name));
    table
}

/// The count columns of key statistics, one per JSON type, in `JsonType::ALL` order.
pub const TYPE_COLUMNS: [&str; 7] = [
    "string_count",
    "integer_count",
    "number_count",
    "boolean_count",
    "object_count",
    "array_count",
    "null_count",
];

fn tables() -> Vec<(TableCreateStatement, Vec<IndexCreateStatement>)> {
    let mut out = Vec::new();

    let mut t = table("mappings");
    t.col(
        ColumnDef::new(Alias::new("tenant_id"))
            .big_integer()
            .not_null()
            .primary_key(),
    );
    text_null(&mut t, "preset");
    text(&mut t, "definition");
    big(&mut t, "updated_at");
    out.push((t, vec![]));

    let mut t = table("applications");
    id(&mut t);
    big(&mut t, "tenant_id");
    text(&mut t, "name");
    text(&mut t, "platform");
    seen(&mut t);
    curated(&mut t);
    out.push((
        t,
        vec![unique(
            "ux_applications",
            "applications",
            &["tenant_id", "name", "platform"],
        )],
    ));

    let mut t = table("app_versions");
    id(&mut t);
    big(&mut t, "tenant_id");
    big(&mut t, "application_id");
    text(&mut t, "version");
    seen(&mut t);
    out.push((
        t,
        vec![unique(
            "ux_app_versions",
            "app_versions",
            &["application_id", "version"],
        )],
    ));

    for name in ["screens", "events"] {
        let mut t = table(name);
        id(&mut t);
        big(&mut t, "tenant_id");
        text(&mut t, "name");
        seen(&mut t);
        curated(&mut t);
        out.push((
            t,
            vec![unique(&format!("ux_{name}"), name, &["tenant_id", "name"])],
        ));
    }

    let mut t = table("combinations");
    id(&mut t);
    big(&mut t, "tenant_id");
    big(&mut t, "version_id");
    big(&mut t, "screen_id");
    big(&mut t, "event_id");
    seen(&mut t);
    out.push((
        t,
        vec![
            unique(
                "ux_combinations",
                "combinations",
                &["version_id", "screen_id", "event_id"],
            ),
            index("ix_combinations_tenant", "combinations", &["tenant_id"]),
            index("ix_combinations_event", "combinations", &["event_id"]),
        ],
    ));

    let mut t = table("event_keys");
    id(&mut t);
    big(&mut t, "tenant_id");
    big(&mut t, "event_id");
    text(&mut t, "path");
    seen(&mut t);
    out.push((
        t,
        vec![unique("ux_event_keys", "event_keys", &["event_id", "path"])],
    ));

    let mut t = table("key_types");
    id(&mut t);
    big(&mut t, "tenant_id");
    big(&mut t, "key_id");
    text(&mut t, "json_type");
    seen(&mut t);
    out.push((
        t,
        vec![unique(
            "ux_key_types",
            "key_types",
            &["key_id", "json_type"],
        )],
    ));

    for (name, period) in [("hourly_counts", "hour"), ("daily_counts", "day")] {
        let mut t = table(name);
        big(&mut t, "tenant_id");
        big(&mut t, period);
        big(&mut t, "combination_id");
        big(&mut t, "events");
        big(&mut t, "sessions");
        t.primary_key(
            Index::create()
                .col(Alias::new("combination_id"))
                .col(Alias::new(period)),
        );
        out.push((
            t,
            vec![index(
                &format!("ix_{name}_tenant"),
                name,
                &["tenant_id", period],
            )],
        ));
    }

    for (name, period) in [("hourly_sessions", "hour"), ("daily_sessions", "day")] {
        let mut t = table(name);
        big(&mut t, "tenant_id");
        big(&mut t, period);
        big(&mut t, "version_id");
        big(&mut t, "sessions");
        t.col(ColumnDef::new(Alias::new("sketch")).binary().not_null());
        t.primary_key(
            Index::create()
                .col(Alias::new("version_id"))
                .col(Alias::new(period)),
        );
        out.push((
            t,
            vec![index(
                &format!("ix_{name}_tenant"),
                name,
                &["tenant_id", period],
            )],
        ));
    }

    for (name, period) in [("hourly_keys", "hour"), ("daily_keys", "day")] {
        let mut t = table(name);
        big(&mut t, "tenant_id");
        big(&mut t, period);
        big(&mut t, "version_id");
        big(&mut t, "key_id");
        for column in TYPE_COLUMNS {
            big(&mut t, column);
        }
        t.primary_key(
            Index::create()
                .col(Alias::new("version_id"))
                .col(Alias::new("key_id"))
                .col(Alias::new(period)),
        );
        out.push((
            t,
            vec![
                index(&format!("ix_{name}_tenant"), name, &["tenant_id", period]),
                index(&format!("ix_{name}_key"), name, &["key_id"]),
            ],
        ));
    }

    let mut t = table("discoveries");
    id(&mut t);
    big(&mut t, "tenant_id");
    text(&mut t, "kind");
    big(&mut t, "subject_id");
    text(&mut t, "label");
    big(&mut t, "hour");
    t.col(ColumnDef::new(Alias::new("news")).boolean().not_null());
    big_null(&mut t, "run_id");
    big(&mut t, "created_at");
    out.push((
        t,
        vec![
            unique(
                "ux_discoveries",
                "discoveries",
                &["tenant_id", "kind", "subject_id"],
            ),
            index("ix_discoveries_hour", "discoveries", &["tenant_id", "hour"]),
        ],
    ));

    let mut t = table("ingestion_runs");
    id(&mut t);
    big(&mut t, "tenant_id");
    big(&mut t, "hour");
    text(&mut t, "status");
    text(&mut t, "trigger");
    big(&mut t, "started_at");
    big_null(&mut t, "finished_at");
    for column in [
        "files",
        "bytes",
        "lines",
        "events",
        "rejected",
        "skewed",
        "untimed",
        "duplicates",
        "read_ms",
        "write_ms",
    ] {
        t.col(
            ColumnDef::new(Alias::new(column))
                .big_integer()
                .not_null()
                .default(0),
        );
    }
    text_null(&mut t, "rejected_samples");
    text_null(&mut t, "error");
    out.push((
        t,
        vec![index(
            "ix_ingestion_runs_hour",
            "ingestion_runs",
            &["tenant_id", "hour"],
        )],
    ));

    let mut t = table("ingested_hours");
    big(&mut t, "tenant_id");
    big(&mut t, "hour");
    text(&mut t, "status");
    big(&mut t, "run_id");
    text(&mut t, "files");
    big(&mut t, "ingested_at");
    t.primary_key(
        Index::create()
            .col(Alias::new("tenant_id"))
            .col(Alias::new("hour")),
    );
    out.push((t, vec![]));

    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("tenants"))
                    .add_column(
                        ColumnDef::new(Alias::new("retention_days"))
                            .integer()
                            .not_null()
                            .default(35),
                    )
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
            let name = table.get_table_name().cloned();
            if let Some(name) = name {
                manager
                    .drop_table(Table::drop().table(name).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}
