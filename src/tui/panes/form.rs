//! Pane 2: the parameter form, validated as you type, and the picked probe.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{clip, human_bytes, pane_block, spinner};
use crate::tui::action::Pane;
use crate::tui::app::{file_name, App, Field, ProbeState};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let block = pane_block(app, Pane::Form, "");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let f = &app.form;
    let wide = w >= 44;
    let label_w = if wide { 19 } else { 11 };
    let focused = app.focus == Pane::Form && app.popup.is_none();
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, field) in Field::ALL.iter().enumerate() {
        let label = if wide {
            field.label()
        } else {
            match field {
                Field::Liveness => "liveness",
                Field::Mode => "mode",
                other => other.label(),
            }
        };
        let selected = focused && f.field == i;
        let label_style = if selected {
            app.theme.selection()
        } else {
            app.theme.base()
        };
        let mut spans = vec![
            Span::styled(format!("{label:<label_w$}"), label_style),
            Span::raw(" "),
        ];
        let value_w = w.saturating_sub(label_w + 1);
        let (input, placeholder, err) = match field {
            Field::Os => {
                spans.push(Span::raw(format!("◂ {} ▸", f.os)));
                (None, "", None)
            }
            Field::Mode => {
                spans.push(Span::raw(format!("◂ {} ▸", f.mode)));
                (None, "", None)
            }
            Field::Liveness => (Some(&f.liveness), "", f.liveness_error()),
            Field::MinScore => (Some(&f.min_score), "", f.min_score_error()),
            Field::Collection => (Some(&f.collection), "all collections", None),
        };
        if let Some(input) = input {
            let v = input.value();
            if selected && f.editing {
                // Scrolled sideways so the cursor stays in view (long pastes).
                let shown = super::input_line::view(input, value_w);
                let x = label_w + 1 + shown.cursor;
                cursor = Some(Position::new(inner.x + x as u16, inner.y + i as u16));
                spans.push(Span::raw(shown.text));
            } else if v.is_empty() {
                spans.push(Span::styled(placeholder, app.theme.dim()));
            } else {
                spans.push(Span::raw(clip(v, value_w)));
            }
            if err.is_some() {
                spans.push(Span::styled("  ✗ 0.5–1.0", app.theme.error()));
            }
        }
        lines.push(Line::from(spans));
    }
    let probe = match &app.probe {
        ProbeState::None => Line::from(Span::styled(
            "probe: none (pick an image in 1)",
            app.theme.dim(),
        )),
        ProbeState::Loading(p) => Line::from(Span::styled(
            clip(
                &format!("probe: {} preparing {}…", spinner(app), file_name(p)),
                w,
            ),
            app.theme.dim(),
        )),
        ProbeState::Ready(info) => Line::from(vec![
            Span::raw("probe: "),
            Span::styled(
                clip(&file_name(&info.stamp.path), w.saturating_sub(7)),
                app.theme.image(),
            ),
        ]),
        ProbeState::Failed(_, e) => Line::from(Span::styled(
            clip(&format!("probe: {e}"), w),
            app.theme.error(),
        )),
    };
    lines.push(probe);
    // Last line: a threshold problem (the search will not start) beats probe details.
    if let Some(e) = f.liveness_error().or_else(|| f.min_score_error()) {
        lines.push(Line::from(Span::styled(clip(&e, w), app.theme.error())));
    } else if let ProbeState::Ready(info) = &app.probe {
        let detail = format!(
            "{}×{} px · file {} · upload {}",
            info.original.0,
            info.original.1,
            human_bytes(info.stamp.size),
            human_bytes(info.jpeg_bytes as u64)
        );
        lines.push(Line::from(Span::styled(clip(&detail, w), app.theme.dim())));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some(c) = cursor {
        frame.set_cursor_position(c);
    }
}
