//! History told once: what a finished baseline or backfill found, as one summary for each
//! watcher of the tenant (`backfill:{id}`), never item by item (DESIGN.md, "Ledger semantics").

use std::collections::BTreeMap;

use blueprint_types::notify::NewsKind;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::discoveries::Found;
use super::notifications::tell_all;
use super::paths::path_segment;
use super::recipients::{readers, tenant_watchers};
use crate::channels::webhooks::{News, NewsContext};
use crate::entities::{backfill, discovery, hour_task, tenant};
use crate::hour::Hour;

/// One summary per tenant watcher of what a finished backfill found (history is never pushed
/// item by item). Nothing when it found nothing new.
pub async fn notify_backfill(
    conn: &impl ConnectionTrait,
    backfill_id: i64,
    at: i64,
) -> Result<u64, DbErr> {
    let Some(row) = backfill::Entity::find_by_id(backfill_id).one(conn).await? else {
        return Ok(0);
    };
    let found = found_by(conn, backfill_id).await?;
    if found.is_empty() {
        return Ok(0);
    }
    let Some(tenant) = tenant::Entity::find_by_id(row.tenant_id).one(conn).await? else {
        return Ok(0);
    };
    let title = summary_title(&row, &tenant.slug, &Found::of(found));
    let link = format!("/t/{}", path_segment(&tenant.slug));
    let dedupe = format!("backfill:{backfill_id}");
    let news = News::one(NewsKind::Summary, &title, &link, None, &dedupe);
    let readers = readers(conn, row.tenant_id).await?;
    let to = tenant_watchers(conn, row.tenant_id, &readers).await?;
    let told = NewsContext {
        tenant_id: row.tenant_id,
        at,
    };
    tell_all(conn, told, &[(news, &to)], None).await
}

/// The history a backfill's hours discovered.
async fn found_by(
    conn: &impl ConnectionTrait,
    backfill_id: i64,
) -> Result<Vec<discovery::Model>, DbErr> {
    let runs: Vec<i64> = hour_task::Entity::find()
        .filter(hour_task::Column::BackfillId.eq(backfill_id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|t| t.run_id)
        .collect();
    let history = discovery::Entity::find().filter(discovery::Column::News.eq(false));
    let mut rows = crate::sql::find_in(conn, history, discovery::Column::RunId, runs).await?;
    rows.sort_by_key(|d| d.id);
    Ok(rows)
}

/// `acme backfill from … to … found 3 event, 1 key type (history)`.
fn summary_title(row: &backfill::Model, slug: &str, found: &[Found]) -> String {
    let mut by_kind: BTreeMap<NewsKind, usize> = BTreeMap::new();
    for d in found {
        *by_kind.entry(d.kind).or_default() += 1;
    }
    let what: Vec<String> = NewsKind::WATCHABLE
        .iter()
        .filter_map(|k| by_kind.get(k).map(|n| format!("{n} {}", k.label())))
        .collect();
    let hour = |at: i64| Hour::from_epoch_seconds(at).map_or_else(String::new, |h| h.to_string());
    format!(
        "{slug} {} from {} to {} found {} (history)",
        if row.origin == "baseline" {
            "baseline"
        } else {
            "backfill"
        },
        hour(row.from_hour),
        hour(row.to_hour),
        what.join(", ")
    )
}
