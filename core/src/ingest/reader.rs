//! Reading one tenant-hour: object_store lists the hour folder; each file is cut into blocks at
//! line ends (`blocks`, under the hour's `limits`) and handed to one parser thread per core, each
//! counting into its own accumulators, merged at the end. Memory is a few blocks per thread plus
//! the distinct (group, session) pairs, never the hour's size.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use object_store::ObjectStore;
use serde::{Deserialize, Serialize};

use crate::ingest::aggregate::Counts;
use crate::ingest::blocks::{self, Block, Channels, FileToRead, SAMPLE_CHARS, event_file};
use crate::ingest::error::IngestError;
use crate::ingest::limits::{self, HourBudget};
use crate::ingest::line::{self, LineParser, Reject};
use crate::ingest::time;
use crate::mapping::Mapping;

/// Rejected lines kept as samples per hour, and their length.
pub const MAX_SAMPLES: usize = 20;

/// One file of an hour, as listed (kept with the run, to notice later changes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourFile {
    pub name: String,
    pub size: u64,
    pub modified: String,
    pub e_tag: Option<String>,
    #[serde(skip)]
    pub location: object_store::path::Path,
}

/// Keeps the event files of a listing, sorted by name.
pub fn event_files(listing: Vec<object_store::ObjectMeta>) -> Vec<HourFile> {
    let mut files: Vec<HourFile> = listing
        .into_iter()
        .filter_map(|meta| {
            let name = meta.location.filename()?.to_owned();
            event_file(&name)?;
            Some(HourFile {
                name,
                size: meta.size,
                modified: meta
                    .last_modified
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                e_tag: meta.e_tag,
                location: meta.location,
            })
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// A rejected line kept for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedSample {
    pub file: String,
    /// Byte offset of the line in the (decompressed) file.
    pub offset: u64,
    pub reason: String,
    pub text: String,
}

/// The health figures of an hour.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourStats {
    pub files: u64,
    pub bytes: u64,
    pub lines: u64,
    pub events: u64,
    pub rejected: u64,
    pub skewed: u64,
    pub untimed: u64,
    pub duplicates: u64,
    /// Key paths left out of counted lines: longer than the mapping allows, or past its limit of
    /// key paths per line (each occurrence).
    #[serde(default)]
    pub keys_cut: u64,
    pub samples: Vec<RejectedSample>,
}

/// The result of reading an hour: its counts and its health.
pub struct HourRead {
    pub counts: Counts,
    pub stats: HourStats,
    pub split: ReadSplit,
}

/// Where reading an hour spent its time (wall clock, for the benchmark and the CLI's summary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadSplit {
    /// Listing the hour's folder.
    pub list_ms: i64,
    /// Reading, decompressing and parsing the files on the parser threads, until the last is done.
    pub parse_ms: i64,
    /// Merging the parser threads' counts into the hour's.
    pub merge_ms: i64,
}

/// Reads the files on the calling (blocking) thread and parses them on `workers` threads.
pub fn read_files(
    runtime: &tokio::runtime::Handle,
    store: &Arc<dyn ObjectStore>,
    files: &[HourFile],
    mapping: &Mapping,
    hour_start_ms: i64,
    reading: limits::Reading,
) -> Result<HourRead, IngestError> {
    let hour = HourToRead {
        files,
        mapping,
        hour_start_ms,
        reading,
    };
    read_files_with(runtime, store, hour, LineParser::parse)
}

/// [`read_files`] with the byte-by-byte line reader: the differential test's oracle.
#[cfg(feature = "reader-oracle")]
pub fn read_files_bytewise(
    runtime: &tokio::runtime::Handle,
    store: &Arc<dyn ObjectStore>,
    files: &[HourFile],
    mapping: &Mapping,
    hour_start_ms: i64,
    reading: limits::Reading,
) -> Result<HourRead, IngestError> {
    let hour = HourToRead {
        files,
        mapping,
        hour_start_ms,
        reading,
    };
    read_files_with(runtime, store, hour, LineParser::parse_bytewise)
}

