//! The Evaluate screen's charts: the DET curve (log10 rates with percentage ticks) and
//! the mated / non-mated top-score histograms with the cursor's bin.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Chart, Dataset, GraphType, Paragraph,
};
use ratatui::Frame;

use crate::eval::measures::ProbeResult;
use crate::eval::set::Kind;
use crate::tui::app::{App, EvalScreen};
use crate::tui::panes::clip;

/// Histogram bins: 0.50–1.00 in steps of 0.05.
const BINS: usize = 10;

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

pub(super) fn det(
    app: &App,
    s: &EvalScreen,
    m: &crate::eval::report::Measures,
    frame: &mut Frame,
    a: Rect,
) {
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

pub(super) fn histograms(app: &App, s: &EvalScreen, frame: &mut Frame, a: Rect) {
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
