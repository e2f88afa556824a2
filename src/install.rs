//! Installing pinned files — the face models, the demo photo pack — from their upstream
//! URLs, from a mirror (an `http(s)://` base URL) or from a local directory.
//!
//! Every file is streamed into a temporary file in the target directory (`.NAME.part`),
//! hashed while it streams, checked against its pinned size and SHA-256, fsynced, then
//! renamed into place: a file is only ever under its final name when it is the pinned
//! one. A file already there and verified is skipped, so running an interrupted install
//! again finishes it. Proxies come from the environment (`HTTPS_PROXY`, `NO_PROXY`), as
//! reqwest does by default. Nothing here depends on the API client (`crate::api`).

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// Where the files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Each file's own pinned upstream URL.
    Upstream,
    /// A local directory holding the same file names (an offline or air-gapped copy).
    Dir(PathBuf),
    /// An `http(s)://` base URL under which the same file names are found (a mirror).
    Mirror(String),
}

impl Source {
    /// `http://…` or `https://…` is a mirror; anything else is a local directory.
    pub fn parse(text: &str) -> Source {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::Mirror(t.trim_end_matches('/').to_owned())
        } else {
            Source::Dir(PathBuf::from(t))
        }
    }

    /// `None` → [`Source::Upstream`].
    pub fn from_option(text: Option<&str>) -> Source {
        text.filter(|t| !t.trim().is_empty())
            .map(Source::parse)
            .unwrap_or(Source::Upstream)
    }

    /// In words, for messages and the JSON summary.
    pub fn describe(&self) -> String {
        match self {
            Source::Upstream => "the pinned upstream URLs".into(),
            Source::Dir(d) => d.display().to_string(),
            Source::Mirror(u) => u.clone(),
        }
    }
}

