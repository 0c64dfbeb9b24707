//! Incidents as stored, read and changed. The detector writes them (opening, growing, resolving
//! and telling); this module reads them as the pages, the API and the command line show them,
//! and changes their state for the people who act on them: owners of the tenant and admins act,
//! members read.

use std::collections::HashMap;

use chrono::DateTime;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::{
    Incident, IncidentChange, IncidentDetail, IncidentKind, IncidentSeries, IncidentState, Series,
};
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::entities::{anomaly, incident, incident_series, series_mute, tenant, user};
use crate::hour::Hour;
use crate::time::{hour_text, instant};

/// The longest comment kept on an incident, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Which incidents a list shows, beside its range.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub state: Option<IncidentState>,
    pub kind: Option<IncidentKind>,
    /// Only incidents with a series of this event.
    pub event: Option<String>,
}

/// The series of a stored row.
pub fn series_of(row: &incident_series::Model) -> Series {
    Series {
        event: row.event.clone(),
        application: row.application.clone(),
        version: row.version.clone(),
        platform: row.platform.clone(),
    }
}

fn kind_of(text: &str) -> IncidentKind {
    text.parse().unwrap_or(IncidentKind::Drop)
}

fn state_of(text: &str) -> IncidentState {
    text.parse().unwrap_or(IncidentState::Open)
}

/// An incident and its series as shown.
pub fn shown(row: &incident::Model, series: &[incident_series::Model]) -> Incident {
    let mut series: Vec<IncidentSeries> = series
        .iter()
        .map(|s| {
            let [event, application, version, platform] = series_of(s).shown();
            IncidentSeries {
                event,
                application,
                version,
                platform,
                observed: s.observed,
                expected: s.expected,
            }
        })
        .collect();
    series.sort_by(|a, b| {
        (&a.event, &a.application, &a.version, &a.platform).cmp(&(
            &b.event,
            &b.application,
            &b.version,
            &b.platform,
        ))
    });
    Incident {
        id: row.id,
        kind: kind_of(&row.kind),
        event: row.event.clone(),
        application: row.application.clone(),
        version: row.version.clone(),
        platform: row.platform.clone(),
        from: hour_text(row.start_hour),
        to: hour_text(row.end_hour),
        observed: row.observed,
        expected: row.expected,
        state: state_of(&row.state),
        series,
    }
}

/// The series of each incident, by incident id.
async fn series_by_incident(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<incident_series::Model>>, DbErr> {
    let mut by_incident: HashMap<i64, Vec<incident_series::Model>> = HashMap::new();
    for chunk in ids.chunks(crate::sql::IN_LIST) {
        for row in incident_series::Entity::find()
            .filter(incident_series::Column::IncidentId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            by_incident.entry(row.incident_id).or_default().push(row);
        }
    }
    Ok(by_incident)
}

/// The tenant's incidents that overlap `[from, to)`, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    from: Hour,
    to: Hour,
    filter: &Filter,
) -> Result<Vec<Incident>, DbErr> {
    let mut query = incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant_id))
        .filter(incident::Column::StartHour.lt(to.epoch_seconds()))
        .filter(incident::Column::EndHour.gt(from.epoch_seconds()));
    if let Some(state) = filter.state {
        query = query.filter(incident::Column::State.eq(state.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(incident::Column::Kind.eq(kind.as_str()));
    }
    let rows = query
        .order_by_desc(incident::Column::StartHour)
        .order_by_desc(incident::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut series = series_by_incident(conn, &ids).await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let series = series.remove(&row.id).unwrap_or_default();
            let wanted = filter
                .event
                .as_ref()
                .is_none_or(|event| series.iter().any(|s| &s.event == event));
            wanted.then(|| shown(row, &series))
        })
        .collect())
}

