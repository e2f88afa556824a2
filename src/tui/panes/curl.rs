//! A run's request as a curl command: shown whole, to select by hand where the terminal
//! does not take OSC 52 (the command is also put on the clipboard that way).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{popup_area, popup_block};
use crate::tui::app::App;

pub fn render(app: &App, frame: &mut Frame, area: Rect, command: &str) {
    let r = popup_area(area, 90, 14);
    frame.render_widget(Clear, r);
    let block = popup_block(app, "Copy as curl");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let mut lines: Vec<Line> = command.lines().map(|l| Line::raw(l.to_owned())).collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "On the clipboard where the terminal supports OSC 52 (tmux: set-clipboard on); \
         else select it here. The token stays $VERIFIK_TOKEN. Esc closes.",
        app.theme.dim(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
