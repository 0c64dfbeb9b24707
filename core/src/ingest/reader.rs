//! Reading one tenant-hour: object_store lists the hour folder and opens each file (local files are
//! read directly, remote ones streamed); `.gz` and `.zst` are decompressed on the fly; the bytes
//! are cut into blocks at line ends and handed to one parser thread per core, each counting into
//! its own accumulators, merged at the end. Memory is a few blocks per thread plus the distinct
//! (group, session) pairs, never the hour's size.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt};
use serde::{Deserialize, Serialize};

use crate::ingest::aggregate::Counts;
use crate::ingest::error::IngestError;
use crate::ingest::line::{self, LineParser, Reject};
use crate::ingest::time;
use crate::mapping::Mapping;

/// Bytes handed to a parser at a time.
const BLOCK: usize = 8 << 20;
/// A line longer than this is rejected without being held in memory.
pub const MAX_LINE: usize = 64 << 20;
/// Rejected lines kept as samples per hour, and their length.
pub const MAX_SAMPLES: usize = 20;
const SAMPLE_CHARS: usize = 200;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Whether a file name is an event file, and how it is compressed.
fn event_file(name: &str) -> Option<Compression> {
    if name.starts_with('.') || name.starts_with('_') {
        return None;
    }
    let (base, compression) = if let Some(base) = name.strip_suffix(".gz") {
        (base, Compression::Gzip)
    } else if let Some(base) = name.strip_suffix(".zst") {
        (base, Compression::Zstd)
    } else {
        (name, Compression::None)
    };
    [".json", ".jsonl", ".ndjson"]
        .iter()
        .any(|ext| base.ends_with(ext))
        .then_some(compression)
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
    pub samples: Vec<RejectedSample>,
}

/// The result of reading an hour: its counts and its health.
pub struct HourRead {
    pub counts: Counts,
    pub stats: HourStats,
}

struct Block {
    file: u32,
    offset: u64,
    data: Vec<u8>,
    /// A line over `MAX_LINE` was cut: `data` is its start, to be rejected.
    too_long: bool,
}

/// Reads the files on the calling (blocking) thread and parses them on `workers` threads.
pub fn read_files(
    runtime: &tokio::runtime::Handle,
    store: &Arc<dyn ObjectStore>,
    files: &[HourFile],
    mapping: &Mapping,
    hour_start_ms: i64,
    workers: usize,
) -> Result<HourRead, IngestError> {
    let workers = workers.max(1);
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let dedup = Dedup::default();
    std::thread::scope(|scope| {
        let (block_tx, block_rx) = sync_channel::<Block>(workers * 2);
        let (pool_tx, pool_rx) = sync_channel::<Vec<u8>>(workers * 4);
        let block_rx = Arc::new(Mutex::new(block_rx));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let block_rx = Arc::clone(&block_rx);
                let pool_tx = pool_tx.clone();
                let (names, dedup) = (&names, &dedup);
                scope.spawn(move || {
                    parse_blocks(&block_rx, &pool_tx, mapping, names, dedup, hour_start_ms)
                })
            })
            .collect();
        drop(pool_tx);
        let produced = files.iter().enumerate().try_for_each(|(index, file)| {
            produce(runtime, store, file, index as u32, &block_tx, &pool_rx)
        });
        drop(block_tx);
        let mut counts = Counts::default();
        let mut stats = HourStats::default();
        for handle in handles {
            let (worker_counts, worker_stats) = handle.join().map_err(|_| IngestError::Worker)?;
            counts.merge(worker_counts);
            merge_stats(&mut stats, worker_stats);
        }
        produced?;
        stats.files = files.len() as u64;
        stats.bytes = files.iter().map(|f| f.size).sum();
        stats
            .samples
            .sort_by(|a, b| (&a.file, a.offset).cmp(&(&b.file, b.offset)));
        stats.samples.truncate(MAX_SAMPLES);
        Ok(HourRead { counts, stats })
    })
}

fn merge_stats(total: &mut HourStats, part: HourStats) {
    total.lines += part.lines;
    total.events += part.events;
    total.rejected += part.rejected;
    total.skewed += part.skewed;
    total.untimed += part.untimed;
    total.duplicates += part.duplicates;
    total.samples.extend(part.samples);
}

