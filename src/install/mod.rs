//! Installing pinned files — the face models, the demo photo pack — from their upstream
//! URLs, from a mirror (an `http(s)://` base URL) or from a local directory.
//!
//! Every file is streamed into a temporary file in the target directory (`.NAME.part`),
//! hashed while it streams, checked against its pinned size and SHA-256, fsynced, then
//! renamed into place: a file is only ever under its final name when it is the pinned
//! one. A file already there and verified is skipped, so running an interrupted install
//! again finishes it. Proxies come from the environment (`HTTPS_PROXY`, `NO_PROXY`), as
//! reqwest does by default. Nothing here depends on the API client (`crate::api`).
//!
//! - [`pinned`]: a file pinned by size and hash, and checking a copy against it;
//! - [`request`]: where files come from, what an install reports as it goes and at the end;
//! - [`fetch`]: one file streamed from a mirror, upstream or a directory into place;
//! - [`error`]: why an install stopped, in plain words.

mod error;
mod fetch;
mod pinned;
mod request;

use std::path::Path;

pub use error::InstallError;
pub use pinned::{hash_reader, is_verified, part_path, PinnedFile};
pub use request::{Event, FileOutcome, InstallOptions, InstallReport, Source};

/// Installs `files` into `dir` from `opts.source`, reporting through `progress`.
/// Files already there and verified are skipped; the others are downloaded (or copied)
/// one after the other. Stops at the first failure.
pub async fn install(
    files: &[PinnedFile],
    dir: &Path,
    opts: &InstallOptions,
    progress: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Result<InstallReport, InstallError> {
    std::fs::create_dir_all(dir).map_err(|e| error::local_error(dir, &e))?;
    let client = match opts.source {
        Source::Dir(_) => None,
        _ => Some(fetch::http_client().map_err(|e| InstallError::Unreachable {
            host: opts.source.describe(),
            reason: e.to_string(),
            dir: dir.to_path_buf(),
            from_flag: opts.from_flag,
        })?),
    };
    let mut report = InstallReport {
        dir: dir.to_path_buf(),
        files: Vec::new(),
    };
    for file in files {
        if is_verified(dir, file) {
            progress(Event::Skipped { file });
            report.files.push((*file, FileOutcome::AlreadyVerified));
            continue;
        }
        progress(Event::Started { file });
        let part = part_path(dir, file);
        let result = fetch::fetch_one(file, dir, &part, opts, client.as_ref(), progress).await;
        if let Err(e) = result {
            // Never leave the unverified bytes behind (a kill leaves a `.part`, which the
            // next run truncates).
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        progress(Event::Installed { file });
        report.files.push((*file, FileOutcome::Installed));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn an_install_can_run_on_a_background_task() {
        // The dashboard runs it with tokio::spawn and a progress callback.
        fn send<T: Send + 'static>(_: T) {}
        send(async {
            let opts = InstallOptions {
                source: Source::Upstream,
                from_flag: "--from",
            };
            let _ = install(&[], Path::new("/nonexistent"), &opts, &|_| {}).await;
        });
    }

    #[test]
    fn a_short_or_wrong_copy_is_never_installed() {
        let src = tempfile::tempdir().unwrap();
        let dst = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("a.bin"), b"abc").unwrap();
        let pinned = PinnedFile {
            name: "a.bin",
            url: "https://example.invalid/a.bin",
            size: 3,
            sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        };
        let opts = InstallOptions {
            source: Source::Dir(src.path().into()),
            from_flag: "--from",
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let report = rt
            .block_on(install(&[pinned], dst.path(), &opts, &|_| {}))
            .unwrap();
        assert_eq!(report.files, vec![(pinned, FileOutcome::Installed)]);
        assert!(is_verified(dst.path(), &pinned));
        // A second run skips it.
        let again = rt
            .block_on(install(&[pinned], dst.path(), &opts, &|_| {}))
            .unwrap();
        assert_eq!(again.files, vec![(pinned, FileOutcome::AlreadyVerified)]);
        // A damaged copy under the final name is replaced.
        std::fs::write(dst.path().join("a.bin"), b"abd").unwrap();
        assert!(!is_verified(dst.path(), &pinned));
        let fixed = rt
            .block_on(install(&[pinned], dst.path(), &opts, &|_| {}))
            .unwrap();
        assert_eq!(fixed.files, vec![(pinned, FileOutcome::Installed)]);
        assert!(is_verified(dst.path(), &pinned));

        let longer = PinnedFile { size: 4, ..pinned };
        let dst2 = tempfile::tempdir().unwrap();
        let err = rt
            .block_on(install(&[longer], dst2.path(), &opts, &|_| {}))
            .unwrap_err();
        assert!(
            matches!(err, InstallError::Truncated { got: 3, .. }),
            "{err}"
        );
        let wrong = PinnedFile {
            sha256: "0000000000000000000000000000000000000000000000000000000000000000",
            ..pinned
        };
        let err = rt
            .block_on(install(&[wrong], dst2.path(), &opts, &|_| {}))
            .unwrap_err();
        assert!(matches!(err, InstallError::HashMismatch { .. }), "{err}");
        let left: Vec<_> = std::fs::read_dir(dst2.path()).unwrap().flatten().collect();
        assert!(left.is_empty(), "nothing left behind: {left:?}");
    }
}
