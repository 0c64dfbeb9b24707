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
mod snapshot;

use sea_orm::{ConnectionTrait, DbErr};

pub use crate::tenants::QUIET_DAYS;
pub use snapshot::Detected;
use snapshot::Snapshot;

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
