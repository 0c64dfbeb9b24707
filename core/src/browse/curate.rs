//! Editing what people curate on applications, screens and events: description, owner (a member
//! of the tenant, or an admin), tags and the manual status. Owners of the tenant and admins only;
//! every change is in the audit log with its before and after. Bad input changes nothing.

use blueprint_types::catalog::{Curation, CurationEdit};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use super::TenantRef;
use super::query::quiet_column;
use crate::Services;
use crate::accounts::{Actor, ServiceError, audit};
use crate::error::check_length;
use crate::sql::{fetch, fetch_one, statement};

pub const STATUSES: [&str; 3] = ["active", "deprecated", "obsolete"];
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG: usize = 40;
pub use crate::tenants::MAX_QUIET_DAYS;

/// What is edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Application { name: String, platform: String },
    Screen(String),
    Event(String),
}

impl Subject {
    fn kind(&self) -> &'static str {
        match self {
            Self::Application { .. } => "application",
            Self::Screen(_) => "screen",
            Self::Event(_) => "event",
        }
    }

    fn table(&self) -> &'static str {
        match self {
            Self::Application { .. } => "applications",
            Self::Screen(_) => "screens",
            Self::Event(_) => "events",
        }
    }

    fn label(&self) -> String {
        match self {
            Self::Application { name, platform } => format!("{name} ({platform})"),
            Self::Screen(name) | Self::Event(name) => name.clone(),
        }
    }
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    description: Option<String>,
    owner: Option<String>,
    status: String,
    quiet_days: Option<i32>,
}

/// The edited row as it was: the WHERE that finds it again (with its values), its id, its curation.
struct Current {
    where_sql: &'static str,
    values: Vec<Value>,
    id: i64,
    curation: Curation,
}

#[derive(FromQueryResult)]
struct Tag {
    tag: String,
}

#[derive(FromQueryResult)]
struct Found {
    n: i64,
}

/// Tags as typed: trimmed, lower case, de-duplicated; letters, digits and `-_.:/` only.
pub fn clean_tags(tags: &[String]) -> Result<Vec<String>, ServiceError> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG
            || !tag
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
        {
            return Err(ServiceError::Invalid(format!(
                "tag `{tag}` is not valid: use up to {MAX_TAG} letters, digits and - _ . : /"
            )));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(ServiceError::Invalid(format!(
            "{} tags is more than the {MAX_TAGS} allowed",
            out.len()
        )));
    }
    out.sort();
    Ok(out)
}

/// Splits a form's comma-separated tags.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split(',').map(str::to_owned).collect()
}

/// Applies `edit` (fields left `None` stay as they are) and returns the curation after it.
pub async fn update(
    services: &Services,
    actor: &Actor,
    tenant: &TenantRef,
    subject: &Subject,
    edit: &CurationEdit,
) -> Result<Curation, ServiceError> {
    actor.require_owner(tenant.id)?;
    let current = read_current(services, tenant, subject).await?;
    // Validate everything before changing anything.
    let after = edited(services, tenant, subject, &current.curation, edit).await?;
    if after == current.curation {
        return Ok(after);
    }
    write(services, actor, tenant, subject, current, &after).await?;
    Ok(after)
}

/// The subject's row as it is: where it is, its id, and its curation with its tags.
async fn read_current(
    services: &Services,
    tenant: &TenantRef,
    subject: &Subject,
) -> Result<Current, ServiceError> {
    let (where_sql, values): (&'static str, Vec<Value>) = match subject {
        Subject::Application { name, platform } => (
            "tenant_id = ? AND name = ? AND platform = ?",
            vec![
                tenant.id.into(),
                name.clone().into(),
                platform.clone().into(),
            ],
        ),
        Subject::Screen(name) | Subject::Event(name) => (
            "tenant_id = ? AND name = ?",
            vec![tenant.id.into(), name.clone().into()],
        ),
    };
    let table = subject.table();
    let row: Row = fetch_one(
        services.db.conn(),
        &format!(
            "SELECT id, description, owner, status, {} FROM {table} WHERE {where_sql}",
            quiet_column(table)
        ),
        values.clone(),
    )
    .await?
    .ok_or(ServiceError::NotFound)?;
    let tags: Vec<String> = fetch::<Tag>(
        services.db.conn(),
        "SELECT tag FROM tags WHERE kind = ? AND subject_id = ? ORDER BY tag",
        vec![subject.kind().into(), row.id.into()],
    )
    .await?
    .into_iter()
    .map(|t| t.tag)
    .collect();
    Ok(Current {
        where_sql,
        values,
        id: row.id,
        curation: Curation {
            description: row.description,
            owner: row.owner,
            status: row.status,
            tags,
            quiet_days: row.quiet_days,
        },
    })
}

