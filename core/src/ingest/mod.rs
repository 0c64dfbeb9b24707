//! Ingestion: one tenant-hour of raw NDJSON → the hour's counts, sessions, keys and health.

pub mod json;
pub mod line;
