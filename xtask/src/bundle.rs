//! Names the bundle by its content and compresses it, so the server can let browsers keep it for
//! good: wasm-bindgen's `pkg/blueprint.js` and `pkg/blueprint_bg.wasm` are copied to
//! `pkg/blueprint-<hash>.js` and `pkg/blueprint-<hash>_bg.wasm` (one 64-bit FNV-1a hash over
//! both, 16 hex digits), each with a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy,
//! and `pkg/bundle.txt` names them (the server reads it, see server/src/web/site.rs). Files of
//! earlier builds are removed. The plain names stay for anything that asks for them.

use std::io::Write;
use std::path::Path;

const OUTPUT_NAME: &str = "blueprint";

/// The sizes written, for the build's summary line.
pub struct Sizes {
    pub name: String,
    pub wasm: u64,
    pub wasm_br: u64,
    pub wasm_gz: u64,
}

pub fn hash_and_compress(pkg: &Path) -> Result<Sizes, String> {
    let read = |name: &str| {
        std::fs::read(pkg.join(name))
            .map_err(|err| format!("cannot read {}: {err}", pkg.join(name).display()))
    };
    let js = read(&format!("{OUTPUT_NAME}.js"))?;
    let wasm = read(&format!("{OUTPUT_NAME}_bg.wasm"))?;
    let name = format!("{OUTPUT_NAME}-{:016x}", fnv1a(&[&js, &wasm]));
    remove_earlier(pkg, &name)?;
    let mut sizes = Sizes {
        name: name.clone(),
        wasm: wasm.len() as u64,
        wasm_br: 0,
        wasm_gz: 0,
    };
    for (file, bytes) in [
        (format!("{name}.js"), &js),
        (format!("{name}_bg.wasm"), &wasm),
    ] {
        let br = brotli(bytes)?;
        let gz = gzip(bytes)?;
        if file.ends_with(".wasm") {
            sizes.wasm_br = br.len() as u64;
            sizes.wasm_gz = gz.len() as u64;
        }
        write(pkg, &file, bytes)?;
        write(pkg, &format!("{file}.br"), &br)?;
        write(pkg, &format!("{file}.gz"), &gz)?;
    }
    write(pkg, "bundle.txt", format!("{name}\n").as_bytes())?;
    Ok(sizes)
}

fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|part| part.iter()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 1 << 16, 11, 22);
        writer
            .write_all(bytes)
            .map_err(|err| format!("brotli: {err}"))?;
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .map_err(|err| format!("gzip: {err}"))?;
    encoder.finish().map_err(|err| format!("gzip: {err}"))
}

fn write(pkg: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = pkg.join(name);
    std::fs::write(&path, bytes).map_err(|err| format!("cannot write {}: {err}", path.display()))
}

/// Removes the content-named files of other builds (`blueprint-<other hash>…`).
fn remove_earlier(pkg: &Path, keep: &str) -> Result<(), String> {
    let entries =
        std::fs::read_dir(pkg).map_err(|err| format!("cannot list {}: {err}", pkg.display()))?;
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&format!("{OUTPUT_NAME}-")) && !file.starts_with(keep) {
            std::fs::remove_file(entry.path())
                .map_err(|err| format!("cannot remove {}: {err}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_both_files_by_their_content_and_compresses_each() {
        let pkg = std::env::temp_dir().join(format!("xtask-bundle-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&pkg);
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("blueprint.js"), "export default 1;".repeat(100)).unwrap();
        std::fs::write(pkg.join("blueprint_bg.wasm"), b"\0asm".repeat(100)).unwrap();
        std::fs::write(pkg.join("blueprint-00000000000000ff.js"), "old").unwrap();
        let first = hash_and_compress(&pkg).unwrap();
        assert!(!pkg.join("blueprint-00000000000000ff.js").exists());
        let bundle = std::fs::read_to_string(pkg.join("bundle.txt")).unwrap();
        assert_eq!(bundle.trim(), first.name);
        for suffix in [
            ".js",
            ".js.br",
            ".js.gz",
            "_bg.wasm",
            "_bg.wasm.br",
            "_bg.wasm.gz",
        ] {
            assert!(
                pkg.join(format!("{}{suffix}", first.name)).is_file(),
                "{suffix}"
            );
        }
        assert!(first.wasm_br > 0 && first.wasm_br < first.wasm);
        assert!(first.wasm_gz > 0 && first.wasm_gz < first.wasm);
        std::fs::write(pkg.join("blueprint_bg.wasm"), b"\0asm".repeat(101)).unwrap();
        let second = hash_and_compress(&pkg).unwrap();
        assert_ne!(second.name, first.name);
        assert!(!pkg.join(format!("{}.js", first.name)).exists());
        std::fs::remove_dir_all(&pkg).unwrap();
    }
}
