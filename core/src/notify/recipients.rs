//! Who is told: the watchers of a piece of news (or of its tenant) who want its kind, and the
//! owners of what it is about — always members (or admins) of the tenant.

use std::collections::{BTreeSet, HashMap};

use blueprint_types::notify::NewsKind;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::{membership, user, watch};

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
///
/// The kind is a [`NewsKind`]; obsolete detection and roll-outs still pass its stored name, and a
/// name that is no kind reaches only the watchers of every kind (and the owners).
pub(crate) fn recipients(
    watches: &[watch::Model],
    readers: &HashMap<String, i64>,
    kind: impl TryInto<NewsKind>,
    subject: &Subject<'_>,
) -> BTreeSet<i64> {
    let kind = kind.try_into().ok();
    let mut to: BTreeSet<i64> = watches
        .iter()
        .filter(|w| w.news.is_empty() || kind.is_some_and(|kind| wants(&w.news, kind)))
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

/// Whether a watch's stored list of kinds (comma-separated) names `kind`.
fn wants(news: &str, kind: NewsKind) -> bool {
    news.split(',').any(|k| k == kind.as_str())
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

/// The watchers of the tenant itself who may still read it: those told of its history.
pub(super) async fn tenant_watchers(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    readers: &HashMap<String, i64>,
) -> Result<BTreeSet<i64>, DbErr> {
    Ok(watch::Entity::find()
        .filter(watch::Column::TenantId.eq(tenant_id))
        .filter(watch::Column::Target.eq("tenant"))
        .all(conn)
        .await?
        .into_iter()
        .filter(|w| readers.values().any(|id| *id == w.user_id))
        .map(|w| w.user_id)
        .collect())
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
