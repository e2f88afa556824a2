//! The picture cache the app owns: what has been decoded, what is being decoded,
//! and what could not be, keyed so a changed file or a resized pane is a miss.
//!
//! Rendering calls `request_*` (with `&self`) for what it shows; a miss records a job (see
//! [`PreviewJob`]) for the app to spawn, and the answer comes back through
//! [`PreviewCache::complete`]. Nothing here decodes or blocks.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use ratatui::layout::Size;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;

use super::facebox::FaceMark;
use super::job::{JobInput, Outcome, PreviewDone, PreviewJob};
use crate::history::ProbeStamp;

/// Entries kept before the least recently used is dropped.
pub const DEFAULT_CAPACITY: usize = 64;
/// Decodes running at once: a 24 MP photo needs ~100 MB while it decodes, and a
/// cursor held down in the file browser must not start one per file.
pub const MAX_IN_FLIGHT: usize = 2;

/// Where a picture comes from, precise enough that a change is a different id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceId {
    /// A file on disk as it was when stat'ed.
    File {
        path: PathBuf,
        mtime: Option<SystemTime>,
        len: u64,
    },
    /// A thumbnail the server sent, by person and position, with a fingerprint
    /// of its bytes (a re-fetched person may carry a new picture).
    Thumbnail {
        person: String,
        index: usize,
        fingerprint: u64,
    },
}

/// A picture at one size: the same file shown in a bigger pane is another entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PreviewKey {
    pub source: SourceId,
    /// Width and height in terminal cells.
    pub cells: (u16, u16),
    /// A face box drawn into the pixels: the same file with another box (or none) is
    /// another entry, so a run's box never shows on another run's picture.
    pub mark: Option<FaceMark>,
}

/// What a pane can draw right now.
#[derive(Clone)]
pub enum PreviewState {
    /// Being decoded in the background (or waiting for a free decoder).
    Loading,
    /// Ready to draw: encoded for the terminal's protocol at the key's size.
    Ready(Arc<Protocol>),
    /// Cannot be shown; the text is for the user ("cannot preview: …").
    Failed(String),
}

impl std::fmt::Debug for PreviewState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PreviewState::Loading => write!(f, "Loading"),
            PreviewState::Ready(p) => {
                write!(f, "Ready({}x{} cells)", p.size().width, p.size().height)
            }
            PreviewState::Failed(reason) => write!(f, "Failed({reason:?})"),
        }
    }
}

impl PreviewState {
    pub fn is_ready(&self) -> bool {
        matches!(self, PreviewState::Ready(_))
    }
}

struct Entry {
    state: PreviewState,
    /// A job for it has been handed out (Loading entries wait for a free slot).
    spawned: bool,
    last_used: u64,
}

/// The app owns one. Requests take `&self` (the bookkeeping is behind a
/// `RefCell`), so a `render(&App)` can ask for pictures; only
/// [`PreviewCache::complete`] needs `&mut`, from the app's update step.
pub struct PreviewCache {
    /// `None` when images are off: every request answers with a placeholder.
    picker: Option<Picker>,
    inner: RefCell<Inner>,
}

struct Inner {
    entries: HashMap<PreviewKey, Entry>,
    in_flight: HashSet<PreviewKey>,
    jobs: Vec<PreviewJob>,
    capacity: usize,
    max_in_flight: usize,
    clock: u64,
}

impl PreviewCache {
    pub fn new(picker: Option<Picker>) -> PreviewCache {
        PreviewCache::with_limits(picker, DEFAULT_CAPACITY, MAX_IN_FLIGHT)
    }

    pub fn with_limits(picker: Option<Picker>, capacity: usize, max_in_flight: usize) -> Self {
        PreviewCache {
            picker,
            inner: RefCell::new(Inner {
                entries: HashMap::new(),
                in_flight: HashSet::new(),
                jobs: Vec::new(),
                capacity: capacity.max(1),
                max_in_flight: max_in_flight.max(1),
                clock: 0,
            }),
        }
    }

    /// False with `--images off`: panes may then skip picture areas entirely.
    pub fn enabled(&self) -> bool {
        self.picker.is_some()
    }

    pub fn picker(&self) -> Option<&Picker> {
        self.picker.as_ref()
    }

