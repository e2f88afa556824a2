//! The picture cache the app owns: what has been decoded, what is being decoded,
//! and what could not be, keyed so a changed file or a resized pane is a miss.
//!
//! The request step before each frame calls `request_*` (with `&mut self`) for what the
//! frame will show (see [`super::view`]); a miss records a job (see [`PreviewJob`]) for
//! the app to spawn, and the answer comes back through [`PreviewCache::complete`].
//! Drawing never sees the cache: it reads the [`super::Pictures`] the step returned.
//! Nothing here decodes or blocks; `request_file` and `request_probe` cost one `stat`.
//!
//! Decodes are coalesced step by step (see [`PreviewCache::begin_step`]): a picture
//! that waited for a decoder and is no longer shown is forgotten, and no decode starts
//! while one runs for a picture no longer shown, so a cursor held down through a folder
//! leads to one decode at a time, always of the newest picture under it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use ratatui::layout::Size;
use ratatui_image::picker::Picker;

use super::facebox::FaceMark;
use super::job::{DecodeResult, JobInput, PreviewDone, PreviewJob};
use super::key::{PreviewKey, PreviewState, SourceId};
use crate::history::ProbeStamp;

/// Entries kept before the least recently used is dropped.
pub const DEFAULT_CAPACITY: usize = 64;
/// Decodes running at once: a 24 MP photo needs ~100 MB while it decodes, and a
/// cursor held down in the file browser must not start one per file (see
/// [`PreviewCache::begin_step`]).
pub const MAX_IN_FLIGHT: usize = 2;

struct Entry {
    state: PreviewState,
    /// A job for it has been handed out (Loading entries wait for a free slot).
    spawned: bool,
    last_used: u64,
}

/// The app owns one. Requests and completions take `&mut self`: they change the
/// bookkeeping, so they belong to the step before drawing, never to drawing (which only
/// gets `&App`).
pub struct PreviewCache {
    /// `None` when images are off: every request answers with a placeholder.
    picker: Option<Picker>,
    inner: Inner,
}

struct Inner {
    entries: HashMap<PreviewKey, Entry>,
    in_flight: HashSet<PreviewKey>,
    jobs: Vec<PreviewJob>,
    capacity: usize,
    max_in_flight: usize,
    clock: u64,
    /// The pictures the last request step wanted (`None` before the first step, and
    /// for callers that request one picture at a time).
    shown: Option<HashSet<PreviewKey>>,
}

impl PreviewCache {
    pub fn new(picker: Option<Picker>) -> PreviewCache {
        PreviewCache::with_limits(picker, DEFAULT_CAPACITY, MAX_IN_FLIGHT)
    }

