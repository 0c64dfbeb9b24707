//! News item by item: each new discovery of an ingestion run told to its watchers and owners,
//! and announced to the tenant's webhooks, once (`discovery:{id}`).

use std::collections::{BTreeMap, BTreeSet};

use blueprint_types::notify::NewsKind;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::discoveries::{Found, Subjects};
use super::notifications::tell_all;
use super::paths::catalog_link;
use super::recipients::{readers, recipients, watches_in};
use crate::channels::webhooks::{News, NewsContext};
use crate::entities::{discovery, ingestion_run, tenant};

/// Discoveries of one run told item by item; beyond them, the rest is told as one summary per
/// person (what was found, by kind), so an hour that brings thousands of new keys — a buggy or
/// hostile client — does not bury every watcher's inbox and every webhook.
pub const ITEMS_PER_RUN: usize = 200;

/// One discovery as it is told: what the notification says, and to whom.
struct Told {
    title: String,
    link: String,
    dedupe: String,
    to: BTreeSet<i64>,
}

/// Tells the news of every run of the tenant whose news is still owed (`news_pending`: written
/// with its hour, not yet told), oldest first, each marked told once it is; stops at the first
/// failure, which leaves that run and the later ones owed. Telling again never tells anyone twice
/// (notifications and webhook deliveries are unique per discovery). Returns how many
/// notifications were created.
pub async fn tell_pending(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    at: i64,
) -> Result<u64, DbErr> {
    let runs: Vec<i64> = ingestion_run::Entity::find()
        .select_only()
        .column(ingestion_run::Column::Id)
        .filter(ingestion_run::Column::TenantId.eq(tenant_id))
        .filter(ingestion_run::Column::NewsPending.eq(true))
        .order_by_asc(ingestion_run::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut told = 0;
    for run_id in runs {
        told += notify_run(conn, tenant_id, run_id, at).await?;
        ingestion_run::Entity::update_many()
            .col_expr(ingestion_run::Column::NewsPending, Expr::value(false))
            .filter(ingestion_run::Column::Id.eq(run_id))
            .exec(conn)
            .await?;
    }
    Ok(told)
}

/// Whether a run's news is still owed.
pub async fn is_pending(conn: &impl ConnectionTrait, run_id: i64) -> Result<bool, DbErr> {
    let pending: Option<bool> = ingestion_run::Entity::find_by_id(run_id)
        .select_only()
        .column(ingestion_run::Column::NewsPending)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(pending.unwrap_or(false))
}

/// Produces the notifications of one ingestion run's news. Returns how many were created (none
/// when the run's news was already told).
pub async fn notify_run(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    run_id: i64,
    at: i64,
) -> Result<u64, DbErr> {
    let rows = discovery::Entity::find()
        .filter(discovery::Column::TenantId.eq(tenant_id))
        .filter(discovery::Column::RunId.eq(run_id))
        .filter(discovery::Column::News.eq(true))
        .order_by_asc(discovery::Column::Id)
        .all(conn)
        .await?;
    let found = Found::of(rows);
    if found.is_empty() {
        return Ok(0);
    }
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
        return Ok(0);
    };
    let subjects = Subjects::load(conn, &found).await?;
    let watches = watches_in(conn, tenant_id).await?;
    let readers = readers(conn, tenant_id).await?;
    let told: Vec<Told> = found
        .iter()
        .map(|d| {
            let on = subjects.of(d);
            Told {
                title: format!("New {}: {}", d.kind.label(), d.row.label),
                link: catalog_link(
                    &tenant.slug,
                    on.event.map(|e| e.name.as_str()),
                    on.screen.map(|s| s.name.as_str()),
                ),
                dedupe: format!("discovery:{}", d.row.id),
                to: recipients(&watches, &readers, d.kind, &on.subject()),
            }
        })
        .collect();
    let mut told = told;
    let rest = told.split_off(told.len().min(ITEMS_PER_RUN));
    let summary = summarise(&found[told.len()..], rest, &tenant.slug, run_id);
    let mut news: Vec<(News<'_>, &BTreeSet<i64>)> = found
        .iter()
        .zip(&told)
        .map(|(d, t)| {
            let news = News {
                kind: d.kind,
                title: &t.title,
                link: &t.link,
                hour: Some(d.row.hour),
                dedupe: &t.dedupe,
            };
            (news, &t.to)
        })
        .collect();
    if let Some((summary, hour)) = &summary {
        let news_of = News {
            kind: NewsKind::Summary,
            title: &summary.title,
            link: &summary.link,
            hour: Some(*hour),
            dedupe: &summary.dedupe,
        };
        news.push((news_of, &summary.to));
    }
    tell_all(conn, NewsContext { tenant_id, at }, &news).await
}

/// The discoveries past [`ITEMS_PER_RUN`] as one piece of news for everyone who would have heard
/// of any of them, with its hour: `1800 more discoveries in shop: 900 key, 900 key type`.
fn summarise(found: &[Found], rest: Vec<Told>, slug: &str, run_id: i64) -> Option<(Told, i64)> {
    let hour = found.first()?.row.hour;
    let mut by_kind: BTreeMap<NewsKind, usize> = BTreeMap::new();
    for d in found {
        *by_kind.entry(d.kind).or_default() += 1;
    }
    let what: Vec<String> = by_kind
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.label()))
        .collect();
    let told = Told {
        title: format!(
            "{} more discoveries in {slug}: {}",
            found.len(),
            what.join(", ")
        ),
        link: catalog_link(slug, None, None),
        dedupe: format!("run:{run_id}:more"),
        to: rest.into_iter().flat_map(|t| t.to).collect(),
    };
    Some((told, hour))
}