/// Opens one file and sends its blocks, each ending at a line end.
fn produce(
    runtime: &tokio::runtime::Handle,
    store: &Arc<dyn ObjectStore>,
    file: &HourFile,
    index: u32,
    blocks: &SyncSender<Block>,
    pool: &Receiver<Vec<u8>>,
) -> Result<(), IngestError> {
    let read_error = |source: std::io::Error| IngestError::Read {
        file: file.name.clone(),
        reason: crate::error_chain(&source),
    };
    let mut reader = open(runtime, store, file)?;
    let mut offset = 0u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut skipping_long_line = false;
    loop {
        let mut buffer = pool.try_recv().unwrap_or_default();
        buffer.clear();
        buffer.reserve(BLOCK + carry.len());
        buffer.append(&mut carry);
        let filled = fill(&mut reader, &mut buffer, BLOCK).map_err(read_error)?;
        let at_end = filled < BLOCK;
        let cut = if at_end {
            buffer.len()
        } else {
            match memchr::memrchr(b'\n', &buffer) {
                Some(at) => at + 1,
                None if buffer.len() >= MAX_LINE || skipping_long_line => {
                    // No line end within MAX_LINE: report the line once, then drop bytes until one.
                    let consumed = buffer.len() as u64;
                    if !skipping_long_line {
                        buffer.truncate(SAMPLE_CHARS * 4);
                        send(
                            blocks,
                            Block {
                                file: index,
                                offset,
                                data: buffer,
                                too_long: true,
                            },
                        )?;
                        skipping_long_line = true;
                    }
                    offset += consumed;
                    continue;
                }
                None => {
                    carry = buffer;
                    continue;
                }
            }
        };
        let mut data = buffer;
        carry = data.split_off(cut);
        if skipping_long_line {
            // The rest of the over-long line ends at the first line end: drop it.
            let end = memchr::memchr(b'\n', &data).map_or(data.len(), |at| at + 1);
            offset += end as u64;
            data.drain(..end);
            skipping_long_line = false;
        }
        let length = data.len() as u64;
        if !data.is_empty() {
            send(
                blocks,
                Block {
                    file: index,
                    offset,
                    data,
                    too_long: false,
                },
            )?;
        }
        offset += length;
        if at_end && carry.is_empty() {
            return Ok(());
        }
    }
}

fn send(blocks: &SyncSender<Block>, block: Block) -> Result<(), IngestError> {
    blocks.send(block).map_err(|_| IngestError::Worker)
}

/// Reads until `want` more bytes are in `buffer` or the input ends; returns how many were read.
fn fill(reader: &mut dyn Read, buffer: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
    let start = buffer.len();
    let target = start + want;
    buffer.resize(target, 0);
    let mut filled = start;
    while filled < target {
        match reader.read(&mut buffer[filled..target]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => {
                buffer.truncate(filled);
                return Err(err);
            }
        }
    }
    buffer.truncate(filled);
    Ok(filled - start)
}

fn open(
    runtime: &tokio::runtime::Handle,
    store: &Arc<dyn ObjectStore>,
    file: &HourFile,
) -> Result<Box<dyn Read + Send>, IngestError> {
    let result = runtime
        .block_on(store.get(&file.location))
        .map_err(|err| match err {
            object_store::Error::NotFound { .. } => IngestError::Vanished {
                file: file.name.clone(),
            },
            other => IngestError::Read {
                file: file.name.clone(),
                reason: crate::events_root::store_reason(&other),
            },
        })?;
    let raw: Box<dyn Read + Send> = match result.payload {
        GetResultPayload::File(handle, _) => Box::new(handle),
        GetResultPayload::Stream(stream) => Box::new(StreamRead {
            runtime: runtime.clone(),
            stream,
            current: Bytes::new(),
        }),
    };
    let compression = event_file(&file.name).unwrap_or(Compression::None);
    Ok(match compression {
        Compression::None => raw,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
            std::io::BufReader::with_capacity(1 << 20, raw),
        )),
        Compression::Zstd => {
            Box::new(
                zstd::stream::read::Decoder::new(raw).map_err(|err| IngestError::Read {
                    file: file.name.clone(),
                    reason: err.to_string(),
                })?,
            )
        }
    })
}

/// A blocking reader over an object_store byte stream.
struct StreamRead {
    runtime: tokio::runtime::Handle,
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    current: Bytes,
}

impl Read for StreamRead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.runtime.block_on(self.stream.next()) {
                Some(Ok(bytes)) => self.current = bytes,
                Some(Err(err)) => return Err(std::io::Error::other(err)),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
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

fn parse_blocks(
    blocks: &Mutex<Receiver<Block>>,
    pool: &SyncSender<Vec<u8>>,
    mapping: &Mapping,
    names: &[String],
    dedup: &Dedup,
    hour_start_ms: i64,
) -> (Counts, HourStats) {
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
            reject(
                &mut stats,
                block.offset,
                format!("line longer than {} MiB", MAX_LINE >> 20),
                &block.data,
            );
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
            let parsed = match parser.parse(text) {
                Ok(parsed) => parsed,
                Err(err @ (Reject::Syntax(_) | Reject::NoEvent)) => {
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
            counts.add(&parsed, &parser);
        }
        let _ = pool.try_send(block.data);
    }
}
