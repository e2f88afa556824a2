//! Pane 3: the collection selector, loaded in the background.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{clip, pane_block, scroll_offset, spinner};
use crate::tui::action::Pane;
use crate::tui::app::{collection_key, App, Loading};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let c = &app.collections;
    let block = pane_block(app, Pane::Collections, "");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    if c.filtering || !c.filter.value().is_empty() {
        lines.push(Line::from(vec![
            Span::styled("/", app.theme.accent()),
            Span::raw(c.filter.value().to_string()),
        ]));
    }
    match &c.load {
        Loading::Loading | Loading::Idle => lines.push(Line::from(Span::styled(
            format!("{} loading collections…", spinner(app)),
            app.theme.dim(),
        ))),
        Loading::Failed(e) => {
            lines.push(Line::from(Span::styled(
                clip(&format!("cannot load: {e}"), w),
                app.theme.error(),
            )));
            lines.push(Line::from(vec![
                Span::styled("r", app.theme.accent()),
                Span::raw(" retry"),
            ]));
        }
        Loading::Loaded(_) => {
            let chosen = app.form.collection.value().trim();
            let visible = c.visible();
            let rows = (inner.height as usize).saturating_sub(lines.len());
            let offset = scroll_offset(c.selected, rows);
            for (i, item) in visible.iter().enumerate().skip(offset).take(rows) {
                let (text, is_chosen) = match item {
                    None => ("all collections".to_string(), chosen.is_empty()),
                    Some(col) => {
                        let name = if col.name.is_empty() {
                            &col.id
                        } else {
                            &col.name
                        };
                        (
                            name.clone(),
                            chosen == collection_key(col) || chosen == col.id,
                        )
                    }
                };
                let mark = if is_chosen { "● " } else { "  " };
                let mut line = Line::from(clip(&format!("{mark}{text}"), w));
                if i == c.selected {
                    line = line.style(app.theme.selection());
                } else if item.is_none() {
                    line = line.style(app.theme.dim());
                }
                lines.push(line);
            }
            if visible.len() == 1 && !c.filter.value().is_empty() {
                lines.push(Line::from(Span::styled(
                    "no collection matches",
                    app.theme.dim(),
                )));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if c.filtering && app.focus == Pane::Collections {
        let x = inner.x + 1 + c.filter.visual_cursor().min(w.saturating_sub(2)) as u16;
        frame.set_cursor_position(Position::new(x, inner.y));
    }
}
