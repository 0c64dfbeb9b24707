//! Tenants: discovered from the top-level folders of the events root, listed for the pages and API.

use blueprint_types::TenantSummary;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Set,
};

use crate::accounts::{Actor, ServiceError};
use crate::entities::{ingested_hour, ingestion_run, tenant};
use crate::hour::Hour;
use crate::{DbError, EventsRootError, Services};

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    EventsRoot(#[from] EventsRootError),
}

impl From<sea_orm::DbErr> for TenantError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Db(DbError::Query(err))
    }
}

/// Days without a sighting after which something is obsolete, unless the tenant or the event
/// sets its own quiet period.
pub const QUIET_DAYS: i64 = 7;

/// The longest quiet period a tenant or an event may set.
pub const MAX_QUIET_DAYS: i32 = 365;

/// What to list: an optional case-insensitive search on slug and name.
#[derive(Clone, Debug, Default)]
pub struct TenantQuery {
    pub search: Option<String>,
}

/// The tenants the actor can see, ordered by slug, filtered by the query.
pub async fn list_tenants(
    services: &Services,
    actor: &Actor,
    query: &TenantQuery,
) -> Result<Vec<TenantSummary>, TenantError> {
    let mut select = tenant::Entity::find().order_by_asc(tenant::Column::Slug);
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        select = select.filter(
            sea_orm::Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(tenant::Column::Slug))).like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(tenant::Column::Name))).like(pattern)),
        );
    }
    let rows = select.all(services.db.conn()).await?;
    Ok(rows
        .into_iter()
        .filter(|row| actor.can_read(row.id))
        .map(summarize)
        .collect())
}

