//! Opening roll-outs: by itself for each new version that is news, against the version with the
//! most sessions in the 24 hours before, and by hand (owners, admins and the command line), which
//! also opens a closed one again.

use blueprint_types::rollouts::{OpenRollout, RolloutReport, RolloutState, Verdict};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};

use super::evaluate::SHARE_HOURS;
use super::lookup::{Target, invalid, reload, resolve, rollout_of, tenant_named};
use super::plan::default_plan;
use super::record::evaluate_and_record;
use super::report::report_of;
use super::row::state_of;
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::{app_version, discovery, hourly_session, rollout, tenant};

/// The version of `application_id` with the most sessions in the 24 hours before `hour`, other
/// than `candidate` (ties: the one seen first).
async fn busiest_before(
    conn: &impl ConnectionTrait,
    application_id: i64,
    candidate: i64,
    hour: i64,
) -> Result<Option<app_version::Model>, DbErr> {
    let versions: Vec<app_version::Model> = app_version::Entity::find()
        .filter(app_version::Column::ApplicationId.eq(application_id))
        .filter(app_version::Column::Id.ne(candidate))
        .all(conn)
        .await?;
    let ids: Vec<i64> = versions.iter().map(|v| v.id).collect();
    let sessions: Vec<(i64, Option<i64>)> = hourly_session::Entity::find()
        .select_only()
        .column(hourly_session::Column::VersionId)
        .column_as(
            Expr::cust("CAST(SUM(hourly_sessions.sessions) AS BIGINT)"),
            "sessions",
        )
        .filter(hourly_session::Column::VersionId.is_in(ids))
        .filter(hourly_session::Column::Hour.gte(hour - SHARE_HOURS * 3_600))
        .filter(hourly_session::Column::Hour.lt(hour))
        .group_by(hourly_session::Column::VersionId)
        .into_tuple()
        .all(conn)
        .await?;
    let first = |id: i64| {
        versions
            .iter()
            .find(|v| v.id == id)
            .and_then(|v| v.first_seen)
            .unwrap_or(i64::MAX)
    };
    let best = sessions
        .into_iter()
        .filter_map(|(id, n)| n.filter(|n| *n > 0).map(|n| (id, n)))
        .max_by(|a, b| a.1.cmp(&b.1).then(first(b.0).cmp(&first(a.0))));
    Ok(best.and_then(|(id, _)| versions.into_iter().find(|v| v.id == id)))
}

