//! Pane 4: the matches of the shown run, sorted by score, with liveness pass/fail and
//! every empty or failed state explained in plain words.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use super::{bar, clip, pane_block, scroll_offset, spinner};
use crate::api::scores::liveness_passed;
use crate::history::{age_words, Outcome, Run};
use crate::tui::action::Pane;
use crate::tui::app::{App, ResultsView};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
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
                format!("run #{} · {} ms", r.id, r.elapsed_ms),
                app.theme.dim(),
            ),
        },
        None => Span::raw(""),
    };
    let block = pane_block(app, Pane::Results, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut top: Vec<Line> = Vec::new();
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
    if !matches!(run.outcome, Outcome::Error { .. } | Outcome::Cancelled) {
        top.push(liveness_line(app, run));
    }
    if !run.flagged.is_empty() {
        top.push(flagged_line(app, run));
    }
    let empty = match &run.outcome {
        Outcome::Ok if run.matches.is_empty() => Some((
            format!("no match at or above {}", fmt2(run.params.min_score)),
            app.theme.warn(),
        )),
        Outcome::Ok => None,
        Outcome::LivenessFailed { .. } => None, // the liveness line says it
        Outcome::Error { message } => Some((message.clone(), app.theme.error())),
        Outcome::Cancelled => Some(("the search was cancelled".into(), app.theme.dim())),
    };
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
    let table_area = Rect {
        y: inner.y + head_h.min(inner.height),
        height: inner.height.saturating_sub(head_h),
        ..inner
    };
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
    let col_w = super::columns::column_widths(&widths, 1, table_area.width);
    let fit_col = |i: usize, s: &str| clip(s, col_w.get(i).copied().unwrap_or(0));
    let rows_h = table_area.height.saturating_sub(1) as usize;
    let offset = scroll_offset(app.results_selected, rows_h);
    let rows: Vec<Row> = run
        .matches
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_h)
        .map(|(i, m)| {
            let person = app.persons.get(&m.id);
            let name = match app.match_name(m) {
                Some(n) => Span::raw(fit_col(1, n)),
                None if person.is_none() => Span::styled(fit_col(1, &m.id), app.theme.dim()),
                None => Span::raw(fit_col(1, &m.id)),
            };
            let mut cells = vec![
                Line::from(format!("{:>3}", i + 1)),
                Line::from(name),
                Line::from(format!("{:.3}", m.score)),
                Line::from(Span::styled(bar(m.score, bar_w), app.theme.bar())),
            ];
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
            let row = Row::new(cells);
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
        (Outcome::LivenessFailed { .. }, Some(s)) => Line::from(Span::styled(
            format!("liveness failed: {} < {}", fmt2(s), fmt2(min)),
            app.theme.error(),
        )),
        (Outcome::LivenessFailed { .. }, None) => Line::from(Span::styled(
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
