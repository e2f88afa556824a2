//! What a picture is (its source and size, the cache's key) and what a pane can draw
//! for it right now: shared by the cache, the jobs and the drawing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use ratatui_image::protocol::Protocol;

use super::facebox::FaceMark;

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
