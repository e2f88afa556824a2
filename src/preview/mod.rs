//! Faces on screen: the probe preview and match thumbnails, drawn with the best
//! graphics protocol the terminal supports (kitty, sixel, iTerm2) or unicode
//! half-blocks everywhere else.
//!
//! How the app wires it in (one-way data flow):
//! 1. At start-up, *before* the crossterm event reader starts, call
//!    [`make_picker`] with the `--images` mode; keep the `Picker` and show the
//!    description in the help overlay (and log it with `--debug`).
//! 2. The app owns one [`PreviewCache`] (`PreviewCache::new(picker)`). Before each
//!    frame, the request step lists the pictures the frame shows ([`Wanted`]: a path
//!    or a person's thumbnail, at the cells it is drawn in) and calls
//!    [`PreviewCache::request_wanted`] (`&mut`: it `stat`s files and records a
//!    [`PreviewJob`] per miss, coalescing away pictures earlier frames wanted and this
//!    one does not). It returns the frame's [`Pictures`].
//! 3. After the step the app drains [`PreviewCache::take_jobs`] and runs each job with
//!    [`PreviewJob::spawn`] (a blocking tokio task), which sends back a
//!    [`PreviewDone`]; the app turns it into an `Action` and calls
//!    [`PreviewCache::complete`].
//! 4. Drawing reads only the [`Pictures`] and draws each [`PreviewState`] with the
//!    functions in [`widgets`] (a "loading…" placeholder until the job is done): no
//!    file is opened or `stat`ed, and the cache is not touched, while a frame is drawn.
//!    Results-list rows carry thumbnails only when [`thumbs::list_thumbnail_rows`]
//!    says the terminal is tall enough.
//! 5. A run's face box is a [`FaceMark`] in the request ([`Wanted::File`]'s `face`, or
//!    [`PreviewCache::request_probe`]); the job draws it into the fitted pixels
//!    ([`facebox`]) before encoding, and the mark is part of the key, so the boxed and
//!    the plain picture of one file are separate entries.

pub mod cache;
pub mod facebox;
pub mod job;
pub mod key;
pub mod mode;
pub mod thumbs;
pub mod view;
pub mod widgets;

pub use cache::PreviewCache;
pub use facebox::{FaceMark, Stroke};
pub use job::{PreviewDone, PreviewJob};
pub use key::{PreviewKey, PreviewState, SourceId};
pub use mode::{make_picker, ImageMode};
pub use view::{Pictures, Wanted};
pub use widgets::{render_placeholder, render_preview, render_side_by_side};
