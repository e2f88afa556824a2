//! Labels from everyday use (`L` in the results and history panes) and the Evaluate
//! screen: update-level tests, snapshots at 80×24 and 120×40, and the runner's side
//! (the history file written under its lock, a set evaluated over real HTTP).

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
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
            note: None,
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
    // Shown in the results pane too, once the run is opened there.
    press(&mut app, KeyCode::Enter);
    let screen = render(&app, 120, 40);
    assert!(screen.contains("run #2 · 240 ms · enrolled p1"), "{screen}");
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
    type_text(&mut app, "p-");
    app.update(Action::Paste("77".into())); // a pasted id goes into the field
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

#[test]
fn l_in_results_while_a_search_runs_labels_nothing() {
    let mut app = app();
    ready_probe(&mut app);
    search_and_answer(&mut app, outcome(0.93, &[("p1", 0.97)]));
    let previous = app.shown_run().unwrap().id;
    // A second search is under way: the pane still shows the previous run below the
    // spinner, and the user means the search being made. Nothing may be labelled.
    // (Shift-F5: F5 would re-filter the stored run without a request.)
    let fx = key_mod(&mut app, KeyCode::F(5), KeyModifiers::SHIFT);
    assert!(fx.iter().any(|e| matches!(e, Effect::Search { .. })));
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('L'));
    assert_ne!(
        app.popup,
        Some(Popup::Label),
        "run #{previous} would be labelled"
    );
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("search is running"), "{notice}");
    // The history pane labels the run its cursor is on, search or not.
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(app.popup, Some(Popup::Label));
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

// ---- the Evaluate screen ----------------------------------------------------------

use std::path::{Path, PathBuf};

use liveface::api::model::SearchParams;
use liveface::eval::measures::{Candidate, ProbeResult};
use liveface::eval::report::{EvalProbe, Evaluation};
use liveface::eval::set::Kind;
use liveface::tui::action::EvalReady;
use liveface::tui::app::{EvalPhase, EvalSource};
use liveface::tui::fsview::EntryKind;

const SET: &str = "/data/probes/gallery";

