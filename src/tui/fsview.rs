//! Directory listing for the file browser. Blocking I/O: the event loop runs it on a
//! blocking thread, never on the render path.

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// What a directory entry is, after following symlinks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Dir,
    File,
    /// A symlink whose target is missing, unreadable or part of a loop.
    BrokenLink,
    /// A FIFO, socket or device: listed, never opened (a FIFO would block the reader).
    Special,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The name for display: lossy when the real name is not UTF-8.
    pub name: String,
    /// The real name, bytes and all: paths are built from this, never from `name`.
    pub file_name: OsString,
    pub kind: EntryKind,
    pub size: u64,
    /// Seconds since the Unix epoch.
    pub modified: Option<i64>,
    /// Why the entry cannot be used (broken link, loop …).
    pub problem: Option<String>,
}

impl Entry {
    /// An entry whose real name is `file_name`; the display name is derived from it.
    pub fn new(file_name: impl Into<OsString>, kind: EntryKind, size: u64) -> Entry {
        let file_name = file_name.into();
        Entry {
            name: file_name.to_string_lossy().into_owned(),
            file_name,
            kind,
            size,
            modified: None,
            problem: None,
        }
    }

    pub fn is_hidden(&self) -> bool {
        self.name.starts_with('.')
    }

    /// A regular file with one of the extensions of [`crate::imageio::FORMATS`].
    pub fn is_image(&self) -> bool {
        self.kind == EntryKind::File
            && crate::imageio::has_image_extension(Path::new(&self.file_name))
    }
}

/// Lists `dir`: directories first, then files, each sorted by name (case-insensitive).
/// Hidden entries are included; the browser decides whether to show them.
pub fn read_dir_sorted(dir: &Path) -> Result<Vec<Entry>, String> {
    let reader = fs::read_dir(dir).map_err(|e| describe(dir, &e))?;
    let mut entries = Vec::new();
    for item in reader {
        let Ok(item) = item else { continue };
        // `metadata` follows symlinks: a dangling link or a loop fails here.
        let entry = match fs::metadata(item.path()) {
            Ok(meta) => {
                let special = crate::filetype::special_kind(&meta).filter(|_| !meta.is_dir());
                let kind = match special {
                    _ if meta.is_dir() => EntryKind::Dir,
                    Some(_) => EntryKind::Special,
                    None => EntryKind::File,
                };
                Entry {
                    size: meta.len(),
                    modified: meta
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                        .map(|d| d.as_secs() as i64),
                    problem: special.map(|k| format!("{k}, not a regular file")),
                    ..Entry::new(item.file_name(), kind, 0)
                }
            }
            Err(e) => Entry {
                problem: Some(link_problem(&e)),
                ..Entry::new(item.file_name(), EntryKind::BrokenLink, 0)
            },
        };
        entries.push(entry);
    }
    sort_entries(&mut entries);
    Ok(entries)
}

pub fn sort_entries(entries: &mut [Entry]) {
    entries.sort_by_cached_key(|e| (e.kind != EntryKind::Dir, e.name.to_lowercase()));
}

fn link_problem(e: &std::io::Error) -> String {
    // ELOOP has no stable ErrorKind; its raw code is 40 on Linux, 62 on macOS/BSD.
    if matches!(e.raw_os_error(), Some(40) | Some(62)) {
        "symlink loop".into()
    } else if e.kind() == std::io::ErrorKind::NotFound {
        "broken symlink".into()
    } else {
        format!("unreadable: {e}")
    }
}

fn describe(dir: &Path, e: &std::io::Error) -> String {
    let what = match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "it does not exist (or is a broken symlink)".to_string(),
        _ if matches!(e.raw_os_error(), Some(40) | Some(62)) => "symlink loop".to_string(),
        _ => e.to_string(),
    };
    format!("cannot open {}: {what}", dir.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_dirs_first_and_flags_bad_links() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("zdir")).unwrap();
        fs::write(d.path().join("B.png"), b"x").unwrap();
        fs::write(d.path().join("a.txt"), b"hello").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("missing", d.path().join("dangling")).unwrap();
            std::os::unix::fs::symlink("loop", d.path().join("loop")).unwrap();
        }
        let e = read_dir_sorted(d.path()).unwrap();
        assert_eq!(e[0].name, "zdir");
        assert_eq!(e[0].kind, EntryKind::Dir);
        let a = e.iter().find(|x| x.name == "a.txt").unwrap();
        assert_eq!(a.size, 5);
        assert!(!a.is_image());
        assert!(e.iter().find(|x| x.name == "B.png").unwrap().is_image());
        #[cfg(unix)]
        {
            let dl = e.iter().find(|x| x.name == "dangling").unwrap();
            assert_eq!(dl.kind, EntryKind::BrokenLink);
            assert_eq!(dl.problem.as_deref(), Some("broken symlink"));
            let lp = e.iter().find(|x| x.name == "loop").unwrap();
            assert_eq!(lp.problem.as_deref(), Some("symlink loop"));
            assert!(read_dir_sorted(&d.path().join("loop"))
                .unwrap_err()
                .contains("symlink loop"));
        }
        assert!(read_dir_sorted(&d.path().join("nope"))
            .unwrap_err()
            .contains("does not exist"));
    }

    #[test]
    #[cfg(unix)]
    fn fifos_are_special_and_raw_names_are_kept() {
        use std::os::unix::ffi::OsStrExt;
        let d = tempfile::tempdir().unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(d.path().join("p.jpg"))
            .status()
            .unwrap()
            .success());
        let raw = std::ffi::OsStr::from_bytes(b"caf\xE9.JPG");
        fs::write(d.path().join(raw), b"x").unwrap();
        let e = read_dir_sorted(d.path()).unwrap();
        let fifo = e.iter().find(|x| x.name == "p.jpg").unwrap();
        assert_eq!(fifo.kind, EntryKind::Special);
        assert!(!fifo.is_image());
        assert_eq!(
            fifo.problem.as_deref(),
            Some("a named pipe (FIFO), not a regular file")
        );
        let cafe = e.iter().find(|x| x.name == "caf\u{FFFD}.JPG").unwrap();
        assert_eq!(cafe.file_name.as_bytes(), raw.as_bytes());
        assert!(
            cafe.is_image(),
            "the extension decides, whatever the bytes before it"
        );
        assert!(d.path().join(&cafe.file_name).exists());
    }
}
