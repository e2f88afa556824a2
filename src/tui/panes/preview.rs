//! The probe preview: the prepared upload drawn with half blocks (works over SSH and in
//! any terminal; made off the render path when the probe was prepared), with the face
//! box of the shown run when that run searched this probe. The boxed picture is made by
//! the request step before the frame ([`crate::tui::pictures`]); this only draws it.

use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use ratatui_image::Image;

use super::{popup_area, popup_block};
use crate::preview::{FaceMark, Pictures};
use crate::tui::app::{file_name, App, ProbeState};
use crate::tui::runner::PREVIEW_CELLS;
use crate::tui::theme::face_box_rgb;

/// The face box to draw on the probe preview: the shown run's, when that run searched
/// this very file.
pub fn probe_mark(app: &App) -> Option<FaceMark> {
    let ProbeState::Ready(info) = &app.probe else {
        return None;
    };
    app.shown_run()
        .filter(|run| run.probe == info.stamp)
        .and_then(|run| run.face)
        .map(|r| FaceMark::new(&r, face_box_rgb(&app.theme)))
}

pub fn render(app: &App, pictures: &Pictures, frame: &mut Frame, area: Rect) {
    let r = popup_area(area, PREVIEW_CELLS.0 + 2, PREVIEW_CELLS.1 + 2);
    frame.render_widget(Clear, r);
    let ProbeState::Ready(info) = &app.probe else {
        frame.render_widget(
            Paragraph::new("no probe").block(popup_block(app, "Probe")),
            r,
        );
        return;
    };
    let title = file_name(&info.stamp.path);
    let block = popup_block(app, &title);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    // The step's picture (boxed when the box applies); the plain one if no step ran.
    let picture = pictures
        .probe()
        .cloned()
        .or_else(|| info.preview.as_ref().map(|p| p.plain()));
    match picture {
        Some(p) => frame.render_widget(Image::new(&p), inner),
        None => frame.render_widget(Paragraph::new("no preview"), inner),
    }
}
