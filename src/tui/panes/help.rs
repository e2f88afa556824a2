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

pub fn render(app: &App, frame: &mut Frame, area: Rect, scroll: usize) {
    let r = popup_area(area, 64, area.height.saturating_sub(2));
    frame.render_widget(Clear, r);
    let all = lines(app);
    let max = all
        .len()
        .saturating_sub(r.height.saturating_sub(2) as usize);
    let p = Paragraph::new(all)
        .scroll((scroll.min(max) as u16, 0))
        .block(popup_block(app, "Keys (↑↓ scroll)"));
    frame.render_widget(p, r);
}
