//! Pane 3: the collection selector (loaded in the background), with keys to create,
//! rename and delete collections, and the delete question.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{
    clip, key_line, pane_block, popup_area, popup_block, scroll_offset, spinner, wrapped_rows,
};
use crate::tui::action::Pane;
use crate::tui::app::{collection_key, collection_label, App, Loading};

/// A pane this tall always has a row to spare for the key hint; a shorter one shows
/// it only when the whole list fits above it.
const ROOMY: u16 = 8;
const HINTS: [&str; 4] = ["a new", "e edit", "d delete", "Enter choose"];

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let c = &app.collections;
    let block = pane_block(app, Pane::Collections, "");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let filter_row = c.filtering || !c.filter.value().is_empty();
    let visible = c.visible();
    let no_match = visible.len() == 1 && !c.filter.value().is_empty();
    let needed = usize::from(filter_row)
        + match &c.load {
            Loading::Loading | Loading::Idle => 1,
            Loading::Failed(_) => 2,
            Loading::Loaded(_) => visible.len() + usize::from(no_match),
        };
    let hint = inner.height >= ROOMY || needed < inner.height as usize;
    let list_height = inner.height.saturating_sub(u16::from(hint)) as usize;
    let mut lines = Vec::new();
    if filter_row {
        lines.push(Line::from(vec![
            Span::styled("/", app.theme.accent()),
            Span::raw(super::input_line::view(&c.filter, w.saturating_sub(1)).text),
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
            let rows = list_height.saturating_sub(lines.len());
            let offset = scroll_offset(c.selected, rows);
            for (i, item) in visible.iter().enumerate().skip(offset).take(rows) {
                let (text, is_chosen) = match item {
                    None => ("all collections".to_string(), chosen.is_empty()),
                    Some(col) => (
                        collection_label(col).to_string(),
                        chosen == collection_key(col) || chosen == col.id,
                    ),
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
            if no_match {
                lines.push(Line::from(Span::styled(
                    "no collection matches",
                    app.theme.dim(),
                )));
            }
        }
    }
    lines.truncate(list_height);
    frame.render_widget(Paragraph::new(lines), inner);
    if hint {
        let hint_area = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Span::styled(hint_text(w), app.theme.dim())),
            hint_area,
        );
    }
    if c.filtering && app.focus == Pane::Collections {
        let x = inner.x + 1 + super::input_line::view(&c.filter, w.saturating_sub(1)).cursor as u16;
        frame.set_cursor_position(Position::new(x, inner.y));
    }
}

/// As many whole hints as fit in `w` columns.
fn hint_text(w: usize) -> String {
    let mut out = String::new();
    for h in HINTS {
        let next = if out.is_empty() {
            h.to_string()
        } else {
            format!("{out} · {h}")
        };
        if crate::textwidth::width(&next) > w {
            break;
        }
        out = next;
    }
    out
}

/// "Delete collection Staff?": what happens to its persons, the search form's choice,
/// and the request's progress or failure.
pub fn confirm_delete(app: &App, frame: &mut Frame, area: Rect) {
    let Some(d) = &app.collections.delete else {
        return;
    };
    let t = &app.theme;
    let c = &d.collection;
    let mut lines = vec![
        Line::from(format!("Delete collection {}?", collection_label(c))),
        Line::from("Its persons stay enrolled: they are only taken out of this collection."),
        Line::from(Span::styled("This cannot be undone.", t.dim())),
    ];
    let chosen = app.form.collection.value().trim();
    if chosen == c.id || chosen == collection_key(c) {
        lines.push(Line::from(
            "The search form uses it: searches will cover all collections.",
        ));
    }
    if d.sending {
        lines.push(Line::from(Span::styled(
            format!("{} deleting…", spinner(app)),
            t.dim(),
        )));
    } else if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error())));
    }
    let again = if d.error.is_some() {
        "try again"
    } else {
        "delete"
    };
    lines.push(key_line(app, &[("y", again), ("n", "keep")]));
    let width = 64.min(area.width);
    // Rows after wrapping, so a long name or error still fits the box.
    let rows = wrapped_rows(&lines, width.saturating_sub(2) as usize);
    let r = popup_area(area, width, rows as u16 + 2);
    frame.render_widget(Clear, r);
    let p = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(popup_block(app, "Delete collection?"));
    frame.render_widget(p, r);
}
