//! Ingests one hour the way `blueprint ingest` does (`pipeline::ingest_hour`), for measuring the
//! ledger write of the benchmark hour from a release build of this crate alone (the server's
//! release build takes much longer): `cargo run --release -p blueprint-core
//! --example ingest_hour -- <database url> <events root> <tenant> <YYYY-MM-DDTHH>
//! [threads]`. Prints the run's wall time and its split; run it twice for a re-ingestion. With
//! `BLUEPRINT_LOG=blueprint_core=debug` it also logs the write's phases.

use blueprint_core::Services;
use blueprint_core::db::{Database, DatabaseUrl, PoolSettings};
use blueprint_core::events_root::{EventsLocation, EventsRoot};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::pipeline;

#[tokio::main]
async fn main() {
    if let Ok(filter) = std::env::var("BLUEPRINT_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, root, tenant, hour, ..] = args.as_slice() else {
        eprintln!(
            "usage: ingest_hour <database url> <events root> <tenant> <YYYY-MM-DDTHH> [threads]"
        );
        std::process::exit(2);
    };
    let threads: usize = args.get(4).and_then(|t| t.parse().ok()).unwrap_or(2);
    let hour: Hour = hour.parse().expect("an hour as YYYY-MM-DDTHH");
    let url = DatabaseUrl::parse(url).expect("a database URL");
    let db = Database::open(&url, &PoolSettings::default())
        .await
        .expect("the database");
    let events = EventsRoot::open(&EventsLocation::Local(root.into())).expect("the events root");
    let services = Services::new(db, events);
    let outcome = pipeline::ingest_hour(&services, tenant, hour, Trigger::Cli, None, threads)
        .await
        .expect("the hour ingested");
    println!(
        "{:.3} s: {} events, {} discoveries; read {} ms (parse {} ms, merge {} ms), write {} ms",
        outcome.seconds,
        outcome.stats.events,
        outcome.discoveries,
        outcome.timings.read_ms,
        outcome.split.parse_ms,
        outcome.split.merge_ms,
        outcome.timings.write_ms
    );
}