fn probe_of(
    name: &str,
    kind: Kind,
    expected: Option<&str>,
    liveness: f64,
    candidates: &[(&str, f64)],
) -> EvalProbe {
    let passed = liveness > 0.5;
    EvalProbe {
        path: Path::new(SET).join(name),
        kind,
        label: expected.map(str::to_owned),
        result: Some(ProbeResult {
            kind,
            expected: expected.map(str::to_owned),
            liveness_score: Some(liveness),
            liveness_passed_floor: Some(passed),
            candidates: if passed {
                candidates
                    .iter()
                    .map(|(id, s)| Candidate {
                        id: id.to_string(),
                        name: None,
                        score: *s,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            error: None,
        }),
        note: None,
        resumed: false,
    }
}

/// A fixed, hand-made evaluation whose every figure is known:
/// - 10 mated probes, mate scores 0.97 … 0.72 (m0–m8; m8 has liveness 0.55) and m9
///   topped by p9 at 0.66 with its mate absent;
/// - 10 non-mated probes, top scores 0.83, 0.76, 0.71, 0.64, 0.58 (n4: liveness 0.62),
///   the other five with no candidate;
/// - 4 attacks with liveness 0.72, 0.58, 0.40 (failed at the floor) and 0.66.
///
/// At min_score 0.75: fnir 2/10 (m8, m9), fpir 2/10 (n0, n1); at 0.80: fnir 3/10,
/// fpir 1/10. At liveness_min_score 0.65: apcer 2/4 (a0, a3), bpcer 2/20 (m8, n4); at
/// 0.70: apcer 1/4.
fn evaluation() -> Evaluation {
    let mate_scores = [0.97, 0.95, 0.93, 0.91, 0.88, 0.85, 0.82, 0.78, 0.72];
    let mut probes = Vec::new();
    for (i, s) in mate_scores.iter().enumerate() {
        let mate = format!("p{}", i % 3 + 1);
        let live = if i == 8 { 0.55 } else { 0.9 };
        probes.push(probe_of(
            &format!("p{}/m{i}.jpg", i % 3 + 1),
            Kind::Mated,
            Some(&mate),
            live,
            &[(&mate, *s), ("p7", 0.51)],
        ));
    }
    probes.push(probe_of(
        "p1/m9.jpg",
        Kind::Mated,
        Some("p1"),
        0.9,
        &[("p9", 0.66)],
    ));
    let stranger_tops = [0.83, 0.76, 0.71, 0.64, 0.58];
    for i in 0..10 {
        let live = if i == 4 { 0.62 } else { 0.88 };
        let c: Vec<(&str, f64)> = stranger_tops
            .get(i)
            .map(|s| vec![("p2", *s)])
            .unwrap_or_default();
        probes.push(probe_of(
            &format!("_not_enrolled/n{i}.jpg"),
            Kind::Nonmated,
            None,
            live,
            &c,
        ));
    }
    for (i, live) in [0.72, 0.58, 0.40, 0.66].iter().enumerate() {
        probes.push(probe_of(
            &format!("_attacks/a{i}.jpg"),
            Kind::Attack,
            None,
            *live,
            &[("p3", 0.9)],
        ));
    }
    Evaluation {
        set: PathBuf::from(SET),
        backend: "SANDBOX · pixel fallback".into(),
        params: liveface::eval::run::floor_params(&SearchParams::default()),
        current: (0.75, 0.65),
        complete: true,
        requests_sent: 24,
        elapsed_ms: 4_800,
        probes,
    }
}

/// `E` on the `gallery` folder of the file browser; returns the evaluation's seq.
fn start_set(app: &mut App) -> u64 {
    load_dir(app);
    press(app, KeyCode::Char('1'));
    assert_eq!(app.browser.current().unwrap().kind, EntryKind::Dir);
    let fx = press(app, KeyCode::Char('E'));
    let Some(Effect::PrepareEval { seq, request }) = fx.into_iter().next() else {
        panic!("E on a folder prepares an evaluation")
    };
    assert_eq!(request.set, PathBuf::from(SET));
    assert_eq!(app.popup, Some(Popup::Evaluate));
    seq
}

fn ready_of(to_send: usize) -> EvalReady {
    EvalReady {
        probes: 24,
        to_send,
        resumed: 24 - to_send,
        skipped: 0,
    }
}

/// The screen showing [`evaluation`], as the runner's answers make it.
fn evaluated_app() -> App {
    let mut app = app();
    let seq = start_set(&mut app);
    let fx = app.update(Action::EvalPrepared {
        seq,
        result: Ok(ready_of(24)),
    });
    assert_eq!(
        fx,
        vec![Effect::RunEval { seq }],
        "the sandbox is not asked"
    );
    app.update(Action::EvalDone {
        seq,
        evaluation: Box::new(evaluation()),
        warning: None,
    });
    app
}

#[test]
fn a_finished_evaluation_fetches_the_names_its_errors_show() {
    let mut app = app();
    let seq = start_set(&mut app);
    app.update(Action::EvalPrepared {
        seq,
        result: Ok(ready_of(24)),
    });
    let fx = app.update(Action::EvalDone {
        seq,
        evaluation: Box::new(evaluation()),
        warning: None,
    });
    let fetched: Vec<&str> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::FetchPerson { id } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    // The mates p1–p3 and the top candidates p9 (m9) and p2/p3 (strangers, attacks),
    // once each; p7 is never anyone's top.
    assert_eq!(fetched, ["p1", "p2", "p3", "p9"]);
    // n0's false match at 0.83 reads as a name once p2's record is in.
    let before = render(&app, 120, 40);
    assert!(!before.contains("Bea Ruiz"), "{before}");
    app.update(Action::PersonLoaded {
        id: "p2".into(),
        result: Ok(crate::tui_support::person("p2", "Bea Ruiz")),
    });
    let after = render(&app, 120, 40);
    assert!(after.contains("Bea Ruiz"), "{after}");
}

fn figures(app: &App) -> (String, String, String, String) {
    let (at, live) = app.evaluate.as_ref().unwrap().at_cursor().unwrap();
    (
        at.fnir.describe(),
        at.fpir.describe(),
        live.apcer.describe(),
        live.bpcer.describe(),
    )
}

#[test]
fn the_cursor_keys_move_the_thresholds_and_the_figures_follow() {
    let mut app = evaluated_app();
    let s = app.evaluate.as_ref().unwrap();
    assert_eq!(s.phase, EvalPhase::Ready);
    assert_eq!((s.min_step, s.live_step), (75, 65));
    let (fnir, fpir, apcer, bpcer) = figures(&app);
    assert!(fnir.starts_with("2 / 10 = 20.0 %"), "{fnir}");
    assert!(fpir.starts_with("2 / 10 = 20.0 %"), "{fpir}");
    assert!(apcer.starts_with("2 / 4 = 50.0 %"), "{apcer}");
    assert!(bpcer.starts_with("2 / 20 = 10.0 %"), "{bpcer}");
    assert_eq!(app.evaluate.as_ref().unwrap().errors().len(), 8);
    for _ in 0..5 {
        press(&mut app, KeyCode::Right);
    }
    for _ in 0..5 {
        press(&mut app, KeyCode::Char(']'));
    }
    let s = app.evaluate.as_ref().unwrap();
    assert_eq!((s.min_step, s.live_step), (80, 70));
    let (fnir, fpir, apcer, _) = figures(&app);
    assert!(fnir.starts_with("3 / 10 = 30.0 %"), "{fnir}");
    assert!(fpir.starts_with("1 / 10 = 10.0 %"), "{fpir}");
    assert!(apcer.starts_with("1 / 4 = 25.0 %"), "{apcer}");
    // The screen shows them, with their intervals.
    let screen = render(&app, 120, 40);
    assert!(screen.contains("min_score 0.80"), "{screen}");
    assert!(
        screen.contains("3 / 10 = 30.0 % (6.7–65.2 % at 95 %)"),
        "{screen}"
    );
    // Never below the floor, never above 1.00; zero errors never "0 %" alone.
    for _ in 0..60 {
        press(&mut app, KeyCode::Left);
    }
    assert_eq!(app.evaluate.as_ref().unwrap().min_step, 50);
    for _ in 0..60 {
        press(&mut app, KeyCode::Char('l'));
    }
    assert_eq!(app.evaluate.as_ref().unwrap().min_step, 100);
    let (_, fpir, _, _) = figures(&app);
    assert!(fpir.starts_with("0 / 10 (≤ 30.8 % at 95 %)"), "{fpir}");
}

#[test]
fn f_copies_the_cursors_into_the_search_form() {
    let mut app = evaluated_app();
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char('['));
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(app.form.min_score.value(), "0.77");
    assert_eq!(app.form.liveness.value(), "0.64");
    let p = app.form.params().unwrap();
    assert_eq!((p.min_score, p.liveness_min_score), (0.77, 0.64));
    // Esc closes the screen; E brings it back as it was.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
    press(&mut app, KeyCode::Char('E'));
    assert_eq!(app.popup, Some(Popup::Evaluate));
    assert_eq!(app.evaluate.as_ref().unwrap().min_step, 77);
}

#[test]
fn enter_on_an_error_opens_the_probe_beside_the_person_found() {
    let mut app = evaluated_app();
    // At 0.75 / 0.65 the first error is m8 (mate 0.72 below the cursor).
    let first = app.evaluate.as_ref().unwrap().errors()[0].clone();
    assert_eq!(first.measure, "fnir");
    assert!(first.probe.ends_with("p3/m8.jpg"), "{first:?}");
    press(&mut app, KeyCode::Down); // m9: topped by p9 at 0.66 < 0.75: nobody
    let fx = press(&mut app, KeyCode::Enter);
    let Some(Popup::EvalPair { error, person }) = app.popup.clone() else {
        panic!("Enter opens the pair view: {:?}", app.popup)
    };
    assert!(error.probe.ends_with("p1/m9.jpg"));
    assert_eq!(error.got, "none ≥ 0.75");
    assert_eq!(
        person.as_deref(),
        Some("p1"),
        "the expected mate, nobody reached 0.75"
    );
    assert_eq!(fx, vec![Effect::FetchPerson { id: "p1".into() }]);
    app.update(Action::PersonLoaded {
        id: "p1".into(),
        result: Ok(crate::tui_support::person("p1", "Ana Gómez")),
    });
    let screen = render(&app, 120, 40);
    for part in ["Evaluation error", "p1/m9.jpg", "Ana Gómez", "none ≥ 0.75"] {
        assert!(screen.contains(part), "{part}: {screen}");
    }
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.popup,
        Some(Popup::Evaluate),
        "Esc returns to the screen"
    );
}

#[test]
fn esc_stops_a_running_evaluation_and_keeps_what_is_done() {
    let mut app = app();
    let seq = start_set(&mut app);
    app.update(Action::EvalPrepared {
        seq,
        result: Ok(ready_of(24)),
    });
    app.update(Action::EvalProgress {
        seq,
        done: 5,
        total: 24,
    });
    assert!(render(&app, 80, 24).contains("5/24 searches"));
    let fx = press(&mut app, KeyCode::Esc);
    assert_eq!(fx, vec![Effect::StopEval { seq }]);
    assert_eq!(
        app.popup,
        Some(Popup::Evaluate),
        "the screen stays to show the result"
    );
    assert!(matches!(
        app.evaluate.as_ref().unwrap().phase,
        EvalPhase::Stopping { done: 5, .. }
    ));
    let mut partial = evaluation();
    partial.complete = false;
    for p in partial.probes.iter_mut().skip(8) {
        p.result = None;
        p.note = Some("not run (stopped before it)".into());
    }
    app.update(Action::EvalDone {
        seq,
        evaluation: Box::new(partial),
        warning: None,
    });
    let s = app.evaluate.as_ref().unwrap();
    assert_eq!(s.phase, EvalPhase::Ready);
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("8 probes searched so far")));
    // Answers for a replaced evaluation are dropped.
    app.update(Action::EvalProgress {
        seq: seq + 7,
        done: 1,
        total: 2,
    });
    assert_eq!(app.evaluate.as_ref().unwrap().phase, EvalPhase::Ready);
}

