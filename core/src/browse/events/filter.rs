//! What an events filter selects: the FROM and WHERE of the matching events (search, status,
//! owner, tag, where they fire, first and last seen), and the values each filter can take.

use blueprint_types::catalog::{EventFilter, FilterOptions};
use sea_orm::{FromQueryResult, Value};

use crate::Services;
use crate::accounts::ServiceError;
use crate::browse::cache::cached;
use crate::browse::{TenantRef, parse_day, version_order};
use crate::sql::{contains_pattern, fetch, fetch_one, ids};

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

#[derive(FromQueryResult)]
struct Text {
    value: String,
}

/// A filter's value, unless it is blank.
pub(super) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The FROM and WHERE of the events matching `filter`, with the values of its placeholders.
pub(super) async fn matching(
    services: &Services,
    tenant: &TenantRef,
    filter: &EventFilter,
) -> Result<(String, Vec<Value>), ServiceError> {
    let mut sql = String::from(" FROM events e WHERE tenant_id = ? AND first_seen IS NOT NULL");
    let mut values: Vec<Value> = vec![tenant.id.into()];
    if let Some(q) = given(&filter.q) {
        sql.push_str(
            " AND (LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(description, '')) LIKE ? ESCAPE '\\')",
        );
        let pattern = contains_pattern(q);
        values.push(pattern.clone().into());
        values.push(pattern.into());
    }
    if let Some(status) = given(&filter.status) {
        let (condition, value) = status_condition(tenant, status)?;
        sql.push_str(condition);
        values.push(value);
    }
    if let Some(owner) = given(&filter.owner) {
        sql.push_str(" AND owner = ?");
        values.push(owner.into());
    }
    if let Some(tag) = given(&filter.tag) {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM tags t WHERE t.kind = 'event' AND t.subject_id = e.id AND t.tag = ?)",
        );
        values.push(tag.to_lowercase().into());
    }
    if let Some(condition) = combination_condition(services, tenant, filter).await? {
        sql.push_str(&condition);
    }
    if let Some(day) = given(&filter.new_since) {
        sql.push_str(" AND first_seen >= ?");
        values.push(parse_day("new_since", day)?.into());
    }
    if let Some(day) = given(&filter.not_seen_since) {
        sql.push_str(" AND last_seen < ?");
        values.push(parse_day("not_seen_since", day)?.into());
    }
    Ok((sql, values))
}

/// The condition of a status filter, by the status events show ([`TenantRef::shown_status`]):
/// `active` is active and seen lately, `quiet` active and not seen for a while, the others their
/// manual status.
fn status_condition(
    tenant: &TenantRef,
    status: &str,
) -> Result<(&'static str, Value), ServiceError> {
    let before = tenant.quiet_before();
    match status {
        "active" => Ok((
            " AND status = 'active' AND (last_seen IS NULL OR last_seen >= ?)",
            before.into(),
        )),
        "deprecated" | "obsolete" => Ok((" AND status = ?", status.into())),
        "quiet" => Ok((" AND status = 'active' AND last_seen < ?", before.into())),
        other => Err(ServiceError::Invalid(format!(
            "status `{other}` is not active, deprecated, obsolete or quiet"
        ))),
    }
}

/// The condition on where the events fire (application, platform, version, screen), if the filter
/// asks for any.
async fn combination_condition(
    services: &Services,
    tenant: &TenantRef,
    filter: &EventFilter,
) -> Result<Option<String>, sea_orm::DbErr> {
    let (application, platform, version, screen) = (
        given(&filter.application),
        given(&filter.platform),
        given(&filter.version),
        given(&filter.screen),
    );
    if application.is_none() && platform.is_none() && version.is_none() && screen.is_none() {
        return Ok(None);
    }
    // Resolved to ids first, so the sub-query reads the combinations' own indexes.
    let mut conditions = Vec::new();
    if application.is_some() || platform.is_some() || version.is_some() {
        let mut version_sql = String::from(
            "SELECT v.id AS id FROM app_versions v JOIN applications a ON a.id = v.application_id WHERE v.tenant_id = ?",
        );
        let mut version_values: Vec<Value> = vec![tenant.id.into()];
        for (column, value) in [
            ("a.name", application),
            ("a.platform", platform),
            ("v.version", version),
        ] {
            if let Some(value) = value {
                version_sql.push_str(&format!(" AND {column} = ?"));
                version_values.push(value.into());
            }
        }
        let version_ids = fetch::<Id>(services.db.conn(), &version_sql, version_values).await?;
        conditions.push(format!(
            "version_id IN {}",
            ids(version_ids.into_iter().map(|v| v.id))
        ));
    }
    if let Some(screen) = screen {
        let found = fetch_one::<Id>(
            services.db.conn(),
            "SELECT id FROM screens WHERE tenant_id = ? AND name = ?",
            vec![tenant.id.into(), screen.into()],
        )
        .await?;
        conditions.push(format!("screen_id = {}", found.map_or(-1, |s| s.id)));
    }
    Ok(Some(format!(
        " AND id IN (SELECT event_id FROM combinations WHERE {})",
        conditions.join(" AND ")
    )))
}

/// The values each filter can take: what the ledger holds (cached per ledger version), and the
/// owners and tags people set (read each time).
pub async fn options(
    services: &Services,
    tenant: &TenantRef,
) -> Result<FilterOptions, sea_orm::DbErr> {
    let tenant_id = tenant.id;
    let list = |sql: &'static str| async move {
        let mut values: Vec<String> =
            fetch::<Text>(services.db.conn(), sql, vec![tenant_id.into()])
                .await?
                .into_iter()
                .map(|t| t.value)
                .collect();
        values.sort_by(|a, b| version_order(a, b).then(a.cmp(b)));
        values.dedup();
        Ok::<_, sea_orm::DbErr>(values)
    };
    let ledger = cached(
        &services.db,
        format!("filter-options:{tenant_id}"),
        tenant.version,
        async {
            Ok::<_, sea_orm::DbErr>(FilterOptions {
                applications: list(
                    "SELECT DISTINCT name AS value FROM applications WHERE tenant_id = ?",
                )
                .await?,
                platforms: list(
                    "SELECT DISTINCT platform AS value FROM applications WHERE tenant_id = ?",
                )
                .await?,
                versions: list(
                    "SELECT DISTINCT version AS value FROM app_versions WHERE tenant_id = ?",
                )
                .await?,
                screens: list("SELECT name AS value FROM screens WHERE tenant_id = ?").await?,
                owners: Vec::new(),
                tags: Vec::new(),
            })
        },
    )
    .await?;
    Ok(FilterOptions {
        owners: list(
            "SELECT DISTINCT owner AS value FROM events WHERE tenant_id = ? AND owner IS NOT NULL",
        )
        .await?,
        tags: list("SELECT DISTINCT tag AS value FROM tags WHERE tenant_id = ? AND kind = 'event'")
            .await?,
        ..ledger.as_ref().clone()
    })
}

/// The names of the tenant's events, sorted (cached per ledger version): what a watch can name.
pub async fn event_names(
    services: &Services,
    tenant: &TenantRef,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let names = cached(
        &services.db,
        format!("event-names:{}", tenant.id),
        tenant.version,
        async {
            let rows = fetch::<Text>(
                services.db.conn(),
                "SELECT name AS value FROM events WHERE tenant_id = ? AND first_seen IS NOT NULL ORDER BY name",
                vec![tenant.id.into()],
            )
            .await?;
            Ok::<_, sea_orm::DbErr>(rows.into_iter().map(|t| t.value).collect::<Vec<_>>())
        },
    )
    .await?;
    Ok(names.as_ref().clone())
}
