//! News of an ingestion run: its discoveries grouped (`groups`), told to their watchers and
//! owners and announced to the tenant's webhooks, once (`discovery:{id}` of each notice's first
//! discovery), at most [`ITEMS_PER_HOUR`] per reader, then one "and N more" (`run:{id}:more`).

use std::collections::BTreeSet;

use blueprint_types::notify::NewsKind;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::discoveries::{Found, Subjects};
use super::groups::notices;
use super::notifications::tell_all;
use super::paths::path_segment;
use super::recipients::{readers, watches_in};
use crate::channels::webhooks::{More, News, NewsContext};
use crate::entities::{discovery, hour_task, ingested_hour, ingestion_run, tenant};
use crate::time::hour_text;

/// At most this many notices per person (and per webhook) for one tenant and ingested hour;
/// beyond them, one "and N more" that points to the catalog's events new since that day. Grouping
/// keeps a new event with all its combinations and keys to one notice, so the bound is reached
/// only by an hour that truly brings many things (a release, a buggy or hostile client).
pub const ITEMS_PER_HOUR: usize = 10;

/// Tells the news of every run of the tenant whose news is still owed (`news_pending`: written
/// with its hour, not yet told), oldest first, each marked told once it is — a run of a forward
/// backfill once the backfill's earlier hours are in (it stays owed until then); stops at the first
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
        if waits_for_earlier_hours(conn, tenant_id, run_id).await? {
            continue;
        }
        told += notify_run(conn, tenant_id, run_id, at).await?;
        ingestion_run::Entity::update_many()
            .col_expr(ingestion_run::Column::NewsPending, Expr::value(false))
            .filter(ingestion_run::Column::Id.eq(run_id))
            .exec(conn)
            .await?;
    }
    Ok(told)
}

/// Whether a run of a forward backfill waits for the backfill's earlier hours: its news is told
/// once every earlier hour of the backfill is ingested (or has ended without it), so an earlier
/// hour ingested later has dated what it tells first, and webhooks get the true hour too.
async fn waits_for_earlier_hours(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    run_id: i64,
) -> Result<bool, DbErr> {
    let Some(run) = ingestion_run::Entity::find_by_id(run_id).one(conn).await? else {
        return Ok(false);
    };
    if run.trigger != crate::ingestion::Trigger::Backfill.as_str() {
        return Ok(false);
    }
    // The task of the run's hour (its run is recorded on it only once it ends).
    let Some(task) = hour_task::Entity::find()
        .filter(hour_task::Column::TenantId.eq(tenant_id))
        .filter(hour_task::Column::Hour.eq(run.hour))
        .filter(hour_task::Column::BackfillId.is_not_null())
        .order_by_desc(hour_task::Column::Id)
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let open: Vec<i64> = hour_task::Entity::find()
        .select_only()
        .column(hour_task::Column::Hour)
        .filter(hour_task::Column::BackfillId.eq(task.backfill_id))
        .filter(hour_task::Column::Hour.lt(task.hour))
        .filter(hour_task::Column::State.is_in(["queued", "running"]))
        .into_tuple()
        .all(conn)
        .await?;
    if open.is_empty() {
        return Ok(false);
    }
    let ingested = crate::sql::find_in(
        conn,
        ingested_hour::Entity::find().filter(ingested_hour::Column::TenantId.eq(tenant_id)),
        ingested_hour::Column::Hour,
        open.iter().copied(),
    )
    .await?
    .len();
    Ok(ingested < open.len())
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
    let told_events = told_events(conn, tenant_id, &found, &subjects).await?;
    let notices = notices(
        &found,
        &subjects,
        &told_events,
        &tenant.slug,
        &watches,
        &readers,
    );
    let news: Vec<(News<'_>, &BTreeSet<i64>)> = notices
        .iter()
        .map(|n| {
            let news = News {
                kind: n.kind,
                title: &n.title,
                link: &n.link,
                hour: Some(n.hour),
                dedupe: &n.dedupe,
                also: n.also.clone(),
                items: n.items.clone(),
            };
            (news, &n.to)
        })
        .collect();
    let hour = found.iter().map(|d| d.row.hour).min().unwrap_or_default();
    let dedupe = format!("run:{run_id}:more");
    let link = more_link(&tenant.slug, hour);
    let about = format!("{} at {}", tenant.slug, hour_text(hour));
    let more = More {
        limit: ITEMS_PER_HOUR,
        dedupe: &dedupe,
        link: &link,
        hour: Some(hour),
        about: &about,
    };
    tell_all(conn, NewsContext { tenant_id, at }, &news, Some(&more)).await
}

/// The events of the run's new combinations whose own discovery was news (told, or to be).
async fn told_events(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    found: &[Found],
    subjects: &Subjects,
) -> Result<BTreeSet<i64>, DbErr> {
    let events = found
        .iter()
        .filter(|d| d.kind == NewsKind::Combination)
        .filter_map(|d| subjects.of(d).event.map(|e| e.id));
    let news = discovery::Entity::find()
        .filter(discovery::Column::TenantId.eq(tenant_id))
        .filter(discovery::Column::Kind.eq(NewsKind::Event.as_str()))
        .filter(discovery::Column::News.eq(true));
    Ok(
        crate::sql::find_in(conn, news, discovery::Column::SubjectId, events)
            .await?
            .into_iter()
            .map(|d| d.subject_id)
            .collect(),
    )
}

/// The catalog's events first seen on or after the day of `hour` (the events page filters new
/// events by day).
fn more_link(slug: &str, hour: i64) -> String {
    let day = chrono::DateTime::from_timestamp(hour, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    format!("/t/{}/events?new_since={day}", path_segment(slug))
}
