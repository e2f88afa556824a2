//! Pane 1: the file browser. Only the rows on screen are built, so a directory with
//! 100k entries costs the same per frame as one with ten. When the pane has room (and
//! images are on), a column on its right shows the highlighted image: asked for by the
//! request step before the frame ([`wanted`]), drawn here from what that step found.

use chrono::DateTime;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{clip, clip_left, human_bytes, pane_block, scroll_offset, spinner};
use crate::preview::widgets::preview_cells;
use crate::preview::{render_preview, Pictures, Wanted};
use crate::textwidth::{fit, fit_right};
use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::fsview::EntryKind;

/// The preview column is shown only when it gets at least this many cells across…
pub const PREVIEW_MIN_COLS: u16 = 12;
/// …and the pane this many rows inside its border…
pub const PREVIEW_MIN_ROWS: u16 = 5;
/// …while the names keep at least this many columns.
pub const LIST_MIN_COLS: u16 = 18;
/// Where the pane allows it the names keep this many columns (a 22-character name and its
/// size), and the picture gives way down to [`PREVIEW_MIN_COLS`].
pub const LIST_ROOMY_COLS: u16 = 32;

/// The list's rectangle and the preview column's, inside the pane `area` (border
/// included). The column takes 2/5 of the width, at most twice the height (a square on
/// screen, as cells are about twice as tall as wide), and no more than leaves the names
/// [`LIST_ROOMY_COLS`]; one blank column separates them. `None` when images are off or
/// the pane is too small for it.
fn split(app: &App, area: Rect) -> (Rect, Option<Rect>) {
    let inner = ratatui::widgets::Block::bordered().inner(area);
    let roomy = inner
        .width
        .saturating_sub(LIST_ROOMY_COLS + 1)
        .max(PREVIEW_MIN_COLS);
    let cols = (inner.width * 2 / 5)
        .min(inner.height.saturating_mul(2))
        .min(roomy);
    let room = app.preview.enabled()
        && cols >= PREVIEW_MIN_COLS
        && inner.height >= PREVIEW_MIN_ROWS
        && inner.width.saturating_sub(cols + 1) >= LIST_MIN_COLS;
    if !room {
        return (inner, None);
    }
    let list = Rect {
        width: inner.width - cols - 1,
        ..inner
    };
    let column = Rect {
        x: inner.right() - cols,
        width: cols,
        ..inner
    };
    (list, Some(column))
}

/// What the preview column shows for the highlighted entry.
enum Shown {
    /// An image file: its picture, asked for at the column's size.
    Picture(Wanted),
    /// A file that is not an image: one dim line says so.
    NotAnImage,
    /// Nothing (a directory, a broken link, an empty listing).
    Nothing,
}

fn shown(app: &App, column: Rect) -> Shown {
    let b = &app.browser;
    match b.current() {
        Some(e) if e.is_image() => Shown::Picture(Wanted::file(
            b.dir.join(&e.file_name),
            preview_cells(column),
            None,
        )),
        Some(e) if e.kind == EntryKind::File => Shown::NotAnImage,
        _ => Shown::Nothing,
    }
}

/// The picture the pane `area` shows: the highlighted image, when there is room.
pub fn wanted(app: &App, area: Rect) -> Option<Wanted> {
    let (_, column) = split(app, area);
    match shown(app, column?) {
        Shown::Picture(w) => Some(w),
        _ => None,
    }
}

