//! What a frame may draw: the pictures the screen wants, named by what the state knows
//! (a file's path, a person's thumbnail) and the cells they are drawn in, and the
//! [`Pictures`] the request step found for them.
//!
//! The step runs before drawing, with `&mut` [`PreviewCache`]: it `stat`s files, records
//! misses as jobs and keeps the least-recently-used order. Drawing then reads only the
//! returned [`Pictures`] — no path is opened or `stat`ed while a frame is drawn, and the
//! cache is not touched: a file replaced or deleted between the step and the draw changes
//! nothing on screen until the next step.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::layout::Size;
use ratatui_image::protocol::Protocol;

use super::cache::{file_key, PreviewCache};
use super::facebox::FaceMark;
use super::job::JobInput;
use super::key::PreviewState;
use super::thumbs::thumbnail_key;
use crate::api::model::Thumbnail;
use crate::history::ProbeStamp;

/// A picture a frame shows, as the state and the layout name it.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// An image file in `cells` (width, height); with `face`, the run's box drawn in
    /// while the file is still the version that run searched (its stamp).
    File {
        path: PathBuf,
        cells: (u16, u16),
        face: Option<(ProbeStamp, FaceMark)>,
    },
    /// `person`'s thumbnail number `index` (0-based) in `cells` (width, height).
    Thumbnail {
        person: String,
        index: usize,
        cells: (u16, u16),
    },
}

impl Wanted {
    /// An image file at `cells`, with the box of the run that searched `face.0`.
    pub fn file(
        path: impl Into<PathBuf>,
        cells: Size,
        face: Option<(ProbeStamp, FaceMark)>,
    ) -> Wanted {
        Wanted::File {
            path: path.into(),
            cells: (cells.width, cells.height),
            face,
        }
    }

    /// `person`'s thumbnail number `index` at `cells`.
    pub fn thumbnail(person: &str, index: usize, cells: Size) -> Wanted {
        Wanted::Thumbnail {
            person: person.to_string(),
            index,
            cells: (cells.width, cells.height),
        }
    }
}

/// The pictures of one frame, ready to draw: immutable, and all that drawing reads.
#[derive(Clone, Default)]
pub struct Pictures {
    shown: Vec<(Wanted, PreviewState)>,
    /// The probe popup's picture (with the shown run's box when it applies).
    probe: Option<Arc<Protocol>>,
}

impl std::fmt::Debug for Pictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pictures")
            .field("shown", &self.shown)
            .field("probe", &self.probe.is_some())
            .finish()
    }
}

impl Pictures {
    /// What to draw for `wanted`: `Loading` when the request step did not see it (the
    /// step and the draw disagree about the layout, which the next frame mends).
    pub fn get(&self, wanted: &Wanted) -> PreviewState {
        self.shown
            .iter()
            .find(|(w, _)| w == wanted)
            .map_or(PreviewState::Loading, |(_, s)| s.clone())
    }

    /// The probe popup's picture, when the step made one.
    pub fn probe(&self) -> Option<&Arc<Protocol>> {
        self.probe.as_ref()
    }

    /// Sets the probe popup's picture (made by the request step).
    pub fn set_probe(&mut self, probe: Option<Arc<Protocol>>) {
        self.probe = probe;
    }

    /// How many wanted pictures the step answered.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }
}

impl PreviewCache {
    /// The request step: for each wanted picture, `stat`s files, records misses as jobs
    /// (take them with [`PreviewCache::take_jobs`]) and answers what can be drawn now.
    /// `thumbnails` finds a person's thumbnail by (person id, index). Pictures an earlier
    /// step wanted and this one does not are coalesced away (see
    /// [`PreviewCache::begin_step`]): only what the frame shows is decoded next.
    pub fn request_wanted<'a>(
        &mut self,
        wanted: Vec<Wanted>,
        thumbnails: impl Fn(&str, usize) -> Option<&'a Thumbnail>,
    ) -> Pictures {
        // Keys first, so the step knows everything the frame shows before it starts
        // any decode.
        let keyed: Vec<_> = wanted
            .into_iter()
            .map(|w| {
                let key = match &w {
                    Wanted::File { path, cells, face } => {
                        let face = face.as_ref().map(|(stamp, mark)| (stamp, *mark));
                        file_key(path, size(*cells), face).map(|key| (key, None))
                    }
                    Wanted::Thumbnail {
                        person,
                        index,
                        cells,
                    } => thumbnail_key(person, *index, thumbnails(person, *index), size(*cells))
                        .map(|(key, bytes)| (key, Some(bytes))),
                };
                (w, key)
            })
            .collect();
        self.begin_step(
            keyed
                .iter()
                .filter_map(|(_, key)| key.as_ref().ok().map(|(k, _)| k.clone()))
                .collect(),
        );
        let shown = keyed
            .into_iter()
            .map(|(w, key)| {
                let state = match key {
                    Ok((key, None)) => self.request_file_key(key),
                    Ok((key, Some(bytes))) => {
                        self.request(key, || JobInput::Bytes(Arc::from(bytes)))
                    }
                    Err(failed) => failed,
                };
                (w, state)
            })
            .collect();
        Pictures { shown, probe: None }
    }

    /// As [`PreviewCache::request_wanted`], but records nothing: what the cache holds
    /// now (for frames drawn without a request step, as tests draw them).
    pub fn peek_wanted<'a>(
        &self,
        wanted: Vec<Wanted>,
        thumbnails: impl Fn(&str, usize) -> Option<&'a Thumbnail>,
    ) -> Pictures {
        let shown = wanted
            .into_iter()
            .map(|w| {
                let key = match &w {
                    Wanted::File { path, cells, face } => {
                        let face = face.as_ref().map(|(stamp, mark)| (stamp, *mark));
                        file_key(path, size(*cells), face)
                    }
                    Wanted::Thumbnail {
                        person,
                        index,
                        cells,
                    } => thumbnail_key(person, *index, thumbnails(person, *index), size(*cells))
                        .map(|(key, _)| key),
                };
                let state = match key {
                    Ok(key) => self
                        .refusal(&key)
                        .or_else(|| self.peek(&key))
                        .unwrap_or(PreviewState::Loading),
                    Err(failed) => failed,
                };
                (w, state)
            })
            .collect();
        Pictures { shown, probe: None }
    }
}

fn size(cells: (u16, u16)) -> Size {
    Size::new(cells.0, cells.1)
}
