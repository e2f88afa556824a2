//! The Evaluate screen: the DET curve (FNIR against FPIR, log axes drawn as log10 values
//! with percentage ticks), the mated / non-mated top-score histograms, the rates and
//! their 95 % intervals at the two cursors, and the errors at the cursors. It covers the
//! dashboard but the status bar, and degrades to fewer rows at 80×24.

mod charts;
mod pair;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Gauge, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use super::{clip, clip_left, popup_block, scroll_offset, spinner};
use crate::eval::measures::{LivenessPoint, MatchPoint};
use crate::tui::app::{App, EvalPhase, EvalScreen, EvalSource};
use charts::{det, histograms};
use pair::name_of;

pub use charts::histogram;
pub use pair::{pair_wanted, render_pair};

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
