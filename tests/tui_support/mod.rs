//! Shared builders for the dashboard tests: an app with fixed data, key presses, and
//! rendering into ratatui's `TestBackend`.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use liveface::api::model::{Match, Person, SearchOutcome, SearchParams};
use liveface::api::ApiError;
use liveface::history::{ProbeStamp, Run, RunMatch, RunOutcome};
use liveface::tui::action::{Action, ProbeInfo};
use liveface::tui::app::{App, AppInit};
use liveface::tui::effect::Effect;
use liveface::tui::fsview::{Entry, EntryKind};
use liveface::tui::panes;
use liveface::tui::theme::{self, ColorMode};

pub const DIR: &str = "/data/probes";
/// The back end the test app searches (runs from elsewhere are never re-filtered).
pub const BACKEND_KEY: &str = "sandbox:embedded:pixel fallback";

pub fn init(runs: Vec<Run>) -> AppInit {
    let themes = theme::BUILTIN
        .iter()
        .map(|(n, _)| theme::load(n, None, ColorMode::TrueColor))
        .collect();
    AppInit {
        start_dir: PathBuf::from(DIR),
        defaults: SearchParams::default(),
        theme: theme::load("default", None, ColorMode::TrueColor).0,
        themes,
        backend_label: "SANDBOX · pixel fallback".into(),
        backend_key: BACKEND_KEY.into(),
        profile: None,
        refilter: liveface::config::Refilter::Session,
        token_masked: Some("••••abcd".into()),
        runs,
        warnings: Vec::new(),
        tz: FixedOffset::east_opt(0).unwrap().into(),
    }
}

/// A fresh app and the effects it asked for at start.
pub fn app_with(runs: Vec<Run>) -> (App, Vec<Effect>) {
    let (mut app, fx) = App::new(init(runs), None);
    app.clock = || DateTime::from_timestamp(1_764_100_000, 0).unwrap();
    (app, fx)
}

pub fn app() -> App {
    app_with(Vec::new()).0
}

pub fn stamp(name: &str) -> ProbeStamp {
    ProbeStamp {
        path: PathBuf::from(DIR).join(name),
        size: 48_213,
        mtime_ms: Some(1_760_000_000_000),
    }
}

pub fn probe(name: &str) -> ProbeInfo {
    ProbeInfo {
        stamp: stamp(name),
        original: (640, 480),
        sent: (640, 480),
        jpeg_bytes: 31_000,
        base64: Arc::from("aGVsbG8="),
        preview: liveface::tui::runner::preview_of(image::DynamicImage::ImageRgb8(
            image::RgbImage::from_fn(40, 48, |x, y| {
                image::Rgb([(x * 6) as u8, (y * 5) as u8, 120])
            }),
        )),
    }
}

pub fn entry(name: &str, kind: EntryKind, size: u64) -> Entry {
    Entry {
        modified: Some(1_763_000_000),
        problem: (kind == EntryKind::BrokenLink).then(|| "broken symlink".to_string()),
        ..Entry::new(name, kind, size)
    }
}

pub fn entries() -> Vec<Entry> {
    vec![
        entry("gallery", EntryKind::Dir, 4096),
        entry(".cache", EntryKind::Dir, 4096),
        entry("alice.jpg", EntryKind::File, 48_213),
        entry("bob.png", EntryKind::File, 1_204_311),
        entry("dangling", EntryKind::BrokenLink, 0),
        entry("notes.txt", EntryKind::File, 312),
    ]
}

pub fn matches(scores: &[(&str, f64)]) -> Vec<RunMatch> {
    scores
        .iter()
        .map(|(id, s)| RunMatch {
            id: id.to_string(),
            score: *s,
            name: None,
        })
        .collect()
}

pub fn run(id: u64, min: f64, scores: &[(&str, f64)]) -> Run {
    Run {
        id,
        time: DateTime::from_timestamp(1_764_000_000 + id as i64 * 60, 0).unwrap(),
        probe: stamp("alice.jpg"),
        params: SearchParams {
            min_score: min,
            ..SearchParams::default()
        },
        backend: "SANDBOX · pixel fallback".into(),
        profile: None,
        backend_key: Some(BACKEND_KEY.into()),
        liveness_score: Some(0.91),
        matches: matches(scores),
        flagged: Vec::new(),
        percent_scale: false,
        elapsed_ms: 240,
        outcome: RunOutcome::Ok,
        refiltered_from: None,
        face: None,
        truth: None,
    }
}