/// What an install reports while it works (for progress bars and the dashboard's gauge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The file was already there with the pinned hash: nothing to do.
    Skipped { file: &'a PinnedFile },
    /// The transfer of a file starts.
    Started { file: &'a PinnedFile },
    /// `done` bytes of the file have arrived (of `file.size`).
    Progress { file: &'a PinnedFile, done: u64 },
    /// The file is verified and in place.
    Installed { file: &'a PinnedFile },
}

/// What happened to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    AlreadyVerified,
    Installed,
}

/// The result of a successful install, file by file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallReport {
    pub dir: PathBuf,
    pub files: Vec<(PinnedFile, Outcome)>,
}

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

/// How an install runs.
#[derive(Clone, Debug)]
pub struct InstallOptions {
    pub source: Source,
    /// The flag that picks another source, named in messages (`--from`, `--pack-from`).
    pub from_flag: &'static str,
}

/// Installs `files` into `dir` from `opts.source`, reporting through `progress`.
/// Files already there and verified are skipped; the others are downloaded (or copied)
/// one after the other. Stops at the first failure.
pub async fn install(
    files: &[PinnedFile],
    dir: &Path,
    opts: &InstallOptions,
    progress: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Result<InstallReport, InstallError> {
    std::fs::create_dir_all(dir).map_err(|e| local_error(dir, &e))?;
    let client = match opts.source {
        Source::Dir(_) => None,
        _ => Some(http_client().map_err(|e| InstallError::Unreachable {
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
            report.files.push((*file, Outcome::AlreadyVerified));
            continue;
        }
        progress(Event::Started { file });
        let part = part_path(dir, file);
        let result = fetch_one(file, dir, &part, opts, client.as_ref(), progress).await;
        if let Err(e) = result {
            // Never leave the unverified bytes behind (a kill leaves a `.part`, which the
            // next run truncates).
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        progress(Event::Installed { file });
        report.files.push((*file, Outcome::Installed));
    }
    Ok(report)
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The temporary name a file is written under until it is verified.
pub fn part_path(dir: &Path, file: &PinnedFile) -> PathBuf {
    dir.join(format!(".{}.part", file.name))
}

/// The HTTP client: proxies from the environment, a bounded connect and read time.
fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("liveface/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(60))
        .build()
}

/// Maps a local file-system error on `dir` to plain words.
fn local_error(dir: &Path, e: &std::io::Error) -> InstallError {
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

/// The temporary file being written, its hash and byte count.
struct Sink<'a> {
    file: File,
    hasher: Sha256,
    done: u64,
    pinned: &'a PinnedFile,
    dir: &'a Path,
}

impl Sink<'_> {
    fn write(&mut self, chunk: &[u8]) -> Result<(), InstallError> {
        if self.done + chunk.len() as u64 > self.pinned.size {
            return Err(InstallError::TooLarge {
                name: self.pinned.name,
                expected: self.pinned.size,
            });
        }
        self.file
            .write_all(chunk)
            .map_err(|e| local_error(self.dir, &e))?;
        self.hasher.update(chunk);
        self.done += chunk.len() as u64;
        Ok(())
    }

    /// Checks size and hash, then fsyncs; the caller renames.
    fn finish(self, reason_if_short: &str) -> Result<(), InstallError> {
        if self.done < self.pinned.size {
            return Err(InstallError::Truncated {
                name: self.pinned.name,
                got: self.done,
                expected: self.pinned.size,
                reason: reason_if_short.to_owned(),
            });
        }
        let found = hex(&self.hasher.finalize());
        if found != self.pinned.sha256 {
            return Err(InstallError::HashMismatch {
                name: self.pinned.name,
                expected: self.pinned.sha256,
                found,
            });
        }
        self.file.sync_all().map_err(|e| local_error(self.dir, &e))
    }
}

async fn fetch_one(
    file: &PinnedFile,
    dir: &Path,
    part: &Path,
    opts: &InstallOptions,
    client: Option<&reqwest::Client>,
    progress: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Result<(), InstallError> {
    let out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(part)
        .map_err(|e| local_error(dir, &e))?;
    let mut sink = Sink {
        file: out,
        hasher: Sha256::new(),
        done: 0,
        pinned: file,
        dir,
    };
    match (&opts.source, client) {
        (Source::Dir(src), _) => {
            let from = src.join(file.name);
            let mut input = File::open(&from).map_err(|e| InstallError::NotInSource {
                name: file.name,
                dir: src.clone(),
                reason: e.to_string(),
            })?;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match input.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(InstallError::NotInSource {
                            name: file.name,
                            dir: src.clone(),
                            reason: e.to_string(),
                        })
                    }
                };
                sink.write(&buf[..n])?;
                progress(Event::Progress {
                    file,
                    done: sink.done,
                });
            }
            sink.finish("the source file is shorter than the pinned size")?;
        }
        (source, Some(client)) => {
            let url = match source {
                Source::Mirror(base) => format!("{base}/{}", file.name),
                _ => file.url.to_owned(),
            };
            let unreachable = |e: &reqwest::Error| InstallError::Unreachable {
                host: host_of(&url),
                reason: error_chain(e),
                dir: dir.to_path_buf(),
                from_flag: opts.from_flag,
            };
            let mut resp = client.get(&url).send().await.map_err(|e| unreachable(&e))?;
            if !resp.status().is_success() {
                return Err(InstallError::HttpStatus {
                    name: file.name,
                    url,
                    status: resp.status().as_u16(),
                    from_flag: opts.from_flag,
                });
            }
            let mut short_reason = "the server closed the transfer early".to_owned();
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        sink.write(&chunk)?;
                        progress(Event::Progress {
                            file,
                            done: sink.done,
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        short_reason = error_chain(&e);
                        break;
                    }
                }
            }
            sink.finish(&short_reason)?;
        }
        (_, None) => unreachable!("an HTTP source always has a client"),
    }
    std::fs::rename(part, dir.join(file.name)).map_err(|e| local_error(dir, &e))?;
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// `https://host:port/path` → `host:port`.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| url.to_owned())
}

/// An error and its causes in one line (reqwest's top message alone is vague).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn sources_parse_by_scheme() {
        assert_eq!(
            Source::parse("https://mirror.example/models/"),
            Source::Mirror("https://mirror.example/models".into())
        );
        assert_eq!(
            Source::parse("HTTP://127.0.0.1:9/x"),
            Source::Mirror("HTTP://127.0.0.1:9/x".into())
        );
        assert_eq!(
            Source::parse("/srv/models"),
            Source::Dir("/srv/models".into())
        );
        assert_eq!(Source::from_option(Some("  ")), Source::Upstream);
        assert_eq!(Source::from_option(None), Source::Upstream);
        assert_eq!(host_of("https://example.com:8443/a/b"), "example.com:8443");
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
        assert_eq!(report.files, vec![(pinned, Outcome::Installed)]);
        assert!(is_verified(dst.path(), &pinned));
        // A second run skips it.
        let again = rt
            .block_on(install(&[pinned], dst.path(), &opts, &|_| {}))
            .unwrap();
        assert_eq!(again.files, vec![(pinned, Outcome::AlreadyVerified)]);
        // A damaged copy under the final name is replaced.
        std::fs::write(dst.path().join("a.bin"), b"abd").unwrap();
        assert!(!is_verified(dst.path(), &pinned));
        let fixed = rt
            .block_on(install(&[pinned], dst.path(), &opts, &|_| {}))
            .unwrap();
        assert_eq!(fixed.files, vec![(pinned, Outcome::Installed)]);
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
