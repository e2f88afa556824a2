//! The Evaluate screen: the DET curve (FNIR against FPIR, log axes drawn as log10 values
//! with percentage ticks), the mated / non-mated top-score histograms, the rates and
//! their 95 % intervals at the two cursors, and the errors at the cursors. It covers the
//! dashboard but the status bar, and degrades to fewer rows at 80×24.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Chart, Clear, Dataset, Gauge, GraphType, Paragraph, Row,
    Table, Wrap,
};
use ratatui::Frame;

use super::{clip, clip_left, popup_area, popup_block, scroll_offset, spinner};
use crate::eval::measures::{LivenessPoint, MatchPoint, ProbeResult};
use crate::eval::set::Kind;
use crate::preview::widgets::{preview_cells, render_side_by_side, SideBySide};
use crate::preview::{Pictures, PreviewState, Wanted};
use crate::tui::app::{App, EvalError, EvalPhase, EvalScreen, EvalSource};

/// Histogram bins: 0.50–1.00 in steps of 0.05.
const BINS: usize = 10;

/// The screen's rectangle: everything but the status bar.
fn screen_area(area: Rect) -> Rect {
    Rect {
        height: area.height.saturating_sub(1),
        ..area
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let r = screen_area(area);
    frame.render_widget(Clear, r);
    let Some(s) = &app.evaluate else {
        return;
    };
    let source = match &s.source {
        EvalSource::Set(p) => clip_left(&p.display().to_string(), (r.width / 2) as usize),
        EvalSource::History => "labelled history runs".into(),
    };
    let block = popup_block(app, "Evaluate").title(Line::from(vec![
        Span::raw(" "),
        Span::styled(source, app.theme.dim()),
        Span::raw(" "),
    ]));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    match &s.phase {
        EvalPhase::Ready => ready(app, s, frame, inner),
        phase => waiting(app, s, phase, frame, inner),
    }
}

/// Before the measures: reading the set, the billing question, progress, or a failure.
fn waiting(app: &App, s: &EvalScreen, phase: &EvalPhase, frame: &mut Frame, inner: Rect) {
    let mut lines: Vec<Line> = Vec::new();
    let mut gauge = None;
    match phase {
        EvalPhase::Preparing => lines.push(Line::from(Span::styled(
            format!(
                "{} reading the set and resolving its names against the server's persons…",
                spinner(app)
            ),
            app.theme.accent(),
        ))),
        EvalPhase::Confirm(ready) => {
            let n = ready.to_send;
            let s_ = if n == 1 { "" } else { "s" };
            lines.push(Line::from(Span::styled(
                format!(
                    "{n} request{s_} ({n} credit{s_}) will be sent to {} — continue?",
                    app.backend_label
                ),
                app.theme.warn(),
            )));
            lines.push(super::key_line(app, &[("y", "send"), ("n", "cancel")]));
        }
        EvalPhase::Running {
            done,
            total,
            started,
        } => {
            let secs = app.now.saturating_duration_since(*started).as_secs_f64();
            let rate = if secs > 0.0 { *done as f64 / secs } else { 0.0 };
            let eta = if rate > 0.0 {
                format!(" · ETA {:.0} s", (total - done) as f64 / rate)
            } else {
                String::new()
            };
            lines.push(Line::from(Span::styled(
                format!(
                    "{} searching each probe once at the floor thresholds — Esc stops (keeps what is done)",
                    spinner(app)
                ),
                app.theme.accent(),
            )));
            let speed = if rate > 0.0 {
                format!(" · {rate:.1}/s{eta}")
            } else {
                String::new()
            };
            gauge = Some((*done, *total, format!("{done}/{total} searches{speed}")));
        }
        EvalPhase::Stopping { done, total } => {
            lines.push(Line::from(Span::styled(
                format!("{} stopping: the searches in flight finish…", spinner(app)),
                app.theme.warn(),
            )));
            gauge = Some((*done, *total, format!("{done}/{total} searches")));
        }
        EvalPhase::Failed(why) => {
            for l in why.lines() {
                lines.push(Line::from(Span::styled(l.to_owned(), app.theme.error())));
            }
            lines.push(Line::from(Span::styled(
                "E on a folder in 1 Files evaluates a labelled set; H here, the labelled history runs (L labels a run).",
                app.theme.dim(),
            )));
        }
        EvalPhase::Ready => {}
    }
    for n in &s.notes {
        lines.push(Line::from(Span::styled(n.clone(), app.theme.dim())));
    }
    let text_h = super::wrapped_rows(&lines, inner.width as usize) as u16;
    let [text, bar, _] = Layout::vertical([
        Constraint::Length(text_h),
        Constraint::Length(u16::from(gauge.is_some())),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), text);
    if let Some((done, total, label)) = gauge {
        let ratio = if total == 0 {
            1.0
        } else {
            done as f64 / total as f64
        };
        frame.render_widget(
            Gauge::default()
                .gauge_style(app.theme.accent())
                .ratio(ratio.clamp(0.0, 1.0))
                .label(label),
            bar,
        );
    }
}

fn ready(app: &App, s: &EvalScreen, frame: &mut Frame, inner: Rect) {
    let (Some(e), Some(m), Some((at, live))) = (&s.evaluation, &s.measures, s.at_cursor()) else {
        return;
    };
    let c = e.counts();
    let w = inner.width as usize;
    let mut head = vec![Line::from(vec![Span::raw(clip(
        &format!(
            "{} mated · {} non-mated · {} attacks · {} skipped · {} failed · {} · {}",
            c.mated,
            c.nonmated,
            c.attack,
            c.skipped,
            c.failed,
            e.backend,
            if e.requests_sent > 0 {
                format!("{} requests", e.requests_sent)
            } else {
                "no request".to_owned()
            }
        ),
        w,
    ))])];
    head.push(Line::from(vec![
        Span::styled("min_score ", app.theme.dim()),
        Span::styled(format!("{:.2}", s.min_score()), app.theme.accent()),
        Span::styled(" ←/→   liveness_min_score ", app.theme.dim()),
        Span::styled(format!("{:.2}", s.liveness_min_score()), app.theme.accent()),
        Span::styled(" [/]   f: into the search form", app.theme.dim()),
    ]));
    let notes = if inner.height >= 30 { 3 } else { 1 };
    for n in s.notes.iter().take(notes) {
        head.push(Line::from(Span::styled(clip(n, w), app.theme.dim())));
    }
    let head_h = head.len() as u16;
    let charts_h = (inner.height.saturating_sub(head_h) * 2 / 5).max(6);
    let [head_a, charts, rates_a, errors_a] = Layout::vertical([
        Constraint::Length(head_h),
        Constraint::Length(charts_h),
        Constraint::Length(6),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head), head_a);
    let [det_a, hist_a] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    det(app, s, m, frame, det_a);
    histograms(app, s, frame, hist_a);
    rates(app, &at, &live, frame, rates_a);
    errors(app, s, frame, errors_a);
}

/// `log10` of a rate for the DET axes, zero drawn at the axis' low end `lo`.
fn log_rate(v: Option<f64>, lo: f64) -> f64 {
    match v {
        Some(v) if v > 0.0 => v.log10().max(lo),
        _ => lo,
    }
}

/// `0.1%`, `1%`, `10%`, `100%` for the exponents `lo..=0`.
fn percent_ticks(lo: i32) -> Vec<Span<'static>> {
    (lo..=0)
        .map(|e| {
            let p = 100.0 * 10f64.powi(e);
            Span::raw(if p >= 1.0 {
                format!("{p:.0}%")
            } else {
                format!("{p}%")
            })
        })
        .collect()
}

