//! Drawing. Every function here reads `&App` and draws into a `Frame`: no I/O, no state
//! changes, so any state can be rendered into a `TestBackend`.

pub mod browser;
pub mod collections;
pub mod columns;
pub mod compare;
pub mod curl;
pub mod detail;
pub mod editform;
pub mod editor;
pub mod form;
pub mod help;
pub mod history;
pub mod input_line;
pub mod persons;
pub mod preview;
pub mod results;
pub mod status;
pub mod sweep;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::action::Pane;
use super::app::{App, Popup};
use crate::preview::{Pictures, Wanted};

/// The smallest terminal the full layout fits in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

/// The pane rectangles for a terminal area.
pub struct Areas {
    pub browser: Rect,
    pub form: Rect,
    pub collections: Rect,
    pub results: Rect,
    pub history: Rect,
    pub status: Rect,
}

pub fn areas(area: Rect) -> Areas {
    let [body, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let left_w = (area.width * 2 / 5).clamp(34, 64);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(body);
    let coll_h = if body.height >= 36 { 12 } else { 6 };
    let [browser, form, collections] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(9),
        Constraint::Length(coll_h),
    ])
    .areas(left);
    let [results, history] =
        Layout::vertical([Constraint::Percentage(58), Constraint::Fill(1)]).areas(right);
    Areas {
        browser,
        form,
        collections,
        results,
        history,
        status,
    }
}

/// The pictures a frame of `area` shows (from the state and the layout alone): the
/// request step asks the picture cache for them before drawing.
pub fn wanted(app: &App, area: Rect) -> Vec<Wanted> {
    match &app.popup {
        _ if area.width < MIN_WIDTH || area.height < MIN_HEIGHT => Vec::new(),
        Some(Popup::Detail { person_id, .. }) => detail::wanted(app, area, person_id),
        _ => Vec::new(),
    }
}

/// Draws the whole dashboard, pictures from `pictures` (what the request step found).
pub fn render(app: &App, pictures: &Pictures, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base()), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, frame, area);
        return;
    }
    let a = areas(area);
    browser::render(app, frame, a.browser);
    form::render(app, frame, a.form);
    collections::render(app, frame, a.collections);
    results::render(app, frame, a.results);
    history::render(app, frame, a.history);
    status::render(app, frame, a.status);
    match &app.popup {
        None => {}
        Some(Popup::Help { scroll }) => help::render(app, frame, area, *scroll),
        Some(Popup::ConfirmQuit) => confirm_quit(app, frame, area),
        Some(Popup::Detail { person_id, scroll }) => {
            detail::render(app, pictures, frame, area, person_id, *scroll)
        }
        Some(Popup::Compare { a, b, scroll }) => compare::render(app, frame, area, *a, *b, *scroll),
        Some(Popup::Sweep { run }) => sweep::render(app, frame, area, *run),
        Some(Popup::Curl { command }) => curl::render(app, frame, area, command),
        Some(Popup::Preview) => preview::render(app, pictures, frame, area),
        Some(Popup::Persons) => persons::render(app, frame, area),
        Some(Popup::ConfirmDelete {
            name, collection, ..
        }) => {
            persons::render(app, frame, area);
            persons::confirm_delete(app, frame, area, name, collection.as_ref().map(|c| &c.1));
        }
        Some(Popup::Editor) => editor::render(app, frame, area),
        Some(Popup::ConfirmDeleteCollection) => collections::confirm_delete(app, frame, area),
        Some(Popup::ConfirmReplaceFaces) => {
            editor::render(app, frame, area);
            editor::confirm_replace(app, frame, area);
        }
    }
}

/// How far the open popup can scroll in a terminal of `area` before its content ends
/// (0 for popups that do not scroll).
pub fn popup_scroll_max(app: &App, area: Rect) -> usize {
    match &app.popup {
        Some(Popup::Help { .. }) => help::scroll_max(app, area),
        Some(Popup::Detail { person_id, .. }) => detail::scroll_max(app, area, person_id),
        Some(Popup::Compare { a, b, .. }) => compare::scroll_max(app, area, *a, *b),
        _ => 0,
    }
}

fn too_small(app: &App, frame: &mut Frame, area: Rect) {
    let text = format!(
        "terminal too small: {}×{} (needs {MIN_WIDTH}×{MIN_HEIGHT}) — q quits",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(app.theme.warn())
            .wrap(Wrap { trim: true }),
        area,
    );
}

fn confirm_quit(app: &App, frame: &mut Frame, area: Rect) {
    let r = popup_area(area, 44, 5);
    frame.render_widget(Clear, r);
    let p = Paragraph::new(vec![
        Line::from("A search is still running."),
        key_line(app, &[("y", "quit and cancel it"), ("n", "stay")]),
    ])
    .block(popup_block(app, "Quit?"));
    frame.render_widget(p, r);
}

/// `y delete   n keep`: each key in the accent colour, then what it does.
pub fn key_line(app: &App, keys: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (key, what)) in keys.iter().enumerate() {
        let gap = if i + 1 < keys.len() { "   " } else { "" };
        spans.push(Span::styled(key.to_string(), app.theme.accent()));
        spans.push(Span::raw(format!(" {what}{gap}")));
    }
    Line::from(spans)
}

/// Rows `lines` take once wrapped to `width` columns (an empty line still takes one).
pub fn wrapped_rows(lines: &[Line], width: usize) -> usize {
    let width = width.max(1);
    lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum()
}

/// A pane's frame: numbered title, focus shown by colour *and* a double border.
pub fn pane_block<'a>(app: &App, pane: Pane, extra: impl Into<Span<'a>>) -> Block<'a> {
    let focused = app.focus == pane && app.popup.is_none();
    let mut title = vec![Span::styled(
        format!(" {} {} ", pane.number(), pane.title()),
        if focused {
            app.theme.accent()
        } else {
            app.theme.base()
        },
    )];
    let extra = extra.into();
    if !extra.content.is_empty() {
        title.push(extra);
        title.push(Span::raw(" "));
    }
    Block::bordered()
        .border_type(if focused {
            ratatui::widgets::BorderType::Double
        } else {
            ratatui::widgets::BorderType::Plain
        })
        .border_style(app.theme.border(focused))
        .title(Line::from(title))
}

pub fn popup_block<'a>(app: &App, title: &'a str) -> Block<'a> {
    Block::bordered()
        .border_type(ratatui::widgets::BorderType::Double)
        .border_style(app.theme.border(true))
        .style(app.theme.base())
        .title(Line::from(Span::styled(
            format!(" {title} "),
            app.theme.accent(),
        )))
        .title_bottom(Line::from(Span::styled(" Esc closes ", app.theme.dim())).right_aligned())
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn popup_area(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// First row to draw so `selected` is visible in `height` rows.
pub fn scroll_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}

/// `1.2 MB`-style sizes.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Clipping by display width (cells, not characters): the one helper for every pane.
pub use crate::textwidth::{clip, clip_left, fit};

/// A score bar of `width` cells using eighth blocks.
pub fn bar(value: f64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (value.clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    s.push_str(PARTS[eighths % 8]);
    s
}
