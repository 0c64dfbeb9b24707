//! Telling an outage: once when found, once when data returns, to the tenant's owners, its
//! watchers who want `anomaly` news, every admin, and its webhooks (through `notify`'s writers,
//! unique per user and incident, so re-ingesting the hours never tells twice).

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{incident, ingested_hour, membership, tenant, user};
use crate::hour::Hour;
use crate::notify::{self, NewsContext, NewsKind, Subject};

/// Who hears of an outage: the tenant's owners, its watchers who want incidents, and every admin
/// (members or admins who may still read the tenant).
async fn audience(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<BTreeSet<i64>, DbErr> {
    let readers = notify::readers(conn, tenant_id).await?;
    let watches = notify::watches_in(conn, tenant_id).await?;
    let mut to = notify::recipients(&watches, &readers, NewsKind::Anomaly, &Subject::default());
    let owners = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant_id))
        .filter(membership::Column::Role.eq("owner"))
        .all(conn)
        .await?;
    to.extend(owners.into_iter().map(|m| m.user_id));
    let admins = user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .filter(user::Column::Disabled.eq(false))
        .all(conn)
        .await?;
    to.extend(admins.into_iter().map(|u| u.id));
    to.retain(|id| readers.values().any(|r| r == id));
    Ok(to)
}

/// `09:00` (the hour's time of day; the notice's link and the incident carry the full hour).
fn clock(hour: i64) -> String {
    Hour::from_epoch_seconds(hour)
        .map(|h| h.start().format("%Y-%m-%d %H:00 UTC").to_string())
        .unwrap_or_default()
}

fn link(tenant: &tenant::Model, row: &incident::Model) -> String {
    format!(
        "/t/{}/incidents/{}",
        notify::path_segment(&tenant.slug),
        row.id
    )
}

/// Tells `title` about the outage to its audience once (`dedupe`), then notes when in `told`
/// (a column that is set only once).
async fn tell_once(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    row: &incident::Model,
    (title, dedupe): (&str, &str),
    told: incident::Column,
    now: i64,
) -> Result<u64, DbErr> {
    let to = audience(conn, tenant.id).await?;
    let context = NewsContext {
        tenant_id: tenant.id,
        at: now,
    };
    let link = link(tenant, row);
    let n = notify::tell(conn, context, &to, NewsKind::Anomaly, title, &link, dedupe).await?;
    incident::Entity::update_many()
        .col_expr(told, sea_orm::sea_query::Expr::value(now))
        .filter(incident::Column::Id.eq(row.id))
        .filter(told.is_null())
        .exec(conn)
        .await?;
    Ok(n)
}

/// "acme: no events since 09:00", once.
pub(super) async fn tell_found(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    row: &incident::Model,
    now: i64,
) -> Result<u64, DbErr> {
    let title = format!("{}: no events since {}", tenant.slug, clock(row.start_hour));
    let dedupe = format!("incident:{}", row.id);
    let told = incident::Column::ToldAt;
    tell_once(conn, tenant, row, (&title, &dedupe), told, now).await
}

/// "acme: events arriving again since 15:00 (6 hours without data)", once.
pub(super) async fn tell_returned(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    row: &incident::Model,
    now: i64,
) -> Result<u64, DbErr> {
    let back = first_data_from(conn, tenant.id, row.start_hour)
        .await?
        .unwrap_or(row.end_hour);
    let hours = (back - row.start_hour).max(row.end_hour - row.start_hour) / Hour::SECONDS;
    let title = format!(
        "{}: events arriving again since {} ({hours} hour{} without data)",
        tenant.slug,
        clock(back),
        if hours == 1 { "" } else { "s" }
    );
    let dedupe = format!("incident:{}:returned", row.id);
    let told = incident::Column::ReturnedToldAt;
    tell_once(conn, tenant, row, (&title, &dedupe), told, now).await
}

/// The first hour with data at or after `from`.
async fn first_data_from(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    from: i64,
) -> Result<Option<i64>, DbErr> {
    let first: Option<Option<i64>> = crate::tenants::hours_with_data(tenant_id)
        .select_only()
        .column_as(ingested_hour::Column::Hour.min(), "first")
        .filter(ingested_hour::Column::Hour.gte(from))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(first.flatten())
}
