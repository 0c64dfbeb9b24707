//! Watches and the inbox. Any member watches a tenant, an application, a screen or an event and
//! chooses the kinds of news they want; owners hear about what they own without asking. From the
//! discoveries ingestion writes, notifications are produced: *news* item by item, *history* (a
//! baseline, a backfill) as one summary when the backfill ends (DESIGN.md, "Ledger semantics").
//! Each notification carries a `dedupe` key unique per user — the discovery, or the backfill — so
//! the same news never reaches a person twice, whatever re-ingestion, retry or second worker does.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use blueprint_types::notify::{Inbox, InboxItem, NEWS_KINDS, Watch, WatchRequest};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::channels::webhooks;
use crate::entities::{
    app_version, application, combination, discovery, event, event_key, key_type, membership,
    notification, screen, tenant, user, watch,
};
use crate::hour::Hour;
use crate::jobs::{instant, now};

pub const TARGETS: [&str; 4] = ["tenant", "application", "screen", "event"];

/// A path segment, percent-encoded (for links stored with notifications).
pub(crate) fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

fn watch_view(row: watch::Model, slug: &str) -> Watch {
    Watch {
        id: row.id,
        tenant: slug.to_owned(),
        target: row.target,
        name: row.name,
        news: row
            .news
            .split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: instant(row.created_at),
    }
}

/// Adds a watch, or changes the kinds of news of the caller's watch on the same subject. The
/// subject must exist in the tenant's catalog; an unknown target, name or kind changes nothing.
pub async fn watch_as(
    services: &Services,
    actor: &Actor,
    request: &WatchRequest,
) -> Result<Watch, ServiceError> {
    let tenant = crate::tenants::visible(services, actor, &request.tenant).await?;
    let target = request.target.as_str();
    if !TARGETS.contains(&target) {
        return Err(invalid(format!(
            "target `{target}` is not one of tenant, application, screen, event"
        )));
    }
    let name = request.name.clone().unwrap_or_default();
    let conn = services.db.conn();
    let exists = match target {
        "tenant" => {
            if !name.is_empty() && name != tenant.slug {
                return Err(invalid("a tenant watch takes no name"));
            }
            true
        }
        "application" => {
            application::Entity::find()
                .filter(application::Column::TenantId.eq(tenant.id))
                .filter(application::Column::Name.eq(&name))
                .count(conn)
                .await?
                > 0
        }
        "screen" => {
            screen::Entity::find()
                .filter(screen::Column::TenantId.eq(tenant.id))
                .filter(screen::Column::Name.eq(&name))
                .count(conn)
                .await?
                > 0
        }
        _ => {
            event::Entity::find()
                .filter(event::Column::TenantId.eq(tenant.id))
                .filter(event::Column::Name.eq(&name))
                .count(conn)
                .await?
                > 0
        }
    };
    if !exists {
        return Err(invalid(format!(
            "{} has no {target} named `{name}`",
            tenant.slug
        )));
    }
    let name = if target == "tenant" {
        String::new()
    } else {
        name
    };
    let mut kinds: Vec<String> = request.news.clone().unwrap_or_default();
    kinds.sort();
    kinds.dedup();
    if let Some(bad) = kinds.iter().find(|k| !NEWS_KINDS.contains(&k.as_str())) {
        return Err(invalid(format!(
            "`{bad}` is not a kind of news; use {}",
            NEWS_KINDS.join(", ")
        )));
    }
    let news = kinds.join(",");
    watch::Entity::insert(watch::ActiveModel {
        user_id: Set(actor.user_id),
        tenant_id: Set(tenant.id),
        target: Set(target.to_owned()),
        name: Set(name.clone()),
        news: Set(news),
        created_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            watch::Column::UserId,
            watch::Column::TenantId,
            watch::Column::Target,
            watch::Column::Name,
        ])
        .update_column(watch::Column::News)
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let row = watch::Entity::find()
        .filter(watch::Column::UserId.eq(actor.user_id))
        .filter(watch::Column::TenantId.eq(tenant.id))
        .filter(watch::Column::Target.eq(target))
        .filter(watch::Column::Name.eq(&name))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(watch_view(row, &tenant.slug))
}