/// How a parser thread reads one line.
type ParseLine = for<'a> fn(&mut LineParser, &'a str) -> Result<line::ParsedLine<'a>, Reject>;

/// The hour [`read_files`] reads.
struct HourToRead<'h> {
    files: &'h [HourFile],
    mapping: &'h Mapping,
    hour_start_ms: i64,
    reading: limits::Reading,
}

fn read_files_with(
    runtime: &tokio::runtime::Handle,
    store: &Arc<dyn ObjectStore>,
    hour: HourToRead<'_>,
    parse: ParseLine,
) -> Result<HourRead, IngestError> {
    let HourToRead {
        files,
        mapping,
        hour_start_ms,
        reading,
    } = hour;
    let limits = reading.limits;
    let workers = reading.workers.max(1);
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let dedup = Dedup::default();
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        let (block_tx, block_rx) = sync_channel::<Block>(workers * 2);
        let (pool_tx, pool_rx) = sync_channel::<Vec<u8>>(workers * 4);
        let block_rx = Arc::new(Mutex::new(block_rx));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let block_rx = Arc::clone(&block_rx);
                let pool_tx = pool_tx.clone();
                let (names, dedup) = (&names, &dedup);
                let hour = HourContext {
                    names,
                    dedup,
                    hour_start_ms,
                    max_line: limits.max_line_bytes,
                    parse,
                };
                scope.spawn(move || parse_blocks(&block_rx, &pool_tx, mapping, hour))
            })
            .collect();
        drop(pool_tx);
        let channels = Channels {
            blocks: &block_tx,
            pool: &pool_rx,
        };
        let mut budget = HourBudget {
            read: 0,
            limit: limits.max_hour_bytes,
        };
        let produced = files.iter().enumerate().try_for_each(|(index, file)| {
            let file = FileToRead {
                name: &file.name,
                location: &file.location,
                size: file.size,
                index: index as u32,
            };
            blocks::produce(runtime, store, file, &channels, &limits, &mut budget)
        });
        drop(block_tx);
        let mut parts = Vec::with_capacity(handles.len());
        for handle in handles {
            parts.push(handle.join().map_err(|_| IngestError::Worker)?);
        }
        let parsed = std::time::Instant::now();
        // The first thread's counts take the others in: two threads' maps at most are held at
        // once, not a third copy.
        let mut parts = parts.into_iter();
        let (mut counts, mut stats) = parts.next().unwrap_or_default();
        for (worker_counts, worker_stats) in parts {
            counts.merge(worker_counts);
            merge_stats(&mut stats, worker_stats);
        }
        let split = ReadSplit {
            list_ms: 0,
            parse_ms: millis(parsed - started),
            merge_ms: millis(parsed.elapsed()),
        };
        produced?;
        stats.files = files.len() as u64;
        stats.bytes = files.iter().map(|f| f.size).sum();
        stats
            .samples
            .sort_by(|a, b| (&a.file, a.offset).cmp(&(&b.file, b.offset)));
        stats.samples.truncate(MAX_SAMPLES);
        Ok(HourRead {
            counts,
            stats,
            split,
        })
    })
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn merge_stats(total: &mut HourStats, part: HourStats) {
    total.lines += part.lines;
    total.events += part.events;
    total.rejected += part.rejected;
    total.skewed += part.skewed;
    total.untimed += part.untimed;
    total.duplicates += part.duplicates;
    total.keys_cut += part.keys_cut;
    total.samples.extend(part.samples);
}

/// The hour's seen de-duplication ids, shared by the parser threads.
#[derive(Default)]
struct Dedup {
    shards: [Mutex<std::collections::HashSet<Box<str>>>; 16],
}

