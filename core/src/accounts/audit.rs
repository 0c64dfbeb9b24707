//! The audit log: every change anyone makes — who, when, what, before → after. Secrets are never
//! passed in.

use blueprint_types::AuditRow;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::audit_entry;

/// Who changed what, and when (epoch seconds, from the services' clock).
pub struct Entry<'a> {
    pub at: i64,
    /// `None`: the command line, acting as the machine's operator.
    pub by: Option<&'a Actor>,
    pub tenant_id: Option<i64>,
    pub action: &'a str,
    pub target: &'a str,
}

/// Records one change with what it was before and after (never secrets).
pub async fn record<T: Serialize>(
    conn: &impl ConnectionTrait,
    entry: Entry<'_>,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), ServiceError> {
    let Entry {
        at,
        by,
        tenant_id,
        action,
        target,
    } = entry;
    let json = |value: Option<&T>| value.and_then(|v| serde_json::to_string(v).ok());
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        at: Set(at),
        actor_id: Set(by.map(|a| a.user_id)),
        actor: Set(by.map_or_else(|| "command line".to_owned(), Actor::label)),
        tenant_id: Set(tenant_id),
        action: Set(action.to_owned()),
        target: Set(target.to_owned()),
        before: Set(json(before)),
        after: Set(json(after)),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Filters for the audit page: any part of the actor, action or target, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub limit: u64,
}

/// The log, newest first (admins only).
pub async fn list_audit(
    services: &Services,
    by: &Actor,
    query: &AuditQuery,
) -> Result<Vec<AuditRow>, ServiceError> {
    by.require_admin()?;
    let mut select = audit_entry::Entity::find().order_by_desc(audit_entry::Column::Id);
    if let Some(actor) = query.actor.as_deref().filter(|s| !s.is_empty()) {
        select = select.filter(audit_entry::Column::Actor.contains(actor));
    }
    if let Some(action) = query.action.as_deref().filter(|s| !s.is_empty()) {
        select = select.filter(audit_entry::Column::Action.contains(action));
    }
    if let Some(target) = query.target.as_deref().filter(|s| !s.is_empty()) {
        select = select.filter(audit_entry::Column::Target.contains(target));
    }
    let limit = if query.limit == 0 {
        200
    } else {
        query.limit.min(1000)
    };
    Ok(select
        .limit(limit)
        .all(services.db.conn())
        .await?
        .into_iter()
        .map(|row| AuditRow {
            at: chrono::DateTime::from_timestamp(row.at, 0)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            actor: row.actor,
            action: row.action,
            target: row.target,
            changes: super::audit_diff::changes(row.before.as_deref(), row.after.as_deref()),
            before: row.before,
            after: row.after,
        })
        .collect())
}
