//! Ingestion: one tenant-hour of raw NDJSON → the hour's counts, sessions, keys and health, in one
//! pass over the bytes.
//!
//! Why by hand rather than through DataFusion's JSON reader: its schema inference reads a sample
//! and fails when files disagree on a key's type, it turns numbers into floats (`3.10` would become
//! `3.1`), and it cannot report every key path and type of every line. Ingestion needs exactly
//! those, so object_store lists and opens the files, and a hand-written one-pass reader
//! (`json`, `line`) feeds per-thread accumulators (`aggregate`) that merge exactly at the end.

pub mod aggregate;
mod blocks;
pub(crate) mod error;
pub mod index;
pub mod intern;
pub mod json;
pub mod limits;
pub mod line;
pub mod reader;
pub mod reject;
pub mod sketch;
pub mod time;

use std::sync::Arc;

use crate::events_root::EventsRoot;
use crate::hour::Hour;
use crate::mapping::Mapping;
pub use error::IngestError;
pub use limits::{ReadLimits, Reading};
use reader::{HourFile, HourRead};

/// Lists the event files of a tenant-hour (none when the folder is missing).
pub async fn list_hour(
    events: &EventsRoot,
    tenant: &str,
    hour: Hour,
) -> Result<Vec<HourFile>, IngestError> {
    let folder = format!("{tenant}/{}", hour.folder());
    let listing = events
        .list_objects(&folder)
        .await
        .map_err(|err| IngestError::List {
            folder: folder.clone(),
            reason: err.to_string(),
        })?;
    Ok(reader::event_files(listing))
}

/// Lists the event files of every hour folder of a tenant's day (`day` is its first hour), by
/// hour: one listing instead of 24.
pub async fn list_day(
    events: &EventsRoot,
    tenant: &str,
    day: Hour,
) -> Result<std::collections::BTreeMap<Hour, Vec<HourFile>>, IngestError> {
    let folder = format!("{tenant}/{}", day.start().format("dt=%Y-%m-%d"));
    let listing = events
        .list_objects(&folder)
        .await
        .map_err(|err| IngestError::List {
            folder: folder.clone(),
            reason: err.to_string(),
        })?;
    let mut by_hour: std::collections::BTreeMap<Hour, Vec<object_store::ObjectMeta>> =
        std::collections::BTreeMap::new();
    for meta in listing {
        let hour = meta
            .location
            .parts()
            .find_map(|part| part.as_ref().strip_prefix("hr=")?.parse::<i64>().ok())
            .filter(|hh| (0..24).contains(hh));
        if let Some(hh) = hour {
            by_hour.entry(day.plus(hh)).or_default().push(meta);
        }
    }
    Ok(by_hour
        .into_iter()
        .map(|(hour, metas)| (hour, reader::event_files(metas)))
        .collect())
}

/// Reads the listed files of an hour with `reading`'s parser threads, within its limits (a
/// bare number: that many threads, default limits).
pub async fn read_hour(
    events: &EventsRoot,
    files: Vec<HourFile>,
    mapping: &Mapping,
    hour: Hour,
    reading: impl Into<Reading>,
) -> Result<HourRead, IngestError> {
    let reading = reading.into();
    let store = Arc::clone(events.store());
    let mapping = mapping.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        reader::read_files(
            &runtime,
            &store,
            &files,
            &mapping,
            hour.epoch_seconds() * 1000,
            reading,
        )
    })
    .await
    .map_err(|_| IngestError::Worker)?
}
