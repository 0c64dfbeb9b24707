//! Writing notifications: each piece of news announced to the tenant's webhooks, then one row per
//! user who hears it — skipped when that user already has it (the same `dedupe` key).

use std::collections::BTreeSet;

use blueprint_types::notify::NewsKind;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use crate::channels::webhooks::{self, More, News, NewsContext};
use crate::entities::notification;

/// A notification for each of `to`, once per user and `dedupe` key.
///
pub(crate) async fn tell(
    conn: &impl ConnectionTrait,
    told: NewsContext,
    to: &BTreeSet<i64>,
    kind: NewsKind,
    title: &str,
    link: &str,
    dedupe: &str,
) -> Result<u64, DbErr> {
    let news = News::one(kind, title, link, None, dedupe);
    tell_all(conn, told, &[(news, to)], None).await
}

/// Announces each piece of news to the tenant's webhooks, then tells it to its users; with
/// `more`, each user and each webhook gets at most its limit of them, in the order given, then one
/// "and N more". Returns how many notifications were new.
pub(crate) async fn tell_all(
    conn: &impl ConnectionTrait,
    told: NewsContext,
    news_to: &[(News<'_>, &BTreeSet<i64>)],
    more: Option<&More<'_>>,
) -> Result<u64, DbErr> {
    let news: Vec<News<'_>> = news_to.iter().map(|(news, _)| news.clone()).collect();
    webhooks::announce(conn, told, &news, more).await?;
    let Some(more) = more else {
        let rows = news_to
            .iter()
            .flat_map(|(news, to)| to.iter().map(|user_id| row(told, *user_id, news)))
            .collect();
        return insert_new(conn, rows).await;
    };
    let users: BTreeSet<i64> = news_to
        .iter()
        .flat_map(|(_, to)| to.iter().copied())
        .collect();
    let mut rows = Vec::new();
    for user_id in users {
        let theirs: Vec<&News<'_>> = news_to
            .iter()
            .filter(|(_, to)| to.contains(&user_id))
            .map(|(news, _)| news)
            .collect();
        rows.extend(
            theirs
                .iter()
                .take(more.limit)
                .map(|news| row(told, user_id, news)),
        );
        if theirs.len() > more.limit {
            let title = more.title(theirs.len() - more.limit);
            let summary = News::one(NewsKind::Summary, &title, more.link, more.hour, more.dedupe);
            rows.push(row(told, user_id, &summary));
        }
    }
    insert_new(conn, rows).await
}

/// The notification of `news` for one user.
fn row(told: NewsContext, user_id: i64, news: &News<'_>) -> notification::ActiveModel {
    notification::ActiveModel {
        user_id: Set(user_id),
        tenant_id: Set(told.tenant_id),
        kind: Set(news.kind.as_str().to_owned()),
        title: Set(news.title.to_owned()),
        link: Set(news.link.to_owned()),
        hour: Set(news.hour),
        dedupe: Set(news.dedupe.to_owned()),
        created_at: Set(told.at),
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
