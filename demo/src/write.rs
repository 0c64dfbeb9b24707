//! The files on disk: `<root>/<tenant>/dt=YYYY-MM-DD/hr=HH/part-N.jsonl[.gz]`, 1–3 per hour.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::rng::Rng;

/// Highest part number this crate ever writes (stale parts up to it are removed on rewrite).
const MAX_PARTS: usize = 8;

pub(crate) fn hour_dir(root: &Path, tenant: &str, hour: DateTime<Utc>) -> PathBuf {
    root.join(tenant)
        .join(format!("dt={}", hour.format("%Y-%m-%d")))
        .join(format!("hr={}", hour.format("%H")))
}

/// Removes the part files this crate may have written before into the hour's folder (and the folder
/// when it is then empty), so a rerun over a different range leaves no stale data. Other files are
/// left alone.
pub(crate) fn clear_hour(root: &Path, tenant: &str, hour: DateTime<Utc>) -> io::Result<()> {
    let dir = hour_dir(root, tenant, hour);
    if !dir.exists() {
        return Ok(());
    }
    remove_parts(&dir, &[])?;
    // Fails when other files remain: then the folder stays.
    let _ = fs::remove_dir(&dir);
    Ok(())
}

fn remove_parts(dir: &Path, keep: &[String]) -> io::Result<()> {
    for n in 0..MAX_PARTS {
        for name in [format!("part-{n}.jsonl"), format!("part-{n}.jsonl.gz")] {
            if keep.contains(&name) {
                continue;
            }
            match fs::remove_file(dir.join(&name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Splits the hour's lines (in order) into 1–3 files, some gzip-compressed, some without a final
/// newline, and writes them.
pub(crate) fn write_hour(
    root: &Path,
    tenant: &str,
    hour: DateTime<Utc>,
    lines: &[String],
    rng: &mut Rng,
) -> io::Result<()> {
    let dir = hour_dir(root, tenant, hour);
    fs::create_dir_all(&dir)?;
    let parts = (1 + rng.index(3)).min(lines.len().max(1));
    let mut cuts = vec![0, lines.len()];
    while cuts.len() < parts + 1 {
        let c = 1 + rng.index(lines.len() - 1);
        if !cuts.contains(&c) {
            cuts.push(c);
        }
    }
    cuts.sort_unstable();
    let gzip_mode = rng.below(100);
    let mut files = Vec::with_capacity(parts);
    for (n, window) in cuts.windows(2).enumerate() {
        let chunk = &lines[window[0]..window[1]];
        let gz = gzip_mode < 20 || (gzip_mode < 28 && n % 2 == 1);
        let name = if gz {
            format!("part-{n}.jsonl.gz")
        } else {
            format!("part-{n}.jsonl")
        };
        let mut text = chunk.join("\n");
        let last_blank = chunk.last().is_none_or(|l| l.trim().is_empty());
        if last_blank || !rng.pct(10) {
            text.push('\n');
        }
        files.push((name, text, gz));
    }
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    remove_parts(&dir, &names)?;
    for (name, text, gz) in files {
        let path = dir.join(name);
        if gz {
            let file = io::BufWriter::new(fs::File::create(&path)?);
            let mut enc = GzEncoder::new(file, Compression::fast());
            enc.write_all(text.as_bytes())?;
            enc.finish()?.flush()?;
        } else {
            fs::write(&path, text)?;
        }
    }
    Ok(())
}