pub fn person(id: &str, name: &str) -> Person {
    Person {
        id: id.into(),
        name: Some(name.into()),
        gender: Some("F".into()),
        date_of_birth: liveface::api::model::DateOfBirth::new(1990, 1, 15),
        nationality: Some("CO".into()),
        ..Person::default()
    }
}

/// A search answer with `{id, score}` hits only (names must be fetched).
pub fn outcome(liveness: f64, scores: &[(&str, f64)]) -> SearchOutcome {
    SearchOutcome {
        liveness_score: Some(liveness),
        persons: scores
            .iter()
            .map(|(id, s)| Match {
                id: id.to_string(),
                score: *s,
                person: None,
            })
            .collect(),
        face: None,
        ..SearchOutcome::default()
    }
}

pub fn key_mod(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    liveface::tui::update(app, Action::Key(KeyEvent::new(code, mods)))
}

pub fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    key_mod(app, code, KeyModifiers::NONE)
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// In the search form (pane 2), replaces `min_score` (the third field) with `value`.
pub fn set_min_score(app: &mut App, value: &str) {
    press(app, KeyCode::Char('2'));
    press(app, KeyCode::Home);
    press(app, KeyCode::Down);
    press(app, KeyCode::Down);
    retype(app, value);
}

/// Edits the text field under the cursor (form or edit popup), replacing its value.
pub fn retype(app: &mut App, text: &str) {
    press(app, KeyCode::Enter);
    for _ in 0..40 {
        press(app, KeyCode::Backspace);
    }
    type_text(app, text);
    press(app, KeyCode::Enter);
}

/// The browser loaded with `entries()`.
pub fn load_dir(app: &mut App) {
    let seq = app.browser.seq;
    app.update(Action::DirLoaded {
        seq,
        dir: DIR.into(),
        result: Ok(entries()),
    });
}

/// Picks `alice.jpg` as a prepared probe.
pub fn ready_probe(app: &mut App) {
    load_dir(app);
    press(app, KeyCode::Char('1'));
    while app.browser.current().map(|e| e.name.as_str()) != Some("alice.jpg") {
        press(app, KeyCode::Down);
    }
    let fx = press(app, KeyCode::Enter);
    let Some(Effect::PrepareProbe { seq, path }) = fx.into_iter().next() else {
        panic!("Enter on an image must prepare it");
    };
    app.update(Action::ProbeReady {
        seq,
        path,
        result: Ok(probe("alice.jpg")),
    });
}

/// Runs F5 and answers it with `out`; returns the effects of the answer.
pub fn search_and_answer(app: &mut App, out: SearchOutcome) -> Vec<Effect> {
    search_and_reply(app, 240, Ok(out))
}

/// Runs F5 and answers it with `result` after `elapsed_ms`; returns the answer's effects.
pub fn search_and_reply(
    app: &mut App,
    elapsed_ms: u64,
    result: Result<SearchOutcome, ApiError>,
) -> Vec<Effect> {
    let fx = press(app, KeyCode::F(5));
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::Search { id, .. } => Some(*id),
            _ => None,
        })
        .expect("F5 must start a search");
    app.update(Action::SearchDone {
        id,
        elapsed_ms,
        result,
    })
}

/// The server's 409 for a probe that failed liveness with `score`.
pub fn liveness_failed(score: f64) -> ApiError {
    ApiError::Status {
        status: 409,
        code: None,
        message: Some("liveness_failed".into()),
        data: Some(serde_json::json!({ "liveness_score": score })),
    }
}

/// The server's 401 for an expired token.
pub fn token_expired() -> ApiError {
    ApiError::Status {
        status: 401,
        code: None,
        message: Some("token_expired".into()),
        data: None,
    }
}

pub fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let pictures = liveface::tui::pictures::view(app, t.get_frame().area());
    t.draw(|f| panes::render(app, &pictures, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
pub mod server;