#[test]
fn a_billed_back_end_asks_before_sending_and_n_sends_nothing() {
    let mut app = app();
    app.billed_requests = Some(Default::default());
    let seq = start_set(&mut app);
    let fx = app.update(Action::EvalPrepared {
        seq,
        result: Ok(ready_of(20)),
    });
    assert!(fx.is_empty(), "nothing runs before the answer");
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("20 requests (20 credits) will be sent"),
        "{screen}"
    );
    assert_eq!(
        press(&mut app, KeyCode::Char('n')),
        vec![Effect::StopEval { seq }]
    );
    assert!(matches!(
        app.evaluate.as_ref().unwrap().phase,
        EvalPhase::Failed(_)
    ));
    // Again, and yes: it runs. Nothing to send: no question at all.
    press(&mut app, KeyCode::Esc);
    let seq = start_set(&mut app);
    app.update(Action::EvalPrepared {
        seq,
        result: Ok(ready_of(3)),
    });
    assert_eq!(
        press(&mut app, KeyCode::Char('y')),
        vec![Effect::RunEval { seq }]
    );
    app.update(Action::EvalDone {
        seq,
        evaluation: Box::new(evaluation()),
        warning: None,
    });
    press(&mut app, KeyCode::Esc);
    let seq = start_set(&mut app);
    let fx = app.update(Action::EvalPrepared {
        seq,
        result: Ok(ready_of(0)),
    });
    assert_eq!(fx, vec![Effect::RunEval { seq }]);
}

