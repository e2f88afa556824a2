//! The pieces every pane and popup is drawn with: the layout of the panes, blocks,
//! popup areas, the spinner, scrolling, sizes and bars. Pure functions of the state.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use crate::tui::action::Pane;
use crate::tui::app::App;

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