    pub fn with_limits(picker: Option<Picker>, capacity: usize, max_in_flight: usize) -> Self {
        PreviewCache {
            picker,
            inner: Inner {
                entries: HashMap::new(),
                in_flight: HashSet::new(),
                jobs: Vec::new(),
                capacity: capacity.max(1),
                max_in_flight: max_in_flight.max(1),
                clock: 0,
                shown: None,
            },
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
    pub fn request_file(&mut self, path: &Path, cells: Size) -> PreviewState {
        match file_key(path, cells, None) {
            Ok(key) => self.request_file_key(key),
            Err(failed) => failed,
        }
    }

    /// As [`PreviewCache::request_file`], with the file's mtime and length known.
    pub fn request_file_with_meta(
        &mut self,
        path: &Path,
        mtime: Option<SystemTime>,
        len: u64,
        cells: Size,
    ) -> PreviewState {
        self.request_file_key(PreviewKey {
            source: SourceId::File {
                path: path.to_path_buf(),
                mtime,
                len,
            },
            cells: (cells.width, cells.height),
            mark: None,
        })
    }

    /// A run's probe with the run's face box drawn in, but only while the file is the
    /// one the run searched (same size and mtime as `stamp`): in another version of the
    /// file the box would frame the wrong pixels, so then the picture comes plain.
    pub fn request_probe(
        &mut self,
        stamp: &ProbeStamp,
        mark: Option<FaceMark>,
        cells: Size,
    ) -> PreviewState {
        match file_key(&stamp.path, cells, mark.map(|m| (stamp, m))) {
            Ok(key) => self.request_file_key(key),
            Err(failed) => failed,
        }
    }

    /// Requests a file's key (made by [`file_key`]): on a miss, every other version of
    /// that file is stale and goes.
    pub(crate) fn request_file_key(&mut self, key: PreviewKey) -> PreviewState {
        let SourceId::File { path, mtime, len } = key.source.clone() else {
            return PreviewState::Failed("cannot preview: not a file".into());
        };
        let inner = &mut self.inner;
        if !inner.entries.contains_key(&key) {
            inner.entries.retain(|k, _| match &k.source {
                SourceId::File {
                    path: p,
                    mtime: m,
                    len: l,
                } => *p != path || (*m == mtime && *l == len),
                SourceId::Thumbnail { .. } => true,
            });
        }
        self.request(key, || JobInput::File(path))
    }

    /// The shared part of every request: hit, or record a miss and maybe a job.
    pub(crate) fn request(
        &mut self,
        key: PreviewKey,
        input: impl FnOnce() -> JobInput,
    ) -> PreviewState {
        if let Some(refused) = self.refusal(&key) {
            return refused;
        }
        let Some(picker) = &self.picker else {
            return PreviewState::Failed(IMAGES_OFF.into());
        };
        let inner = &mut self.inner;
        inner.clock += 1;
        let now = inner.clock;
        if !inner.entries.contains_key(&key) {
            inner.make_room();
        }
        let free_slot = inner.in_flight.len() < inner.max_in_flight && !inner.decoding_unshown();
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

    /// The start of a request step that wants `keys` (see [`super::view`]): the frame
    /// shows these pictures and no others. Pictures that were waiting for a decoder and
    /// are no longer shown are forgotten (a cursor held down through 200 photos leaves
    /// no queue behind it, and no waiting entry pushes a decoded one out); decodes
    /// already running for them finish and are kept, but until they do no new decode
    /// starts, so the newest wanted picture goes next instead of behind the ones
    /// scrolled past.
    pub(crate) fn begin_step(&mut self, keys: HashSet<PreviewKey>) {
        let inner = &mut self.inner;
        inner.entries.retain(|k, e| {
            keys.contains(k) || e.spawned || !matches!(e.state, PreviewState::Loading)
        });
        inner.shown = Some(keys);
    }

    /// What a request for `key` would answer at once without an entry: images off, or
    /// no room. `None` when the key can be decoded.
    pub(crate) fn refusal(&self, key: &PreviewKey) -> Option<PreviewState> {
        if self.picker.is_none() {
            return Some(PreviewState::Failed(IMAGES_OFF.into()));
        }
        if key.cells.0 == 0 || key.cells.1 == 0 {
            return Some(PreviewState::Failed("no room for a picture".into()));
        }
        None
    }

    /// The state of `key` without touching it (for tests and diagnostics).
    pub fn peek(&self, key: &PreviewKey) -> Option<PreviewState> {
        self.inner.entries.get(key).map(|e| e.state.clone())
    }

    /// Jobs recorded since the last call: the app spawns them after the request step.
    pub fn take_jobs(&mut self) -> Vec<PreviewJob> {
        std::mem::take(&mut self.inner.jobs)
    }

    /// A finished job. Results for entries that were evicted or invalidated
    /// meanwhile are dropped; a file that changed while it was read is forgotten
    /// so the next request reads it again.
    pub fn complete(&mut self, done: PreviewDone) {
        let inner = &mut self.inner;
        inner.in_flight.remove(&done.key);
        let Some(entry) = inner.entries.get_mut(&done.key) else {
            return;
        };
        match done.result {
            DecodeResult::Ready(p) => entry.state = PreviewState::Ready(Arc::new(p)),
            DecodeResult::Failed(reason) => entry.state = PreviewState::Failed(reason),
            DecodeResult::Stale => {
                inner.entries.remove(&done.key);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.inner.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decodes running or handed out and not yet completed.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.len()
    }
}

/// What a picture request answers while images are off.
const IMAGES_OFF: &str = "images are off (--images off)";

/// The key of an image file as it is on disk now (one `stat`), with `face`'s box when the
/// file is still the version that stamp describes: in another version the box would frame
/// the wrong pixels, so then the key is the plain picture's. `Err` is what to draw
/// instead (a directory, a missing or unreadable file).
pub(crate) fn file_key(
    path: &Path,
    cells: Size,
    face: Option<(&ProbeStamp, FaceMark)>,
) -> Result<PreviewKey, PreviewState> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(PreviewState::Failed(
                "cannot preview: a directory, not an image".into(),
            ))
        }
        Ok(meta) => meta,
        Err(e) => {
            return Err(PreviewState::Failed(format!(
                "cannot preview: {}",
                crate::probe::plain_io(&e)
            )))
        }
    };
    let (mtime, len) = (meta.modified().ok(), meta.len());
    let mark = face
        .filter(|(stamp, _)| ProbeStamp::from_parts(path, mtime, len) == **stamp)
        .map(|(_, mark)| mark);
    Ok(PreviewKey {
        source: SourceId::File {
            path: path.to_path_buf(),
            mtime,
            len,
        },
        cells: (cells.width, cells.height),
        mark,
    })
}

impl Inner {
    /// A decode is running for a picture the last step no longer wanted.
    fn decoding_unshown(&self) -> bool {
        self.shown
            .as_ref()
            .is_some_and(|shown| self.in_flight.iter().any(|k| !shown.contains(k)))
    }

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
