//! The full record of one matched person.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{popup_area, popup_block, spinner};
use crate::api::model::Person;
use crate::preview::widgets::{preview_cells, SideBySide};
use crate::preview::{
    render_preview, render_side_by_side, FaceMark, Pictures, PreviewState, Wanted,
};
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

/// What the faces area beside the record shows, worked out from the state and the
/// layout alone, so the request step and the draw agree on every picture's size.
enum Faces<'a> {
    /// Opened from the persons list: their enrolled face alone, never a probe they were
    /// not found in.
    Enrolled { block: Rect, picture: Wanted },
    /// A match of the shown run: the probe beside their face (`None` pictures: too
    /// small for pictures, one summary line instead).
    Comparison {
        block: Rect,
        inner: Rect,
        pictures: Option<(Wanted, Wanted)>,
        score: f64,
        name: &'a str,
    },
}

/// The faces beside the record, when there is room and the person is loaded.
fn faces<'a>(app: &'a App, area: Rect, id: &str) -> Option<Faces<'a>> {
    let p = app.persons.get(id)?;
    let (_, _, block) = areas(area);
    let block = block?;
    // Inside the popup block's border (the title does not change it).
    let inner = popup_block(app, "").inner(block);
    let matched = app
        .shown_run()
        .filter(|run| run.matches.iter().any(|m| m.id == id));
    let Some(run) = matched else {
        let picture = Wanted::thumbnail(&p.id, 0, preview_cells(inner));
        return Some(Faces::Enrolled { block, picture });
    };
    let mark = run
        .face
        .map(|r| FaceMark::new(&r, face_box_rgb(&app.theme)));
    let pictures = SideBySide::new(inner).map(|l| {
        (
            Wanted::file(
                &run.probe.path,
                preview_cells(l.probe),
                mark.map(|m| (run.probe.clone(), m)),
            ),
            Wanted::thumbnail(&p.id, 0, preview_cells(l.matched)),
        )
    });
    Some(Faces::Comparison {
        block,
        inner,
        pictures,
        score: score_value(app, id),
        name: p.name.as_deref().unwrap_or(&p.id),
    })
}

/// The pictures the open detail of `id` shows in a terminal of `area`.
pub fn wanted(app: &App, area: Rect, id: &str) -> Vec<Wanted> {
    match faces(app, area, id) {
        None => Vec::new(),
        Some(Faces::Enrolled { picture, .. }) => vec![picture],
        Some(Faces::Comparison { pictures, .. }) => {
            pictures.map_or_else(Vec::new, |(a, b)| vec![a, b])
        }
    }
}

/// The record, and beside it the probe and the match's thumbnail when there is room.
pub fn render(
    app: &App,
    pictures: &Pictures,
    frame: &mut Frame,
    area: Rect,
    id: &str,
    scroll: usize,
) {
    let (r, text, _) = areas(area);
    frame.render_widget(Clear, r);
    let Some(p) = app.persons.get(id) else {
        let p = Paragraph::new(format!("{} loading person {id}…", spinner(app)))
            .block(popup_block(app, "Person"));
        frame.render_widget(p, r);
        return;
    };
    let max = scroll_max(app, area, id);
    let para = record(app, p, id).scroll((scroll.min(max) as u16, 0));
    match faces(app, area, id) {
        None => frame.render_widget(para, r),
        Some(Faces::Enrolled { block, picture }) => {
            frame.render_widget(para, text);
            let b = popup_block(app, "Enrolled face");
            let inner = b.inner(block);
            frame.render_widget(b, block);
            render_preview(frame, inner, &pictures.get(&picture));
        }
        Some(Faces::Comparison {
            block,
            inner,
            pictures: shown,
            score,
            name,
        }) => {
            frame.render_widget(para, text);
            frame.render_widget(popup_block(app, "Probe · match"), block);
            let (probe, matched) = match &shown {
                Some((a, b)) => (pictures.get(a), pictures.get(b)),
                None => (PreviewState::Loading, PreviewState::Loading),
            };
            render_side_by_side(frame, inner, &probe, &matched, score, name);
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
