//! SeaORM entities, one module per table; the schema itself lives in `blueprint-migration`.

pub mod app_version;
pub mod application;
pub mod combination;
pub mod discovery;
pub mod event;
pub mod event_key;
pub mod hourly_count;
pub mod hourly_key;
pub mod hourly_session;
pub mod ingested_hour;
pub mod ingestion_run;
pub mod key_type;
pub mod mapping;
pub mod screen;
pub mod tenant;
pub mod user;
