//! Directory listing for the file browser. Blocking I/O: the event loop runs it on a
//! blocking thread, never on the render path.

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
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: String,
    pub kind: EntryKind,
    pub size: u64,
    /// Seconds since the Unix epoch.
    pub modified: Option<i64>,
    /// Why the entry cannot be used (broken link, loop …).
    pub problem: Option<String>,
}

/// Extensions the probe loader accepts.
pub const IMAGE_EXTENSIONS: [&str; 5] = ["jpg", "jpeg", "png", "webp", "bmp"];

impl Entry {
    pub fn is_hidden(&self) -> bool {
        self.name.starts_with('.')
    }

    pub fn is_image(&self) -> bool {
        self.kind == EntryKind::File && is_image_name(&self.name)
    }
}

pub fn is_image_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Lists `dir`: directories first, then files, each sorted by name (case-insensitive).
/// Hidden entries are included; the browser decides whether to show them.
pub fn read_dir_sorted(dir: &Path) -> Result<Vec<Entry>, String> {
    let reader = fs::read_dir(dir).map_err(|e| describe(dir, &e))?;
    let mut entries = Vec::new();
    for item in reader {
        let Ok(item) = item else { continue };
        let name = item.file_name().to_string_lossy().into_owned();
        // `metadata` follows symlinks: a dangling link or a loop fails here.
        let entry = match fs::metadata(item.path()) {
            Ok(meta) => Entry {
                name,
                kind: if meta.is_dir() {
                    EntryKind::Dir
                } else {
                    EntryKind::File
                },
                size: meta.len(),
                modified: meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_secs() as i64),
                problem: None,
            },
            Err(e) => Entry {
                name,
                kind: EntryKind::BrokenLink,
                size: 0,
                modified: None,
                problem: Some(link_problem(&e)),
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
}
