//! Finding what a roll-out request names — a tenant, a roll-out, an application and its
//! versions — and the error for a request that names something that is not there.

use blueprint_types::rollouts::OpenRollout;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::entities::{app_version, application, rollout, tenant};

/// Why a roll-out cannot be opened, found or changed.
pub(super) fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

/// The tenant named `slug`, for the command line (which may see every tenant).
pub(super) async fn tenant_named(
    conn: &impl ConnectionTrait,
    slug: &str,
) -> Result<tenant::Model, ServiceError> {
    crate::tenants::by_slug(conn, slug)
        .await?
        .ok_or_else(|| invalid(format!("there is no tenant `{slug}`")))
}

/// Roll-out `id`, if `actor` may read its tenant (otherwise it is not found).
pub(super) async fn visible_rollout(
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

/// Roll-out `id` as it is stored now.
pub(super) async fn reload(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<rollout::Model, ServiceError> {
    rollout::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The candidate's roll-out, if it has one.
pub(super) async fn rollout_of(
    conn: &impl ConnectionTrait,
    application_id: i64,
    candidate_id: i64,
) -> Result<Option<rollout::Model>, DbErr> {
    rollout::Entity::find()
        .filter(rollout::Column::ApplicationId.eq(application_id))
        .filter(rollout::Column::CandidateId.eq(candidate_id))
        .one(conn)
        .await
}

/// What a request names: the application, the candidate and (if named) the baseline.
pub(super) struct Target {
    pub app: application::Model,
    pub candidate: app_version::Model,
    pub baseline: Option<app_version::Model>,
}

/// Finds the application, candidate and baseline a request names.
pub(super) async fn resolve(
    services: &Services,
    tenant: &tenant::Model,
    request: &OpenRollout,
) -> Result<Target, ServiceError> {
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
    Ok(Target {
        app,
        candidate,
        baseline,
    })
}
