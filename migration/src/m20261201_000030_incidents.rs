//! Signals: volume anomalies and the incidents that group them (DESIGN.md, "Signals").
//!
//! - `anomalies`: one row per anomalous series and hour, with the observed count and the expected
//!   interval (`expected`, `low`, `high`); re-judging an hour replaces its rows. A series is an
//!   event overall or an event of one release; absent dimensions are `''` (so the unique key
//!   holds), and an outage's series has every dimension `''`.
//! - `incidents`: consecutive anomalous hours of one series, or the series of one release (or of
//!   one application's versions) anomalous together. `scope` says which grouping made it
//!   (`series`, `release`, `application`, `tenant`); the dimensions its series share are set,
//!   the others null. `end_hour` is exclusive. `news` is set when it was found in hours that
//!   were news; `told_at` once it was told (never twice); `returned_told_at` once an outage's
//!   return was told.
//! - `incident_series`: each series of an incident with its sums over the incident's hours.
//! - `series_mutes`: series whose anomalies open no incident.
//!
//! Hours and times are epoch seconds (UTC).

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

/// The four dimensions of a series, `''` when absent.
fn dimensions(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    for name in ["event", "application", "version", "platform"] {
        table.col(col(name).string().not_null().default(""));
    }
    table
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

const SERIES: [&str; 4] = ["event", "application", "version", "platform"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("incidents"))
                    .col(id())
                    .col(col("tenant_id").big_integer().not_null())
                    .col(col("kind").string().not_null())
                    .col(col("scope").string().not_null())
                    .col(col("event").string().null())
                    .col(col("application").string().null())
                    .col(col("version").string().null())
                    .col(col("platform").string().null())
                    .col(col("start_hour").big_integer().not_null())
                    .col(col("end_hour").big_integer().not_null())
                    .col(col("observed").big_integer().not_null().default(0))
                    .col(col("expected").double().not_null().default(0.0))
                    .col(col("state").string().not_null())
                    .col(col("comment").text().null())
                    .col(col("snoozed_until").big_integer().null())
                    .col(col("acted_by").big_integer().null())
                    .col(col("acted_at").big_integer().null())
                    .col(col("news").boolean().not_null().default(false))
                    .col(col("told_at").big_integer().null())
                    .col(col("returned_told_at").big_integer().null())
                    .col(col("resolved_at").big_integer().null())
                    .col(col("created_at").big_integer().not_null())
                    .col(col("updated_at").big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_incidents_tenant_hours",
                "incidents",
                &["tenant_id", "start_hour", "end_hour"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_incidents_tenant_state",
                "incidents",
                &["tenant_id", "state"],
                false,
            ))
            .await?;

        let mut series = Table::create();
        series
            .table(Alias::new("incident_series"))
            .col(id())
            .col(col("incident_id").big_integer().not_null())
            .col(col("tenant_id").big_integer().not_null());
        dimensions(&mut series)
            .col(col("kind").string().not_null())
            .col(col("observed").big_integer().not_null().default(0))
            .col(col("expected").double().not_null().default(0.0));
        manager.create_table(series.to_owned()).await?;
        let mut key = vec!["incident_id"];
        key.extend(SERIES);
        manager
            .create_index(index("ux_incident_series", "incident_series", &key, true))
            .await?;

        let mut anomalies = Table::create();
        anomalies
            .table(Alias::new("anomalies"))
            .col(id())
            .col(col("tenant_id").big_integer().not_null())
            .col(col("hour").big_integer().not_null());
        dimensions(&mut anomalies)
            .col(col("kind").string().not_null())
            .col(col("observed").big_integer().not_null())
            .col(col("expected").double().not_null())
            .col(col("low").double().not_null())
            .col(col("high").double().not_null())
            .col(col("incident_id").big_integer().null());
        manager.create_table(anomalies.to_owned()).await?;
        let mut key = vec!["tenant_id", "hour"];
        key.extend(SERIES);
        manager
            .create_index(index("ux_anomalies", "anomalies", &key, true))
            .await?;
        manager
            .create_index(index(
                "ix_anomalies_incident",
                "anomalies",
                &["incident_id"],
                false,
            ))
            .await?;

        let mut mutes = Table::create();
        mutes
            .table(Alias::new("series_mutes"))
            .col(id())
            .col(col("tenant_id").big_integer().not_null());
        dimensions(&mut mutes)
            .col(col("muted_by").big_integer().null())
            .col(col("muted_at").big_integer().not_null());
        manager.create_table(mutes.to_owned()).await?;
        let mut key = vec!["tenant_id"];
        key.extend(SERIES);
        manager
            .create_index(index("ux_series_mutes", "series_mutes", &key, true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["series_mutes", "anomalies", "incident_series", "incidents"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
