//! The probe preview: the prepared upload drawn with half blocks (works over SSH and in
//! any terminal; made off the render path when the probe was prepared).

use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use ratatui_image::Image;

use super::{popup_area, popup_block};
use crate::tui::app::{file_name, App, ProbeState};
use crate::tui::runner::PREVIEW_CELLS;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
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
    match &info.preview {
        Some(p) => frame.render_widget(Image::new(&p.0), inner),
        None => frame.render_widget(Paragraph::new("no preview"), inner),
    }
}
