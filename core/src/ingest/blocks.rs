//! Cutting an hour's files into blocks for the parser threads: each file is opened (local files
//! read directly, remote ones streamed), `.gz` and `.zst` decompressed on the fly under the
//! hour's limits (`limits`), and its bytes cut at line ends. A line with no end within the line
//! limit is sent once as a too-long stub and its bytes dropped up to its end.

use std::io::Read;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt};

use crate::ingest::error::IngestError;
use crate::ingest::limits::{BLOCK, Bounded, HourBudget, ReadLimits, exceeded};

/// Characters of a rejected line kept as its sample.
pub(super) const SAMPLE_CHARS: usize = 200;

/// One file to read: its name (for messages), where it is, its listed size, its number in the hour.
#[derive(Clone, Copy)]
pub(super) struct FileToRead<'a> {
    pub name: &'a str,
    pub location: &'a object_store::path::Path,
    pub size: u64,
    pub index: u32,
}

/// Bytes of one file for a parser, ending at a line end.
pub(super) struct Block {
    pub file: u32,
    pub offset: u64,
    pub data: Vec<u8>,
    /// A line over the line limit was cut: `data` is its start, to be rejected.
    pub too_long: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Whether a file name is an event file, and how it is compressed.
pub(super) fn event_file(name: &str) -> Option<Compression> {
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

/// Where the blocks go and where their buffers come back from.
pub(super) struct Channels<'a> {
    pub blocks: &'a SyncSender<Block>,
    pub pool: &'a Receiver<Vec<u8>>,
}

/// Opens one file and sends its blocks, each ending at a line end.
pub(super) fn produce(
    runtime: &tokio::runtime::Handle,
    store: &Arc<dyn ObjectStore>,
    file: FileToRead<'_>,
    channels: &Channels<'_>,
    limits: &ReadLimits,
    budget: &mut HourBudget,
) -> Result<(), IngestError> {
    let Channels { blocks, pool } = *channels;
    let read_error = |source: std::io::Error| match exceeded(&source) {
        Some(limit) => IngestError::Limit(limit.clone()),
        None => IngestError::Read {
            file: file.name.to_owned(),
            reason: crate::error_chain(&source),
        },
    };
    let compressed = event_file(file.name).is_some_and(|c| c != Compression::None);
    let mut reader = Bounded::new(
        open(runtime, store, file)?,
        file.location.to_string(),
        file.size,
        compressed,
        limits,
        budget,
    );
    let max_line = limits.max_line_bytes;
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
                None if buffer.len() >= max_line || skipping_long_line => {
                    // No line end within the limit: report the line once, then drop bytes until one.
                    let consumed = buffer.len() as u64;
                    if !skipping_long_line {
                        buffer.truncate(SAMPLE_CHARS * 4);
                        send(
                            blocks,
                            Block {
                                file: file.index,
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
                    file: file.index,
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

pub(super) fn send(blocks: &SyncSender<Block>, block: Block) -> Result<(), IngestError> {
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
    file: FileToRead<'_>,
) -> Result<Box<dyn Read + Send>, IngestError> {
    let result = runtime
        .block_on(store.get(file.location))
        .map_err(|err| match err {
            object_store::Error::NotFound { .. } => IngestError::Vanished {
                file: file.name.to_owned(),
            },
            other => IngestError::Read {
                file: file.name.to_owned(),
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
    let compression = event_file(file.name).unwrap_or(Compression::None);
    Ok(match compression {
        Compression::None => raw,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
            std::io::BufReader::with_capacity(1 << 20, raw),
        )),
        Compression::Zstd => {
            Box::new(
                zstd::stream::read::Decoder::new(raw).map_err(|err| IngestError::Read {
                    file: file.name.to_owned(),
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