fn det(app: &App, s: &EvalScreen, m: &crate::eval::report::Measures, frame: &mut Frame, a: Rect) {
    // The low end: the smallest non-zero rate the set can show, as a power of ten.
    let trials = m
        .curves
        .points
        .first()
        .map_or(1, |p| p.fnir.trials.max(p.fpir.trials))
        .max(10);
    // One decade below the smallest non-zero rate the set can show: zero is drawn there.
    let lo = -((trials as f64).log10().ceil() + 1.0).clamp(2.0, 5.0) as i32;
    let lo_f = f64::from(lo);
    let curve: Vec<(f64, f64)> = m
        .curves
        .points
        .iter()
        .map(|p| {
            (
                log_rate(p.fpir.value(), lo_f),
                log_rate(p.fnir.value(), lo_f),
            )
        })
        .collect();
    let cursor: Vec<(f64, f64)> = m
        .curves
        .points
        .iter()
        .filter(|p| (p.min_score - s.min_score()).abs() < 1e-9)
        .map(|p| {
            (
                log_rate(p.fpir.value(), lo_f),
                log_rate(p.fnir.value(), lo_f),
            )
        })
        .collect();
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(app.theme.bar())
            .data(&curve),
        Dataset::default()
            .name(format!("{:.2}", s.min_score()))
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .style(app.theme.accent())
            .data(&cursor),
    ];
    let chart = Chart::new(datasets)
        .block(Block::default().title(Line::from(Span::styled(
            clip(
                "DET: FNIR ↑ against FPIR → (0 on the low edge)",
                a.width.saturating_sub(1) as usize,
            ),
            app.theme.dim(),
        ))))
        .x_axis(
            Axis::default()
                .bounds([lo_f, 0.0])
                .labels(percent_ticks(lo))
                .style(app.theme.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([lo_f, 0.0])
                .labels(percent_ticks(lo))
                .style(app.theme.dim()),
        )
        .hidden_legend_constraints((Constraint::Ratio(0, 1), Constraint::Ratio(0, 1)));
    frame.render_widget(chart, a);
}

/// The histogram bin of a score on 0.50–1.00 (`None` below the floor).
fn bin_of(score: f64) -> Option<usize> {
    (score >= 0.5 - 1e-9).then(|| (((score - 0.5) * 20.0 + 1e-9).floor() as usize).min(BINS - 1))
}

