//! One file, streamed from a mirror, its upstream URL or a local directory into a
//! temporary file beside its final name, hashed as it streams, then moved into place.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::error::{local_error, InstallError};
use super::pinned::{hex, PinnedFile};
use super::request::{Event, InstallOptions, Source};

/// The HTTP client: proxies from the environment, a bounded connect and read time.
pub(super) fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("liveface/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(60))
        .build()
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

pub(super) async fn fetch_one(
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
    fn a_host_is_named_with_its_port() {
        assert_eq!(host_of("https://example.com:8443/a/b"), "example.com:8443");
    }
}
