//! Why an install stopped, in plain words that name the file or place and what to do.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Why an install stopped. Every message names the file or the place and what to do;
/// in every case nothing unverified is left under a final name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallError {
    #[error(
        "cannot reach {host} ({reason}): copy the files by hand into {}, or use {from_flag} \
         with a directory or a mirror URL that holds them",
        dir.display()
    )]
    Unreachable {
        host: String,
        reason: String,
        dir: PathBuf,
        from_flag: &'static str,
    },
    #[error(
        "{url} answered HTTP {status}: {name} is not there (check the base URL of {from_flag})"
    )]
    HttpStatus {
        name: &'static str,
        url: String,
        status: u16,
        from_flag: &'static str,
    },
    #[error(
        "{name}: the SHA-256 of what arrived is {found}, not the pinned {expected}; \
         the download was discarded (a corrupt mirror, or a different file under that name)"
    )]
    HashMismatch {
        name: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error(
        "{name}: the transfer stopped after {got} of {expected} bytes ({reason}); nothing was \
         installed under that name: run the command again to finish"
    )]
    Truncated {
        name: &'static str,
        got: u64,
        expected: u64,
        reason: String,
    },
    #[error("{name}: the source sent more than the pinned {expected} bytes: discarded")]
    TooLarge { name: &'static str, expected: u64 },
    #[error("{name} is not in the source directory {} ({reason})", dir.display())]
    NotInSource {
        name: &'static str,
        dir: PathBuf,
        reason: String,
    },
    #[error("cannot write into {}: {reason}", dir.display())]
    Unwritable { dir: PathBuf, reason: String },
    #[error("the disk holding {} is full: free some space and run the command again", dir.display())]
    DiskFull { dir: PathBuf },
}

impl InstallError {
    /// True for failures of the network or the source (as opposed to the local disk).
    pub fn is_download(&self) -> bool {
        !matches!(
            self,
            InstallError::Unwritable { .. } | InstallError::DiskFull { .. }
        )
    }
}

/// Maps a local file-system error on `dir` to plain words.
pub(super) fn local_error(dir: &Path, e: &std::io::Error) -> InstallError {
    if e.kind() == ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
        InstallError::DiskFull {
            dir: dir.to_path_buf(),
        }
    } else {
        InstallError::Unwritable {
            dir: dir.to_path_buf(),
            reason: e.to_string(),
        }
    }
}