#[test]
fn the_labelled_history_is_evaluated_with_no_request() {
    let mut runs = vec![
        run(1, 0.6, &[("p1", 0.95)]),
        run(2, 0.6, &[("p1", 0.70)]),
        run(3, 0.6, &[]),
    ];
    runs[0].truth = Some(Truth::Enrolled {
        expected: "p1".into(),
    });
    runs[0].probe = stamp("a.jpg");
    runs[1].truth = Some(Truth::NotEnrolled);
    runs[1].probe = stamp("b.jpg");
    let (mut app, _) = app_with(runs.clone());
    press(&mut app, KeyCode::Char('5')); // in 1 Files, E evaluates the highlighted folder
    let fx = press(&mut app, KeyCode::Char('E'));
    // No request: the history file is read again (labels made elsewhere count).
    let seq = app.evaluate.as_ref().unwrap().seq;
    assert_eq!(fx, vec![Effect::ReadHistoryForEval { seq }]);
    assert_eq!(app.evaluate.as_ref().unwrap().phase, EvalPhase::Preparing);
    // Meanwhile `liveface history label 3 not-enrolled` ran in another shell.
    let mut in_file = runs;
    in_file[2].truth = Some(Truth::NotEnrolled);
    in_file[2].probe = stamp("c.jpg");
    app.update(Action::HistoryForEval {
        seq,
        result: Ok(in_file),
    });
    assert_eq!(app.runs[2].truth, Some(Truth::NotEnrolled), "taken in");
    let s = app.evaluate.as_ref().unwrap();
    assert_eq!(s.source, EvalSource::History);
    assert_eq!(s.phase, EvalPhase::Ready);
    let (fnir, fpir, _, _) = figures(&app);
    assert!(fnir.starts_with("0 / 1"), "{fnir}");
    assert!(
        fpir.starts_with("0 / 2"),
        "0.70 is below the form's 0.75: {fpir}"
    );
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    let (_, fpir, _, _) = figures(&app);
    assert!(fpir.starts_with("1 / 2"), "at 0.70: {fpir}");
    // Nothing labelled: plain words, not an empty chart.
    let (mut app, _) = app_with(vec![run(1, 0.6, &[])]);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('E'));
    let seq = app.evaluate.as_ref().unwrap().seq;
    let runs = app.runs.clone();
    app.update(Action::HistoryForEval {
        seq,
        result: Ok(runs),
    });
    assert!(matches!(
        app.evaluate.as_ref().unwrap().phase,
        EvalPhase::Failed(ref e) if e.contains("no labelled runs")
    ));
    assert!(render(&app, 80, 24).contains("no labelled runs"));
}

