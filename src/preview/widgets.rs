//! Drawing what the cache holds: a picture, a placeholder with its reason, or
//! the probe and a match side by side with the score between them. Pure
//! rendering: no decoding, no I/O; every function copes with any area down to
//! 0×0 without panicking.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect, Size};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use ratatui::Frame;
use ratatui_image::Image;

use super::key::PreviewState;
// Server names, file paths and reasons may carry escape sequences and bidi overrides:
// they never reach the terminal.
use crate::printable::printable;

pub const LOADING: &str = "loading…";
/// Width of the column between the two pictures of the side-by-side view.
pub const SCORE_COLUMN: u16 = 9;

/// The cell size to request a picture at, for a picture drawn in `area`.
pub fn preview_cells(area: Rect) -> Size {
    area.as_size()
}

/// Draws `state` in `area` (request it at [`preview_cells`]`(area)`).
pub fn render_preview(frame: &mut Frame, area: Rect, state: &PreviewState) {
    draw_preview(frame.buffer_mut(), area, state);
}

/// A bordered box with the reason centred and wrapped inside.
pub fn render_placeholder(frame: &mut Frame, area: Rect, reason: &str) {
    draw_placeholder(frame.buffer_mut(), area, reason);
}

/// Probe on the left, the match on the right, the score between them; the
/// states should be requested at [`SideBySide::new`]`(area)`'s picture sizes.
pub fn render_side_by_side(
    frame: &mut Frame,
    area: Rect,
    probe: &PreviewState,
    matched: &PreviewState,
    score: f64,
    name: &str,
) {
    draw_side_by_side(frame.buffer_mut(), area, probe, matched, score, name);
}

pub fn draw_preview(buf: &mut Buffer, area: Rect, state: &PreviewState) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    match state {
        PreviewState::Loading => draw_placeholder(buf, area, LOADING),
        PreviewState::Failed(reason) => draw_placeholder(buf, area, reason),
        PreviewState::Ready(protocol) => {
            let size = protocol.size();
            // Centred; a picture made for a bigger area is clipped where the
            // protocol can clip, else replaced until the re-request lands.
            let w = size.width.min(area.width);
            let h = size.height.min(area.height);
            let at = Rect::new(
                area.x + (area.width - w) / 2,
                area.y + (area.height - h) / 2,
                w,
                h,
            );
            if protocol.needs_placeholder(at).is_some() {
                draw_placeholder(buf, area, LOADING);
            } else {
                Image::new(protocol).allow_clipping(true).render(at, buf);
            }
        }
    }
}

pub fn draw_placeholder(buf: &mut Buffer, area: Rect, reason: &str) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let style = Style::default().add_modifier(Modifier::DIM);
    // Too small for a border: the text alone is more useful.
    let inner = if area.width >= 5 && area.height >= 3 {
        let block = Block::default().borders(Borders::ALL).border_style(style);
        let inner = block.inner(area);
        block.render(area, buf);
        inner
    } else {
        area
    };
    // A margin keeps words off the border once there is room for it.
    let inner = if inner.width >= 12 {
        Rect::new(inner.x + 1, inner.y, inner.width - 2, inner.height)
    } else {
        inner
    };
    let lines = wrap(
        &printable(reason),
        inner.width as usize,
        inner.height as usize,
    );
    let top = (inner.height as usize - lines.len()) / 2;
    let text_area = Rect::new(
        inner.x,
        inner.y + top as u16,
        inner.width,
        lines.len() as u16,
    );
    Paragraph::new(lines.into_iter().map(Line::from).collect::<Vec<_>>())
        .alignment(Alignment::Center)
        .style(style)
        .render(text_area, buf);
}

/// Where the side-by-side view puts things, so the app can request pictures
/// at exactly the size they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SideBySide {
    pub probe_label: Rect,
    pub match_label: Rect,
    pub probe: Rect,
    pub score: Rect,
    pub matched: Rect,
}

impl SideBySide {
    /// `None` when the area is too small for two pictures (then one summary line is drawn).
    pub fn new(area: Rect) -> Option<SideBySide> {
        if area.width < SCORE_COLUMN + 8 || area.height < 3 {
            return None;
        }
        let side = (area.width - SCORE_COLUMN) / 2;
        let right_x = area.x + side + SCORE_COLUMN;
        let right_w = area.width - side - SCORE_COLUMN;
        let pic_h = area.height - 1;
        Some(SideBySide {
            probe_label: Rect::new(area.x, area.y, side, 1),
            match_label: Rect::new(right_x, area.y, right_w, 1),
            probe: Rect::new(area.x, area.y + 1, side, pic_h),
            score: Rect::new(area.x + side, area.y + 1, SCORE_COLUMN, pic_h),
            matched: Rect::new(right_x, area.y + 1, right_w, pic_h),
        })
    }
}

