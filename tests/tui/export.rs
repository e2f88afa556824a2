//! The export key (`x`): the shown run from the results pane, the whole history from
//! the history pane — the effect it asks for, and the files the runner writes.

use crate::tui_support;

use std::time::Duration;

use crossterm::event::KeyCode;
use liveface::api::{Client, ClientConfig};
use liveface::history::export::{Format, CSV_HEADER};
use liveface::history::{HistoryStore, Run, RunMatch, RunOutcome, Truth};
use liveface::tui::action::Action;
use liveface::tui::effect::Effect;
use liveface::tui::runner::Runner;
use tokio::sync::mpsc;
use tui_support::*;

/// Runs with every optional field set somewhere, so a dropped field shows.
fn full_runs() -> Vec<Run> {
    let mut a = run(41, 0.7, &[("p1", 0.97), ("p2", 0.88)]);
    a.profile = Some("staging".into());
    a.flagged = vec![RunMatch {
        id: "p9".into(),
        score: 0.4,
        name: Some("Nine, \"the\" last".into()),
    }];
    a.matches[0].name = Some("Ana Gómez".into());
    a.truth = Some(Truth::Enrolled {
        expected: "p1".into(),
    });
    a.percent_scale = true;
    let mut b = run(42, 0.8, &[]);
    b.outcome = RunOutcome::LivenessFailed { score: Some(0.3) };
    b.refiltered_from = Some(41);
    b.params.collection_id = Some("c1".into());
    vec![a, b]
}

#[test]
fn x_in_results_exports_the_shown_run_and_in_history_every_run() {
    let (mut app, _) = app_with(full_runs());
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Enter); // run #42 into the form and the results pane
    press(&mut app, KeyCode::Char('4'));
    let fx = press(&mut app, KeyCode::Char('x'));
    assert_eq!(
        fx,
        vec![Effect::Export {
            runs: vec![app.run(42).unwrap().clone()],
            stem: "liveface-run-42".into(),
            formats: vec![Format::Json],
        }]
    );
    press(&mut app, KeyCode::Char('5'));
    let fx = press(&mut app, KeyCode::Char('x'));
    // The test clock is 2025-11-25 19:46:40 UTC, the zone UTC.
    assert_eq!(
        fx,
        vec![Effect::Export {
            runs: full_runs(),
            stem: "liveface-history-20251125-1946".into(),
            formats: vec![Format::Csv, Format::Json],
        }]
    );
    app.update(Action::Exported(Ok(vec![
        "/w/liveface-history-20251125-1946.csv".into(),
        "/w/liveface-history-20251125-1946.json".into(),
    ])));
    let screen = render(&app, 160, 30);
    assert!(
        screen.contains("exported to /w/liveface-history-20251125-1946.csv and"),
        "{screen}"
    );
}

#[test]
fn x_with_nothing_to_export_says_so() {
    let mut app = app();
    press(&mut app, KeyCode::Char('4'));
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(app.last_error.as_deref(), Some("no run shown to export"));
    press(&mut app, KeyCode::Char('5'));
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert!(app.last_error.unwrap().contains("history is empty"));
}

async fn export_with(
    dir: &std::path::Path,
    effect: Effect,
) -> Result<Vec<std::path::PathBuf>, String> {
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9", None)).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(client, tx, 1600, HistoryStore::new(dir.join("h.jsonl")))
        .with_export_dir(dir.to_path_buf());
    runner.run(effect);
    let action = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("no answer within 10 s")
        .expect("channel closed");
    let Action::Exported(result) = action else {
        panic!("{action:?}")
    };
    result
}

#[tokio::test]
async fn the_runner_writes_round_tripping_files_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let runs = full_runs();
    let effect = Effect::Export {
        runs: runs.clone(),
        stem: "liveface-history-x".into(),
        formats: vec![Format::Csv, Format::Json],
    };
    let paths = export_with(dir.path(), effect.clone()).await.unwrap();
    assert_eq!(
        paths,
        vec![
            dir.path().join("liveface-history-x.csv"),
            dir.path().join("liveface-history-x.json")
        ]
    );
    // JSON: every field of every run.
    let back: Vec<Run> = serde_json::from_slice(&std::fs::read(&paths[1]).unwrap()).unwrap();
    assert_eq!(back, runs);
    // CSV: one row per run and match (flagged hits too; a run without any is one row).
    let mut reader = csv::Reader::from_path(&paths[0]).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        4,
        "2 matches + 1 flagged for #41, one row for #42"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("profile")], "staging");
    assert_eq!(&rows[2][col("match_name")], "Nine, \"the\" last");
    assert_eq!(&rows[3][col("outcome")], "liveness failed 0.30");
    assert_eq!(&rows[3][col("match_id")], "");
    // A second export never overwrites the first.
    let again = export_with(dir.path(), effect).await.unwrap();
    assert_eq!(again[0], dir.path().join("liveface-history-x-2.csv"));
    assert_eq!(again[1], dir.path().join("liveface-history-x-2.json"));
    assert_eq!(
        serde_json::from_slice::<Vec<Run>>(&std::fs::read(&paths[1]).unwrap()).unwrap(),
        runs
    );
}

#[tokio::test]
async fn an_unwritable_directory_is_said_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone");
    let err = export_with(
        &missing,
        Effect::Export {
            runs: full_runs(),
            stem: "liveface-run-41".into(),
            formats: vec![Format::Json],
        },
    )
    .await
    .unwrap_err();
    assert!(
        err.starts_with("export not written: cannot create liveface-run-41.json in"),
        "{err}"
    );
}
