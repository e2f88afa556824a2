//! The full record of one matched person.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{popup_area, popup_block, spinner};
use crate::api::model::Person;
use crate::preview::render_match_comparison;
use crate::preview::widgets::{render_thumbnail, Comparison};
use crate::preview::FaceMark;
use crate::tui::app::App;
use crate::tui::theme::face_box_rgb;

/// The popup's rectangle, the record's within it, and the faces' when there is room.
fn areas(area: Rect) -> (Rect, Rect, Option<Rect>) {
    let wide = area.width >= 110 && area.height >= 24;
    let r = popup_area(area, if wide { 120 } else { 70 }, 20);
    if !wide {
        return (r, r, None);
    }
    let [text, faces] = Layout::horizontal([Constraint::Length(58), Constraint::Fill(1)]).areas(r);
    (r, text, Some(faces))
}

/// The last scroll position that still shows content (0 while the record loads).
pub fn scroll_max(app: &App, area: Rect, id: &str) -> usize {
    let Some(p) = app.persons.get(id) else {
        return 0;
    };
    let (_, text, _) = areas(area);
    record(app, p, id)
        .line_count(text.width)
        .saturating_sub(text.height as usize)
}

/// The record, and beside it the probe and the match's thumbnail when there is room.
pub fn render(app: &App, frame: &mut Frame, area: Rect, id: &str, scroll: usize) {
    let (r, text, faces) = areas(area);
    frame.render_widget(Clear, r);
    let Some(p) = app.persons.get(id) else {
        let p = Paragraph::new(format!("{} loading person {id}…", spinner(app)))
            .block(popup_block(app, "Person"));
        frame.render_widget(p, r);
        return;
    };
    let max = scroll_max(app, area, id);
    let para = record(app, p, id).scroll((scroll.min(max) as u16, 0));
    let Some(faces) = faces else {
        frame.render_widget(para, r);
        return;
    };
    frame.render_widget(para, text);
    // A match of the shown run: the probe beside their face. Anyone else (opened from
    // the persons list): their enrolled face alone, never a probe they were not found in.
    let matched = app
        .shown_run()
        .filter(|run| run.matches.iter().any(|m| m.id == id));
    match matched {
        None => {
            let block = popup_block(app, "Enrolled face");
            let inner = block.inner(faces);
            frame.render_widget(block, faces);
            render_thumbnail(frame, inner, &app.preview, &p.id, 0, p.thumbnails.first());
        }
        Some(run) => {
            let block = popup_block(app, "Probe · match");
            let inner = block.inner(faces);
            frame.render_widget(block, faces);
            let mark = run
                .face
                .map(|r| FaceMark::new(&r, face_box_rgb(&app.theme)));
            let comparison = Comparison {
                probe: &run.probe.path,
                face: mark.map(|m| (&run.probe, m)),
                person: &p.id,
                thumbnail: p.thumbnails.first(),
                score: score_value(app, id),
                name: p.name.as_deref().unwrap_or(&p.id),
            };
            render_match_comparison(frame, inner, &app.preview, &comparison);
        }
    }
}

/// The record's fields, one per line, wrapped in the popup's frame.
fn record<'a>(app: &App, p: &'a Person, id: &str) -> Paragraph<'a> {
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
            Some(super::persons::collections_text(app, p)),
        ),
        field("notes", p.notes.clone()),
        field("created", p.created_at.clone()),
        field("updated", p.updated_at.clone()),
    ];
    // One line per enrolled face: its id and size, or why it cannot be shown.
    if p.thumbnails.is_empty() {
        lines.push(field("thumbnails", Some("none sent".into())));
    }
    for (i, t) in p.thumbnails.iter().enumerate() {
        let what = match &t.image {
            Ok(bytes) => super::human_bytes(bytes.len() as u64),
            Err(why) => format!("unavailable: {why}"),
        };
        let id =
            t.id.as_deref()
                .map_or(String::new(), |id| format!("{id} · "));
        let label = if i == 0 { "thumbnails" } else { "" };
        lines.push(field(label, Some(format!("{}. {id}{what}", i + 1))));
    }
    for (k, v) in &p.extra {
        lines.push(field(k, Some(v.to_string())));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(popup_block(app, "Person"))
}

fn score_value(app: &App, id: &str) -> f64 {
    app.shown_run()
        .and_then(|run| run.matches.iter().find(|m| m.id == id))
        .map(|m| m.score)
        .unwrap_or(0.0)
}
