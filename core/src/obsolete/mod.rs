//! Obsolete detection. Counted back from the tenant's latest ingested hour (so a paused pipeline
//! does not mark everything obsolete), an event, screen, application or application version not
//! seen for the quiet period ([`QUIET_DAYS`] days unless the tenant or the event sets its own) is `gone`; an event still sent by older versions of an application
//! but absent from that application's newest live version is `retired` there. Each gets one open
//! mark, and its owner and watchers are told once; when it is seen again (or the newest version
//! sends it after all) the mark is lifted and they are told that too.
//!
//! The newest live version of an application is the highest version seen within the same window
//! whose first hour is at least a day before the latest hour, so a version released an hour ago
//! does not make every event look retired. Runs after each hourly planning and when a backfill ends.

mod gone;
mod marks;
mod retired;

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::{app_version, application, event, screen, tenant};
use crate::hour::Hour;
use crate::notify;

pub use crate::tenants::QUIET_DAYS;

/// What one detection changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detected {
    pub marked: usize,
    pub lifted: usize,
}

/// One thing found obsolete now.
struct Quiet {
    kind: &'static str,
    subject_id: i64,
    label: String,
    scope: String,
    last_seen: Option<i64>,
    subject: (Option<String>, Option<String>, Option<String>),
    owners: Vec<String>,
    link: String,
    title: String,
}

/// The tenant's catalog as detection reads it, with the rule for "gone".
struct Snapshot {
    tenant_id: i64,
    /// The tenant's slug as a path segment, for links.
    slug: String,
    latest: i64,
    tenant_days: i64,
    events: Vec<event::Model>,
    screens: Vec<screen::Model>,
    apps: Vec<application::Model>,
    versions: Vec<app_version::Model>,
}

impl Snapshot {
    async fn load(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<Option<Self>, DbErr> {
        let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(conn).await? else {
            return Ok(None);
        };
        let Some(latest) = crate::tenants::latest_hour(conn, tenant_id).await? else {
            return Ok(None);
        };
        Ok(Some(Self {
            tenant_id,
            slug: notify::path_segment(&tenant.slug),
            latest,
            tenant_days: tenant.quiet_days.map_or(QUIET_DAYS, i64::from),
            events: event::Entity::find()
                .filter(event::Column::TenantId.eq(tenant_id))
                .all(conn)
                .await?,
            screens: screen::Entity::find()
                .filter(screen::Column::TenantId.eq(tenant_id))
                .all(conn)
                .await?,
            apps: application::Entity::find()
                .filter(application::Column::TenantId.eq(tenant_id))
                .all(conn)
                .await?,
            versions: app_version::Entity::find()
                .filter(app_version::Column::TenantId.eq(tenant_id))
                .all(conn)
                .await?,
        }))
    }

    /// Last seen at least `days` days before the latest hour.
    fn gone_after(&self, days: i64, last_seen: Option<i64>) -> bool {
        last_seen.is_some_and(|seen| seen <= self.latest - days * 86_400)
    }

    /// Gone under the tenant's quiet period.
    fn gone(&self, last_seen: Option<i64>) -> bool {
        self.gone_after(self.tenant_days, last_seen)
    }

    /// Gone under the event's own quiet period, or the tenant's.
    fn event_gone(&self, e: &event::Model) -> bool {
        self.gone_after(
            e.quiet_days.map_or(self.tenant_days, i64::from),
            e.last_seen,
        )
    }

    fn app_by_id(&self) -> HashMap<i64, &application::Model> {
        self.apps.iter().map(|a| (a.id, a)).collect()
    }
}

fn seen_text(seconds: Option<i64>) -> String {
    seconds
        .and_then(Hour::from_epoch_seconds)
        .map_or_else(|| "never".to_owned(), |h| h.to_string())
}

/// Marks what went quiet and lifts the marks of what came back, telling owners and watchers;
/// `at` (epoch seconds) dates the marks and their lifting.
pub async fn detect(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    at: i64,
) -> Result<Detected, DbErr> {
    let Some(snapshot) = Snapshot::load(conn, tenant_id).await? else {
        return Ok(Detected::default());
    };
    let mut quiet = gone::find(&snapshot);
    quiet.extend(retired::find(conn, &snapshot).await?);
    marks::apply(conn, &snapshot, &quiet, at).await
}
