//! Why an hour could not be read.

/// Why an hour could not be read. The run is recorded as failed with this reason; nothing of the
/// hour is written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot list {folder}: {reason}")]
    List { folder: String, reason: String },
    #[error("file {file} disappeared before it could be read")]
    Vanished { file: String },
    #[error("cannot read {file}: {reason}")]
    Read { file: String, reason: String },
    #[error("a parser thread stopped unexpectedly")]
    Worker,
    #[error(transparent)]
    Limit(#[from] crate::ingest::limits::Exceeded),
}