impl Dedup {
    /// True the first time an id is seen.
    fn first(&self, id: &str) -> bool {
        let shard = (crate::ingest::sketch::hash(id) % 16) as usize;
        let mut set = self.shards[shard]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if set.contains(id) {
            false
        } else {
            set.insert(id.into())
        }
    }
}

/// What every parser thread of an hour shares.
#[derive(Clone, Copy)]
struct HourContext<'a> {
    names: &'a [String],
    dedup: &'a Dedup,
    hour_start_ms: i64,
    max_line: usize,
    parse: ParseLine,
}

/// `1 MiB`, `512 KiB` or `1000 bytes`.
fn size_text(bytes: usize) -> String {
    match bytes {
        b if b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

fn parse_blocks(
    blocks: &Mutex<Receiver<Block>>,
    pool: &SyncSender<Vec<u8>>,
    mapping: &Mapping,
    hour: HourContext<'_>,
) -> (Counts, HourStats) {
    let HourContext {
        names,
        dedup,
        hour_start_ms,
        max_line,
        parse,
    } = hour;
    let too_long = format!(
        "line longer than {} (BLUEPRINT_INGEST_MAX_LINE_BYTES)",
        size_text(max_line)
    );
    let mut parser = LineParser::new(mapping);
    let mut counts = Counts::default();
    let mut stats = HourStats::default();
    let window = (hour_start_ms - 3_600_000)..(hour_start_ms + 7_200_000);
    loop {
        let received = blocks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .recv();
        let Ok(block) = received else {
            return (counts, stats);
        };
        let file = &names[block.file as usize];
        let reject = |stats: &mut HourStats, offset: u64, reason: String, text: &[u8]| {
            stats.rejected += 1;
            if stats.samples.len() < MAX_SAMPLES {
                let text: String = String::from_utf8_lossy(text)
                    .chars()
                    .take(SAMPLE_CHARS)
                    .collect();
                stats.samples.push(RejectedSample {
                    file: file.clone(),
                    offset,
                    reason,
                    text,
                });
            }
        };
        if block.too_long {
            stats.lines += 1;
            reject(&mut stats, block.offset, too_long.clone(), &block.data);
            continue;
        }
        let mut start = 0usize;
        let data = &block.data;
        // One validation for the whole block; only a block with invalid UTF-8 is checked per line.
        let block_is_utf8 = std::str::from_utf8(data).is_ok();
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |at| start + at);
            let raw = &data[start..end];
            let offset = block.offset + start as u64;
            start = end + 1;
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            stats.lines += 1;
            if raw.len() > max_line {
                reject(&mut stats, offset, too_long.clone(), raw);
                continue;
            }
            let text = if block_is_utf8 {
                // SAFETY: the whole block is valid UTF-8 and lines are cut at ASCII newlines
                // (and an ASCII carriage return), so every line is valid UTF-8 too.
                Ok(unsafe { std::str::from_utf8_unchecked(raw) })
            } else {
                std::str::from_utf8(raw)
            };
            let Ok(text) = text else {
                reject(&mut stats, offset, "invalid UTF-8".to_owned(), raw);
                continue;
            };
            let parsed = match parse(&mut parser, text) {
                Ok(parsed) => parsed,
                Err(err @ (Reject::Syntax(_) | Reject::NoEvent | Reject::TooLong { .. })) => {
                    reject(&mut stats, offset, err.to_string(), raw);
                    continue;
                }
            };
            if let Some(id) = parsed.slots[line::DEDUP].as_deref()
                && !dedup.first(id)
            {
                stats.duplicates += 1;
                continue;
            }
            match parsed.slots[line::TIMESTAMP]
                .as_deref()
                .and_then(time::parse_millis)
            {
                None => stats.untimed += 1,
                Some(ms) if !window.contains(&ms) => stats.skewed += 1,
                Some(_) => {}
            }
            stats.events += 1;
            stats.keys_cut += parser.line_cut();
            counts.add(&parsed, &parser);
        }
        let _ = pool.try_send(limits::recycle(block.data));
    }
}
