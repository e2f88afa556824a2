//! The profile picker (`Ctrl-p`): the configured profiles and the built-in `sandbox`,
//! the current one marked.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{popup_area, popup_block};
use crate::tui::app::App;

pub fn render(app: &App, frame: &mut Frame, area: Rect, selected: usize) {
    let choices = app.profile_choices();
    let r = popup_area(area, 50, choices.len() as u16 + 4);
    frame.render_widget(Clear, r);
    let block = popup_block(app, "Switch profile");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let mut lines: Vec<Line> = choices
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let current = app.profile.as_deref() == Some(name.as_str());
            let text = format!(
                "{} {name}{}",
                if current { "●" } else { " " },
                if current { "  (current)" } else { "" }
            );
            if i == selected {
                Line::from(Span::styled(text, app.theme.selection()))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "Enter connects (a search in flight is cancelled) · Esc stays",
        app.theme.dim(),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}