/// The caller's watches in the tenants they can still see.
pub async fn watches_of(services: &Services, actor: &Actor) -> Result<Vec<Watch>, ServiceError> {
    let conn = services.db.conn();
    let slugs = slugs(conn).await?;
    Ok(watch::Entity::find()
        .filter(watch::Column::UserId.eq(actor.user_id))
        .order_by_asc(watch::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|w| actor.can_read(w.tenant_id))
        .map(|w| {
            let slug = slugs.get(&w.tenant_id).cloned().unwrap_or_default();
            watch_view(w, &slug)
        })
        .collect())
}

/// Removes one of the caller's watches.
pub async fn unwatch_as(services: &Services, actor: &Actor, id: i64) -> Result<(), ServiceError> {
    let deleted = watch::Entity::delete_many()
        .filter(watch::Column::Id.eq(id))
        .filter(watch::Column::UserId.eq(actor.user_id))
        .exec(services.db.conn())
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

async fn slugs(conn: &impl ConnectionTrait) -> Result<HashMap<i64, String>, DbErr> {
    Ok(tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect())
}

/// What a discovery is about: its event, screen and application where it has them.
#[derive(Clone, Debug, Default)]
struct About {
    event: Option<i64>,
    screen: Option<i64>,
    application: Option<i64>,
}

async fn about(
    conn: &impl ConnectionTrait,
    found: &[discovery::Model],
) -> Result<HashMap<i64, About>, DbErr> {
    let ids = |kind: &str| -> Vec<i64> {
        found
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.subject_id)
            .collect()
    };
    let versions: HashMap<i64, i64> = app_version::Entity::find()
        .filter(app_version::Column::Id.is_in(ids("version")))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v.application_id))
        .collect();
    let combos: HashMap<i64, combination::Model> = combination::Entity::find()
        .filter(combination::Column::Id.is_in(ids("combination")))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let combo_versions: HashMap<i64, i64> = app_version::Entity::find()
        .filter(app_version::Column::Id.is_in(combos.values().map(|c| c.version_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v.application_id))
        .collect();
    let key_types: HashMap<i64, i64> = key_type::Entity::find()
        .filter(key_type::Column::Id.is_in(ids("key_type")))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.key_id))
        .collect();
    let key_ids: Vec<i64> = ids("key")
        .into_iter()
        .chain(key_types.values().copied())
        .collect();
    let keys: HashMap<i64, i64> = event_key::Entity::find()
        .filter(event_key::Column::Id.is_in(key_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|k| (k.id, k.event_id))
        .collect();
    Ok(found
        .iter()
        .map(|d| {
            let s = d.subject_id;
            let about = match d.kind.as_str() {
                "application" => About {
                    application: Some(s),
                    ..About::default()
                },
                "version" => About {
                    application: versions.get(&s).copied(),
                    ..About::default()
                },
                "screen" => About {
                    screen: Some(s),
                    ..About::default()
                },
                "event" => About {
                    event: Some(s),
                    ..About::default()
                },
                "combination" => combos.get(&s).map_or_else(About::default, |c| About {
                    event: Some(c.event_id),
                    screen: Some(c.screen_id),
                    application: combo_versions.get(&c.version_id).copied(),
                }),
                "key" => About {
                    event: keys.get(&s).copied(),
                    ..About::default()
                },
                "key_type" => About {
                    event: key_types.get(&s).and_then(|k| keys.get(k)).copied(),
                    ..About::default()
                },
                _ => About::default(),
            };
            (d.id, about)
        })
        .collect())
}

fn kind_text(kind: &str) -> &str {
    match kind {
        "key_type" => "key type",
        other => other,
    }
}