/// The tenant's open incidents (open, or snoozed past its time), newest first.
pub async fn open_now(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<Vec<Incident>, DbErr> {
    let rows = incident::Entity::find()
        .filter(incident::Column::TenantId.eq(tenant_id))
        .filter(incident::Column::State.eq(IncidentState::Open.as_str()))
        .order_by_desc(incident::Column::StartHour)
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut series = series_by_incident(conn, &ids).await?;
    Ok(rows
        .iter()
        .map(|row| shown(row, &series.remove(&row.id).unwrap_or_default()))
        .collect())
}

/// The anomalous hours of an incident, by hour then series.
pub async fn anomalies(
    conn: &impl ConnectionTrait,
    incident_id: i64,
) -> Result<Vec<anomaly::Model>, DbErr> {
    anomaly::Entity::find()
        .filter(anomaly::Column::IncidentId.eq(incident_id))
        .order_by_asc(anomaly::Column::Hour)
        .order_by_asc(anomaly::Column::Event)
        .order_by_asc(anomaly::Column::Application)
        .order_by_asc(anomaly::Column::Version)
        .order_by_asc(anomaly::Column::Platform)
        .all(conn)
        .await
}

/// Incident `id`, if `actor` may read its tenant (otherwise it is not found).
async fn visible(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<incident::Model, ServiceError> {
    let row = incident::Entity::find_by_id(id)
        .one(services.db.conn())
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !actor.can_read(row.tenant_id) {
        return Err(ServiceError::NotFound);
    }
    Ok(row)
}

/// Incident `id` with who acted on it, as `actor` sees it.
pub async fn detail_as(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<IncidentDetail, ServiceError> {
    let row = visible(services, actor, id).await?;
    detail(services.db.conn(), &row, actor.can_own(row.tenant_id)).await
}

async fn detail(
    conn: &impl ConnectionTrait,
    row: &incident::Model,
    can_act: bool,
) -> Result<IncidentDetail, ServiceError> {
    let series = series_by_incident(conn, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    let tenant = tenant::Entity::find_by_id(row.tenant_id)
        .one(conn)
        .await?
        .map(|t| t.slug)
        .unwrap_or_default();
    let acted_by = match row.acted_by {
        Some(user_id) => user::Entity::find_by_id(user_id)
            .one(conn)
            .await?
            .map(|u| u.email),
        None => None,
    };
    Ok(IncidentDetail {
        incident: shown(row, &series),
        tenant,
        comment: row.comment.clone(),
        snoozed_until: row.snoozed_until.map(instant),
        acted_by,
        acted_at: row.acted_at.map(instant),
        news: row.news,
        told_at: row.told_at.map(instant),
        can_act,
    })
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

/// A snooze time: RFC 3339, or an hour (`YYYY-MM-DDTHH`); it must be later than `now`.
pub fn parse_snooze(text: &str, now: i64) -> Result<i64, ServiceError> {
    let at = DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.timestamp())
        .or_else(|_| text.parse::<Hour>().map(Hour::epoch_seconds))
        .map_err(|_| {
            invalid(format!(
                "snooze_until `{}` is not a time: write 2026-12-02T09:00:00Z or 2026-12-02T09",
                crate::channels::text::one_line(&text.chars().take(40).collect::<String>())
            ))
        })?;
    if at <= now {
        return Err(invalid("snooze_until must be in the future"));
    }
    Ok(at)
}

/// The state, comment and snooze a change asks for, checked.
fn asked(change: &IncidentChange, now: i64) -> Result<Asked, ServiceError> {
    let comment = change
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(comment) = comment
        && comment.chars().count() > MAX_COMMENT_CHARS
    {
        return Err(invalid(format!(
            "the comment is longer than {MAX_COMMENT_CHARS} characters"
        )));
    }
    let snooze = change
        .snooze_until
        .as_deref()
        .map(|text| parse_snooze(text, now))
        .transpose()?;
    let state = match (change.state, snooze) {
        (Some(IncidentState::Snoozed) | None, Some(_)) => IncidentState::Snoozed,
        (Some(IncidentState::Snoozed), None) => {
            return Err(invalid("snoozing needs snooze_until"));
        }
        (Some(state), Some(_)) => {
            return Err(invalid(format!(
                "snooze_until goes with the state snoozed, not {state}"
            )));
        }
        (Some(state), None) => state,
        (None, None) => {
            return Err(invalid(
                "say what to change: a state (open, acknowledged, resolved) or snooze_until",
            ));
        }
    };
    Ok(Asked {
        state,
        comment: comment.map(str::to_owned),
        snooze,
    })
}

struct Asked {
    state: IncidentState,
    comment: Option<String>,
    snooze: Option<i64>,
}

/// Acknowledges (with a comment), snoozes, resolves or reopens incident `id` (owners and
/// admins), audited.
pub async fn change_as(
    services: &Services,
    actor: &Actor,
    id: i64,
    change: &IncidentChange,
) -> Result<IncidentDetail, ServiceError> {
    let row = visible(services, actor, id).await?;
    actor.require_owner(row.tenant_id)?;
    let now = services.db.now_seconds();
    let asked = asked(change, now)?;
    let conn = services.db.conn();
    let mut active: incident::ActiveModel = row.clone().into();
    active.state = Set(asked.state.as_str().to_owned());
    if asked.comment.is_some() || asked.state != IncidentState::Snoozed {
        active.comment = Set(asked.comment.clone().or(row.comment.clone()));
    }
    active.snoozed_until = Set(asked.snooze);
    active.resolved_at = Set((asked.state == IncidentState::Resolved).then_some(now));
    active.acted_by = Set(Some(actor.user_id));
    active.acted_at = Set(Some(now));
    active.updated_at = Set(now);
    let updated = active.update(conn).await?;
    audit::record(
        conn,
        audit::Entry {
            at: now,
            by: Some(actor),
            tenant_id: Some(row.tenant_id),
            action: "incident.change",
            target: &format!("incident {id}"),
        },
        Some(
            &serde_json::json!({"state": row.state, "comment": row.comment,
            "snoozed_until": row.snoozed_until.map(instant)}),
        ),
        Some(
            &serde_json::json!({"state": updated.state, "comment": updated.comment,
            "snoozed_until": updated.snoozed_until.map(instant)}),
        ),
    )
    .await?;
    detail(conn, &updated, true).await
}

/// Snoozed incidents whose time has come are open again; how many.
pub async fn wake_snoozed(conn: &impl ConnectionTrait, now: i64) -> Result<u64, DbErr> {
    let woken = incident::Entity::update_many()
        .filter(incident::Column::State.eq(IncidentState::Snoozed.as_str()))
        .filter(incident::Column::SnoozedUntil.lte(now))
        .col_expr(
            incident::Column::State,
            Expr::value(IncidentState::Open.as_str()),
        )
        .col_expr(incident::Column::SnoozedUntil, Expr::value(None::<i64>))
        .col_expr(incident::Column::UpdatedAt, Expr::value(now))
        .exec(conn)
        .await?;
    Ok(woken.rows_affected)
}

/// Whether `series` of the tenant is muted.
pub async fn is_muted(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    series: &Series,
) -> Result<bool, DbErr> {
    Ok(mute_of(conn, tenant_id, series).await?.is_some())
}

/// The tenant's muted series.
pub async fn mutes(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<Vec<Series>, DbErr> {
    Ok(series_mute::Entity::find()
        .filter(series_mute::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| Series {
            event: m.event,
            application: m.application,
            version: m.version,
            platform: m.platform,
        })
        .collect())
}

async fn mute_of(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    series: &Series,
) -> Result<Option<series_mute::Model>, DbErr> {
    series_mute::Entity::find()
        .filter(series_mute::Column::TenantId.eq(tenant_id))
        .filter(series_mute::Column::Event.eq(&series.event))
        .filter(series_mute::Column::Application.eq(&series.application))
        .filter(series_mute::Column::Version.eq(&series.version))
        .filter(series_mute::Column::Platform.eq(&series.platform))
        .one(conn)
        .await
}

/// Mutes (or unmutes) one series of the tenant (owners and admins), audited. Muting something
/// already muted, or unmuting what is not, changes nothing.
pub async fn set_muted_as(
    services: &Services,
    actor: &Actor,
    tenant_id: i64,
    series: &Series,
    muted: bool,
) -> Result<(), ServiceError> {
    if !actor.can_read(tenant_id) {
        return Err(ServiceError::NotFound);
    }
    actor.require_owner(tenant_id)?;
    let conn = services.db.conn();
    let now = services.db.now_seconds();
    let existing = mute_of(conn, tenant_id, series).await?;
    match (existing, muted) {
        (None, true) => {
            series_mute::ActiveModel {
                tenant_id: Set(tenant_id),
                event: Set(series.event.clone()),
                application: Set(series.application.clone()),
                version: Set(series.version.clone()),
                platform: Set(series.platform.clone()),
                muted_by: Set(Some(actor.user_id)),
                muted_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
        (Some(row), false) => {
            series_mute::Entity::delete_by_id(row.id).exec(conn).await?;
        }
        _ => return Ok(()),
    }
    let [event, application, version, platform] = series.shown();
    let named = serde_json::json!({"event": event, "application": application,
        "version": version, "platform": platform});
    audit::record(
        conn,
        audit::Entry {
            at: now,
            by: Some(actor),
            tenant_id: Some(tenant_id),
            action: if muted {
                "series.mute"
            } else {
                "series.unmute"
            },
            target: &format!("series {named}"),
        },
        None::<&serde_json::Value>,
        Some(&named),
    )
    .await
}
