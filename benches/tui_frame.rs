//! One full dashboard frame with 1,000 matches and 10,000 history rows, against a
//! same-run baseline: the same frame of an empty dashboard.
//!
//! Run: `cargo bench --bench tui_frame` (or `-- --iters N`; default 200). To reuse the
//! dev build's optimised dependencies: `cargo bench --profile dev --bench tui_frame`.
//!
//! Cases (medians, into ratatui's `TestBackend`, so terminal I/O is not measured):
//! * `empty`: the dashboard with nothing loaded (the baseline);
//! * `full`: 1,000 matches with person records, 10,000 runs in history, 100,000 files
//!   in the browser, the last result selected;
//! * `filter 100k`: one keystroke in the browser's filter over 100,000 entries
//!   (`update`, not render).

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use liveface::api::model::{Person, SearchParams};
use liveface::history::{ProbeStamp, Run, RunMatch, RunOutcome};
use liveface::tui::action::{Action, Pane};
use liveface::tui::app::{App, AppInit, ResultsView};
use liveface::tui::fsview::{Entry, EntryKind};
use liveface::tui::panes;
use liveface::tui::theme::{self, ColorMode};

fn init(runs: Vec<Run>) -> AppInit {
    AppInit {
        start_dir: PathBuf::from("/data"),
        defaults: SearchParams::default(),
        theme: theme::load("default", None, ColorMode::TrueColor).0,
        themes: Vec::new(),
        backend_label: "SANDBOX".into(),
        backend_key: "sandbox:embedded:bench".into(),
        profile: None,
        refilter: liveface::config::Refilter::Session,
        token_masked: None,
        runs,
        warnings: Vec::new(),
        tz: FixedOffset::east_opt(0).unwrap().into(),
    }
}

fn stamp() -> ProbeStamp {
    ProbeStamp {
        path: "/data/probe.jpg".into(),
        size: 1,
        mtime_ms: Some(1),
    }
}

fn run(id: u64, n: usize) -> Run {
    Run {
        id,
        time: DateTime::from_timestamp(1_764_000_000 + id as i64, 0).unwrap(),
        probe: stamp(),
        params: SearchParams::default(),
        backend: "SANDBOX".into(),
        backend_key: None,
        profile: None,
        liveness_score: Some(0.9),
        matches: (0..n)
            .map(|i| RunMatch {
                id: format!("person-{i:05}"),
                score: 1.0 - i as f64 * 0.0002,
                name: None,
            })
            .collect(),
        flagged: Vec::new(),
        percent_scale: false,
        elapsed_ms: 200,
        outcome: RunOutcome::Ok,
        refiltered_from: None,
        face: None,
        truth: None,
    }
}

fn full_app() -> App {
    let mut runs: Vec<Run> = (1..10_000).map(|i| run(i, 3)).collect();
    runs.push(run(10_000, 1_000));
    let (mut app, _) = App::new(init(runs), None);
    for m in &app.runs.last().unwrap().matches.clone() {
        app.persons.insert(
            m.id.clone(),
            Person {
                id: m.id.clone(),
                name: Some(format!("Name {}", m.id)),
                gender: Some("F".into()),
                nationality: Some("CO".into()),
                ..Person::default()
            },
        );
    }
    app.results = ResultsView::Run(10_000);
    app.results_selected = 999;
    app.focus = Pane::Results;
    let seq = app.browser.seq;
    app.update(Action::DirLoaded {
        seq,
        dir: "/data".into(),
        result: Ok(big_dir()),
    });
    app
}

fn big_dir() -> Vec<Entry> {
    (0..100_000)
        .map(|i| Entry {
            modified: Some(1_764_000_000),
            ..Entry::new(format!("img_{i:06}.jpg"), EntryKind::File, 40_000 + i)
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(iters: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    median(
        (0..iters)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn frame_time(app: &App, w: u16, h: u16, iters: usize) -> Duration {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    // The request step runs before the frame: the timed part is the draw alone.
    let pictures = liveface::tui::pictures::view(app, term.get_frame().area());
    time(iters, || {
        // A fresh buffer each time: the full frame is built, not a diff of nothing.
        term.clear().unwrap();
        term.draw(|f| panes::render(black_box(app), &pictures, f))
            .unwrap();
    })
}

fn iterations() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--iters")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let iters = if benching { iterations() } else { 3 };
    if !benching {
        println!("smoke run only (figures come from `cargo bench --bench tui_frame`)");
    }
    let (empty, _) = App::new(init(Vec::new()), None);
    let full = full_app();
    println!("dashboard frame benchmark, {iters} timed iterations each (+1 warm-up), medians");
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let base = frame_time(&empty, w, h, iters);
        let big = frame_time(&full, w, h, iters);
        println!(
            "{w}×{h}: empty {:.3} ms (baseline) · full {:.3} ms = {:.2}× baseline",
            base.as_secs_f64() * 1e3,
            big.as_secs_f64() * 1e3,
            big.as_secs_f64() / base.as_secs_f64()
        );
    }
    let base = frame_time(&empty, 200, 60, iters);
    let mut app = full_app();
    app.focus = Pane::Browser;
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('/'),
        KeyModifiers::NONE,
    )));
    let mut flip = false;
    let filter = time(iters.min(50), || {
        // Type and erase one character: two filter passes over 100k names.
        let code = if flip {
            KeyCode::Backspace
        } else {
            KeyCode::Char('7')
        };
        flip = !flip;
        app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    });
    println!(
        "filter keystroke over 100,000 files: {:.3} ms = {:.2}× the empty 200×60 frame",
        filter.as_secs_f64() * 1e3,
        filter.as_secs_f64() / base.as_secs_f64()
    );
}
