//! Telling a change of a stage's verdict to the application's watchers and owner and the owners
//! of the events its failing checks are about (inbox, and through them email and webhooks).

use std::collections::BTreeSet;

use blueprint_types::rollouts::{Evaluation, Verdict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::evaluate::Subject;
use crate::entities::{application, event, rollout, tenant};
use crate::notify::{self, Subject as NewsSubject};

/// A recorded change of a stage's verdict.
pub(super) struct Change<'a> {
    pub subject: &'a Subject,
    pub stage: i32,
    pub evaluation: &'a Evaluation,
    /// The events the failing checks are about.
    pub implicated: &'a BTreeSet<i64>,
    /// The change's record.
    pub verdict_id: i64,
}

/// The application's owner and the owners of the `implicated` events.
async fn owners(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    implicated: &BTreeSet<i64>,
) -> Result<Vec<String>, DbErr> {
    let mut owners: Vec<String> = app.owner.iter().cloned().collect();
    owners.extend(
        event::Entity::find()
            .filter(event::Column::Id.is_in(implicated.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|e| e.owner),
    );
    Ok(owners)
}

/// `Roll-out of Shop 3.2 (Android) against 3.1 at 5 %: fail — …` (the reason only on a fail).
fn title(app: &application::Model, change: &Change<'_>) -> String {
    let Change {
        subject,
        stage,
        evaluation,
        ..
    } = change;
    let mut title = format!(
        "Roll-out of {} {} ({}) against {} at {stage} %: {}",
        app.name,
        subject.candidate.version,
        app.platform,
        subject.baseline.version,
        evaluation.verdict
    );
    if evaluation.verdict == Verdict::Fail {
        title.push_str(&format!(" — {}", evaluation.reason));
    }
    title
}

/// Tells `change` of roll-out `row` to everyone who should hear of it.
pub(super) async fn tell(
    conn: &impl ConnectionTrait,
    row: &rollout::Model,
    change: &Change<'_>,
    at: i64,
) -> Result<(), DbErr> {
    let Some(app) = application::Entity::find_by_id(row.application_id)
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let Some(tenant) = tenant::Entity::find_by_id(row.tenant_id).one(conn).await? else {
        return Ok(());
    };
    let who = NewsSubject {
        application: Some(app.name.as_str()),
        owners: owners(conn, &app, change.implicated).await?,
        ..NewsSubject::default()
    };
    let watches = notify::watches_in(conn, row.tenant_id).await?;
    let readers = notify::readers(conn, row.tenant_id).await?;
    let to = notify::recipients(&watches, &readers, notify::NewsKind::Rollout, &who);
    let link = format!(
        "/t/{}/rollouts/{}",
        notify::path_segment(&tenant.slug),
        row.id
    );
    let context = notify::NewsContext {
        tenant_id: row.tenant_id,
        at,
    };
    notify::tell(
        conn,
        context,
        &to,
        notify::NewsKind::Rollout,
        &title(&app, change),
        &link,
        &format!("rollout-verdict:{}", change.verdict_id),
    )
    .await?;
    Ok(())
}