/// The curation `before` with `edit` applied, or what is wrong with the edit.
async fn edited(
    services: &Services,
    tenant: &TenantRef,
    subject: &Subject,
    before: &Curation,
    edit: &CurationEdit,
) -> Result<Curation, ServiceError> {
    let mut after = before.clone();
    if let Some(description) = &edit.description {
        let description = description.trim();
        check_length("description", description, MAX_DESCRIPTION)?;
        after.description = (!description.is_empty()).then(|| description.to_owned());
    }
    if let Some(owner) = &edit.owner {
        after.owner = checked_owner(services, tenant, owner).await?;
    }
    if let Some(status) = &edit.status {
        let status = status.trim();
        if !STATUSES.contains(&status) {
            return Err(ServiceError::Invalid(format!(
                "status `{status}` is not active, deprecated or obsolete"
            )));
        }
        after.status = status.to_owned();
    }
    if let Some(tags) = &edit.tags {
        after.tags = clean_tags(tags)?;
    }
    if let Some(days) = edit.quiet_days {
        if !matches!(subject, Subject::Event(_)) {
            return Err(ServiceError::Invalid(
                "only events have their own quiet period".into(),
            ));
        }
        if !(0..=MAX_QUIET_DAYS).contains(&days) {
            return Err(ServiceError::Invalid(format!(
                "a quiet period of {days} days is not from 1 to {MAX_QUIET_DAYS} (0: the tenant's)"
            )));
        }
        after.quiet_days = (days > 0).then_some(days);
    }
    Ok(after)
}

/// The owner as typed (none when blank), if it is someone who can see the tenant.
async fn checked_owner(
    services: &Services,
    tenant: &TenantRef,
    owner: &str,
) -> Result<Option<String>, ServiceError> {
    let owner = owner.trim().to_lowercase();
    if owner.is_empty() {
        return Ok(None);
    }
    let member = fetch_one::<Found>(
        services.db.conn(),
        "SELECT COUNT(*) AS n FROM users u WHERE LOWER(u.email) = ? AND u.disabled = ? AND (u.is_admin = ? OR EXISTS \
         (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.tenant_id = ?))",
        vec![owner.clone().into(), false.into(), true.into(), tenant.id.into()],
    )
    .await?
    .is_some_and(|f| f.n > 0);
    if !member {
        return Err(ServiceError::Invalid(format!(
            "{owner} is not a member of {}: the owner must be someone who can see this tenant",
            tenant.slug
        )));
    }
    Ok(Some(owner))
}

/// Stores `after` over the `current` row and its tags, with its audit entry, in one transaction.
async fn write(
    services: &Services,
    actor: &Actor,
    tenant: &TenantRef,
    subject: &Subject,
    current: Current,
    after: &Curation,
) -> Result<(), ServiceError> {
    let conn = services.db.conn();
    let backend = conn.get_database_backend();
    let (table, kind, before) = (subject.table(), subject.kind(), &current.curation);
    let txn = crate::db::begin_write(conn).await?;
    let mut update_values: Vec<Value> = vec![
        after.description.clone().into(),
        after.owner.clone().into(),
        after.status.clone().into(),
    ];
    update_values.extend(current.values);
    txn.execute_raw(statement(
        backend,
        &format!(
            "UPDATE {table} SET description = ?, owner = ?, status = ? WHERE {}",
            current.where_sql
        ),
        update_values,
    ))
    .await?;
    if after.quiet_days != before.quiet_days {
        txn.execute_raw(statement(
            backend,
            "UPDATE events SET quiet_days = ? WHERE id = ?",
            vec![after.quiet_days.into(), current.id.into()],
        ))
        .await?;
    }
    if after.tags != before.tags {
        txn.execute_raw(statement(
            backend,
            "DELETE FROM tags WHERE kind = ? AND subject_id = ?",
            vec![kind.into(), current.id.into()],
        ))
        .await?;
        for tag in &after.tags {
            txn.execute_raw(statement(
                backend,
                "INSERT INTO tags (tenant_id, kind, subject_id, tag) VALUES (?, ?, ?, ?)",
                vec![
                    tenant.id.into(),
                    kind.into(),
                    current.id.into(),
                    tag.clone().into(),
                ],
            ))
            .await?;
        }
    }
    audit::record(
        &txn,
        audit::Entry {
            at: services.db.now_seconds(),
            by: Some(actor),
            tenant_id: Some(tenant.id),
            action: &format!("{kind}.update"),
            target: &format!("{}/{}", tenant.slug, subject.label()),
        },
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_cleaned_or_refused() {
        assert_eq!(
            clean_tags(&split_tags(" Checkout, cart ,checkout,,")).unwrap(),
            vec!["cart", "checkout"]
        );
        let err = clean_tags(&["has space".to_owned()]).unwrap_err();
        assert!(
            err.to_string().contains("`has space` is not valid"),
            "{err}"
        );
    }
}
