//! The threshold sweep: how many matches of a run remain at min_score 0.50 … 1.00.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{bar, popup_area, popup_block};
use crate::history::sweep;
use crate::tui::app::App;

pub fn render(app: &App, frame: &mut Frame, area: Rect, run_id: u64) {
    let r = popup_area(area, 60, 16);
    frame.render_widget(Clear, r);
    let block = popup_block(app, "Threshold sweep");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let Some(run) = app.run(run_id) else {
        frame.render_widget(Paragraph::new("the run is gone"), inner);
        return;
    };
    let points = sweep(run);
    let max = points.iter().map(|p| p.count).max().unwrap_or(0).max(1);
    let bar_w = (inner.width as usize).saturating_sub(14);
    let mut lines = vec![Line::from(Span::styled(
        format!("run #{} — matches remaining at each min_score", run.id),
        app.theme.dim(),
    ))];
    for p in &points {
        let count = if p.exact {
            format!("{:>5}", p.count)
        } else {
            format!("{:>4}*", p.count)
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{:.2} ", p.threshold)),
            Span::styled(
                format!("{:<bar_w$}", bar(p.count as f64 / max as f64, bar_w)),
                app.theme.bar(),
            ),
            Span::raw(count),
        ]));
    }
    if points.iter().any(|p| !p.exact) {
        lines.push(Line::from(Span::styled(
            "* at least: the run asked for nothing below its min_score",
            app.theme.dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
