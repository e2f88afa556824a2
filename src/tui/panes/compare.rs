//! The compare view: one row per person seen in either of two runs.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Row, Table};
use ratatui::Frame;

use super::{popup_area, popup_block};
use crate::history::compare;
use crate::tui::app::{fmt_threshold, App};

/// The popup's rectangle and the table's (below the heading line).
fn areas(app: &App, area: Rect) -> (Rect, Rect, Rect) {
    let r = popup_area(area, 90, area.height.saturating_sub(2));
    let inner = popup_block(app, "Compare runs").inner(r);
    let body = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    (r, inner, body)
}

/// The last scroll position that still shows content: the last row at the bottom edge.
pub fn scroll_max(app: &App, area: Rect, a: u64, b: u64) -> usize {
    let (Some(ra), Some(rb)) = (app.run(a), app.run(b)) else {
        return 0;
    };
    let (_, _, body) = areas(app, area);
    // One row of the table is its header.
    compare(ra, rb)
        .len()
        .saturating_sub(body.height.saturating_sub(1) as usize)
}

pub fn render(app: &App, frame: &mut Frame, area: Rect, a: u64, b: u64, scroll: usize) {
    let (r, inner, body) = areas(app, area);
    frame.render_widget(Clear, r);
    let block = popup_block(app, "Compare runs");
    frame.render_widget(block, r);
    let (Some(ra), Some(rb)) = (app.run(a), app.run(b)) else {
        frame.render_widget(Paragraph::new("one of the runs is gone"), inner);
        return;
    };
    let mut head = Line::from(vec![
        Span::styled(
            format!("A = run #{a} (min {})", fmt_threshold(ra.params.min_score)),
            app.theme.accent(),
        ),
        Span::raw("   "),
        Span::styled(
            format!("B = run #{b} (min {})", fmt_threshold(rb.params.min_score)),
            app.theme.accent(),
        ),
    ]);
    // Runs of two accounts or servers searched different galleries: say so.
    if ra.profile != rb.profile {
        let name = |p: &Option<String>| p.clone().unwrap_or_else(|| "none".into());
        head.push_span(Span::styled(
            format!(
                "   different profiles: {} / {}",
                name(&ra.profile),
                name(&rb.profile)
            ),
            app.theme.warn(),
        ));
    } else if ra.backend_key != rb.backend_key {
        head.push_span(Span::styled("   different back ends", app.theme.warn()));
    }
    frame.render_widget(Paragraph::new(head), Rect { height: 1, ..inner });
    let rows = compare(ra, rb);
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("neither run matched anyone", app.theme.dim())),
            body,
        );
        return;
    }
    let fmt = |s: Option<f64>| s.map(|v| format!("{v:.3}")).unwrap_or_else(|| "–".into());
    let max = scroll_max(app, area, a, b);
    let table_rows: Vec<Row> = rows
        .iter()
        .skip(scroll.min(max))
        .map(|row| {
            let name = row
                .name
                .clone()
                .or_else(|| app.persons.get(&row.id).and_then(|p| p.name.clone()))
                .unwrap_or_else(|| row.id.clone());
            let delta = match row.delta() {
                Some(d) if d > 0.0 => Span::styled(format!("{d:+.3}"), app.theme.ok()),
                Some(d) if d < 0.0 => Span::styled(format!("{d:+.3}"), app.theme.error()),
                Some(d) => Span::raw(format!("{d:+.3}")),
                None => Span::raw("–"),
            };
            Row::new(vec![
                Line::from(name),
                Line::from(fmt(row.a)),
                Line::from(fmt(row.b)),
                Line::from(delta),
                Line::from(row.crossing()),
            ])
        })
        .collect();
    let table = Table::new(
        table_rows,
        [
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(9),
        ],
    )
    .header(Row::new(["person", "score A", "score B", "delta", "passes"]).style(app.theme.dim()))
    .column_spacing(1);
    frame.render_widget(table, body);
}