/// Produces the notifications of one ingestion run's news. Returns how many were created (none
/// when the run's news was already told).
pub async fn notify_run(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    run_id: i64,
) -> Result<u64, DbErr> {
    let found = discovery::Entity::find()
        .filter(discovery::Column::TenantId.eq(tenant_id))
        .filter(discovery::Column::RunId.eq(run_id))
        .filter(discovery::Column::News.eq(true))
        .order_by_asc(discovery::Column::Id)
        .all(conn)
        .await?;
    if found.is_empty() {
        return Ok(0);
    }
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
        return Ok(0);
    };
    let about = about(conn, &found).await?;
    let events: HashMap<i64, event::Model> = event::Entity::find()
        .filter(event::Column::Id.is_in(about.values().filter_map(|a| a.event)))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let screens: HashMap<i64, screen::Model> = screen::Entity::find()
        .filter(screen::Column::Id.is_in(about.values().filter_map(|a| a.screen)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let applications: HashMap<i64, application::Model> = application::Entity::find()
        .filter(application::Column::Id.is_in(about.values().filter_map(|a| a.application)))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let watches = watches_in(conn, tenant_id).await?;
    let readers = readers(conn, tenant_id).await?;
    let mut rows = Vec::new();
    let mut announced = Vec::with_capacity(found.len());
    for d in &found {
        let on = about.get(&d.id).cloned().unwrap_or_default();
        let event = on.event.and_then(|id| events.get(&id));
        let screen = on.screen.and_then(|id| screens.get(&id));
        let app = on.application.and_then(|id| applications.get(&id));
        let subject = Subject {
            event: event.map(|e| e.name.as_str()),
            screen: screen.map(|s| s.name.as_str()),
            application: app.map(|a| a.name.as_str()),
            owners: [
                event.and_then(|e| e.owner.clone()),
                screen.and_then(|s| s.owner.clone()),
                app.and_then(|a| a.owner.clone()),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        let to = recipients(&watches, &readers, &d.kind, &subject);
        let link = match (event, screen) {
            (Some(e), _) => format!(
                "/t/{}/events/{}",
                path_segment(&tenant.slug),
                path_segment(&e.name)
            ),
            (None, Some(s)) => {
                format!(
                    "/t/{}/screens/{}",
                    path_segment(&tenant.slug),
                    path_segment(&s.name)
                )
            }
            _ => format!("/t/{}/applications", path_segment(&tenant.slug)),
        };
        let title = format!("New {}: {}", kind_text(&d.kind), d.label);
        announced.push((title.clone(), link.clone(), format!("discovery:{}", d.id)));
        for user_id in to {
            rows.push(notification::ActiveModel {
                user_id: Set(user_id),
                tenant_id: Set(tenant_id),
                kind: Set(d.kind.clone()),
                title: Set(title.clone()),
                link: Set(link.clone()),
                hour: Set(Some(d.hour)),
                dedupe: Set(format!("discovery:{}", d.id)),
                created_at: Set(now()),
                ..Default::default()
            });
        }
    }
    let hooks: Vec<webhooks::News<'_>> = found
        .iter()
        .zip(&announced)
        .map(|(d, (title, link, dedupe))| webhooks::News {
            kind: &d.kind,
            title,
            link,
            hour: Some(d.hour),
            dedupe,
        })
        .collect();
    webhooks::announce(conn, tenant_id, &hooks).await?;
    insert_new(conn, rows).await
}

/// What a piece of news is about, for finding who hears it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Subject<'a> {
    pub event: Option<&'a str>,
    pub screen: Option<&'a str>,
    pub application: Option<&'a str>,
    /// The `owner` fields (emails) of the event, screen and application.
    pub owners: Vec<String>,
}

/// Who hears news of `kind` about `subject`: the watchers of it (or of its tenant) who want that
/// kind, and its owners — members (or admins) of the tenant only.
pub(crate) fn recipients(
    watches: &[watch::Model],
    readers: &HashMap<String, i64>,
    kind: &str,
    subject: &Subject<'_>,
) -> BTreeSet<i64> {
    let mut to: BTreeSet<i64> = watches
        .iter()
        .filter(|w| w.news.is_empty() || w.news.split(',').any(|k| k == kind))
        .filter(|w| match w.target.as_str() {
            "tenant" => true,
            "event" => subject.event == Some(w.name.as_str()),
            "screen" => subject.screen == Some(w.name.as_str()),
            "application" => subject.application == Some(w.name.as_str()),
            _ => false,
        })
        .map(|w| w.user_id)
        .collect();
    for owner in &subject.owners {
        if let Some(id) = readers.get(&owner.to_lowercase()) {
            to.insert(*id);
        }
    }
    to.retain(|id| readers.values().any(|r| r == id));
    to
}

/// A tenant's watches.
pub(crate) async fn watches_in(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Vec<watch::Model>, DbErr> {
    watch::Entity::find()
        .filter(watch::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await
}

/// A notification for each of `to`, once per user and `dedupe` key.
pub(crate) async fn tell(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    to: &BTreeSet<i64>,
    kind: &str,
    title: &str,
    link: &str,
    dedupe: &str,
) -> Result<u64, DbErr> {
    let news = webhooks::News {
        kind,
        title,
        link,
        hour: None,
        dedupe,
    };
    webhooks::announce(conn, tenant_id, &[news]).await?;
    let rows = to
        .iter()
        .map(|user_id| notification::ActiveModel {
            user_id: Set(*user_id),
            tenant_id: Set(tenant_id),
            kind: Set(kind.to_owned()),
            title: Set(title.to_owned()),
            link: Set(link.to_owned()),
            hour: Set(None),
            dedupe: Set(dedupe.to_owned()),
            created_at: Set(now()),
            ..Default::default()
        })
        .collect();
    insert_new(conn, rows).await
}

/// Users who may read a tenant (its members and every admin), by lower-cased email.
pub(crate) async fn readers(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<HashMap<String, i64>, DbErr> {
    let members: BTreeSet<i64> = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Disabled.eq(false))
        .all(conn)
        .await?
        .into_iter()
        .filter(|u| u.is_admin || members.contains(&u.id))
        .map(|u| (u.email.to_lowercase(), u.id))
        .collect())
}

/// Inserts notifications, skipping any whose news the user already has.
async fn insert_new(
    conn: &impl ConnectionTrait,
    rows: Vec<notification::ActiveModel>,
) -> Result<u64, DbErr> {
    let mut created = 0;
    for chunk in rows.chunks(200) {
        let inserted = notification::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([notification::Column::UserId, notification::Column::Dedupe])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await;
        match inserted {
            Ok(n) => created += n,
            Err(DbErr::RecordNotInserted) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(created)
}

/// One summary per tenant watcher of what a finished backfill found (history is never pushed
/// item by item). Nothing when it found nothing new.
pub async fn notify_backfill(conn: &impl ConnectionTrait, backfill_id: i64) -> Result<u64, DbErr> {
    use crate::entities::{backfill, hour_task};
    let Some(row) = backfill::Entity::find_by_id(backfill_id).one(conn).await? else {
        return Ok(0);
    };
    let runs: Vec<i64> = hour_task::Entity::find()
        .filter(hour_task::Column::BackfillId.eq(backfill_id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|t| t.run_id)
        .collect();
    let found = discovery::Entity::find()
        .filter(discovery::Column::RunId.is_in(runs))
        .filter(discovery::Column::News.eq(false))
        .all(conn)
        .await?;
    if found.is_empty() {
        return Ok(0);
    }
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &found {
        *by_kind.entry(d.kind.as_str()).or_default() += 1;
    }
    let Some(tenant) = tenant::Entity::find_by_id(row.tenant_id).one(conn).await? else {
        return Ok(0);
    };
    let what: Vec<String> = NEWS_KINDS
        .iter()
        .filter_map(|k| by_kind.get(k).map(|n| format!("{n} {}", kind_text(k))))
        .collect();
    let (from, to) = (
        Hour::from_epoch_seconds(row.from_hour).map_or_else(String::new, |h| h.to_string()),
        Hour::from_epoch_seconds(row.to_hour).map_or_else(String::new, |h| h.to_string()),
    );
    let title = format!(
        "{} {} from {from} to {to} found {} (history)",
        tenant.slug,
        if row.origin == "baseline" {
            "baseline"
        } else {
            "backfill"
        },
        what.join(", ")
    );
    let link = format!("/t/{}", path_segment(&tenant.slug));
    let dedupe = format!("backfill:{backfill_id}");
    let news = webhooks::News {
        kind: "summary",
        title: &title,
        link: &link,
        hour: None,
        dedupe: &dedupe,
    };
    webhooks::announce(conn, row.tenant_id, &[news]).await?;
    let readers = readers(conn, row.tenant_id).await?;
    let rows = watch::Entity::find()
        .filter(watch::Column::TenantId.eq(row.tenant_id))
        .filter(watch::Column::Target.eq("tenant"))
        .all(conn)
        .await?
        .into_iter()
        .filter(|w| readers.values().any(|id| *id == w.user_id))
        .map(|w| notification::ActiveModel {
            user_id: Set(w.user_id),
            tenant_id: Set(row.tenant_id),
            kind: Set("summary".to_owned()),
            title: Set(title.clone()),
            link: Set(link.clone()),
            hour: Set(None),
            dedupe: Set(dedupe.clone()),
            created_at: Set(now()),
            ..Default::default()
        })
        .collect();
    insert_new(conn, rows).await
}

/// Filters of the inbox.
#[derive(Clone, Debug, Default)]
pub struct InboxQuery {
    pub unread_only: bool,
    pub tenant: Option<String>,
    pub kind: Option<String>,
    pub limit: u64,
}

/// The caller's inbox, newest first, in the tenants they can still see.
pub async fn inbox_of(
    services: &Services,
    actor: &Actor,
    query: &InboxQuery,
) -> Result<Inbox, ServiceError> {
    let conn = services.db.conn();
    let slugs = slugs(conn).await?;
    let mut find = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .order_by_desc(notification::Column::Id);
    if query.unread_only {
        find = find.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(slug) = query.tenant.as_deref().filter(|s| !s.is_empty()) {
        let id = slugs
            .iter()
            .find(|(_, s)| s.as_str() == slug)
            .map(|(id, _)| *id)
            .filter(|id| actor.can_read(*id))
            .ok_or(ServiceError::NotFound)?;
        find = find.filter(notification::Column::TenantId.eq(id));
    }
    if let Some(kind) = query.kind.as_deref().filter(|k| !k.is_empty()) {
        if kind != "summary" && !NEWS_KINDS.contains(&kind) {
            return Err(invalid(format!("`{kind}` is not a kind of news")));
        }
        find = find.filter(notification::Column::Kind.eq(kind));
    }
    let items = find
        .limit(query.limit.clamp(1, 500))
        .all(conn)
        .await?
        .into_iter()
        .filter(|n| actor.can_read(n.tenant_id))
        .map(|n| InboxItem {
            id: n.id,
            tenant: slugs.get(&n.tenant_id).cloned().unwrap_or_default(),
            kind: n.kind,
            title: n.title,
            link: n.link,
            hour: n
                .hour
                .and_then(Hour::from_epoch_seconds)
                .map(|h| h.to_string()),
            created_at: instant(n.created_at),
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(Inbox {
        unread: unread_count(services, actor).await?,
        items,
    })
}

pub async fn unread_count(services: &Services, actor: &Actor) -> Result<i64, ServiceError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(services.db.conn())
        .await? as i64)
}

/// Marks the caller's notifications read: the given ones, or all of them when `ids` is `None`.
/// Returns how many are left unread.
pub async fn mark_read_as(
    services: &Services,
    actor: &Actor,
    ids: Option<Vec<i64>>,
) -> Result<i64, ServiceError> {
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now()))
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(notification::Column::Id.is_in(ids));
    }
    update.exec(services.db.conn()).await?;
    unread_count(services, actor).await
}
