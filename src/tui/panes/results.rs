//! Pane 4: the matches of the shown run, sorted by score, with liveness pass/fail and
//! every empty or failed state explained in plain words. On a tall terminal (see
//! [`list_thumbnail_rows`]) each row starts with the match's enrolled face.

use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use super::{bar, clip, pane_block, scroll_offset, spinner};
use crate::api::scores::liveness_passed;
use crate::history::{age_words, Run, RunOutcome};
use crate::preview::thumbs::{list_thumbnail_rows, LIST_THUMBNAIL_COLS};
use crate::preview::widgets::preview_cells;
use crate::preview::{render_preview, Pictures, PreviewState, Wanted};
use crate::tui::action::Pane;
use crate::tui::app::{App, ResultsView};

/// Below this width the table keeps its text columns and drops the faces.
const MIN_WIDTH_FOR_THUMBNAILS: u16 = 40;

/// How the table's rows are laid out in `table` (header row included).
struct Rows {
    /// Rows per match: 1, or [`crate::preview::thumbs::LIST_THUMBNAIL_ROWS`] with a face.
    height: u16,
    thumbnails: bool,
    /// The first match shown, and how many fit.
    offset: usize,
    count: usize,
}

impl Rows {
    fn new(app: &App, table: Rect, screen_height: u16) -> Rows {
        let tall = list_thumbnail_rows(screen_height)
            .filter(|&h| table.height > h && table.width >= MIN_WIDTH_FOR_THUMBNAILS)
            .filter(|_| app.preview.enabled());
        let height = tall.unwrap_or(1);
        let count = (table.height.saturating_sub(1) / height) as usize;
        Rows {
            height,
            thumbnails: tall.is_some(),
            offset: scroll_offset(app.results_selected, count),
            count,
        }
    }

    /// Where the face of the `row`-th match on screen goes.
    fn thumbnail(&self, table: Rect, row: usize) -> Rect {
        Rect::new(
            table.x,
            table.y + 1 + row as u16 * self.height,
            LIST_THUMBNAIL_COLS.min(table.width),
            self.height,
        )
    }
}

/// The lines above the table while a search runs (spinner, retry countdown).
fn in_flight_lines(app: &App) -> Vec<Line<'static>> {
    let mut top = Vec::new();
    if let Some(f) = &app.in_flight {
        let secs = app.now.saturating_duration_since(f.started).as_secs_f64();
        top.push(Line::from(Span::styled(
            format!("{} searching… {secs:.1}s (Esc cancels)", spinner(app)),
            app.theme.accent(),
        )));
        if let Some(line) = retry_line(app, f) {
            top.push(Line::from(Span::styled(line, app.theme.warn())));
        }
    }
    top
}

/// The run's lines above the table (liveness, flagged scores), and the sentence shown
/// instead of the table when there is none.
fn run_head<'a>(app: &App, run: &'a Run) -> (Vec<Line<'a>>, Option<(String, Style)>) {
    let mut top = Vec::new();
    if !matches!(
        run.outcome,
        RunOutcome::Error { .. } | RunOutcome::Cancelled
    ) {
        top.push(liveness_line(app, run));
    }
    if !run.flagged.is_empty() {
        top.push(flagged_line(app, run));
    }
    let empty = match &run.outcome {
        RunOutcome::Ok if run.matches.is_empty() => Some((
            format!("no match at or above {}", fmt2(run.params.min_score)),
            app.theme.warn(),
        )),
        RunOutcome::Ok => None,
        RunOutcome::LivenessFailed { .. } => None, // the liveness line says it
        RunOutcome::Error { message } => Some((message.clone(), app.theme.error())),
        RunOutcome::Cancelled => Some(("the search was cancelled".into(), app.theme.dim())),
    };
    (top, empty)
}

/// The table's rectangle below `head_h` lines of `inner`.
fn table_area(inner: Rect, head_h: u16) -> Rect {
    Rect {
        y: inner.y + head_h.min(inner.height),
        height: inner.height.saturating_sub(head_h),
        ..inner
    }
}

/// The faces the results pane `area` shows in a terminal `screen_height` rows tall:
/// the first thumbnail of each match on screen whose person is loaded.
pub fn wanted(app: &App, area: Rect, screen_height: u16) -> Vec<Wanted> {
    let Some(run) = app.shown_run() else {
        return Vec::new();
    };
    let (head, empty) = run_head(app, run);
    if empty.is_some() {
        return Vec::new();
    }
    let inner = ratatui::widgets::Block::bordered().inner(area);
    let table = table_area(inner, (in_flight_lines(app).len() + head.len()) as u16);
    let rows = Rows::new(app, table, screen_height);
    if !rows.thumbnails {
        return Vec::new();
    }
    run.matches
        .iter()
        .enumerate()
        .skip(rows.offset)
        .take(rows.count)
        .filter(|(_, m)| app.persons.contains_key(&m.id))
        .map(|(i, m)| {
            let at = rows.thumbnail(table, i - rows.offset);
            Wanted::thumbnail(&m.id, 0, preview_cells(at))
        })
        .collect()
}

