//! Roll-out verification: a new version of an application (× platform) checked against the
//! version it replaces, stage by stage, with a verdict a release pipeline can gate on.
//!
//! - A roll-out opens by itself when a new version is *news* (never for history), against the
//!   version with the most sessions in the 24 hours before; owners and admins open one by hand,
//!   pause, resume or close it, and change its plan.
//! - After every ingested hour each open roll-out of the tenant is evaluated ([`evaluate`], with
//!   the statistics in [`stats`]); each change of a stage's verdict is recorded and told to the
//!   application's watchers and owner and the owners of the events involved, so no verdict flips
//!   silently. Once the baseline has no sessions left, the last verdict that compared both stands.

pub mod evaluate;
pub mod stats;

use std::collections::BTreeSet;

use blueprint_types::rollouts::{
    Evaluation, OpenRollout, Plan, RolloutEdit, RolloutReport, RolloutSummary, StageVerdict,
    TenantPlan,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use self::evaluate::{Outcome, SHARE_HOURS, Subject};
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::{
    app_version, application, discovery, event, hourly_session, rollout, rollout_verdict, tenant,
};
use crate::jobs::{hour_text, instant, now};
use crate::notify::{self, Subject as NewsSubject};

/// The verdict a command line exits with: 0 pass, 1 fail, 2 inconclusive or not yet.
pub fn exit_code(verdict: &str) -> i32 {
    match verdict {
        "pass" => 0,
        "fail" => 1,
        _ => 2,
    }
}

/// Why a roll-out cannot be opened, found or changed.
fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

/// Checks a plan: stages ascending within 1–100, a tolerance within (0, 1), positive minimums.
pub fn validate_plan(plan: &Plan) -> Result<(), ServiceError> {
    if plan.stages.is_empty()
        || plan.stages.iter().any(|s| !(1..=100).contains(s))
        || plan.stages.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(invalid(format!(
            "stages {:?} are not ascending percentages from 1 to 100",
            plan.stages
        )));
    }
    if !(plan.tolerance > 0.0 && plan.tolerance < 1.0) {
        return Err(invalid(format!(
            "a tolerance of {} is not between 0 and 1 (0.10 is ±10 %)",
            plan.tolerance
        )));
    }
    if plan.min_sessions < 1 || plan.min_count < 1 || !(1..=50).contains(&plan.top) {
        return Err(invalid(
            "min_sessions and min_count must be at least 1, and top from 1 to 50",
        ));
    }
    Ok(())
}

/// The tenant's default plan.
fn default_plan(tenant: &tenant::Model) -> Plan {
    tenant
        .rollout_plan
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

fn plan_of(row: &rollout::Model) -> Plan {
    serde_json::from_str(&row.plan).unwrap_or_default()
}

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
    let best = sessions
        .into_iter()
        .filter_map(|(id, n)| n.filter(|n| *n > 0).map(|n| (id, n)))
        .max_by(|a, b| {
            let first = |id: i64| {
                versions
                    .iter()
                    .find(|v| v.id == id)
                    .and_then(|v| v.first_seen)
                    .unwrap_or(i64::MAX)
            };
            a.1.cmp(&b.1).then(first(b.0).cmp(&first(a.0)))
        });
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
) -> Result<rollout::Model, DbErr> {
    let plan = serde_json::to_string(&default_plan(tenant)).unwrap_or_default();
    let inserted = rollout::Entity::insert(rollout::ActiveModel {
        tenant_id: Set(tenant.id),
        application_id: Set(application_id),
        candidate_id: Set(candidate.id),
        baseline_id: Set(baseline.id),
        state: Set("open".into()),
        opened_by: Set(opened_by.to_owned()),
        plan: Set(plan),
        verdict: Set("pending".into()),
        created_at: Set(now()),
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
    rollout::Entity::find()
        .filter(rollout::Column::ApplicationId.eq(application_id))
        .filter(rollout::Column::CandidateId.eq(candidate.id))
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the roll-out just opened".into()))
}

/// After an ingested hour: opens a roll-out for each new version that is news, then evaluates
/// every open roll-out of the tenant. Returns how many verdicts changed.
pub async fn after_hour(services: &Services, tenant_id: i64, run_id: i64) -> Result<usize, DbErr> {
    let conn = services.db.conn();
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
        return Ok(0);
    };
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
        if let Some(baseline) =
            busiest_before(conn, candidate.application_id, candidate.id, found.hour).await?
        {
            let row = insert(
                conn,
                &tenant,
                candidate.application_id,
                &candidate,
                &baseline,
                "automatic",
            )
            .await?;
            tracing::info!(
                tenant = tenant.slug,
                rollout = row.id,
                candidate = candidate.version,
                baseline = baseline.version,
                "roll-out opened"
            );
        }
    }
    let open = rollout::Entity::find()
        .filter(rollout::Column::TenantId.eq(tenant_id))
        .filter(rollout::Column::State.eq("open"))
        .all(conn)
        .await?;
    let mut changed = 0;
    for row in open {
        // One roll-out that cannot be evaluated does not hold up the others.
        match evaluate_and_record(services, &row, true).await {
            Ok((_, told)) => changed += usize::from(told),
            Err(err) => {
                tracing::warn!(rollout = row.id, error = %err, "cannot evaluate the roll-out")
            }
        }
    }
    Ok(changed)
}

