//! The label choice of a run (`L`): what its probe really was.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{clip, input_line, popup_area, popup_block};
use crate::tui::app::{App, LabelOption};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(choice) = &app.label else {
        return;
    };
    let h = choice.options.len() as u16 + 5;
    let r = popup_area(area, 64, h);
    frame.render_widget(Clear, r);
    let block = popup_block(app, "Label the run");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let w = inner.width as usize;
    let current = app
        .run(choice.run)
        .and_then(|run| run.truth.as_ref())
        .map_or_else(
            || "no label yet".to_owned(),
            |t| format!("now: {}", t.words()),
        );
    let mut lines = vec![Line::from(Span::styled(
        clip(
            &format!("run #{} — what was the probe? ({current})", choice.run),
            w,
        ),
        app.theme.dim(),
    ))];
    for (i, o) in choice.options.iter().enumerate() {
        let text = match o {
            LabelOption::Top { id, name } => {
                format!("the top match is the right person: {}", who(id, name))
            }
            LabelOption::Other { id, name, score } => {
                format!("another enrolled person: {} ({score:.3})", who(id, name))
            }
            LabelOption::TypeId => "another enrolled person: type the id…".into(),
            LabelOption::NotEnrolled => "not enrolled (a stranger)".into(),
            LabelOption::Attack => "an attack (printed photo, screen, mask)".into(),
            LabelOption::Clear => "remove the label".into(),
        };
        let selected = i == choice.selected;
        let line = clip(&format!("{} {text}", if selected { "›" } else { " " }), w);
        lines.push(if selected {
            Line::from(Span::styled(line, app.theme.selection()))
        } else {
            Line::from(line)
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if choice.typing || !choice.input.value().is_empty() {
        let row = Rect {
            y: inner.y + inner.height.saturating_sub(1),
            height: 1,
            ..inner
        };
        let label = "id: ";
        let field = (row.width as usize).saturating_sub(label.len());
        let v = input_line::view(&choice.input, field);
        let style = if choice.typing {
            app.theme.accent()
        } else {
            app.theme.dim()
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::raw(label),
                Span::styled(v.text, style),
            ])),
            row,
        );
        if choice.typing {
            frame.set_cursor_position((row.x + (label.len() + v.cursor) as u16, row.y));
        }
    }
}

fn who(id: &str, name: &Option<String>) -> String {
    match name {
        Some(n) => format!("{n} ({id})"),
        None => id.to_owned(),
    }
}
