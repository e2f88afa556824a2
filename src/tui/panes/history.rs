//! Pane 5: every run of this and earlier sessions. Only the rows on screen are built,
//! so 10,000 runs cost no more per frame than ten.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::Frame;

use super::{clip, pane_block, scroll_offset};
use crate::history::{Run, RunOutcome};
use crate::tui::action::Pane;
use crate::tui::app::{fmt_threshold, App};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let extra = match app.marked {
        Some(id) => Span::styled(
            format!("run #{id} marked — c on another compares"),
            app.theme.warn(),
        ),
        None => Span::styled(
            match app.runs.len() {
                1 => "1 run".to_string(),
                n => format!("{n} runs"),
            },
            app.theme.dim(),
        ),
    };
    let block = pane_block(app, Pane::History, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if app.runs.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No runs yet. Every search is kept here, across sessions.",
                app.theme.dim(),
            )),
            inner,
        );
        return;
    }
    let w = inner.width;
    let wide = w >= 70;
    let wider = w >= 110;
    let mut header = vec!["#", "time", "probe", "min", "n", "top", "outcome"];
    let mut widths = vec![
        Constraint::Length(5),
        Constraint::Length(if wide { 11 } else { 5 }),
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Length(4),
        Constraint::Length(4),
        Constraint::Fill(1),
    ];
    if wide {
        header.splice(3..3, ["os", "live"]);
        widths.splice(3..3, [Constraint::Length(4), Constraint::Length(4)]);
    }
    if wider {
        header.extend(["mode", "collection", "backend", "liveness", "ms"]);
        widths.extend([
            Constraint::Length(8),
            Constraint::Length(12),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(6),
        ]);
    }
    let col_w = super::columns::column_widths(&widths, 1, inner.width);
    let rows_h = inner.height.saturating_sub(1) as usize;
    let offset = scroll_offset(app.history_selected, rows_h);
    let rows: Vec<Row> = app
        .runs
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_h)
        .map(|(i, r)| {
            let row = Row::new(cells(app, r, wide, wider, &col_w));
            if i == app.history_selected && app.focus == Pane::History {
                row.style(app.theme.selection())
            } else if app.marked == Some(r.id) {
                row.style(app.theme.warn())
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(app.theme.dim()))
        .column_spacing(1);
    frame.render_widget(table, inner);
}

fn short(v: f64) -> String {
    let s = fmt_threshold(v);
    s.strip_prefix('0').map(str::to_owned).unwrap_or(s)
}

/// One run's cells; text that can be long (the probe's name, the collection, the
/// backend) is clipped to its column's width `col_w` with an ellipsis.
fn cells<'a>(app: &App, r: &'a Run, wide: bool, wider: bool, col_w: &[usize]) -> Vec<Line<'a>> {
    let fit_col = |i: usize, s: &str| clip(s, col_w.get(i).copied().unwrap_or(0));
    let local = app.tz.local(r.time);
    let time = if wide {
        local.format("%m-%d %H:%M").to_string()
    } else {
        local.format("%H:%M").to_string()
    };
    let mark = if app.marked == Some(r.id) {
        "◆"
    } else if r.truth.is_some() {
        "✓"
    } else {
        ""
    };
    let outcome = match (&r.outcome, r.refiltered_from) {
        (RunOutcome::Ok, Some(src)) => {
            Span::styled(format!("re-filtered #{src}"), app.theme.warn())
        }
        (RunOutcome::Ok, None) => Span::styled("ok", app.theme.ok()),
        (o @ RunOutcome::LivenessFailed { .. }, _) => Span::styled(o.label(), app.theme.error()),
        (o @ RunOutcome::Error { .. }, _) => Span::styled(o.label(), app.theme.error()),
        (o, _) => Span::styled(o.label(), app.theme.dim()),
    };
    let mut c = vec![
        Line::from(format!("{mark}{}", r.id)),
        Line::from(time),
        Line::from(fit_col(2, &r.probe_name())),
    ];
    if wide {
        c.push(Line::from(
            r.params.os.as_str().chars().take(3).collect::<String>(),
        ));
        c.push(Line::from(short(r.params.liveness_min_score)));
    }
    c.push(Line::from(short(r.params.min_score)));
    c.push(Line::from(r.matches.len().to_string()));
    c.push(Line::from(
        r.top_score().map(short).unwrap_or_else(|| "–".into()),
    ));
    // A label follows the outcome: `ok · enrolled p1`, `ok · attack`.
    let outcome_text = match &r.truth {
        Some(t) => format!("{} · {}", outcome.content, t.words()),
        None => outcome.content.to_string(),
    };
    let outcome = Span::styled(fit_col(c.len(), &outcome_text), outcome.style);
    c.push(Line::from(outcome));
    if wider {
        c.push(Line::from(r.params.search_mode.as_str()));
        let at = c.len();
        c.push(Line::from(fit_col(
            at,
            r.params.collection_id.as_deref().unwrap_or("all"),
        )));
        c.push(Line::from(fit_col(at + 1, &r.backend)));
        c.push(Line::from(
            r.liveness_score
                .map(|s| format!("{s:.2}"))
                .unwrap_or_else(|| "–".into()),
        ));
        c.push(Line::from(r.elapsed_ms.to_string()));
    }
    c
}
