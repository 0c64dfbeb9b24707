//! What detection reads: the tenant's catalog with the rule for "gone", one thing found quiet,
//! and what a detection changed.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::{app_version, application, event, screen, tenant};
use crate::hour::Hour;
use crate::notify;
use crate::tenants::QUIET_DAYS;

/// What one detection changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detected {
    pub marked: usize,
    pub lifted: usize,
}

/// One thing found obsolete now.
pub(super) struct Quiet {
    pub(super) kind: &'static str,
    pub(super) subject_id: i64,
    pub(super) label: String,
    pub(super) scope: String,
    pub(super) last_seen: Option<i64>,
    pub(super) subject: (Option<String>, Option<String>, Option<String>),
    pub(super) owners: Vec<String>,
    pub(super) link: String,
    pub(super) title: String,
}

/// The tenant's catalog as detection reads it, with the rule for "gone".
pub(super) struct Snapshot {
    pub(super) tenant_id: i64,
    /// The tenant's slug as a path segment, for links.
    pub(super) slug: String,
    pub(super) latest: i64,
    pub(super) tenant_days: i64,
    pub(super) events: Vec<event::Model>,
    pub(super) screens: Vec<screen::Model>,
    pub(super) apps: Vec<application::Model>,
    pub(super) versions: Vec<app_version::Model>,
}

impl Snapshot {
    pub(super) async fn load(
        conn: &impl ConnectionTrait,
        tenant_id: i64,
    ) -> Result<Option<Self>, DbErr> {
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
    pub(super) fn gone_after(&self, days: i64, last_seen: Option<i64>) -> bool {
        last_seen.is_some_and(|seen| seen <= self.latest - days * 86_400)
    }

    /// Gone under the tenant's quiet period.
    pub(super) fn gone(&self, last_seen: Option<i64>) -> bool {
        self.gone_after(self.tenant_days, last_seen)
    }

    /// Gone under the event's own quiet period, or the tenant's.
    pub(super) fn event_gone(&self, e: &event::Model) -> bool {
        self.gone_after(
            e.quiet_days.map_or(self.tenant_days, i64::from),
            e.last_seen,
        )
    }

    pub(super) fn app_by_id(&self) -> HashMap<i64, &application::Model> {
        self.apps.iter().map(|a| (a.id, a)).collect()
    }
}

pub(super) fn seen_text(seconds: Option<i64>) -> String {
    seconds
        .and_then(Hour::from_epoch_seconds)
        .map_or_else(|| "never".to_owned(), |h| h.to_string())
}
