//! The full record of one matched person.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{popup_area, popup_block, spinner};
use crate::tui::app::App;

pub fn render(app: &App, frame: &mut Frame, area: Rect, id: &str, scroll: usize) {
    let r = popup_area(area, 70, 20);
    frame.render_widget(Clear, r);
    let Some(p) = app.persons.get(id) else {
        let p = Paragraph::new(format!("{} loading person {id}…", spinner(app)))
            .block(popup_block(app, "Person"));
        frame.render_widget(p, r);
        return;
    };
    let score = app
        .shown_run()
        .and_then(|run| run.matches.iter().find(|m| m.id == id))
        .map(|m| format!("{:.3}", m.score));
    let field = |k: &str, v: Option<String>| {
        Line::from(vec![
            Span::styled(format!("{k:<13}"), app.theme.dim()),
            Span::raw(v.unwrap_or_else(|| "–".into())),
        ])
    };
    let mut lines = vec![
        field("name", p.name.clone()),
        field("id", Some(p.id.clone())),
        field("score", score),
        field("gender", p.gender.clone()),
        field("born", p.date_of_birth.map(|d| d.to_string())),
        field("nationality", p.nationality.clone()),
        field("status", p.status.clone()),
        field(
            "collections",
            Some(
                p.collections
                    .iter()
                    .map(|c| c.label().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        field("notes", p.notes.clone()),
        field("created", p.created_at.clone()),
        field("updated", p.updated_at.clone()),
        field("thumbnails", Some(p.thumbnails.len().to_string())),
    ];
    for (k, v) in &p.extra {
        lines.push(field(k, Some(v.to_string())));
    }
    let para = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll as u16, 0))
        .block(popup_block(app, "Person"));
    frame.render_widget(para, r);
}