pub fn draw_side_by_side(
    buf: &mut Buffer,
    area: Rect,
    probe: &PreviewState,
    matched: &PreviewState,
    score: f64,
    name: &str,
) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let name = printable(name).into_owned();
    let score_text = format_score(score);
    let Some(l) = SideBySide::new(area) else {
        let line = format!("probe ↔ {name}: {score_text}");
        Paragraph::new(Line::from(line)).render(Rect::new(area.x, area.y, area.width, 1), buf);
        return;
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    Paragraph::new(Line::from("probe"))
        .alignment(Alignment::Center)
        .style(bold)
        .render(l.probe_label, buf);
    Paragraph::new(Line::from(name))
        .alignment(Alignment::Center)
        .style(bold)
        .render(l.match_label, buf);
    draw_preview(buf, l.probe, probe);
    draw_preview(buf, l.matched, matched);
    let mid = l.score.y + l.score.height.saturating_sub(2) / 2;
    let rows = [("score", Style::default()), (score_text.as_str(), bold)];
    for (i, (text, style)) in rows.iter().enumerate() {
        let y = mid + i as u16;
        if y < l.score.bottom() {
            Paragraph::new(Line::from(*text))
                .alignment(Alignment::Center)
                .style(*style)
                .render(Rect::new(l.score.x, y, l.score.width, 1), buf);
        }
    }
}

/// Scores are 0–1 (the client normalises percentages); three decimals tell close matches apart.
pub fn format_score(score: f64) -> String {
    if score.is_finite() {
        format!("{score:.3}")
    } else {
        "—".into()
    }
}

/// Greedy word wrap by display width; long words are split; the last visible
/// line ends in "…" when the text does not fit in `max_lines`.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    if width == 0 || max_lines == 0 {
        return Vec::new();
    }
    let w = |s: &str| Line::from(s).width();
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let sep = usize::from(!current.is_empty());
            if w(&current) + sep + w(&word) <= width {
                if sep == 1 {
                    current.push(' ');
                }
                current.push_str(&word);
                break;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            // A word wider than the line: cut it at the width.
            let mut head = String::new();
            let mut rest = word.chars().peekable();
            while let Some(&c) = rest.peek() {
                if w(&head) + w(c.encode_utf8(&mut [0; 4])) > width {
                    break;
                }
                head.push(c);
                rest.next();
            }
            if head.is_empty() {
                // A double-width character in a one-cell line: skip it.
                rest.next();
            }
            lines.push(head);
            word = rest.collect();
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && w(last) + 1 > width {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_fits_width_and_marks_overflow() {
        assert_eq!(
            wrap("cannot preview: no such file", 16, 5),
            ["cannot preview:", "no such file"]
        );
        assert_eq!(wrap("abcdefgh", 3, 5), ["abc", "def", "gh"]);
        let cut = wrap("one two three four", 5, 2);
        assert_eq!(cut, ["one", "two…"]);
        assert!(wrap("anything", 0, 3).is_empty());
        assert!(wrap("anything", 3, 0).is_empty());
    }

    #[test]
    fn placeholder_never_panics_down_to_nothing() {
        for w in 0..8 {
            for h in 0..5 {
                let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
                let area = buf.area;
                draw_placeholder(&mut buf, area, "cannot preview: the image is corrupt");
                draw_side_by_side(
                    &mut buf,
                    Rect::new(0, 0, w, h),
                    &PreviewState::Loading,
                    &PreviewState::Failed("no thumbnail".into()),
                    0.5,
                    "名前",
                );
            }
        }
        // An area partly outside the buffer is clipped, not a panic.
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 4));
        draw_placeholder(&mut buf, Rect::new(6, 2, 10, 10), "x");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 30, 5));
        let area = buf.area;
        draw_placeholder(&mut buf, area, "a\x1b[2Jb\nc\u{202E}d");
        draw_side_by_side(
            &mut buf,
            Rect::new(0, 4, 30, 1),
            &PreviewState::Loading,
            &PreviewState::Loading,
            0.5,
            "Eve\x1b]0;x\x07",
        );
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(
            !text.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{text:?}"
        );
        assert!(text.contains("a?[2Jb c?d"), "{text:?}");
        assert!(text.contains("Eve?]0;x?"), "{text:?}");
    }

    #[test]
    fn score_is_shown_with_three_decimals() {
        assert_eq!(format_score(0.87349), "0.873");
        assert_eq!(format_score(f64::NAN), "—");
    }
}
