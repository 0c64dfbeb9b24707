//! Storage of web sessions in Blueprint's database (SQLite or Postgres), for the server's
//! tower-sessions store: opaque (hashed) ids, serialised session data and expiry times; expired
//! rows deleted. Saving never re-creates a deleted session.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::Services;
use crate::accounts::ServiceError;
use crate::entities::web_session;

/// Inserts a new session; false when the id is taken.
pub async fn create(
    services: &Services,
    id: &str,
    data: &str,
    expires_at: i64,
) -> Result<bool, ServiceError> {
    let inserted = web_session::Entity::insert(web_session::ActiveModel {
        id: Set(id.to_owned()),
        data: Set(data.to_owned()),
        expires_at: Set(expires_at),
    })
    .on_conflict(
        OnConflict::column(web_session::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(services.db.conn())
    .await?;
    Ok(inserted == 1)
}

/// Updates a live session; a session that was deleted (signed out, expired) stays deleted, so a
/// request still in flight when its session ended cannot bring it back.
pub async fn save(
    services: &Services,
    id: &str,
    data: &str,
    expires_at: i64,
) -> Result<(), ServiceError> {
    web_session::Entity::update_many()
        .col_expr(web_session::Column::Data, Expr::value(data))
        .col_expr(web_session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(web_session::Column::Id.eq(id))
        .exec(services.db.conn())
        .await?;
    Ok(())
}

/// The record of a live session and when it expires.
pub async fn load(
    services: &Services,
    id: &str,
    now: i64,
) -> Result<Option<(String, i64)>, ServiceError> {
    Ok(web_session::Entity::find_by_id(id.to_owned())
        .filter(web_session::Column::ExpiresAt.gt(now))
        .one(services.db.conn())
        .await?
        .map(|row| (row.data, row.expires_at)))
}

pub async fn delete(services: &Services, id: &str) -> Result<(), ServiceError> {
    web_session::Entity::delete_by_id(id.to_owned())
        .exec(services.db.conn())
        .await?;
    Ok(())
}

pub async fn delete_expired(services: &Services, now: i64) -> Result<u64, ServiceError> {
    Ok(web_session::Entity::delete_many()
        .filter(web_session::Column::ExpiresAt.lte(now))
        .exec(services.db.conn())
        .await?
        .rows_affected)
}
