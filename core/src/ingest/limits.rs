//! What reading an hour may cost: the longest line, how far a compressed file may inflate, and
//! how many bytes an hour's files may hold once decompressed (README, "Settings"). Files come from
//! anyone who can write to the events root, so a small `.gz` that inflates without end, or a few
//! huge lines, must end the run with a reason instead of holding a job slot or gigabytes.

use std::io::Read;

/// Bytes handed to a parser at a time.
pub const BLOCK: usize = 8 << 20;

/// A pooled buffer keeps at most this capacity once its block is parsed: a long line grows one
/// buffer for a moment, never for the rest of the hour.
pub const POOLED: usize = BLOCK + (1 << 20);

/// The bounds of reading one hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// A longer line is rejected (counted, with its reason) and the rest of its file is read.
    pub max_line_bytes: usize,
    /// A compressed file inflating to more than this many times its size fails the run.
    pub max_inflation_ratio: u64,
    /// An hour whose files hold more than this many bytes once decompressed fails the run.
    pub max_hour_bytes: u64,
}

impl ReadLimits {
    /// The longest line a setting may allow (the limit before there was a setting).
    pub const MAX_LINE_BYTES: usize = 64 << 20;
    /// A compressed file may always inflate to this much, whatever its ratio: tiny files of
    /// repeated lines compress far better than real hours, and 16 MiB costs nothing.
    pub const RATIO_FLOOR: u64 = 16 << 20;
}

impl Default for ReadLimits {
    /// 1 MiB lines: a real event is a few KiB. 200×: gzip'd or zstd'd JSON events inflate 10–30×,
    /// while a bomb of zeros inflates ~1,000× (gzip) or far more (zstd). 64 GiB: far above the
    /// largest real hour.
    fn default() -> Self {
        Self {
            max_line_bytes: 1 << 20,
            max_inflation_ratio: 200,
            max_hour_bytes: 64 << 30,
        }
    }
}

/// How an hour is read: parser threads and limits. A bare number is that many threads with the
/// default limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub workers: usize,
    pub limits: ReadLimits,
}

impl From<usize> for Reading {
    fn from(workers: usize) -> Self {
        Self {
            workers,
            limits: ReadLimits::default(),
        }
    }
}

/// Why reading stopped at a limit (carried inside an `io::Error` out of the decompressor).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Exceeded {
    #[error(
        "{file} inflates more than {ratio}× its size ({size} bytes); raise ingest_max_inflation_ratio (BLUEPRINT_INGEST_MAX_INFLATION_RATIO) if the file is genuine"
    )]
    Ratio { file: String, ratio: u64, size: u64 },
    #[error(
        "the hour's files hold more than {limit} bytes once decompressed (reached in {file}); raise ingest_max_hour_bytes (BLUEPRINT_INGEST_MAX_HOUR_BYTES) if the hour is genuine"
    )]
    Hour { file: String, limit: u64 },
}

/// Counts the bytes coming out of one file's reader (after decompression) against the file's and
/// the hour's allowance.
pub struct Bounded<'h, R> {
    inner: R,
    file: String,
    /// A compressed file: its listed size, ratio and the bytes it may yield.
    inflation: Option<Inflation>,
    yielded: u64,
    hour: &'h mut HourBudget,
}

#[derive(Clone, Copy)]
struct Inflation {
    size: u64,
    ratio: u64,
    allowance: u64,
}

/// The decompressed bytes an hour has read so far, and its limit.
pub struct HourBudget {
    pub read: u64,
    pub limit: u64,
}

impl<'h, R: Read> Bounded<'h, R> {
    /// `size` is the file's listed size; `compressed` turns the ratio check on.
    pub fn new(
        inner: R,
        file: String,
        size: u64,
        compressed: bool,
        limits: &ReadLimits,
        hour: &'h mut HourBudget,
    ) -> Self {
        let ratio = limits.max_inflation_ratio;
        let inflation = compressed.then(|| Inflation {
            size,
            ratio,
            allowance: size.saturating_mul(ratio).max(ReadLimits::RATIO_FLOOR),
        });
        Self {
            inner,
            file,
            inflation,
            yielded: 0,
            hour,
        }
    }
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.yielded += n as u64;
        self.hour.read += n as u64;
        if let Some(Inflation {
            size,
            ratio,
            allowance,
        }) = self.inflation
            && self.yielded > allowance
        {
            return Err(std::io::Error::other(Exceeded::Ratio {
                file: self.file.clone(),
                ratio,
                size,
            }));
        }
        if self.hour.read > self.hour.limit {
            return Err(std::io::Error::other(Exceeded::Hour {
                file: self.file.clone(),
                limit: self.hour.limit,
            }));
        }
        Ok(n)
    }
}

/// The limit an `io::Error` from [`Bounded`] carries, if it is one.
pub fn exceeded(err: &std::io::Error) -> Option<&Exceeded> {
    err.get_ref()?.downcast_ref::<Exceeded>()
}

/// A parsed block's buffer, emptied and brought back to its normal size for the pool.
pub fn recycle(mut buffer: Vec<u8>) -> Vec<u8> {
    buffer.clear();
    if buffer.capacity() > POOLED {
        buffer.shrink_to(POOLED);
    }
    buffer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_grown_by_a_long_line_shrinks_back() {
        let mut grown = Vec::with_capacity(BLOCK + (64 << 20));
        grown.resize(BLOCK + (5 << 20), b'x');
        let back = recycle(grown);
        assert!(back.is_empty());
        assert!(back.capacity() <= POOLED, "{}", back.capacity());
        let normal = recycle(Vec::with_capacity(BLOCK));
        assert_eq!(normal.capacity(), BLOCK, "a normal buffer keeps its size");
    }

    #[test]
    fn a_file_stops_past_its_ratio_and_an_hour_past_its_bytes() {
        let limits = ReadLimits {
            max_inflation_ratio: 2,
            ..ReadLimits::default()
        };
        let zeros = std::io::repeat(0).take(ReadLimits::RATIO_FLOOR + 10);
        let mut hour = HourBudget {
            read: 0,
            limit: u64::MAX,
        };
        let mut bounded = Bounded::new(zeros, "a.json.gz".into(), 100, true, &limits, &mut hour);
        let err = std::io::copy(&mut bounded, &mut std::io::sink()).unwrap_err();
        assert_eq!(
            exceeded(&err),
            Some(&Exceeded::Ratio {
                file: "a.json.gz".into(),
                ratio: 2,
                size: 100
            })
        );
        let mut hour = HourBudget { read: 0, limit: 50 };
        let plain = std::io::repeat(b'x').take(40);
        let mut first = Bounded::new(plain, "a.json".into(), 40, false, &limits, &mut hour);
        std::io::copy(&mut first, &mut std::io::sink()).unwrap();
        let plain = std::io::repeat(b'x').take(40);
        let mut second = Bounded::new(plain, "b.json".into(), 40, false, &limits, &mut hour);
        let err = std::io::copy(&mut second, &mut std::io::sink()).unwrap_err();
        assert!(
            matches!(exceeded(&err), Some(Exceeded::Hour { file, limit: 50 }) if file == "b.json")
        );
    }
}
