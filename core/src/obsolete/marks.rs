//! The marks: one open mark per thing found quiet, told once to its owners and watchers; a mark
//! whose thing is seen again is lifted, and that is told too.

use std::collections::{BTreeSet, HashMap};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::snapshot::{Detected, Quiet, Snapshot};
use crate::entities::{event, quiet_mark};
use crate::notify::{self, NewsKind, Subject};

fn key(kind: &str, id: i64, scope: &str) -> String {
    format!("{kind}:{id}:{scope}")
}

/// Marks what is newly quiet and lifts the marks of what is no longer, telling each once.
pub(super) async fn apply(
    conn: &impl ConnectionTrait,
    s: &Snapshot,
    quiet: &[Quiet],
    at: i64,
) -> Result<Detected, DbErr> {
    let open = quiet_mark::Entity::find()
        .filter(quiet_mark::Column::TenantId.eq(s.tenant_id))
        .filter(quiet_mark::Column::LiftedAt.is_null())
        .all(conn)
        .await?;
    let now_open: BTreeSet<String> = quiet
        .iter()
        .map(|q| key(q.kind, q.subject_id, &q.scope))
        .collect();
    let marked: BTreeSet<String> = open
        .iter()
        .map(|m| key(&m.kind, m.subject_id, &m.scope))
        .collect();
    let readers = Readers {
        watches: notify::watches_in(conn, s.tenant_id).await?,
        members: notify::readers(conn, s.tenant_id).await?,
    };
    let mut detected = Detected::default();
    for q in quiet
        .iter()
        .filter(|q| !marked.contains(&key(q.kind, q.subject_id, &q.scope)))
    {
        mark(conn, s.tenant_id, q, &readers, at).await?;
        detected.marked += 1;
    }
    for m in open
        .iter()
        .filter(|m| !now_open.contains(&key(&m.kind, m.subject_id, &m.scope)))
    {
        lift(conn, s, m, &readers, at).await?;
        detected.lifted += 1;
    }
    Ok(detected)
}

/// Who may be told: the tenant's watches and its members.
struct Readers {
    watches: Vec<crate::entities::watch::Model>,
    members: HashMap<String, i64>,
}

async fn mark(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    q: &Quiet,
    readers: &Readers,
    at: i64,
) -> Result<(), DbErr> {
    let mark = quiet_mark::Entity::insert(quiet_mark::ActiveModel {
        tenant_id: Set(tenant_id),
        kind: Set(q.kind.to_owned()),
        subject_id: Set(q.subject_id),
        label: Set(q.label.clone()),
        scope: Set(q.scope.clone()),
        last_seen: Set(q.last_seen),
        marked_at: Set(at),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    let subject = Subject {
        event: q.subject.0.as_deref(),
        screen: q.subject.1.as_deref(),
        application: q.subject.2.as_deref(),
        owners: q.owners.clone(),
    };
    let to = notify::recipients(
        &readers.watches,
        &readers.members,
        NewsKind::Obsolete,
        &subject,
    );
    let dedupe = format!("obsolete:{}", mark.last_insert_id);
    let told = notify::NewsContext { tenant_id, at };
    notify::tell(
        conn,
        told,
        &to,
        NewsKind::Obsolete,
        &q.title,
        &q.link,
        &dedupe,
    )
    .await?;
    Ok(())
}

async fn lift(
    conn: &impl ConnectionTrait,
    s: &Snapshot,
    m: &quiet_mark::Model,
    readers: &Readers,
    at: i64,
) -> Result<(), DbErr> {
    quiet_mark::Entity::update_many()
        .col_expr(quiet_mark::Column::LiftedAt, Expr::value(at))
        .filter(quiet_mark::Column::Id.eq(m.id))
        .exec(conn)
        .await?;
    // The mark's subject, read back by id: its event, screen or application, and its owner.
    let app_by_id = s.app_by_id();
    let app = match m.kind.as_str() {
        "application" => app_by_id.get(&m.subject_id).copied(),
        "version" => s
            .versions
            .iter()
            .find(|v| v.id == m.subject_id)
            .and_then(|v| app_by_id.get(&v.application_id).copied()),
        _ => None,
    };
    let screen_row = s
        .screens
        .iter()
        .find(|sc| m.kind == "screen" && sc.id == m.subject_id);
    let event_by_id: HashMap<i64, &event::Model> = s.events.iter().map(|e| (e.id, e)).collect();
    let event_row = event_by_id
        .get(&m.subject_id)
        .copied()
        .filter(|_| m.kind == "event");
    let event = event_row.map(|e| e.name.clone());
    let screen_name = screen_row.map(|sc| sc.name.clone());
    let owners: Vec<String> = [
        event_row.and_then(|e| e.owner.clone()),
        screen_row.and_then(|sc| sc.owner.clone()),
        app.and_then(|a| a.owner.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let app = app.map(|a| a.name.clone());
    let subject = Subject {
        event: event.as_deref(),
        screen: screen_name.as_deref(),
        application: app.as_deref(),
        owners,
    };
    let to = notify::recipients(
        &readers.watches,
        &readers.members,
        NewsKind::Returned,
        &subject,
    );
    let what = if m.scope == "retired" {
        format!("{} {} is sent by the newest version again", m.kind, m.label)
    } else {
        format!("{} {} is back", m.kind, m.label)
    };
    let link = format!("/t/{}", s.slug);
    let dedupe = format!("returned:{}", m.id);
    let told = notify::NewsContext {
        tenant_id: s.tenant_id,
        at,
    };
    notify::tell(conn, told, &to, NewsKind::Returned, &what, &link, &dedupe).await?;
    Ok(())
}
