//! The Evaluate screen's pair view: an error's probe beside the person the search put on
//! top (or the expected mate), with their names and the score.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::preview::widgets::{preview_cells, render_side_by_side, SideBySide};
use crate::preview::{Pictures, PreviewState, Wanted};
use crate::tui::app::{App, EvalError};
use crate::tui::panes::{clip, clip_left, popup_area, popup_block};

/// A person's name when it is known (fetched), else the text as it is.
pub(super) fn name_of(app: &App, id: &str) -> String {
    app.persons
        .get(id)
        .and_then(|p| p.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

/// The pair view's popup, its text rows and its pictures' area.
fn pair_areas(app: &App, area: Rect) -> (Rect, Rect, Rect) {
    let r = popup_area(area, 100, area.height.saturating_sub(2));
    let inner = popup_block(app, "").inner(r);
    let [text, faces] = Layout::vertical([Constraint::Length(4), Constraint::Fill(1)]).areas(inner);
    (r, text, faces)
}

fn pair_pictures(
    app: &App,
    area: Rect,
    error: &EvalError,
    person: Option<&str>,
) -> Option<(Wanted, Option<Wanted>)> {
    let (_, _, faces) = pair_areas(app, area);
    let l = SideBySide::new(faces)?;
    Some((
        Wanted::file(&error.probe, preview_cells(l.probe), None),
        person
            .filter(|id| app.persons.contains_key(*id))
            .map(|id| Wanted::thumbnail(id, 0, preview_cells(l.matched))),
    ))
}

/// The pictures the pair view shows in a terminal of `area`.
pub fn pair_wanted(app: &App, area: Rect, error: &EvalError, person: Option<&str>) -> Vec<Wanted> {
    match pair_pictures(app, area, error, person) {
        Some((probe, matched)) => std::iter::once(probe).chain(matched).collect(),
        None => Vec::new(),
    }
}

/// One error: the probe beside the person the search gave (or the expected mate).
pub fn render_pair(
    app: &App,
    pictures: &Pictures,
    frame: &mut Frame,
    area: Rect,
    error: &EvalError,
    person: Option<&str>,
) {
    let (r, text, faces) = pair_areas(app, area);
    frame.render_widget(Clear, r);
    frame.render_widget(popup_block(app, "Evaluation error"), r);
    let w = text.width as usize;
    let lines = vec![
        Line::from(vec![
            Span::styled(format!("{:<9}", error.measure), app.theme.warn()),
            Span::raw(clip_left(
                &error.probe.display().to_string(),
                w.saturating_sub(9),
            )),
        ]),
        Line::from(vec![
            Span::styled("expected ", app.theme.dim()),
            Span::raw(clip(&name_of(app, &error.expected), w.saturating_sub(9))),
        ]),
        Line::from(vec![
            Span::styled("got      ", app.theme.dim()),
            Span::raw(clip(
                &format!(
                    "{}{}",
                    name_of(app, &error.got),
                    error
                        .score
                        .map_or_else(String::new, |v| format!(" · {v:.3}"))
                ),
                w.saturating_sub(9),
            )),
        ]),
        Line::from(Span::styled(
            match person {
                Some(p) if Some(p) != error.candidate.as_deref() => {
                    format!("right: the probe · the expected mate {}", name_of(app, p))
                }
                Some(p) => format!("right: the probe · {}", name_of(app, p)),
                None => "right: the probe (no person to show)".to_owned(),
            },
            app.theme.dim(),
        )),
    ];
    frame.render_widget(Paragraph::new(lines), text);
    let Some((probe_w, matched_w)) = pair_pictures(app, area, error, person) else {
        return;
    };
    let probe = pictures.get(&probe_w);
    let matched = matched_w.map_or(PreviewState::Loading, |m| pictures.get(&m));
    let name = person.map_or_else(|| "–".to_owned(), |p| name_of(app, p));
    render_side_by_side(
        frame,
        faces,
        &probe,
        &matched,
        error.score.unwrap_or(0.0),
        &name,
    );
}
