//! The help overlay, generated from the keymap the dispatcher uses.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{popup_area, popup_block};
use crate::tui::app::App;
use crate::tui::keymap::{help_lines, HELP_CONTEXTS};

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(vec![
        Span::styled("Images  ", app.theme.accent()),
        Span::styled(app.images.clone(), app.theme.dim()),
    ])];
    for ctx in HELP_CONTEXTS {
        out.push(Line::from(Span::styled(ctx.title(), app.theme.accent())));
        for l in help_lines(ctx) {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<22}", l.keys), app.theme.base()),
                Span::styled(l.desc, app.theme.dim()),
            ]));
        }
    }
    out
}

/// The popup's rectangle in a terminal of `area`.
fn popup(area: Rect) -> Rect {
    popup_area(area, 64, area.height.saturating_sub(2))
}

/// The last scroll position that still shows content: the list's end at the bottom edge.
pub fn scroll_max(app: &App, area: Rect) -> usize {
    let r = popup(area);
    lines(app)
        .len()
        .saturating_sub(r.height.saturating_sub(2) as usize)
}

pub fn render(app: &App, frame: &mut Frame, area: Rect, scroll: usize) {
    let r = popup(area);
    frame.render_widget(Clear, r);
    let max = scroll_max(app, area);
    let p = Paragraph::new(lines(app))
        .scroll((scroll.min(max) as u16, 0))
        .block(popup_block(app, "Keys (↑↓ scroll)"));
    frame.render_widget(p, r);
}
