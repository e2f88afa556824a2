//! `--plot FILE.svg`: the DET curve (FNIR against FPIR, log axes, one point per
//! `min_score`) and the mated / non-mated score histograms, drawn with `plotters`' SVG
//! back end (no font or bitmap dependencies).

use plotters::prelude::*;

use super::measures::ProbeResult;
use super::report::{Evaluation, Measures};
use super::set::Kind;

const SIZE: (u32, u32) = (1100, 460);
/// Histogram bins: 0.50–1.00 in steps of 0.02.
const BINS: usize = 25;

fn err(e: impl std::fmt::Display) -> String {
    format!("cannot draw the plot: {e}")
}

/// The whole figure as SVG text.
///
/// # Errors
/// A drawing failure, in words.
pub fn svg(e: &Evaluation, m: &Measures) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (left, right) = root.split_horizontally(SIZE.0 / 2);
        det(&left, m)?;
        histograms(&right, &e.results())?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// The DET curve. A rate of zero cannot sit on a log axis: it is drawn on the axis'
/// floor, half a trial below the smallest non-zero rate the set can show.
fn det(area: &DrawingArea<SVGBackend, plotters::coord::Shift>, m: &Measures) -> Result<(), String> {
    let most = m
        .curves
        .points
        .first()
        .map_or(1, |p| p.fnir.trials.max(p.fpir.trials))
        .max(1);
    let floor = (0.5 / most as f64).clamp(1e-4, 0.1);
    let points: Vec<(f64, f64, f64)> = m
        .curves
        .points
        .iter()
        .filter_map(|p| {
            Some((
                p.fpir.value()?.max(floor),
                p.fnir.value()?.max(floor),
                p.min_score,
            ))
        })
        .collect();
    let mut chart = ChartBuilder::on(area)
        .caption(
            "DET: FNIR (rank 1) against FPIR, per min_score",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d((floor..1.0f64).log_scale(), (floor..1.0f64).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("FPIR (non-mated searches matching someone)")
        .y_desc("FNIR (mated searches missed)")
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()
        .map_err(err)?;
    if points.is_empty() {
        chart
            .draw_series(std::iter::once(Text::new(
                "needs mated and non-mated searches",
                (floor * 2.0, 0.5),
                ("sans-serif", 14),
            )))
            .map_err(err)?;
        return Ok(());
    }
    chart
        .draw_series(LineSeries::new(points.iter().map(|p| (p.0, p.1)), &BLUE))
        .map_err(err)?;
    chart
        .draw_series(
            points
                .iter()
                .map(|p| Circle::new((p.0, p.1), 3, BLUE.filled())),
        )
        .map_err(err)?;
    // Label every tenth threshold so the curve can be read back to a setting.
    chart
        .draw_series(
            points
                .iter()
                .filter(|p| ((p.2 * 100.0).round() as u32).is_multiple_of(10))
                .map(|p| Text::new(format!("{:.2}", p.2), (p.0, p.1), ("sans-serif", 12))),
        )
        .map_err(err)?;
    Ok(())
}

fn bin(score: f64) -> Option<usize> {
    (score >= 0.5).then(|| (((score - 0.5) / 0.02).floor() as usize).min(BINS - 1))
}

/// Mated searches by their mate's best score, non-mated ones by their top score.
fn histograms(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    results: &[ProbeResult],
) -> Result<(), String> {
    let mut mated = [0u32; BINS];
    let mut nonmated = [0u32; BINS];
    let (mut mated_none, mut nonmated_none) = (0, 0);
    for r in results.iter().filter(|r| r.error.is_none()) {
        match r.kind {
            Kind::Mated => match r.mate_score().and_then(bin) {
                Some(b) => mated[b] += 1,
                None => mated_none += 1,
            },
            Kind::Nonmated => match r.top().and_then(|t| bin(t.score)) {
                Some(b) => nonmated[b] += 1,
                None => nonmated_none += 1,
            },
            Kind::Attack => {}
        }
    }
    let top = mated
        .iter()
        .chain(&nonmated)
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("Scores (not found at 0.50: {mated_none} mated, {nonmated_none} non-mated)"),
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(45)
        .build_cartesian_2d(0.5f64..1.0f64, 0u32..top + top / 5 + 1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("score")
        .y_desc("searches")
        .draw()
        .map_err(err)?;
    let series = [
        (&mated, BLUE, "mated: the mate's score"),
        (&nonmated, RED, "non-mated: the top score"),
    ];
    for (counts, color, label) in series {
        let style = color.mix(0.45).filled();
        chart
            .draw_series(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(i, n)| {
                        let x0 = 0.5 + i as f64 * 0.02;
                        Rectangle::new([(x0, 0), (x0 + 0.02, *n)], style)
                    }),
            )
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}
