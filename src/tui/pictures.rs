//! The request step for pictures, run before each frame: it asks the picture cache for
//! what the frame will show (`stat`s files, records decodes to spawn) and returns the
//! [`Pictures`] that drawing reads. Drawing (`panes::render`) gets `&App` and these
//! pictures only, so it does no I/O and changes no state.

use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui_image::protocol::Protocol;

use super::app::{App, Popup, ProbeState};
use super::panes;
use super::probe_preview::Preview;
use crate::preview::{FaceMark, Pictures};

/// Runs the request step frame after frame, keeping the last boxed probe preview so
/// an unchanged box is not encoded again.
#[derive(Default)]
pub struct PictureStep {
    boxed: Option<(Preview, FaceMark, Arc<Protocol>)>,
}

impl PictureStep {
    /// Requests the pictures a frame of `area` shows; the jobs it records wait in
    /// `app.preview` ([`crate::preview::PreviewCache::take_jobs`]).
    pub fn run(&mut self, app: &mut App, area: Rect) -> Pictures {
        let wanted = panes::wanted(app, area);
        let persons = &app.persons;
        let mut pictures = app.preview.request_wanted(wanted, |id, i| {
            persons.get(id).and_then(|p| p.thumbnails.get(i))
        });
        pictures.set_probe(self.probe_picture(app));
        pictures
    }

    fn probe_picture(&mut self, app: &App) -> Option<Arc<Protocol>> {
        let (preview, mark) = probe_wanted(app)?;
        let Some(mark) = mark else {
            return Some(preview.plain());
        };
        if let Some((p, m, boxed)) = &self.boxed {
            if *p == *preview && *m == mark {
                return Some(boxed.clone());
            }
        }
        let boxed = preview.with_mark(mark);
        self.boxed = Some((preview.clone(), mark, boxed.clone()));
        Some(boxed)
    }
}

/// What the cache holds now for a frame of `area`, recording nothing: for frames drawn
/// without a request step (tests). Files are `stat`ed here, not while drawing.
pub fn view(app: &App, area: Rect) -> Pictures {
    let wanted = panes::wanted(app, area);
    let mut pictures = app.preview.peek_wanted(wanted, |id, i| {
        app.persons.get(id).and_then(|p| p.thumbnails.get(i))
    });
    pictures.set_probe(probe_wanted(app).map(|(preview, mark)| match mark {
        Some(mark) => preview.with_mark(mark),
        None => preview.plain(),
    }));
    pictures
}

/// The probe preview and its box, while the probe popup is open.
fn probe_wanted(app: &App) -> Option<(&Preview, Option<FaceMark>)> {
    if !matches!(app.popup, Some(Popup::Preview)) {
        return None;
    }
    let ProbeState::Ready(info) = &app.probe else {
        return None;
    };
    let preview = info.preview.as_ref()?;
    Some((preview, panes::preview::probe_mark(app)))
}
