//! Draws an `EditForm`: a label column, values, inline errors, and the text cursor.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::input_line::view;
use super::{clip, fit, scroll_offset};
use crate::tui::app::App;
use crate::tui::editform::{EditForm, Value};

/// Draws `form` into `area`, scrolled so the cursor row stays visible.
pub fn render(app: &App, frame: &mut Frame, area: Rect, form: &EditForm) {
    let t = &app.theme;
    let w = area.width as usize;
    let label_w = form
        .fields
        .iter()
        .map(|f| crate::textwidth::width(f.label))
        .max()
        .unwrap_or(0)
        .min(w / 3)
        + 1;
    let value_w = w.saturating_sub(label_w + 1);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    for (fi, field) in form.fields.iter().enumerate() {
        let on_field = form.cursor.field == fi;
        let label_style = if on_field { t.selection() } else { t.base() };
        let label = |first: bool| {
            let text = if first { field.label } else { "" };
            Span::styled(fit(text, label_w), label_style)
        };
        let error = field
            .error
            .as_deref()
            .map(|e| Span::styled(format!("  ✗ {e}"), t.error()));
        match &field.value {
            Value::Text { input, placeholder } => {
                let v = input.value();
                let value = if on_field && form.editing {
                    // Scrolled sideways so the cursor stays in view (long pastes).
                    let shown = view(input, value_w);
                    cursor = Some((lines.len(), label_w + 1 + shown.cursor));
                    Span::raw(shown.text)
                } else if v.is_empty() {
                    Span::styled(*placeholder, t.dim())
                } else {
                    Span::raw(clip(v, value_w))
                };
                lines.push(Line::from_iter(
                    [Some(label(true)), Some(Span::raw(" ")), Some(value), error]
                        .into_iter()
                        .flatten(),
                ));
            }
            Value::Choice { options, index } => {
                let v = options.get(*index).map_or("", String::as_str);
                lines.push(Line::from_iter(
                    [
                        Some(label(true)),
                        Some(Span::raw(format!(" ◂ {v} ▸"))),
                        error,
                    ]
                    .into_iter()
                    .flatten(),
                ));
            }
            Value::Checks(items) if items.is_empty() => {
                lines.push(Line::from_iter(
                    [
                        Some(label(true)),
                        Some(Span::styled(" none to choose from", t.dim())),
                        error,
                    ]
                    .into_iter()
                    .flatten(),
                ));
            }
            Value::Checks(items) => {
                for (i, c) in items.iter().enumerate() {
                    let mark = if c.on { "[x]" } else { "[ ]" };
                    let mut spans = vec![label(i == 0), Span::raw(" ")];
                    let text = clip(&format!("{mark} {}", c.label), value_w);
                    if on_field && form.cursor.item == i {
                        spans.push(Span::styled(text, t.selection()));
                    } else {
                        spans.push(Span::raw(text));
                    }
                    if i == 0 {
                        spans.extend(error.clone());
                    }
                    lines.push(Line::from(spans));
                }
            }
            Value::Info(info) => {
                let info: Vec<&str> = if info.is_empty() {
                    vec!["—"]
                } else {
                    info.iter().map(String::as_str).collect()
                };
                for (i, text) in info.iter().enumerate() {
                    let mut spans = vec![
                        Span::styled(
                            format!("{:<label_w$}", if i == 0 { field.label } else { "" }),
                            t.base(),
                        ),
                        Span::raw(" "),
                        Span::styled(clip(text, value_w), t.dim()),
                    ];
                    if i == 0 {
                        spans.extend(error.clone());
                    }
                    lines.push(Line::from(spans));
                }
            }
            Value::Button(text) => {
                let style = if on_field { t.selection() } else { t.accent() };
                lines.push(Line::from_iter(
                    [
                        Some(Span::raw(" ".repeat(label_w + 1))),
                        Some(Span::styled(format!("[ {text} ]"), style)),
                        error,
                    ]
                    .into_iter()
                    .flatten(),
                ));
            }
        }
    }
    let rows = area.height as usize;
    let offset = scroll_offset(form.cursor_row(), rows);
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), area);
    if let Some((row, x)) = cursor {
        if row >= offset && row < offset + rows {
            frame.set_cursor_position(Position::new(
                area.x + x as u16,
                area.y + (row - offset) as u16,
            ));
        }
    }
}
