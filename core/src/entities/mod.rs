//! SeaORM entities, one module per table; the schema itself lives in `blueprint-migration`.

pub mod api_token;
pub mod app_version;
pub mod application;
pub mod audit_entry;
pub mod backfill;
pub mod combination;
pub mod discovery;
pub mod event;
pub mod event_key;
pub mod hour_claim;
pub mod hour_task;
pub mod hourly_count;
pub mod hourly_key;
pub mod hourly_session;
pub mod ingested_hour;
pub mod ingestion_run;
pub mod job_schedule;
pub mod job_worker;
pub mod key_type;
pub mod mapping;
pub mod membership;
pub mod screen;
pub mod sign_in_throttle;
pub mod tenant;
pub mod user;
pub mod web_session;
