//! Faces on screen: the probe preview and match thumbnails, drawn with the best
//! graphics protocol the terminal supports (kitty, sixel, iTerm2) or unicode
//! half-blocks everywhere else.
//!
//! How the app wires it in (one-way data flow):
//! 1. At start-up, *before* the crossterm event reader starts, call
//!    [`make_picker`] with the `--images` mode; keep the `Picker` and show the
//!    description in the help overlay (and log it with `--debug`).
//! 2. The app owns one [`PreviewCache`] (`PreviewCache::new(picker)`). While
//!    rendering, panes call [`widgets::render_file_preview`],
//!    [`widgets::render_thumbnail`] or [`widgets::render_match_comparison`]
//!    (or [`PreviewCache::request_file`] / [`PreviewCache::request_thumbnail`]
//!    plus [`render_preview`]); requests take `&self`. A miss records a
//!    [`PreviewJob`] and draws a "loading…" placeholder.
//! 3. After each draw the app drains [`PreviewCache::take_jobs`] and runs each
//!    job with [`PreviewJob::spawn`] (a blocking tokio task), which sends back a
//!    [`PreviewDone`]; the app turns it into an `Action` and calls
//!    [`PreviewCache::complete`].
//! 4. The render functions in [`widgets`] draw whatever state the cache holds.
//!    Results-list rows carry thumbnails only when
//!    [`thumbs::list_thumbnail_rows`] says the terminal is tall enough.
//! 5. A run's face box is a [`FaceMark`] in the request
//!    ([`PreviewCache::request_probe`]); the job draws it into the fitted pixels
//!    ([`facebox`]) before encoding, and the mark is part of the key, so the boxed and
//!    the plain picture of one file are separate entries.

pub mod cache;
pub mod facebox;
pub mod job;
pub mod mode;
pub mod thumbs;
pub mod widgets;

pub use cache::{PreviewCache, PreviewKey, PreviewState, SourceId};
pub use facebox::{FaceMark, Stroke};
pub use job::{PreviewDone, PreviewJob};
pub use mode::{make_picker, ImageMode};
pub use widgets::{
    render_file_preview, render_match_comparison, render_placeholder, render_preview,
    render_side_by_side, render_thumbnail,
};