pub fn render(app: &App, pictures: &Pictures, frame: &mut Frame, area: Rect) {
    let run = app.shown_run();
    let title = match run {
        Some(r) => match r.refiltered_from {
            Some(src) => Span::styled(
                format!(
                    "#{} re-filtered from run #{src} ({} old) — no request sent",
                    r.id,
                    source_age(app, src, r)
                ),
                app.theme.warn(),
            ),
            None => Span::styled(
                match &r.truth {
                    Some(t) => format!("run #{} · {} ms · {}", r.id, r.elapsed_ms, t.words()),
                    None => format!("run #{} · {} ms", r.id, r.elapsed_ms),
                },
                app.theme.dim(),
            ),
        },
        None => Span::raw(""),
    };
    let block = pane_block(app, Pane::Results, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut top: Vec<Line> = in_flight_lines(app);
    let Some(run) = run else {
        let text = match &app.results {
            ResultsView::Message(m) => Line::from(Span::styled(m.clone(), app.theme.error())),
            _ if app.in_flight.is_some() => Line::raw(""),
            _ => Line::from(Span::styled(
                "No search yet: pick a probe in 1 Files, check 2 Search, press F5.",
                app.theme.dim(),
            )),
        };
        top.push(text);
        frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: true }), inner);
        return;
    };
    let (head, empty) = run_head(app, run);
    top.extend(head);
    if let Some((text, style)) = empty {
        top.push(Line::from(Span::styled(text, style)));
        frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: true }), inner);
        return;
    }
    let head_h = top.len() as u16;
    frame.render_widget(
        Paragraph::new(top),
        Rect {
            height: head_h.min(inner.height),
            ..inner
        },
    );
    let table_area = table_area(inner, head_h);
    let layout = Rows::new(app, table_area, frame.area().height);
    // Wider terminals get more columns; the name always stays.
    let wide = w >= 70;
    let wider = w >= 100;
    let bar_w = if w >= 60 { 10 } else { 5 };
    let mut header = vec!["#", "name", "score", ""];
    let mut widths = vec![
        Constraint::Length(4),
        Constraint::Fill(2),
        Constraint::Length(5),
        Constraint::Length(bar_w as u16),
    ];
    if wide {
        header.extend(["sex", "born"]);
        widths.extend([Constraint::Length(4), Constraint::Length(10)]);
    }
    if wider {
        header.extend(["nation", "collections"]);
        widths.extend([Constraint::Length(8), Constraint::Fill(1)]);
    }
    // Text cells are clipped to their column with an ellipsis, by display width.
    // With faces, a first column leaves their room (they are drawn after the table).
    let face_col = usize::from(layout.thumbnails);
    if layout.thumbnails {
        header.insert(0, "");
        widths.insert(0, Constraint::Length(LIST_THUMBNAIL_COLS));
    }
    let col_w = super::columns::column_widths(&widths, 1, table_area.width);
    let fit_col = |i: usize, s: &str| clip(s, col_w.get(i + face_col).copied().unwrap_or(0));
    let rows: Vec<Row> = run
        .matches
        .iter()
        .enumerate()
        .skip(layout.offset)
        .take(layout.count)
        .map(|(i, m)| {
            let person = app.persons.get(&m.id);
            let name = match app.match_name(m) {
                Some(n) => Span::raw(fit_col(1, n)),
                None if person.is_none() => Span::styled(fit_col(1, &m.id), app.theme.dim()),
                None => Span::raw(fit_col(1, &m.id)),
            };
            let mut cells = if layout.thumbnails {
                vec![Line::raw("")]
            } else {
                Vec::new()
            };
            cells.extend([
                Line::from(format!("{:>3}", i + 1)),
                Line::from(name),
                Line::from(format!("{:.3}", m.score)),
                Line::from(Span::styled(bar(m.score, bar_w), app.theme.bar())),
            ]);
            if wide {
                cells.push(Line::from(fit_col(
                    4,
                    person.and_then(|p| p.gender.as_deref()).unwrap_or_default(),
                )));
                cells.push(Line::from(
                    person
                        .and_then(|p| p.date_of_birth)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ));
            }
            if wider {
                cells.push(Line::from(fit_col(
                    6,
                    person
                        .and_then(|p| p.nationality.as_deref())
                        .unwrap_or_default(),
                )));
                let cols = person
                    .map(|p| {
                        p.collections
                            .iter()
                            .map(|c| c.label().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                cells.push(Line::from(fit_col(7, &cols)));
            }
            let row = Row::new(cells).height(layout.height);
            if i == app.results_selected && app.focus == Pane::Results {
                row.style(app.theme.selection())
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(app.theme.dim()))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    if layout.thumbnails {
        let shown = run.matches.iter().skip(layout.offset).take(layout.count);
        for (row, m) in shown.enumerate() {
            let at = layout.thumbnail(table_area, row);
            let state = app
                .persons
                .contains_key(&m.id)
                .then(|| pictures.get(&Wanted::thumbnail(&m.id, 0, preview_cells(at))));
            draw_face(app, frame, at, state);
        }
    }
}

/// A row's face: the picture when it is ready, else one dim mark in its place ("…"
/// while it loads or the person is being fetched, "–" when there is none to show: the
/// detail view says why).
fn draw_face(app: &App, frame: &mut Frame, at: Rect, state: Option<PreviewState>) {
    let mark = match &state {
        Some(ready @ PreviewState::Ready(_)) => return render_preview(frame, at, ready),
        Some(PreviewState::Failed(_)) => "–",
        Some(PreviewState::Loading) | None => "…",
    };
    let mid = Rect {
        y: at.y + at.height.saturating_sub(1) / 2,
        height: at.height.min(1),
        ..at
    };
    frame.render_widget(
        Paragraph::new(mark)
            .alignment(Alignment::Center)
            .style(app.theme.dim()),
        mid,
    );
}

fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

/// `⚑ the server also sent 2 below min_score 0.75 (not matches): Ana 0.612, …`.
fn flagged_line<'a>(app: &App, run: &'a Run) -> Line<'a> {
    let names: Vec<String> = run
        .flagged
        .iter()
        .map(|m| {
            let who = app.match_name(m).unwrap_or(&m.id);
            format!("{who} {}", fmt3(m.score))
        })
        .collect();
    Line::from(Span::styled(
        format!(
            "⚑ the server also sent {} below min_score {} (not matches): {}",
            run.flagged.len(),
            fmt2(run.params.min_score),
            names.join(", ")
        ),
        app.theme.warn(),
    ))
}

/// Three decimals, for scores that two would round onto a threshold.
fn fmt3(v: f64) -> String {
    format!("{v:.3}")
}

/// A score beside its threshold: two decimals, or three when two would make it read
/// as equal to the threshold (0.652 is above 0.65; "0.65 > 0.65" would say otherwise).
fn fmt_against(score: f64, threshold: f64) -> String {
    if fmt2(score) == fmt2(threshold) {
        fmt3(score)
    } else {
        fmt2(score)
    }
}

/// How old the run a re-filtered run came from was when it was re-filtered.
fn source_age(app: &App, source: u64, run: &Run) -> String {
    app.run(source).map_or_else(
        || "?".into(),
        |s| age_words(run.time.signed_duration_since(s.time)),
    )
}

/// `retrying (attempt 2 of 3) in 1.2 s · 27 s left of the time budget: <reason>`.
fn retry_line(app: &App, f: &crate::tui::app::InFlight) -> Option<String> {
    let notice = f.retry.as_ref()?;
    let (wait, left) = f.retry_countdown(app.now)?;
    let when = if wait.is_zero() {
        "now".to_string()
    } else {
        format!("in {:.1} s", wait.as_secs_f64())
    };
    Some(format!(
        "retrying (attempt {} of {}) {when} · {:.0} s left of the time budget — {}",
        notice.attempt,
        notice.max_attempts,
        left.as_secs_f64(),
        notice.reason
    ))
}

/// `liveness 0.93 ≥ 0.65 pass · 3 matches ≥ 0.75`, or the failure in plain words.
fn liveness_line<'a>(app: &App, run: &'a Run) -> Line<'a> {
    let min = run.params.liveness_min_score;
    let count = Span::styled(
        format!(
            " · {} match{} ≥ {}",
            run.matches.len(),
            if run.matches.len() == 1 { "" } else { "es" },
            fmt2(run.params.min_score)
        ),
        app.theme.dim(),
    );
    match (&run.outcome, run.liveness_score) {
        (RunOutcome::LivenessFailed { .. }, Some(s)) => Line::from(Span::styled(
            format!("liveness failed: {} < {}", fmt2(s), fmt2(min)),
            app.theme.error(),
        )),
        (RunOutcome::LivenessFailed { .. }, None) => Line::from(Span::styled(
            format!("liveness failed (below {})", fmt2(min)),
            app.theme.error(),
        )),
        (_, Some(s)) if liveness_passed(s, min) => Line::from(vec![
            Span::styled(
                format!("liveness {} > {} pass", fmt_against(s, min), fmt2(min)),
                app.theme.ok(),
            ),
            count,
        ]),
        // The server answered although the score does not pass: never call it a pass.
        (_, Some(s)) => Line::from(vec![
            Span::styled(
                format!(
                    "liveness {} not above {} — flagged: the server answered anyway",
                    fmt_against(s, min),
                    fmt2(min)
                ),
                app.theme.error(),
            ),
            count,
        ]),
        (_, None) => Line::from(vec![
            Span::styled("liveness: not reported", app.theme.dim()),
            count,
        ]),
    }
}