/// The tenant named `slug`, if there is one.
pub async fn by_slug(
    conn: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<tenant::Model>, DbErr> {
    tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// The tenant `slug` if the actor may read it; one they may not see is "not found", like a
/// missing one.
pub async fn visible(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<tenant::Model, ServiceError> {
    let row = by_slug(services.db.conn(), slug)
        .await?
        .ok_or(ServiceError::NotFound)?;
    actor.require_read(row.id)?;
    Ok(row)
}

/// The id of a tenant the actor can see; `NotFound` for one that does not exist or is not visible.
pub async fn visible_tenant(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<i64, ServiceError> {
    Ok(visible(services, actor, slug).await?.id)
}

/// Records every tenant folder of the events root that the database does not know yet; returns
/// the slugs that were new.
pub async fn discover_tenants(services: &Services) -> Result<Vec<String>, TenantError> {
    let slugs = services.events.list_tenant_slugs().await?;
    let known: Vec<String> = tenant::Entity::find()
        .filter(tenant::Column::Slug.is_in(slugs.iter().cloned()))
        .all(services.db.conn())
        .await?
        .into_iter()
        .map(|t| t.slug)
        .collect();
    let new: Vec<String> = slugs.into_iter().filter(|s| !known.contains(s)).collect();
    if new.is_empty() {
        return Ok(new);
    }
    let now = services.db.now();
    let rows = new.iter().map(|slug| tenant::ActiveModel {
        slug: Set(slug.clone()),
        name: Set(slug.clone()),
        discovered_at: Set(now),
        ..Default::default()
    });
    // Another process may discover the same folder at the same moment: the first insert wins.
    tenant::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([tenant::Column::Slug])
        .exec(services.db.conn())
        .await?;
    tracing::info!(tenants = ?new, "discovered tenants");
    Ok(new)
}

/// The tenant's **latest hour** (DESIGN.md, "Ledger semantics"): its latest hour *with data*, an
/// ingested hour (`ingested_hours.status = 'ok'`) whose files held at least one accepted event.
/// An hour whose folder had no files (`no_data`), or whose files held only rejected lines, does
/// not move it: such hours after it are a gap ([`data_gap`]), never evidence that events went
/// quiet. Obsolete detection, retention, roll-out evaluation, the news rule and the pages' default
/// ranges all count from it.
pub async fn latest_with_data(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Option<Hour>, DbErr> {
    Ok(latest_hour(conn, tenant_id)
        .await?
        .and_then(Hour::from_epoch_seconds))
}

/// [`latest_with_data`] as epoch seconds.
pub async fn latest_hour(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Option<i64>, DbErr> {
    let latest: Option<Option<i64>> = hours_with_data(tenant_id)
        .select_only()
        .column_as(ingested_hour::Column::Hour.max(), "latest")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(latest.flatten())
}

/// The tenant's hours with data: status `ok`, written by a run that accepted at least one event.
pub fn hours_with_data(tenant_id: i64) -> sea_orm::Select<ingested_hour::Entity> {
    let with_events = ingestion_run::Entity::find()
        .select_only()
        .column(ingestion_run::Column::Id)
        .filter(ingestion_run::Column::TenantId.eq(tenant_id))
        .filter(ingestion_run::Column::Events.gt(0))
        .into_query();
    ingested_hour::Entity::find()
        .filter(ingested_hour::Column::TenantId.eq(tenant_id))
        .filter(ingested_hour::Column::Status.eq("ok"))
        .filter(ingested_hour::Column::RunId.in_subquery(with_events))
}

/// The latest hour the tenant has ingested of any status, with data or without. Only for deciding
/// what to ingest (has the tenant a baseline yet, which hours are forward); every judgement uses
/// [`latest_with_data`].
pub async fn latest_ingested_any(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Option<Hour>, DbErr> {
    let latest: Option<Option<i64>> = ingested_hour::Entity::find()
        .select_only()
        .column_as(ingested_hour::Column::Hour.max(), "latest")
        .filter(ingested_hour::Column::TenantId.eq(tenant_id))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(latest.flatten().and_then(Hour::from_epoch_seconds))
}

/// Hours ingested without data after the tenant's latest hour with data: a gap in its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataGap {
    /// The latest hour with data (none when the tenant never had any).
    pub latest: Option<Hour>,
    /// The first hour without data after it.
    pub since: Hour,
    /// The last hour ingested without data, plus one (exclusive).
    pub until: Hour,
}

impl DataGap {
    /// How many hours the gap spans.
    pub fn hours(&self) -> i64 {
        (self.until.epoch_seconds() - self.since.epoch_seconds()) / Hour::SECONDS
    }
}

/// The tenant's gap: the hours ingested after its latest hour with data, when there are any
/// (none when its latest ingested hour has data, or it has ingested nothing).
pub async fn data_gap(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Option<DataGap>, DbErr> {
    let Some(any) = latest_ingested_any(conn, tenant_id).await? else {
        return Ok(None);
    };
    let latest = latest_with_data(conn, tenant_id).await?;
    if latest.is_some_and(|latest| latest >= any) {
        return Ok(None);
    }
    let since = match latest {
        Some(latest) => latest.plus(1),
        None => {
            let first: Option<Option<i64>> = ingested_hour::Entity::find()
                .select_only()
                .column_as(ingested_hour::Column::Hour.min(), "first")
                .filter(ingested_hour::Column::TenantId.eq(tenant_id))
                .into_tuple()
                .one(conn)
                .await?;
            match first.flatten().and_then(Hour::from_epoch_seconds) {
                Some(first) => first,
                None => return Ok(None),
            }
        }
    };
    Ok(Some(DataGap {
        latest,
        since,
        until: any.plus(1),
    }))
}

fn summarize(row: tenant::Model) -> TenantSummary {
    TenantSummary {
        slug: row.slug,
        name: row.name,
        discovered_at: row
            .discovered_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// Sets how many days of hourly detail the tenant keeps before daily roll-ups (at least 1).
pub async fn set_retention_days(
    services: &Services,
    slug: &str,
    days: i32,
) -> Result<(), TenantError> {
    use sea_orm::sea_query::Expr as E;
    tenant::Entity::update_many()
        .col_expr(tenant::Column::RetentionDays, E::value(Ord::max(days, 1)))
        .filter(tenant::Column::Slug.eq(slug))
        .exec(services.db.conn())
        .await?;
    Ok(())
}