pub fn render(app: &App, pictures: &Pictures, frame: &mut Frame, area: Rect) {
    let b = &app.browser;
    let dir = b.dir.display().to_string();
    let title_room = (area.width as usize).saturating_sub(14);
    let block = pane_block(
        app,
        Pane::Browser,
        Span::styled(clip_left(&dir, title_room), app.theme.dim()),
    );
    frame.render_widget(block, area);
    let (inner, column) = split(app, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if let Some(column) = column {
        match shown(app, column) {
            Shown::Picture(w) => render_preview(frame, column, &pictures.get(&w)),
            Shown::NotAnImage => frame.render_widget(
                Paragraph::new(Line::from(Span::styled("not an image", app.theme.dim()))),
                Rect {
                    height: 1,
                    ..column
                },
            ),
            Shown::Nothing => {}
        }
    }
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let show_filter = b.filtering || !b.filter.value().is_empty();
    if show_filter {
        lines.push(Line::from(vec![
            Span::styled("/", app.theme.accent()),
            Span::raw(super::input_line::view(&b.filter, w.saturating_sub(1)).text),
            Span::styled(
                format!("  {} of {}", b.visible.len(), b.entries.len()),
                app.theme.dim(),
            ),
        ]));
    }
    let footer = if b.loading {
        Some(Line::from(Span::styled(
            format!("{} reading directory…", spinner(app)),
            app.theme.dim(),
        )))
    } else {
        b.message
            .as_ref()
            .map(|m| Line::from(Span::styled(clip(m, w), app.theme.error())))
    };
    let rows = (inner.height as usize)
        .saturating_sub(lines.len())
        .saturating_sub(footer.is_some() as usize);
    if b.visible.is_empty() && !b.loading {
        let why = if b.entries.is_empty() {
            "empty directory"
        } else if !b.filter.value().is_empty() {
            "nothing matches the filter"
        } else {
            "only hidden files (. shows them)"
        };
        lines.push(Line::from(Span::styled(why, app.theme.dim())));
    }
    // Columns that fit: size needs 9, the time 12 (or 17 with the year).
    let show_size = w >= 24;
    let time_w = match w {
        60.. => 17,
        44.. => 12,
        _ => 0,
    };
    let time_fmt = if time_w == 17 {
        "%Y-%m-%d %H:%M"
    } else {
        "%m-%d %H:%M"
    };
    let name_w = w - if show_size { 9 } else { 0 } - time_w;
    let offset = scroll_offset(b.selected, rows);
    for (row, idx) in b.visible.iter().enumerate().skip(offset).take(rows) {
        let e = &b.entries[*idx];
        let (mut name, style) = match e.kind {
            EntryKind::Dir => (format!("{}/", e.name), app.theme.directory()),
            EntryKind::BrokenLink | EntryKind::Special => {
                (format!("{} ⚠", e.name), app.theme.warn())
            }
            EntryKind::File if e.is_image() => (e.name.clone(), app.theme.image()),
            EntryKind::File => (e.name.clone(), app.theme.dim()),
        };
        // Faces marked for enrolment carry their order: "✓1 ana.jpg".
        let path = b.dir.join(&e.file_name);
        if let Some(i) = b.marked.iter().position(|p| *p == path) {
            name = format!("✓{} {name}", i + 1);
        }
        // Cells, not characters: a CJK or emoji name must not push size and date off.
        let name = fit(&clip(&name, name_w.saturating_sub(1)), name_w);
        let mut spans = vec![Span::styled(name, style)];
        if show_size {
            let size = match e.kind {
                EntryKind::File => human_bytes(e.size),
                EntryKind::Dir => String::new(),
                EntryKind::BrokenLink => "link".into(),
                EntryKind::Special => "special".into(),
            };
            spans.push(Span::styled(
                format!("{} ", fit_right(&size, 8)),
                app.theme.dim(),
            ));
        }
        if time_w > 0 {
            let t = e
                .modified
                .and_then(|s| DateTime::from_timestamp(s, 0))
                .map(|t| app.tz.local(t).format(time_fmt).to_string())
                .unwrap_or_default();
            spans.push(Span::styled(
                format!("{} ", fit_right(&t, time_w - 1)),
                app.theme.dim(),
            ));
        }
        let mut line = Line::from(spans);
        if row == b.selected {
            line = line.style(app.theme.selection());
        }
        lines.push(line);
    }
    let used = lines.len();
    if let Some(f) = footer {
        for _ in used..(inner.height as usize - 1) {
            lines.push(Line::raw(""));
        }
        lines.push(f);
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if b.filtering && app.focus == Pane::Browser {
        let x = inner.x + 1 + super::input_line::view(&b.filter, w.saturating_sub(1)).cursor as u16;
        frame.set_cursor_position(Position::new(x, inner.y));
    }
}
