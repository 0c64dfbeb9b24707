//! Reads one hour folder with the hour reader and prints its wall time, for comparing readers on
//! the benchmark hour without a database: `cargo run --release -p blueprint-core --features
//! reader-oracle --example read_hour -- <events root> <tenant> <YYYY-MM-DDTHH> [simd|bytewise]
//! [threads]`.

use std::time::Instant;

use blueprint_core::events_root::{EventsLocation, EventsRoot};
use blueprint_core::hour::Hour;
use blueprint_core::ingest::{self, Reading, reader};
use blueprint_core::mapping::Mapping;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, tenant, hour, ..] = args.as_slice() else {
        eprintln!(
            "usage: read_hour <events root> <tenant> <YYYY-MM-DDTHH> [simd|bytewise] [threads]"
        );
        std::process::exit(2);
    };
    let which = args.get(3).map_or("simd", String::as_str).to_owned();
    let threads: usize = args.get(4).and_then(|t| t.parse().ok()).unwrap_or(2);
    let hour: Hour = hour.parse().expect("an hour as YYYY-MM-DDTHH");
    let events = EventsRoot::open(&EventsLocation::Local(root.into())).expect("the events root");
    let started = Instant::now();
    let files = ingest::list_hour(&events, tenant, hour)
        .await
        .expect("the hour's files");
    let store = std::sync::Arc::clone(events.store());
    let runtime = tokio::runtime::Handle::current();
    let mapping = Mapping::default();
    let read = tokio::task::spawn_blocking(move || {
        let start = hour.epoch_seconds() * 1000;
        let reading = Reading::from(threads);
        match which.as_str() {
            "bytewise" => {
                reader::read_files_bytewise(&runtime, &store, &files, &mapping, start, reading)
            }
            _ => reader::read_files(&runtime, &store, &files, &mapping, start, reading),
        }
    })
    .await
    .expect("the reader thread")
    .expect("the hour read");
    println!(
        "{:.3} s: {} events, {} groups, {} key rows; parse {} ms, merge {} ms",
        started.elapsed().as_secs_f64(),
        read.stats.events,
        read.counts.groups.len(),
        read.counts.key_rows(),
        read.split.parse_ms,
        read.split.merge_ms
    );
}