async fn subject_of(services: &Services, row: &rollout::Model) -> Result<Subject, DbErr> {
    let conn = services.db.conn();
    let version = |id: i64| async move {
        app_version::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("version {id}")))
    };
    let screen_loads = crate::mappings::load_mapping(services, row.tenant_id)
        .await
        .map(|m| m.screen_load_events)
        .unwrap_or_default();
    Ok(Subject {
        tenant_id: row.tenant_id,
        candidate: version(row.candidate_id).await?,
        baseline: version(row.baseline_id).await?,
        plan: plan_of(row),
        screen_loads,
    })
}

/// Evaluates a roll-out; when `record`, stores the evaluation and appends (and tells) a change
/// of the stage's verdict. Returns the evaluation and whether a change was told.
async fn evaluate_and_record(
    services: &Services,
    row: &rollout::Model,
    record: bool,
) -> Result<(Evaluation, bool), DbErr> {
    let conn = services.db.conn();
    let subject = subject_of(services, row).await?;
    let Outcome {
        mut evaluation,
        latest,
        comparable,
        implicated_events,
    } = evaluate::evaluate(conn, &subject).await?;
    if !comparable {
        // The last verdict that compared both stands.
        if let Some(previous) = row
            .report
            .as_deref()
            .and_then(|r| serde_json::from_str::<Evaluation>(r).ok())
            .filter(|e| e.stage.is_some())
        {
            let reason = evaluation.reason.clone();
            evaluation = previous;
            evaluation.reason = format!("{} (standing: {reason})", evaluation.reason);
        }
        return Ok((evaluation, false));
    }
    if !record {
        return Ok((evaluation, false));
    }
    let stage = row.stage.max(evaluation.stage);
    // One transaction, which writes the roll-out's row first: concurrent evaluations of the same
    // roll-out (two hours ingested at once, or `status` beside the schedule) take turns, so a
    // change is appended — and told — exactly once, or not at all.
    let txn = conn.begin().await?;
    rollout::Entity::update_many()
        .col_expr(rollout::Column::Stage, Expr::value(stage))
        .col_expr(
            rollout::Column::Verdict,
            Expr::value(evaluation.verdict.clone()),
        )
        .col_expr(rollout::Column::Share, Expr::value(evaluation.share))
        .col_expr(rollout::Column::LatestHour, Expr::value(latest))
        .col_expr(
            rollout::Column::Report,
            Expr::value(serde_json::to_string(&evaluation).ok()),
        )
        .col_expr(rollout::Column::EvaluatedAt, Expr::value(now()))
        .filter(rollout::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    let (Some(stage), Some(_)) = (stage, evaluation.stage) else {
        txn.commit().await?;
        return Ok((evaluation, false));
    };
    let last = rollout_verdict::Entity::find()
        .filter(rollout_verdict::Column::RolloutId.eq(row.id))
        .order_by_desc(rollout_verdict::Column::Id)
        .one(&txn)
        .await?;
    if last
        .as_ref()
        .is_some_and(|l| l.stage == stage && l.verdict == evaluation.verdict)
    {
        txn.commit().await?;
        return Ok((evaluation, false));
    }
    let inserted = rollout_verdict::Entity::insert(rollout_verdict::ActiveModel {
        rollout_id: Set(row.id),
        stage: Set(stage),
        verdict: Set(evaluation.verdict.clone()),
        share: Set(evaluation.share),
        latest_hour: Set(latest.unwrap_or_default()),
        reason: Set(evaluation.reason.clone()),
        at: Set(now()),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    tell(
        &txn,
        row,
        &subject,
        stage,
        &evaluation,
        &implicated_events,
        inserted.last_insert_id,
    )
    .await?;
    txn.commit().await?;
    Ok((evaluation, true))
}

/// Tells a verdict change to the application's watchers and owner and the owners of the events
/// its failing checks are about (inbox, and through them email and webhooks).
async fn tell(
    conn: &impl ConnectionTrait,
    row: &rollout::Model,
    subject: &Subject,
    stage: i32,
    evaluation: &Evaluation,
    implicated: &BTreeSet<i64>,
    verdict_id: i64,
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
    let mut owners: Vec<String> = app.owner.iter().cloned().collect();
    owners.extend(
        event::Entity::find()
            .filter(event::Column::Id.is_in(implicated.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|e| e.owner),
    );
    let who = NewsSubject {
        application: Some(app.name.as_str()),
        owners,
        ..NewsSubject::default()
    };
    let watches = notify::watches_in(conn, row.tenant_id).await?;
    let readers = notify::readers(conn, row.tenant_id).await?;
    let to = notify::recipients(&watches, &readers, "rollout", &who);
    let mut title = format!(
        "Roll-out of {} {} ({}) against {} at {stage} %: {}",
        app.name,
        subject.candidate.version,
        app.platform,
        subject.baseline.version,
        evaluation.verdict
    );
    if evaluation.verdict == "fail" {
        title.push_str(&format!(" — {}", evaluation.reason));
    }
    let link = format!(
        "/t/{}/rollouts/{}",
        notify::path_segment(&tenant.slug),
        row.id
    );
    let context = notify::NewsContext {
        tenant_id: row.tenant_id,
        at: crate::jobs::now(),
    };
    notify::tell(
        conn,
        context,
        &to,
        notify::NewsKind::Rollout,
        &title,
        &link,
        &format!("rollout-verdict:{verdict_id}"),
    )
    .await?;
    Ok(())
}

async fn summary(
    conn: &impl ConnectionTrait,
    row: &rollout::Model,
) -> Result<RolloutSummary, DbErr> {
    let app = application::Entity::find_by_id(row.application_id)
        .one(conn)
        .await?;
    let version = |id: i64| async move {
        Ok::<String, DbErr>(
            app_version::Entity::find_by_id(id)
                .one(conn)
                .await?
                .map(|v| v.version)
                .unwrap_or_default(),
        )
    };
    let slug = tenant::Entity::find_by_id(row.tenant_id)
        .one(conn)
        .await?
        .map(|t| t.slug)
        .unwrap_or_default();
    Ok(RolloutSummary {
        id: row.id,
        tenant: slug,
        application: app.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        platform: app.map(|a| a.platform).unwrap_or_default(),
        candidate: version(row.candidate_id).await?,
        baseline: version(row.baseline_id).await?,
        state: row.state.clone(),
        opened_by: row.opened_by.clone(),
        stage: row.stage,
        verdict: row.verdict.clone(),
        share: row.share,
        latest_hour: row.latest_hour.map(hour_text),
        created_at: instant(row.created_at),
    })
}

async fn report(
    services: &Services,
    row: &rollout::Model,
    can_manage: bool,
) -> Result<RolloutReport, DbErr> {
    let conn = services.db.conn();
    let history = rollout_verdict::Entity::find()
        .filter(rollout_verdict::Column::RolloutId.eq(row.id))
        .order_by_asc(rollout_verdict::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|v| StageVerdict {
            stage: v.stage,
            verdict: v.verdict,
            share: v.share,
            latest_hour: hour_text(v.latest_hour),
            reason: v.reason,
            at: instant(v.at),
        })
        .collect();
    Ok(RolloutReport {
        rollout: summary(conn, row).await?,
        plan: plan_of(row),
        evaluation: row
            .report
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok()),
        history,
        can_manage,
    })
}

/// The plan a tenant's new roll-outs start with.
pub async fn default_plan_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<Plan, ServiceError> {
    Ok(tenant_plan_as(services, actor, slug).await?.plan)
}

/// The tenant's default plan and whether `actor` may change it (the roll-outs page's form).
pub async fn tenant_plan_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<TenantPlan, ServiceError> {
    let tenant = crate::tenants::visible(services, actor, slug).await?;
    Ok(TenantPlan {
        plan: default_plan(&tenant),
        can_manage: actor.can_own(tenant.id),
    })
}

/// Sets the plan a tenant's new roll-outs start with (owners and admins); open roll-outs keep
/// their own.
pub async fn set_default_plan_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    plan: &Plan,
) -> Result<Plan, ServiceError> {
    let tenant = crate::tenants::visible(services, actor, slug).await?;
    actor.require_owner(tenant.id)?;
    validate_plan(plan)?;
    let conn = services.db.conn();
    tenant::Entity::update_many()
        .col_expr(
            tenant::Column::RolloutPlan,
            Expr::value(serde_json::to_string(plan).ok()),
        )
        .filter(tenant::Column::Id.eq(tenant.id))
        .exec(conn)
        .await?;
    audit::record(
        conn,
        Some(actor),
        Some(tenant.id),
        "rollout.default_plan",
        &tenant.slug,
        Some(&default_plan(&tenant)),
        Some(plan),
    )
    .await?;
    Ok(plan.clone())
}

/// The tenant named `slug`, for the command line (which may see every tenant).
async fn tenant_named(
    conn: &impl ConnectionTrait,
    slug: &str,
) -> Result<tenant::Model, ServiceError> {
    crate::tenants::by_slug(conn, slug)
        .await?
        .ok_or_else(|| invalid(format!("there is no tenant `{slug}`")))
}

/// A tenant's roll-outs, newest first.
pub async fn list_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<Vec<RolloutSummary>, ServiceError> {
    let tenant = crate::tenants::visible(services, actor, slug).await?;
    list(services, &tenant).await
}

async fn list(
    services: &Services,
    tenant: &tenant::Model,
) -> Result<Vec<RolloutSummary>, ServiceError> {
    let conn = services.db.conn();
    let mut out = Vec::new();
    for row in rollout::Entity::find()
        .filter(rollout::Column::TenantId.eq(tenant.id))
        .order_by_desc(rollout::Column::Id)
        .all(conn)
        .await?
    {
        out.push(summary(conn, &row).await?);
    }
    Ok(out)
}

async fn visible_rollout(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<rollout::Model, ServiceError> {
    let row = rollout::Entity::find_by_id(id)
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    actor
        .require_read(row.tenant_id)
        .map_err(|_| ServiceError::NotFound)?;
    Ok(row)
}

/// One roll-out with its plan, latest evaluation and verdict history.
pub async fn report_as(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<RolloutReport, ServiceError> {
    let row = visible_rollout(services, actor, id).await?;
    Ok(report(services, &row, actor.can_own(row.tenant_id)).await?)
}

/// Finds the application, candidate and baseline a request names.
async fn resolve(
    services: &Services,
    tenant: &tenant::Model,
    request: &OpenRollout,
) -> Result<
    (
        application::Model,
        app_version::Model,
        Option<app_version::Model>,
    ),
    ServiceError,
> {
    let conn = services.db.conn();
    let app = application::Entity::find()
        .filter(application::Column::TenantId.eq(tenant.id))
        .filter(application::Column::Name.eq(&request.application))
        .filter(application::Column::Platform.eq(&request.platform))
        .one(conn)
        .await?
        .ok_or_else(|| {
            invalid(format!(
                "{} has no application {} on {}",
                tenant.slug, request.application, request.platform
            ))
        })?;
    let version = |name: String| {
        let app_id = app.id;
        let label = format!("{} ({})", app.name, app.platform);
        async move {
            app_version::Entity::find()
                .filter(app_version::Column::ApplicationId.eq(app_id))
                .filter(app_version::Column::Version.eq(&name))
                .one(conn)
                .await?
                .ok_or_else(|| invalid(format!("{label} has no version {name}")))
        }
    };
    let candidate = version(request.version.clone()).await?;
    let baseline = match &request.baseline {
        Some(name) => Some(version(name.clone()).await?),
        None => None,
    };
    Ok((app, candidate, baseline))
}

/// Opens a roll-out by hand (owners and admins; `None`: the command line), or finds the
/// candidate's roll-out and opens it again if it was closed. Without a baseline, the version
/// with the most sessions in the 24 hours before the latest ingested hour is the baseline.
pub async fn open(
    services: &Services,
    actor: Option<&Actor>,
    slug: &str,
    request: &OpenRollout,
) -> Result<RolloutReport, ServiceError> {
    let conn = services.db.conn();
    let tenant = match actor {
        Some(actor) => {
            let tenant = crate::tenants::visible(services, actor, slug).await?;
            actor.require_owner(tenant.id)?;
            tenant
        }
        None => tenant_named(conn, slug).await?,
    };
    let (app, candidate, baseline) = resolve(services, &tenant, request).await?;
    let existing = rollout::Entity::find()
        .filter(rollout::Column::ApplicationId.eq(app.id))
        .filter(rollout::Column::CandidateId.eq(candidate.id))
        .one(conn)
        .await?;
    let baseline = match baseline {
        Some(b) => b,
        None => match &existing {
            Some(row) => app_version::Entity::find_by_id(row.baseline_id)
                .one(conn)
                .await?
                .ok_or(ServiceError::NotFound)?,
            None => {
                let latest = crate::ingestion::latest_hour(conn, tenant.id).await?;
                busiest_before(conn, app.id, candidate.id, latest.map_or(now(), |h| h + 3_600))
                    .await?
                    .ok_or_else(|| {
                        invalid(format!(
                            "no other version of {} ({}) had sessions in the last 24 hours; name a baseline",
                            app.name, app.platform
                        ))
                    })?
            }
        },
    };
    if baseline.id == candidate.id {
        return Err(invalid(
            "the baseline must be another version than the candidate",
        ));
    }
    let by = actor.map_or_else(|| "command line".to_owned(), Actor::label);
    let row = match existing {
        Some(row) => {
            let reopen = row.state == "closed" || row.baseline_id != baseline.id;
            if reopen {
                rollout::Entity::update_many()
                    .col_expr(rollout::Column::State, Expr::value("open"))
                    .col_expr(rollout::Column::BaselineId, Expr::value(baseline.id))
                    .col_expr(rollout::Column::ClosedAt, Expr::value(Option::<i64>::None))
                    .filter(rollout::Column::Id.eq(row.id))
                    .exec(conn)
                    .await?;
            }
            rollout::Entity::find_by_id(row.id)
                .one(conn)
                .await?
                .ok_or(ServiceError::NotFound)?
        }
        None => {
            let row = insert(conn, &tenant, app.id, &candidate, &baseline, &by).await?;
            audit::record(
                conn,
                actor,
                Some(tenant.id),
                "rollout.open",
                &format!(
                    "{}/{} {} ({}) against {}",
                    tenant.slug, app.name, candidate.version, app.platform, baseline.version
                ),
                None::<&String>,
                None,
            )
            .await?;
            row
        }
    };
    if row.state == "open" {
        evaluate_and_record(services, &row, true).await?;
    }
    let row = rollout::Entity::find_by_id(row.id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(report(services, &row, true).await?)
}

/// Pauses, resumes or closes a roll-out, or changes its plan (owners and admins).
pub async fn edit_as(
    services: &Services,
    actor: &Actor,
    id: i64,
    edit: &RolloutEdit,
) -> Result<RolloutReport, ServiceError> {
    let row = visible_rollout(services, actor, id).await?;
    actor.require_owner(row.tenant_id)?;
    let conn = services.db.conn();
    if let Some(state) = edit.state.as_deref()
        && !["open", "paused", "closed"].contains(&state)
    {
        return Err(invalid(format!(
            "state `{state}` is not open, paused or closed"
        )));
    }
    if let Some(plan) = &edit.plan {
        validate_plan(plan)?;
    }
    let mut update = rollout::Entity::update_many().filter(rollout::Column::Id.eq(id));
    if let Some(state) = &edit.state {
        update = update.col_expr(rollout::Column::State, Expr::value(state.clone()));
        update = update.col_expr(
            rollout::Column::ClosedAt,
            Expr::value((state == "closed").then(now)),
        );
    }
    if let Some(plan) = &edit.plan {
        update = update.col_expr(
            rollout::Column::Plan,
            Expr::value(serde_json::to_string(plan).unwrap_or_default()),
        );
    }
    update.exec(conn).await?;
    audit::record(
        conn,
        Some(actor),
        Some(row.tenant_id),
        "rollout.edit",
        &format!("rollout {id}"),
        Some(&serde_json::json!({"state": row.state, "plan": plan_of(&row)})),
        Some(&serde_json::json!({"state": edit.state, "plan": edit.plan})),
    )
    .await?;
    let row = rollout::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if row.state == "open" {
        evaluate_and_record(services, &row, true).await?;
    }
    report_as(services, actor, id).await
}

/// `blueprint rollout status`: evaluates the candidate's roll-out on the ledger as it stands
/// (recording it when it is open) and returns the report and the verdict to exit with; with
/// `stage`, a stage the roll-out has not reached yet is `pending`.
pub async fn status(
    services: &Services,
    slug: &str,
    request: &OpenRollout,
    stage: Option<i32>,
) -> Result<(RolloutReport, String), ServiceError> {
    let conn = services.db.conn();
    let tenant = tenant_named(conn, slug).await?;
    let (app, candidate, _) = resolve(services, &tenant, request).await?;
    let row = rollout::Entity::find()
        .filter(rollout::Column::ApplicationId.eq(app.id))
        .filter(rollout::Column::CandidateId.eq(candidate.id))
        .one(conn)
        .await?
        .ok_or_else(|| {
            invalid(format!(
                "{} {} ({}) has no roll-out; open one with `blueprint rollout open`",
                app.name, candidate.version, app.platform
            ))
        })?;
    let (evaluation, _) = evaluate_and_record(services, &row, row.state == "open").await?;
    let row = rollout::Entity::find_by_id(row.id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut report = report(services, &row, true).await?;
    let reached = row.stage.max(evaluation.stage);
    let verdict = match stage {
        Some(wanted) if reached.is_none_or(|s| s < wanted) => "pending".to_owned(),
        _ => evaluation.verdict.clone(),
    };
    report.evaluation = Some(evaluation);
    Ok((report, verdict))
}

/// Lists a tenant's roll-outs for the command line.
pub async fn list_for(
    services: &Services,
    slug: &str,
) -> Result<Vec<RolloutSummary>, ServiceError> {
    let tenant = tenant_named(services.db.conn(), slug).await?;
    list(services, &tenant).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_checked() {
        assert!(validate_plan(&Plan::default()).is_ok());
        for bad in [
            Plan {
                stages: vec![5, 1],
                ..Plan::default()
            },
            Plan {
                stages: vec![0, 50],
                ..Plan::default()
            },
            Plan {
                tolerance: 1.5,
                ..Plan::default()
            },
            Plan {
                top: 0,
                ..Plan::default()
            },
        ] {
            assert!(validate_plan(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn stages_follow_the_share() {
        let plan = Plan::default();
        assert_eq!(evaluate::stage_of(&plan, 0.005), None);
        assert_eq!(evaluate::stage_of(&plan, 0.01), Some(1));
        assert_eq!(evaluate::stage_of(&plan, 0.19), Some(5));
        assert_eq!(evaluate::stage_of(&plan, 1.0), Some(100));
        assert_eq!(evaluate::stage_of(&plan, 0.995), Some(100));
        assert_eq!(evaluate::stage_of(&plan, 0.98), Some(50));
        assert_eq!(exit_code("pass"), 0);
        assert_eq!(exit_code("fail"), 1);
        assert_eq!(exit_code("pending"), 2);
    }
}
