//! Reading only regular files. `open()` on a FIFO blocks until a writer appears, and a
//! device or socket is no picture or config either, so every file liveface reads (probes,
//! enrolment images, previews, the config, themes, the history) goes through here: the
//! type is checked with `stat` before anything opens the path, and again on the opened
//! descriptor, in case the path was swapped in between.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// What a path is when it is not a regular file, in plain words ("a named pipe (FIFO)").
/// `None` for regular files; directories are named too.
pub fn special_kind(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a regular file")
}

/// The error for a path that is not a regular file. Its message names the kind
/// ("it is a named pipe (FIFO), not a regular file"); callers add the path.
fn refused(kind: &str) -> io::Error {
    let kind_code = if kind == "a directory" {
        io::ErrorKind::IsADirectory
    } else {
        io::ErrorKind::InvalidInput
    };
    io::Error::new(kind_code, format!("it is {kind}, not a regular file"))
}

/// Checks, without opening it, that `path` (after symlinks) is a regular file.
///
/// # Errors
/// The `stat` error (e.g. `NotFound`), `IsADirectory` for a directory, or
/// `InvalidInput` for a FIFO, socket or device, with a message naming the kind.
pub fn check_regular(path: &Path) -> io::Result<Metadata> {
    let meta = std::fs::metadata(path)?;
    match special_kind(&meta) {
        None => Ok(meta),
        Some(kind) => Err(refused(kind)),
    }
}

/// Opens `path` for reading if it is a regular file, never blocking on a FIFO, and
/// returns it with its metadata (taken from the open descriptor).
///
/// # Errors
/// As [`check_regular`], plus any error of `open` itself.
pub fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    check_regular(path)?;
    let mut options = OpenOptions::new();
    options.read(true);
    // Should a FIFO replace the file after the check, O_NONBLOCK keeps open() from
    // waiting for a writer; on a regular file it changes nothing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    match special_kind(&meta) {
        None => Ok((file, meta)),
        Some(kind) => Err(refused(kind)),
    }
}

/// Reads a regular file's bytes, at most `limit + 1` of them (so a caller can tell that
/// the file is over its limit without reading all of it).
///
/// # Errors
/// As [`open_regular`], or a read error.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<(Vec<u8>, Metadata)> {
    let (file, meta) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes, meta))
}

/// Reads a regular text file whole (config files, themes).
///
/// # Errors
/// As [`open_regular`], a read error, or `InvalidData` if it is not UTF-8.
pub fn read_regular_to_string(path: &Path) -> io::Result<String> {
    let (mut file, _) = open_regular(path)?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;
    use std::time::{Duration, Instant};

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap_or_else(|e| panic!("mkfifo does not run: {e}"));
        assert!(status.success());
    }

    #[test]
    fn regular_files_are_read() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.toml");
        std::fs::write(&p, "x = 1\n").unwrap();
        assert_eq!(read_regular_to_string(&p).unwrap(), "x = 1\n");
        let (bytes, meta) = read_regular(&p, 3).unwrap();
        assert_eq!(bytes.len(), 4, "one byte past the limit, no more");
        assert_eq!(meta.len(), 6);
    }

    #[test]
    fn a_fifo_is_refused_at_once_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("p.jpg");
        mkfifo(&p);
        let started = Instant::now();
        let e = read_regular(&p, 100).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "it is a named pipe (FIFO), not a regular file"
        );
        assert!(read_regular_to_string(&p).is_err());
        assert!(check_regular(&p).is_err());
    }

    #[test]
    fn sockets_devices_and_directories_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let sock = d.path().join("s.jpg");
        let _listener = UnixListener::bind(&sock).unwrap();
        assert!(read_regular(&sock, 10)
            .unwrap_err()
            .to_string()
            .contains("a socket"));
        assert!(read_regular(Path::new("/dev/zero"), 10)
            .unwrap_err()
            .to_string()
            .contains("a character device"));
        let dir = read_regular(d.path(), 10).unwrap_err();
        assert_eq!(dir.kind(), io::ErrorKind::IsADirectory);
        let missing = read_regular(&d.path().join("nope"), 10).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_symlink_to_a_fifo_is_refused_too() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("pipe");
        mkfifo(&fifo);
        let link = d.path().join("photo.jpg");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(read_regular(&link, 10)
            .unwrap_err()
            .to_string()
            .contains("named pipe"));
    }
}
