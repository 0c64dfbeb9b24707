//! Writing notifications: each piece of news announced to the tenant's webhooks, then one row per
//! user who hears it — skipped when that user already has it (the same `dedupe` key).

use std::collections::BTreeSet;

use blueprint_types::notify::NewsKind;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use crate::channels::webhooks::{self, News};
use crate::entities::notification;
use crate::jobs::now;

/// A notification for each of `to`, once per user and `dedupe` key.
///
/// The kind is a [`NewsKind`]; obsolete detection and roll-outs still pass its stored name,
/// which must be one.
pub(crate) async fn tell<K>(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    to: &BTreeSet<i64>,
    kind: K,
    title: &str,
    link: &str,
    dedupe: &str,
) -> Result<u64, DbErr>
where
    K: TryInto<NewsKind>,
    K::Error: std::fmt::Display,
{
    let kind = kind
        .try_into()
        .map_err(|err| DbErr::Custom(err.to_string()))?;
    let news = News {
        kind,
        title,
        link,
        hour: None,
        dedupe,
    };
    tell_all(conn, tenant_id, &[(news, to)]).await
}

/// Announces each piece of news to the tenant's webhooks, then tells it to its users. Returns how
/// many notifications were new.
pub(super) async fn tell_all(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    told: &[(News<'_>, &BTreeSet<i64>)],
) -> Result<u64, DbErr> {
    let news: Vec<News<'_>> = told.iter().map(|(news, _)| news.clone()).collect();
    webhooks::announce(conn, tenant_id, &news).await?;
    let rows = told
        .iter()
        .flat_map(|(news, to)| to.iter().map(|user_id| row(tenant_id, *user_id, news)))
        .collect();
    insert_new(conn, rows).await
}

/// The notification of `news` for one user.
fn row(tenant_id: i64, user_id: i64, news: &News<'_>) -> notification::ActiveModel {
    notification::ActiveModel {
        user_id: Set(user_id),
        tenant_id: Set(tenant_id),
        kind: Set(news.kind.as_str().to_owned()),
        title: Set(news.title.to_owned()),
        link: Set(news.link.to_owned()),
        hour: Set(news.hour),
        dedupe: Set(news.dedupe.to_owned()),
        created_at: Set(now()),
        ..Default::default()
    }
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