    /// The preview of an image file at `cells`. Costs one `stat`; callers that
    /// already hold the file's metadata use [`PreviewCache::request_file_with_meta`].
    pub fn request_file(&self, path: &Path, cells: Size) -> PreviewState {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                PreviewState::Failed("cannot preview: a directory, not an image".into())
            }
            Ok(meta) => self.request_file_with_meta(path, meta.modified().ok(), meta.len(), cells),
            Err(e) => {
                PreviewState::Failed(format!("cannot preview: {}", crate::probe::plain_io(&e)))
            }
        }
    }

    /// As [`PreviewCache::request_file`], with the file's mtime and length known.
    pub fn request_file_with_meta(
        &self,
        path: &Path,
        mtime: Option<SystemTime>,
        len: u64,
        cells: Size,
    ) -> PreviewState {
        self.request_file_version(path, mtime, len, cells, None)
    }

    /// A run's probe with the run's face box drawn in, but only while the file is the
    /// one the run searched (same size and mtime as `stamp`): in another version of the
    /// file the box would frame the wrong pixels, so then the picture comes plain.
    pub fn request_probe(
        &self,
        stamp: &ProbeStamp,
        mark: Option<FaceMark>,
        cells: Size,
    ) -> PreviewState {
        let path = stamp.path.as_path();
        let meta = match std::fs::metadata(path) {
            Ok(meta) if !meta.is_dir() => meta,
            // Directories and unreadable paths: the plain request says why.
            _ => return self.request_file(path, cells),
        };
        let (mtime, len) = (meta.modified().ok(), meta.len());
        let unchanged = ProbeStamp::from_parts(path, mtime, len) == *stamp;
        self.request_file_version(path, mtime, len, cells, mark.filter(|_| unchanged))
    }

    fn request_file_version(
        &self,
        path: &Path,
        mtime: Option<SystemTime>,
        len: u64,
        cells: Size,
        mark: Option<FaceMark>,
    ) -> PreviewState {
        let key = PreviewKey {
            source: SourceId::File {
                path: path.to_path_buf(),
                mtime,
                len,
            },
            cells: (cells.width, cells.height),
            mark,
        };
        {
            let mut inner = self.inner.borrow_mut();
            if !inner.entries.contains_key(&key) {
                // The file changed: every older version of it is stale.
                inner.entries.retain(|k, _| match &k.source {
                    SourceId::File {
                        path: p,
                        mtime: m,
                        len: l,
                    } => p != path || (*m == mtime && *l == len),
                    SourceId::Thumbnail { .. } => true,
                });
            }
        }
        self.request(key, || JobInput::File(path.to_path_buf()))
    }

    /// The shared part of every request: hit, or record a miss and maybe a job.
    pub(crate) fn request(
        &self,
        key: PreviewKey,
        input: impl FnOnce() -> JobInput,
    ) -> PreviewState {
        let Some(picker) = &self.picker else {
            return PreviewState::Failed("images are off (--images off)".into());
        };
        if key.cells.0 == 0 || key.cells.1 == 0 {
            return PreviewState::Failed("no room for a picture".into());
        }
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        inner.clock += 1;
        let now = inner.clock;
        if !inner.entries.contains_key(&key) {
            inner.make_room();
        }
        let free_slot = inner.in_flight.len() < inner.max_in_flight;
        let entry = inner.entries.entry(key.clone()).or_insert(Entry {
            state: PreviewState::Loading,
            spawned: false,
            last_used: now,
        });
        entry.last_used = now;
        if !entry.spawned && free_slot && !inner.in_flight.contains(&key) {
            entry.spawned = true;
            inner.in_flight.insert(key.clone());
            inner
                .jobs
                .push(PreviewJob::new(key, input(), picker.clone()));
        }
        entry.state.clone()
    }

    /// The state of `key` without touching it (for tests and diagnostics).
    pub fn peek(&self, key: &PreviewKey) -> Option<PreviewState> {
        self.inner
            .borrow()
            .entries
            .get(key)
            .map(|e| e.state.clone())
    }

    /// Jobs recorded since the last call: the app spawns them after drawing.
    pub fn take_jobs(&self) -> Vec<PreviewJob> {
        std::mem::take(&mut self.inner.borrow_mut().jobs)
    }

    /// A finished job. Results for entries that were evicted or invalidated
    /// meanwhile are dropped; a file that changed while it was read is forgotten
    /// so the next request reads it again.
    pub fn complete(&mut self, done: PreviewDone) {
        let inner = self.inner.get_mut();
        inner.in_flight.remove(&done.key);
        let Some(entry) = inner.entries.get_mut(&done.key) else {
            return;
        };
        match done.outcome {
            Outcome::Ready(p) => entry.state = PreviewState::Ready(Arc::new(p)),
            Outcome::Failed(reason) => entry.state = PreviewState::Failed(reason),
            Outcome::Stale => {
                inner.entries.remove(&done.key);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.inner.borrow().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decodes running or handed out and not yet completed.
    pub fn in_flight(&self) -> usize {
        self.inner.borrow().in_flight.len()
    }
}

impl Inner {
    fn make_room(&mut self) {
        while self.entries.len() >= self.capacity {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.entries.remove(&k),
                None => break,
            };
        }
    }
}
