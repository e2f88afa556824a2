//! A file pinned by content, and whether a copy on disk is that file.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// One file pinned by content: where upstream serves it, its size and its SHA-256.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinnedFile {
    /// The file name, in the target directory and under a mirror's base URL.
    pub name: &'static str,
    /// The upstream URL (a commit-pinned raw URL, which never changes).
    pub url: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: &'static str,
}

/// True when `dir/NAME` exists with the pinned size and SHA-256.
pub fn is_verified(dir: &Path, file: &PinnedFile) -> bool {
    let path = dir.join(file.name);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() && m.len() == file.size => {}
        _ => return false,
    }
    File::open(&path)
        .and_then(hash_reader)
        .is_ok_and(|h| h == file.sha256)
}

/// Lower-case hex SHA-256 of everything a reader yields, read in 64 KiB blocks.
pub fn hash_reader(mut r: impl Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The temporary name a file is written under until it is verified.
pub fn part_path(dir: &Path, file: &PinnedFile) -> PathBuf {
    dir.join(format!(".{}.part", file.name))
}
