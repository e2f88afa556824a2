//! The edit-form popup: the form, then one status line (saving, the error in plain
//! words, the existing person a duplicate names) and the keys.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{editform, key_line, popup_area, popup_block, spinner, wrapped_rows};
use crate::tui::app::{fmt_threshold, person_label, App, EditorKind};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(e) = &app.editor else {
        return;
    };
    let t = &app.theme;
    let mut lines = Vec::new();
    if e.saving {
        lines.push(Line::from(Span::styled(
            format!("{} saving…", spinner(app)),
            t.dim(),
        )));
    } else if let Some(err) = &e.error {
        lines.push(Line::from(Span::styled(err.clone(), t.error())));
    } else if matches!(e.kind, EditorKind::Enroll) && e.form.choice("Method") == 1 {
        let f = &app.form;
        lines.push(Line::from(Span::styled(
            format!(
                "liveness ≥ {} · duplicate at ≥ {} · {} (from the search form)",
                f.liveness.value(),
                f.min_score.value(),
                f.mode
            ),
            t.dim(),
        )));
    }
    if let Some(p) = &e.existing {
        let name = p
            .name
            .as_deref()
            .map_or(String::new(), |_| person_label(p).to_string());
        let who = if name.is_empty() {
            p.id.clone()
        } else {
            format!("{name} ({})", p.id)
        };
        let mut spans = vec![Span::raw(format!("existing person: {who} — "))];
        spans.push(Span::styled("o", t.accent()));
        spans.push(Span::raw(" opens it"));
        if let Some(score) = e.existing_score {
            spans.push(Span::styled(
                format!("  (similarity {})", fmt_threshold(score)),
                t.dim(),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(vec![
        Span::styled("Ctrl-s", t.accent()),
        Span::raw(" save  "),
        Span::styled("Enter", t.accent()),
        Span::raw(" edit/toggle  "),
        Span::styled("Esc", t.accent()),
        Span::raw(" close"),
    ]));
    // The popup fits the form and the status lines (an error may wrap to two).
    let width = 84.min(area.width).saturating_sub(2).max(1) as usize;
    let status_h = wrapped_rows(&lines, width);
    let rows = (e.form.total_rows() + 1 + status_h + 2) as u16;
    let r = popup_area(area, 84, rows.min(area.height.saturating_sub(2)));
    frame.render_widget(Clear, r);
    let title = e.title();
    let block = popup_block(app, &title);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [body, status] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(status_h as u16)]).areas(inner);
    editform::render(app, frame, body, &e.form);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), status);
}

/// "Replace Ana's faces?" before an update that uploads new images.
pub fn confirm_replace(app: &App, frame: &mut Frame, area: Rect) {
    let Some(e) = &app.editor else {
        return;
    };
    let who = match &e.kind {
        EditorKind::EditPerson { original } => person_label(original).to_string(),
        EditorKind::Enroll | EditorKind::Collection { .. } => "this person".to_string(),
    };
    let r = popup_area(area, 60, 6);
    frame.render_widget(Clear, r);
    let n = e.images.len();
    let p = Paragraph::new(vec![
        Line::from(format!(
            "Replace the faces of {who} with {n} new image{}?",
            if n == 1 { "" } else { "s" }
        )),
        Line::from("The old faces will be replaced, not kept."),
        key_line(app, &[("y", "replace and save"), ("n", "back to the form")]),
    ])
    .wrap(Wrap { trim: true })
    .block(popup_block(app, "Replace faces?"));
    frame.render_widget(p, r);
}
