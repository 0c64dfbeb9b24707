//! Reads the catalog pages share: the tenant's versions with their application, an event's or
//! screen's curated row with its tags, names and tags by id, and discovery rows as listed.

use std::collections::HashMap;

use blueprint_types::catalog::{Curation, DiscoveryItem};
use sea_orm::FromQueryResult;

use super::hour_text;
use crate::Services;
use crate::accounts::ServiceError;
use crate::sql::{fetch, fetch_one, ids};

/// `Shop 3.2 (android)`; what the events did not say is left out, and events without an
/// application read `no application` (not `(none) (none) ((none))`).
fn version_label(application: &str, version: &str, platform: &str) -> String {
    let known = |part: &str| !part.is_empty() && part != crate::mapping::NONE;
    let mut label = if known(application) {
        application.to_owned()
    } else {
        "no application".to_owned()
    };
    if known(version) {
        label.push(' ');
        label.push_str(version);
    }
    if known(platform) {
        label.push_str(&format!(" ({platform})"));
    }
    label
}

/// Versions of a tenant: id → (application, platform, version, first seen, last seen).
#[derive(Clone, Debug, FromQueryResult)]
pub(crate) struct VersionInfo {
    pub id: i64,
    pub application_id: i64,
    pub application: String,
    pub platform: String,
    pub version: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

impl VersionInfo {
    pub fn label(&self) -> String {
        version_label(&self.application, &self.version, &self.platform)
    }
}

pub(crate) async fn versions(
    services: &Services,
    tenant_id: i64,
) -> Result<HashMap<i64, VersionInfo>, sea_orm::DbErr> {
    Ok(fetch::<VersionInfo>(
        services.db.conn(),
        "SELECT v.id AS id, v.application_id AS application_id, a.name AS application, a.platform AS platform, \
         v.version AS version, v.first_seen AS first_seen, v.last_seen AS last_seen \
         FROM app_versions v JOIN applications a ON a.id = v.application_id WHERE v.tenant_id = ?",
        vec![tenant_id.into()],
    )
    .await?
    .into_iter()
    .map(|v| (v.id, v))
    .collect())
}

/// An event or screen row: its name, what people curate on it, first/last seen.
#[derive(FromQueryResult)]
pub(crate) struct CuratedRow {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub status: String,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Events only (NULL for screens).
    pub quiet_days: Option<i32>,
}

/// The event or screen (`table`) named `name` in the tenant, or `NotFound`.
pub(crate) async fn curated_row(
    services: &Services,
    table: &str,
    tenant_id: i64,
    name: &str,
) -> Result<CuratedRow, ServiceError> {
    let quiet = quiet_column(table);
    fetch_one(
        services.db.conn(),
        &format!(
            "SELECT id, name, description, owner, status, first_seen, last_seen, {quiet} FROM {table} WHERE tenant_id = ? AND name = ?"
        ),
        vec![tenant_id.into(), name.into()],
    )
    .await?
    .ok_or(ServiceError::NotFound)
}

/// What people curate on a row (`kind`: the tags' kind), with its tags.
pub(crate) async fn curation_of(
    services: &Services,
    kind: &str,
    row: &CuratedRow,
) -> Result<Curation, sea_orm::DbErr> {
    let tags = tags_of(services, kind, &[row.id]).await?;
    Ok(Curation {
        description: row.description.clone(),
        owner: row.owner.clone(),
        status: row.status.clone(),
        tags: tags.get(&row.id).cloned().unwrap_or_default(),
        quiet_days: row.quiet_days,
    })
}

/// The select expression of a row's own quiet period: events have one, others not.
pub(crate) fn quiet_column(table: &str) -> &'static str {
    if table == "events" {
        "quiet_days"
    } else {
        "CAST(NULL AS INTEGER) AS quiet_days"
    }
}

/// A discovery row as the pages list it.
#[derive(FromQueryResult)]
pub(crate) struct Discovered {
    kind: String,
    label: String,
    hour: i64,
    news: bool,
}

impl From<Discovered> for DiscoveryItem {
    fn from(d: Discovered) -> Self {
        Self {
            kind: d.kind,
            label: d.label,
            hour: hour_text(Some(d.hour)).unwrap_or_default(),
            news: d.news,
        }
    }
}

/// Names of rows of `table` (a catalog table with `id` and `name`) by id.
pub(crate) async fn names_of(
    services: &Services,
    table: &str,
    list: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Name {
        id: i64,
        name: String,
    }
    let list: Vec<i64> = list.into_iter().collect();
    let mut out = HashMap::with_capacity(list.len());
    for chunk in list.chunks(1000) {
        for row in fetch::<Name>(
            services.db.conn(),
            &format!(
                "SELECT id, name FROM {table} WHERE id IN {}",
                ids(chunk.iter().copied())
            ),
            vec![],
        )
        .await?
        {
            out.insert(row.id, row.name);
        }
    }
    Ok(out)
}

/// Tags of subjects of one kind: subject id → tags, sorted.
pub(crate) async fn tags_of(
    services: &Services,
    kind: &str,
    subject_ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        subject_id: i64,
        tag: String,
    }
    if subject_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in subject_ids.chunks(1000) {
        for row in fetch::<Row>(
            services.db.conn(),
            &format!(
                "SELECT subject_id, tag FROM tags WHERE kind = ? AND subject_id IN {}",
                ids(chunk.iter().copied())
            ),
            vec![kind.into()],
        )
        .await?
        {
            out.entry(row.subject_id).or_default().push(row.tag);
        }
    }
    for tags in out.values_mut() {
        tags.sort();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::version_label;

    #[test]
    fn a_version_label_leaves_out_what_is_unknown() {
        assert_eq!(
            version_label("Shop", "3.2", "android"),
            "Shop 3.2 (android)"
        );
        assert_eq!(
            version_label("(none)", "(none)", "(none)"),
            "no application"
        );
        assert_eq!(version_label("Shop", "(none)", "ios"), "Shop (ios)");
        assert_eq!(version_label("", "1.0", ""), "no application 1.0");
    }
}