#[test]
fn evaluate_screen_snapshots() {
    let mut app = evaluated_app();
    for _ in 0..5 {
        press(&mut app, KeyCode::Right);
    }
    snap("evaluate_ready", &app);
    let mut app = app_with(Vec::new()).0;
    let seq = start_set(&mut app);
    app.update(Action::EvalPrepared {
        seq,
        result: Ok(ready_of(24)),
    });
    app.update(Action::EvalProgress {
        seq,
        done: 9,
        total: 24,
    });
    snap("evaluate_running", &app);
}

// ---- a set end to end: the app and the runner against a scripted server ------------

use crate::tui_support::server::{self, Counters};

/// A labelled set on disk: `Ana Gómez/` (a unique name: p1) with two photos, `p2/` with
/// one, `_not_enrolled/` with two and an unreadable file, `_attacks/` with one.
fn write_set(root: &Path) -> PathBuf {
    let set = root.join("set");
    let photo = |p: PathBuf, seed: u8| {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        image::RgbImage::from_fn(64, 64, |x, y| {
            image::Rgb([(x as u8).wrapping_mul(seed), (y * 3) as u8, seed])
        })
        .save(&p)
        .unwrap();
    };
    photo(set.join("Ana Gómez/a1.jpg"), 1);
    photo(set.join("Ana Gómez/a2.jpg"), 2);
    photo(set.join("p2/b1.jpg"), 3);
    photo(set.join("_not_enrolled/s1.jpg"), 4);
    photo(set.join("_not_enrolled/s2.jpg"), 5);
    photo(set.join("_attacks/x1.jpg"), 6);
    std::fs::write(set.join("_not_enrolled/broken.jpg"), b"not a jpeg").unwrap();
    set
}