/// Top scores of the mated and non-mated searches, in [`BINS`] bins.
pub fn histogram(results: &[ProbeResult]) -> ([u64; BINS], [u64; BINS]) {
    let (mut mated, mut nonmated) = ([0u64; BINS], [0u64; BINS]);
    for r in results.iter().filter(|r| r.error.is_none()) {
        let Some(b) = r.top().and_then(|t| bin_of(t.score)) else {
            continue;
        };
        match r.kind {
            Kind::Mated => mated[b] += 1,
            Kind::Nonmated => nonmated[b] += 1,
            Kind::Attack => {}
        }
    }
    (mated, nonmated)
}

fn histograms(app: &App, s: &EvalScreen, frame: &mut Frame, a: Rect) {
    let (mated, nonmated) = histogram(&s.results);
    let cursor_bin = bin_of(s.min_score());
    let [legend, chart] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(a);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("top scores: ", app.theme.dim()),
            Span::styled("█ mated ", app.theme.ok()),
            Span::styled("█ non-mated ", app.theme.error()),
            Span::styled("(cursor bin bold)", app.theme.dim()),
        ])),
        legend,
    );
    // Two bars per bin and a gap: the widest bars that fit.
    let bar_w = ((chart.width.saturating_sub(BINS as u16)) / (2 * BINS as u16)).clamp(1, 3);
    let groups: Vec<BarGroup> = (0..BINS)
        .map(|i| {
            let bold = if cursor_bin == Some(i) {
                Modifier::BOLD | Modifier::REVERSED
            } else {
                Modifier::empty()
            };
            let bar = |v: u64, style: Style| {
                Bar::default()
                    .value(v)
                    .text_value(String::new())
                    .style(style.add_modifier(bold))
            };
            BarGroup::default()
                .label(Line::from(format!("{}", 50 + i * 5)))
                .bars(&[
                    bar(mated[i], app.theme.ok()),
                    bar(nonmated[i], app.theme.error()),
                ])
        })
        .collect();
    let mut chart_w = BarChart::default()
        .bar_width(bar_w)
        .bar_gap(0)
        .group_gap(1)
        .label_style(app.theme.dim());
    for g in groups {
        chart_w = chart_w.data(g);
    }
    frame.render_widget(chart_w, chart);
}

fn rates(app: &App, at: &MatchPoint, live: &LivenessPoint, frame: &mut Frame, a: Rect) {
    let w = a.width as usize;
    let rows = [
        ("fnir", &at.fnir, "mated searches whose mate is not rank 1"),
        ("fnir_any", &at.fnir_any, "… not anywhere in the list"),
        ("fpir", &at.fpir, "non-mated searches matching someone"),
        (
            "wrong_top",
            &at.wrong_top,
            "mated searches topped by another",
        ),
        ("apcer", &live.apcer, "attacks that pass liveness"),
        ("bpcer", &live.bpcer, "bona fide probes failing liveness"),
    ];
    let lines: Vec<Line> = rows
        .iter()
        .map(|(name, rate, what)| {
            let d = rate.describe();
            let style = if rate.errors > 0 {
                app.theme.warn()
            } else {
                app.theme.ok()
            };
            let gap = w.saturating_sub(10 + d.chars().count() + 2);
            Line::from(vec![
                Span::styled(format!("{name:<10}"), app.theme.dim()),
                Span::styled(d, style),
                Span::styled(format!("  {}", clip(what, gap)), app.theme.dim()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), a);
}

fn errors(app: &App, s: &EvalScreen, frame: &mut Frame, a: Rect) {
    if a.height == 0 {
        return;
    }
    let errs = s.errors();
    if errs.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no error at these thresholds", app.theme.ok())),
            a,
        );
        return;
    }
    let rows_h = a.height.saturating_sub(1) as usize;
    let offset = scroll_offset(s.selected, rows_h);
    let widths = [
        Constraint::Length(6),
        Constraint::Fill(2),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(6),
    ];
    let col_w = super::columns::column_widths(&widths, 1, a.width);
    let rows: Vec<Row> = errs
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_h)
        .map(|(i, e)| {
            let row = Row::new(vec![
                Line::from(e.measure),
                Line::from(clip_left(
                    &e.probe.display().to_string(),
                    col_w.get(1).copied().unwrap_or(0),
                )),
                Line::from(clip(&name_of(app, &e.expected), col_w[2])),
                Line::from(clip(&name_of(app, &e.got), col_w[3])),
                Line::from(e.score.map_or_else(|| "–".into(), |v| format!("{v:.3}"))),
            ]);
            if i == s.selected {
                row.style(app.theme.selection())
            } else {
                row
            }
        })
        .collect();
    let title = format!("errors ({}) · Enter shows one", errs.len());
    let table = Table::new(rows, widths)
        .header(
            Row::new(vec![
                Line::from("what"),
                Line::from(clip(&title, col_w.get(1).copied().unwrap_or(0))),
                Line::from("expected"),
                Line::from("got"),
                Line::from("score"),
            ])
            .style(app.theme.dim()),
        )
        .column_spacing(1);
    frame.render_widget(table, a);
}

/// A person's name when it is known (fetched), else the text as it is.
fn name_of(app: &App, id: &str) -> String {
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