/// Inserts a roll-out unless the candidate has one; returns the candidate's roll-out.
async fn insert(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    application_id: i64,
    candidate: &app_version::Model,
    baseline: &app_version::Model,
    opened_by: &str,
    at: i64,
) -> Result<rollout::Model, DbErr> {
    let plan = serde_json::to_string(&default_plan(tenant)).unwrap_or_default();
    let inserted = rollout::Entity::insert(rollout::ActiveModel {
        tenant_id: Set(tenant.id),
        application_id: Set(application_id),
        candidate_id: Set(candidate.id),
        baseline_id: Set(baseline.id),
        state: Set(RolloutState::Open.as_str().into()),
        opened_by: Set(opened_by.to_owned()),
        plan: Set(plan),
        verdict: Set(Verdict::Pending.as_str().into()),
        created_at: Set(at),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([rollout::Column::ApplicationId, rollout::Column::CandidateId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await;
    match inserted {
        Ok(_) | Err(DbErr::RecordNotInserted) => {}
        Err(err) => return Err(err),
    }
    rollout_of(conn, application_id, candidate.id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the roll-out just opened".into()))
}

/// Opens a roll-out for each new version that is news in ingestion run `run_id`, against the
/// busiest other version of the 24 hours before it appeared.
pub(super) async fn open_for_news(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    run_id: i64,
    at: i64,
) -> Result<(), DbErr> {
    let news = discovery::Entity::find()
        .filter(discovery::Column::RunId.eq(run_id))
        .filter(discovery::Column::Kind.eq("version"))
        .filter(discovery::Column::News.eq(true))
        .all(conn)
        .await?;
    for found in news {
        let Some(candidate) = app_version::Entity::find_by_id(found.subject_id)
            .one(conn)
            .await?
        else {
            continue;
        };
        let app = candidate.application_id;
        let Some(baseline) = busiest_before(conn, app, candidate.id, found.hour).await? else {
            continue;
        };
        let row = insert(conn, tenant, app, &candidate, &baseline, "automatic", at).await?;
        tracing::info!(
            tenant = tenant.slug,
            rollout = row.id,
            candidate = candidate.version,
            baseline = baseline.version,
            "roll-out opened"
        );
    }
    Ok(())
}

/// The tenant `actor` opens a roll-out in (owners and admins; `None`: the command line).
async fn tenant_for(
    services: &Services,
    actor: Option<&Actor>,
    slug: &str,
) -> Result<tenant::Model, ServiceError> {
    match actor {
        Some(actor) => {
            let tenant = crate::tenants::visible(services, actor, slug).await?;
            actor.require_owner(tenant.id)?;
            Ok(tenant)
        }
        None => tenant_named(services.db.conn(), slug).await,
    }
}

/// The baseline named, else the existing roll-out's, else the busiest other version in the 24
/// hours before the latest ingested hour.
async fn baseline_for(
    conn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    target: &Target,
    existing: Option<&rollout::Model>,
    now: i64,
) -> Result<app_version::Model, ServiceError> {
    let Target { app, candidate, .. } = target;
    if let Some(named) = &target.baseline {
        return Ok(named.clone());
    }
    if let Some(row) = existing {
        return app_version::Entity::find_by_id(row.baseline_id)
            .one(conn)
            .await?
            .ok_or(ServiceError::NotFound);
    }
    let latest = crate::ingestion::latest_hour(conn, tenant.id).await?;
    busiest_before(
        conn,
        app.id,
        candidate.id,
        latest.map_or(now, |h| h + 3_600),
    )
    .await?
    .ok_or_else(|| {
        invalid(format!(
            "no other version of {} ({}) had sessions in the last 24 hours; name a baseline",
            app.name, app.platform
        ))
    })
}

/// Opens the existing roll-out again if it was closed, against `baseline`. One that is open or
/// paused against another baseline is a conflict (409): its verdicts compare with that one, so it
/// is closed first.
async fn reopen(
    conn: &impl ConnectionTrait,
    target: &Target,
    row: &rollout::Model,
    baseline: &app_version::Model,
) -> Result<rollout::Model, ServiceError> {
    let state = state_of(row)?;
    if state != RolloutState::Closed && row.baseline_id != baseline.id {
        let current = app_version::Entity::find_by_id(row.baseline_id)
            .one(conn)
            .await?
            .map_or_else(|| "another version".to_owned(), |v| v.version);
        let Target { app, candidate, .. } = target;
        return Err(ServiceError::Conflict(format!(
            "the roll-out of {} {} ({}) is already {} against {current}; close it to open it against {}",
            app.name,
            candidate.version,
            app.platform,
            state.as_str(),
            baseline.version
        )));
    }
    if state == RolloutState::Closed {
        rollout::Entity::update_many()
            .col_expr(
                rollout::Column::State,
                Expr::value(RolloutState::Open.as_str()),
            )
            .col_expr(rollout::Column::BaselineId, Expr::value(baseline.id))
            .col_expr(rollout::Column::ClosedAt, Expr::value(Option::<i64>::None))
            .filter(rollout::Column::Id.eq(row.id))
            .exec(conn)
            .await?;
    }
    reload(conn, row.id).await
}

/// Inserts a roll-out opened by hand, and audits it.
async fn insert_by_hand(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    tenant: &tenant::Model,
    target: &Target,
    baseline: &app_version::Model,
    at: i64,
) -> Result<rollout::Model, ServiceError> {
    let Target { app, candidate, .. } = target;
    let by = actor.map_or_else(|| "command line".to_owned(), Actor::label);
    let row = insert(conn, tenant, app.id, candidate, baseline, &by, at).await?;
    audit::record(
        conn,
        audit::Entry {
            at,
            by: actor,
            tenant_id: Some(tenant.id),
            action: "rollout.open",
            target: &format!(
                "{}/{} {} ({}) against {}",
                tenant.slug, app.name, candidate.version, app.platform, baseline.version
            ),
        },
        None::<&String>,
        None,
    )
    .await?;
    Ok(row)
}

/// Opens a roll-out by hand (owners and admins; `None`: the command line), or finds the
/// candidate's roll-out and opens it again if it was closed (asking again for the one that is
/// open changes nothing; naming another baseline for it is a conflict). Without a baseline, the
/// existing roll-out's, else the version with the most sessions in the 24 hours before the
/// latest ingested hour is the baseline.
pub async fn open(
    services: &Services,
    actor: Option<&Actor>,
    slug: &str,
    request: &OpenRollout,
) -> Result<RolloutReport, ServiceError> {
    let conn = services.db.conn();
    let tenant = tenant_for(services, actor, slug).await?;
    let target = resolve(services, &tenant, request).await?;
    let existing = rollout_of(conn, target.app.id, target.candidate.id).await?;
    let baseline = baseline_for(
        conn,
        &tenant,
        &target,
        existing.as_ref(),
        services.db.now_seconds(),
    )
    .await?;
    if baseline.id == target.candidate.id {
        return Err(invalid(
            "the baseline must be another version than the candidate",
        ));
    }
    let row = match existing {
        Some(row) => reopen(conn, &target, &row, &baseline).await?,
        None => {
            insert_by_hand(
                conn,
                actor,
                &tenant,
                &target,
                &baseline,
                services.db.now_seconds(),
            )
            .await?
        }
    };
    if state_of(&row)? == RolloutState::Open {
        evaluate_and_record(services, &row, true).await?;
    }
    let row = reload(conn, row.id).await?;
    Ok(report_of(services, &row, true).await?)
}
