//! Labels from everyday use (`L` in the results and history panes) and the Evaluate
//! screen: update-level tests, snapshots at 80×24 and 120×40, and the runner's side
//! (the history file written under its lock, a set evaluated over real HTTP).

use std::time::Duration;

use crossterm::event::KeyCode;
use liveface::api::client::ClientConfig;
use liveface::api::Client;
use liveface::history::{HistoryStore, LabelSpec, Truth};
use liveface::tui::action::Action;
use liveface::tui::app::{App, Popup};
use liveface::tui::effect::Effect;
use liveface::tui::runner::Runner;
use tokio::sync::mpsc;

use crate::tui_support::*;

async fn next(rx: &mut mpsc::UnboundedReceiver<Action>) -> Action {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("no action within 20 s")
        .expect("channel closed")
}

fn snap(name: &str, app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

// ---- labels ---------------------------------------------------------------------

/// Three runs in the history; run 2 has matches p1 (top), p2, p3.
fn labelled_app() -> App {
    let runs = vec![
        run(1, 0.6, &[("p9", 0.7)]),
        run(2, 0.6, &[("p2", 0.81), ("p1", 0.95), ("p3", 0.66)]),
        run(3, 0.6, &[]),
    ];
    let (mut app, _) = app_with(runs);
    press(&mut app, KeyCode::Char('5'));
    app
}

fn save_of(fx: &[Effect]) -> (u64, LabelSpec) {
    fx.iter()
        .find_map(|e| match e {
            Effect::SaveLabel { run, spec } => Some((*run, spec.clone())),
            _ => None,
        })
        .expect("a label is saved through an effect")
}

#[test]
fn l_in_history_opens_the_choice_and_enter_saves_the_top_match() {
    let mut app = labelled_app();
    press(&mut app, KeyCode::Up); // run 2
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(app.popup, Some(Popup::Label));
    snap("label_choice", &app);
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(save_of(&fx), (2, LabelSpec::Top));
    assert_eq!(app.popup, None);
    // Nothing changes until the history file says it is written.
    assert!(app.runs[1].truth.is_none());
    app.update(Action::LabelSaved {
        run: 2,
        result: Ok(liveface::history::Labelled {
            run_id: 2,
            truth: Some(Truth::Enrolled {
                expected: "p1".into(),
            }),
        }),
    });
    assert_eq!(
        app.runs[1].truth,
        Some(Truth::Enrolled {
            expected: "p1".into()
        })
    );
    assert!(app.notice.as_deref().unwrap().contains("enrolled p1"));
    let screen = render(&app, 120, 40);
    assert!(screen.contains("✓2"), "{screen}");
    assert!(screen.contains("ok · enrolle"), "{screen}");
}

#[test]
fn the_choice_offers_the_other_matches_a_typed_id_and_the_other_truths() {
    let mut app = labelled_app();
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('L'));
    // top p1, then p2, p3 by score, then type, not enrolled, attack.
    press(&mut app, KeyCode::Down);
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(save_of(&fx), (2, LabelSpec::Enrolled("p2".into())));

    press(&mut app, KeyCode::Char('L'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "opens the id field"
    );
    type_text(&mut app, "p-77");
    press(&mut app, KeyCode::Esc); // leaves the field, the choice stays
    assert_eq!(app.popup, Some(Popup::Label));
    press(&mut app, KeyCode::Enter);
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(save_of(&fx), (2, LabelSpec::Enrolled("p-77".into())));

    press(&mut app, KeyCode::Char('L'));
    press(&mut app, KeyCode::End);
    for _ in 0..9 {
        press(&mut app, KeyCode::Down);
    }
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(save_of(&fx), (2, LabelSpec::Attack));

    // A run without matches offers no "top match"; Esc closes without a save.
    press(&mut app, KeyCode::Down); // run 3
    press(&mut app, KeyCode::Char('L'));
    let first = app.label.as_ref().unwrap().options[0].clone();
    assert_eq!(first, liveface::tui::app::LabelOption::TypeId);
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.popup, None);
}

#[test]
fn l_in_results_labels_the_shown_run_and_a_failure_is_shown() {
    let mut app = app();
    ready_probe(&mut app);
    search_and_answer(&mut app, outcome(0.93, &[("p1", 0.97)]));
    let shown = app.shown_run().unwrap().id;
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('L'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(save_of(&fx), (shown, LabelSpec::NotEnrolled));
    app.update(Action::LabelSaved {
        run: shown,
        result: Err("history.jsonl not written: disk full".into()),
    });
    assert!(app.last_error.as_deref().unwrap().contains("disk full"));
    assert!(app.shown_run().unwrap().truth.is_none());
}

#[tokio::test]
async fn the_runner_writes_the_label_to_the_history_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = HistoryStore::new(dir.path().join("h.jsonl"));
    let mut source = run(1, 0.6, &[("p1", 0.9)]);
    source.probe = stamp("bob.png");
    let mut view = run(2, 0.8, &[("p1", 0.9)]);
    view.probe = stamp("bob.png");
    view.refiltered_from = Some(1);
    store.append(&source).unwrap();
    store.append(&view).unwrap();
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9", None)).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(client, tx, 1600, store.clone());
    runner.run(Effect::SaveLabel {
        run: 2,
        spec: LabelSpec::Attack,
    });
    let Action::LabelSaved { run: 2, result } = next(&mut rx).await else {
        panic!("the runner answers with LabelSaved")
    };
    let done = result.unwrap();
    assert_eq!(done.run_id, 1, "a re-filtered run labels its source");
    let runs = store.load().unwrap().runs;
    assert!(runs.iter().all(|r| r.truth == Some(Truth::Attack)));
    // The app takes the label on both runs from the answer.
    let (mut app, _) = app_with(vec![source, view]);
    app.update(Action::LabelSaved {
        run: 2,
        result: Ok(done),
    });
    assert!(app.runs.iter().all(|r| r.truth == Some(Truth::Attack)));
    // An unknown run: plain words, nothing written.
    runner.run(Effect::SaveLabel {
        run: 9,
        spec: LabelSpec::Attack,
    });
    let Action::LabelSaved { result, .. } = next(&mut rx).await else {
        panic!()
    };
    assert!(result.unwrap_err().contains("no run #9"));
}