/// The app in `root`, its browser showing `set`, and a runner on `base`.
fn app_and_runner(
    root: &Path,
    base: &str,
) -> (App, Runner, mpsc::UnboundedReceiver<Action>, HistoryStore) {
    let mut i = init(Vec::new());
    i.start_dir = root.to_path_buf();
    let (mut app, _) = App::new(i, None);
    let seq = app.browser.seq;
    app.update(Action::DirLoaded {
        seq,
        dir: root.to_path_buf(),
        result: Ok(vec![entry("set", EntryKind::Dir, 4096)]),
    });
    press(&mut app, KeyCode::Char('1'));
    let client = Client::new(ClientConfig::new(base, None)).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let store = HistoryStore::new(root.join("history.jsonl"));
    let runner =
        Runner::new(client, tx, 1600, store.clone()).with_eval_dir(root.join("eval-journals"));
    (app, runner, rx, store)
}

/// Hands the evaluation effects to the runner and its answers to the app until the
/// evaluation is done (or failed before running); `on_action` sees each answer first.
async fn drive(
    app: &mut App,
    runner: &mut Runner,
    rx: &mut mpsc::UnboundedReceiver<Action>,
    mut fx: Vec<Effect>,
    mut on_action: impl FnMut(&mut App, &Action) -> Vec<Effect>,
) {
    loop {
        for e in fx.drain(..) {
            if matches!(
                e,
                Effect::PrepareEval { .. } | Effect::RunEval { .. } | Effect::StopEval { .. }
            ) {
                runner.run(e);
            }
        }
        let action = next(rx).await;
        fx = on_action(app, &action);
        let last = matches!(
            action,
            Action::EvalDone { .. } | Action::EvalPrepared { result: Err(_), .. }
        );
        fx.extend(app.update(action));
        if last {
            for e in fx.drain(..) {
                runner.run(e);
            }
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_is_searched_once_per_probe_and_a_rerun_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path());
    let counters = Counters::default();
    let base = server::start(counters.clone()).await;
    let (mut app, mut runner, mut rx, store) = app_and_runner(dir.path(), &base);
    let fx = press(&mut app, KeyCode::Char('E'));
    let mut progress = 0;
    drive(&mut app, &mut runner, &mut rx, fx, |_, a| {
        if matches!(a, Action::EvalProgress { .. }) {
            progress += 1;
        }
        Vec::new()
    })
    .await;
    assert_eq!(
        counters.searches(),
        6,
        "each readable probe once, the broken one never"
    );
    assert_eq!(progress, 6);
    let s = app.evaluate.as_ref().unwrap();
    assert_eq!(s.phase, EvalPhase::Ready);
    let e = s.evaluation.as_ref().unwrap();
    let c = e.counts();
    assert_eq!((c.mated, c.nonmated, c.attack, c.skipped), (3, 2, 1, 1));
    assert_eq!(e.requests_sent, 6);
    // The scripted server answers p1 0.97, p2 0.88, p3 0.79, p4 0.66, liveness 0.93 to
    // every probe: Ana's photos are hits, p2's is topped by p1, both strangers match p1,
    // the attack passes liveness. At the form's 0.75 / 0.65:
    let (fnir, fpir, apcer, bpcer) = figures(&app);
    assert!(fnir.starts_with("1 / 3 = 33.3 %"), "{fnir}");
    assert!(fpir.starts_with("2 / 2 = 100.0 %"), "{fpir}");
    assert!(apcer.starts_with("1 / 1 = 100.0 %"), "{apcer}");
    assert!(bpcer.starts_with("0 / 5 (≤ "), "{bpcer}");
    // The evaluation never lands in the history, run by run or at all.
    assert!(store.load().map(|l| l.runs.is_empty()).unwrap_or(true));
    assert!(app.runs.is_empty());

    // Again: every probe resumed from the journal, no request.
    press(&mut app, KeyCode::Esc);
    let fx = press(&mut app, KeyCode::Char('E'));
    drive(&mut app, &mut runner, &mut rx, fx, |_, _| Vec::new()).await;
    assert_eq!(counters.searches(), 6, "a rerun sends nothing");
    let s = app.evaluate.as_ref().unwrap();
    assert_eq!(s.evaluation.as_ref().unwrap().counts().resumed, 6);
    assert!(
        s.notes.iter().any(|n| n.contains("6 of 7 probes resumed")),
        "{:?}",
        s.notes
    );
    let (fnir, ..) = figures(&app);
    assert!(fnir.starts_with("1 / 3"), "{fnir}");
    // The status bar's "saved" counts the six searches the journal answered.
    assert_eq!(app.requests_saved(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_stops_the_searches_and_the_next_run_sends_only_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path());
    let counters = Counters::default();
    counters
        .delay_ms
        .store(400, std::sync::atomic::Ordering::SeqCst);
    let base = server::start(counters.clone()).await;
    let (mut app, mut runner, mut rx, _) = app_and_runner(dir.path(), &base);
    let fx = press(&mut app, KeyCode::Char('E'));
    // Prepare, then run; Esc once the four searches in flight have reached the server
    // (the fifth starts only when one of them ends).
    for e in fx {
        runner.run(e);
    }
    let prepared = next(&mut rx).await;
    for e in app.update(prepared) {
        runner.run(e);
    }
    let c = counters.clone();
    crate::common::wait_until_async("4 searches in flight", Duration::from_secs(20), || {
        c.searches() == 4
    })
    .await;
    let fx = press(&mut app, KeyCode::Esc);
    assert!(matches!(fx.as_slice(), [Effect::StopEval { .. }]));
    drive(&mut app, &mut runner, &mut rx, fx, |_, _| Vec::new()).await;
    let s = app.evaluate.as_ref().unwrap();
    let e = s.evaluation.as_ref().unwrap();
    assert!(!e.complete);
    assert_eq!(e.requests_sent, 4);
    assert_eq!(counters.searches(), 4, "no search starts after Esc");
    assert_eq!(e.counts().not_run, 2);
    assert!(
        s.notes.iter().any(|n| n.contains("stopped")),
        "{:?}",
        s.notes
    );
    // What was done is kept: the next run sends the other two only.
    counters
        .delay_ms
        .store(0, std::sync::atomic::Ordering::SeqCst);
    press(&mut app, KeyCode::Esc);
    let fx = press(&mut app, KeyCode::Char('E'));
    drive(&mut app, &mut runner, &mut rx, fx, |_, _| Vec::new()).await;
    assert_eq!(
        counters.searches(),
        6,
        "each probe sent once over both runs"
    );
    assert!(
        app.evaluate
            .as_ref()
            .unwrap()
            .evaluation
            .as_ref()
            .unwrap()
            .complete
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_name_stops_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let set = write_set(dir.path());
    std::fs::rename(set.join("p2"), set.join("Nobody Known")).unwrap();
    let counters = Counters::default();
    let base = server::start(counters.clone()).await;
    let (mut app, mut runner, mut rx, _) = app_and_runner(dir.path(), &base);
    let fx = press(&mut app, KeyCode::Char('E'));
    drive(&mut app, &mut runner, &mut rx, fx, |_, _| Vec::new()).await;
    let EvalPhase::Failed(why) = &app.evaluate.as_ref().unwrap().phase else {
        panic!("{:?}", app.evaluate.as_ref().unwrap().phase)
    };
    assert!(why.contains("Nobody Known"), "{why}");
    assert_eq!(counters.searches(), 0);
    assert!(render(&app, 80, 24).contains("cannot be resolved"));
}
