//! `App::update`, action by action: pure state changes and the effects they ask for.

use crate::tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use liveface::api::model::{
    Collection, CollectionInput, FaceBox, Os, Page, Pagination, Person, PersonQuery, SearchMode,
};
use liveface::api::ApiError;
use liveface::config::Refilter;
use liveface::face_region::FaceRegion;
use liveface::history::RunOutcome;
use liveface::tui::action::{Action, Pane};
use liveface::tui::app::{App, Loading, Popup, ProbeState, ResultsView};
use liveface::tui::effect::Effect;
use liveface::tui::fsview::EntryKind;
use tui_support::*;

fn has_search(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::Search { .. }))
}

#[test]
fn start_loads_directory_and_collections() {
    let (_, fx) = app_with(Vec::new());
    assert!(matches!(&fx[0], Effect::ReadDir { seq: 1, dir } if dir.to_str() == Some(DIR)));
    assert_eq!(fx[1], Effect::LoadCollections);
    let (app, fx) = liveface::tui::app::App::new(init(Vec::new()), Some("/x/p.jpg".into()));
    assert!(
        matches!(&fx[2], Effect::PrepareProbe { path, .. } if path.to_str() == Some("/x/p.jpg"))
    );
    assert_eq!(app.probe, ProbeState::Loading("/x/p.jpg".into()));
}

#[test]
fn dir_listing_hides_dotfiles_and_ignores_stale_answers() {
    let mut app = app();
    app.update(Action::DirLoaded {
        seq: 99,
        dir: "/elsewhere".into(),
        result: Ok(entries()),
    });
    assert!(app.browser.entries.is_empty(), "stale listing applied");
    load_dir(&mut app);
    assert!(!app.browser.loading);
    let names: Vec<_> = app
        .browser
        .visible
        .iter()
        .map(|i| app.browser.entries[*i].name.as_str())
        .collect();
    assert_eq!(
        names,
        ["gallery", "alice.jpg", "bob.png", "dangling", "notes.txt"]
    );
    press(&mut app, KeyCode::Char('.'));
    assert_eq!(app.browser.visible.len(), 6);
}

#[test]
fn unreadable_directory_keeps_the_listing_and_says_why() {
    let mut app = app();
    load_dir(&mut app);
    let fx = press(&mut app, KeyCode::Enter); // on "gallery"
    let Some(Effect::ReadDir { seq, dir }) = fx.into_iter().next() else {
        panic!()
    };
    assert!(dir.ends_with("gallery"));
    app.update(Action::DirLoaded {
        seq,
        dir,
        result: Err("cannot open /data/probes/gallery: permission denied".into()),
    });
    assert_eq!(app.browser.dir.to_str(), Some(DIR));
    assert_eq!(app.browser.entries.len(), 6);
    assert!(app
        .browser
        .message
        .as_deref()
        .unwrap()
        .contains("permission denied"));
}

#[test]
fn enter_picks_images_and_explains_other_files() {
    let mut app = app();
    load_dir(&mut app);
    let pick = |app: &mut liveface::tui::app::App, name: &str| {
        press(app, KeyCode::Home);
        while app.browser.current().unwrap().name != name {
            press(app, KeyCode::Down);
        }
        press(app, KeyCode::Enter)
    };
    assert!(pick(&mut app, "notes.txt").is_empty());
    assert!(app
        .browser
        .message
        .as_deref()
        .unwrap()
        .contains("not an image"));
    assert!(pick(&mut app, "dangling").is_empty());
    assert!(app
        .browser
        .message
        .as_deref()
        .unwrap()
        .contains("broken symlink"));
    let fx = pick(&mut app, "bob.png");
    assert!(matches!(&fx[0], Effect::PrepareProbe { path, .. } if path.ends_with("bob.png")));
    // A stale probe answer is ignored, a current one applied, a failure explained.
    app.update(Action::ProbeReady {
        seq: 0,
        path: "/old.jpg".into(),
        result: Ok(probe("old.jpg")),
    });
    assert!(matches!(app.probe, ProbeState::Loading(_)));
    let Effect::PrepareProbe { seq, path } = fx[0].clone() else {
        panic!()
    };
    app.update(Action::ProbeReady {
        seq,
        path,
        result: Err("bob.png: not a supported image".into()),
    });
    assert!(matches!(&app.probe, ProbeState::Failed(_, e) if e.contains("not a supported")));
}

#[test]
fn parent_directory_reselects_where_we_came_from() {
    let mut app = app();
    app.browser.dir = "/data/probes/gallery".into();
    let fx = press(&mut app, KeyCode::Backspace);
    let Some(Effect::ReadDir { seq, dir }) = fx.into_iter().next() else {
        panic!()
    };
    assert_eq!(dir.to_str(), Some("/data/probes"));
    app.update(Action::DirLoaded {
        seq,
        dir,
        result: Ok(entries()),
    });
    assert_eq!(app.browser.current().unwrap().name, "gallery");
    assert!(
        !press(&mut app, KeyCode::Char('h')).is_empty(),
        "h goes up too"
    );
}

#[test]
fn filter_takes_keys_until_esc() {
    let mut app = app();
    load_dir(&mut app);
    press(&mut app, KeyCode::Char('/'));
    assert!(app.in_text_input());
    type_text(&mut app, "B3");
    // "3" went into the filter, not to pane 3.
    assert_eq!(app.focus, Pane::Browser);
    assert_eq!(app.browser.filter.value(), "B3");
    assert!(app.browser.visible.is_empty());
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.browser.visible.len(), 1);
    press(&mut app, KeyCode::Esc);
    assert!(!app.in_text_input());
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(app.focus, Pane::Collections);
}

#[test]
fn focus_moves_with_tab_and_numbers() {
    let mut app = app();
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Form);
    key_mod(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    key_mod(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(app.focus, Pane::History);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.focus, Pane::Results);
}

#[test]
fn form_cycles_enums_and_validates_thresholds() {
    let mut app = app();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Right);
    assert_eq!(app.form.os, Os::ALL[0], "DESKTOP → ANDROID (wraps)");
    press(&mut app, KeyCode::Left);
    assert_eq!(app.form.os, Os::Desktop);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.form.mode, SearchMode::Accurate);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter); // edit min_score
    assert!(app.form.editing);
    for _ in 0..5 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "0.4");
    assert!(app.form.min_score_error().is_some());
    press(&mut app, KeyCode::Enter);
    ready_probe(&mut app);
    let fx = press(&mut app, KeyCode::F(5));
    assert!(!has_search(&fx), "invalid threshold must block the search");
    assert!(matches!(&app.results, ResultsView::Message(m) if m.contains("min_score")));
}

#[test]
fn search_without_probe_explains() {
    let mut app = app();
    let fx = press(&mut app, KeyCode::F(5));
    assert!(fx.is_empty());
    assert!(matches!(&app.results, ResultsView::Message(m) if m.contains("pick a probe")));
}

#[test]
fn collections_load_fail_retry_and_choose() {
    let mut app = app();
    assert_eq!(app.collections.load, Loading::Loading);
    app.update(Action::CollectionsLoaded(Err(
        "cannot reach 127.0.0.1".into()
    )));
    assert!(matches!(app.collections.load, Loading::Failed(_)));
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(
        press(&mut app, KeyCode::Char('r')),
        vec![Effect::LoadCollections]
    );
    let col = |id: &str, name: &str, code: Option<&str>| Collection {
        id: id.into(),
        name: name.into(),
        code: code.map(str::to_owned),
        ..Collection::default()
    };
    app.update(Action::CollectionsLoaded(Ok(vec![
        col("c1", "Staff", Some("uuid-staff")),
        col("c2", "Visitors", None),
    ])));
    assert_eq!(app.collections.visible().len(), 3);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "vis");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.collections.visible().len(), 2);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.form.collection.value(), "c2");
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.form.collection.value(), "", "all collections");
    assert_eq!(app.form.params().unwrap().collection_id, None);
}

#[test]
fn search_records_a_run_and_fetches_missing_names() {
    let mut app = app();
    ready_probe(&mut app);
    let fx = press(&mut app, KeyCode::F(5));
    assert!(has_search(&fx));
    assert!(app.in_flight.is_some());
    let again = key_mod(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(again.is_empty(), "one search at a time");
    let Effect::Search { id, params, .. } = fx[0].clone() else {
        panic!()
    };
    assert_eq!(params.min_score, 0.75);
    app.update(Action::SearchDone {
        id: id + 7,
        elapsed_ms: 1,
        result: Ok(outcome(0.9, &[])),
    });
    assert!(app.in_flight.is_some(), "unknown id ignored");
    let fx = app.update(Action::SearchDone {
        id,
        elapsed_ms: 321,
        result: Ok(outcome(0.9, &[("p2", 0.8), ("p1", 0.97)])),
    });
    assert!(app.in_flight.is_none());
    let run = app.shown_run().unwrap();
    assert_eq!(
        (run.id, run.elapsed_ms, run.matches[0].id.as_str()),
        (1, 321, "p1")
    );
    assert!(matches!(&fx[0], Effect::SaveRun(r) if r.id == 1));
    assert_eq!(
        fx[1..].to_vec(),
        vec![
            Effect::FetchPerson { id: "p1".into() },
            Effect::FetchPerson { id: "p2".into() }
        ]
    );
    app.update(Action::PersonLoaded {
        id: "p1".into(),
        result: Ok(person("p1", "Ana Gómez")),
    });
    let m = &app.shown_run().unwrap().matches[0];
    assert_eq!(app.match_name(m), Some("Ana Gómez"));
    app.update(Action::PersonLoaded {
        id: "p2".into(),
        result: Err("not found".into()),
    });
    assert!(app.last_error.as_deref().unwrap().contains("p2"));
}

#[test]
fn esc_cancels_the_search_and_its_late_answer_is_dropped() {
    let mut app = app();
    ready_probe(&mut app);
    let fx = press(&mut app, KeyCode::F(5));
    let Effect::Search { id, .. } = fx[0].clone() else {
        panic!()
    };
    assert_eq!(
        press(&mut app, KeyCode::Esc),
        vec![Effect::CancelSearch { id }]
    );
    assert!(app.in_flight.is_none());
    let fx = app.update(Action::SearchDone {
        id,
        elapsed_ms: 5,
        result: Ok(outcome(0.9, &[("a", 0.9)])),
    });
    assert!(fx.is_empty());
    assert!(app.runs.is_empty());
    assert!(
        press(&mut app, KeyCode::Esc).is_empty(),
        "nothing to cancel"
    );
}

#[test]
fn liveness_failure_and_errors_become_runs() {
    let mut app = app();
    ready_probe(&mut app);
    search_and_reply(&mut app, 80, Err(liveness_failed(0.42)));
    assert_eq!(
        app.runs[0].outcome,
        RunOutcome::LivenessFailed { score: Some(0.42) }
    );
    search_and_reply(&mut app, 80, Err(token_expired()));
    let RunOutcome::Error { message } = &app.runs[1].outcome else {
        panic!()
    };
    assert!(
        message.contains("token expired") && message.contains("VERIFIK_TOKEN"),
        "{message}"
    );
    assert!(app.last_error.is_some());
}

#[test]
fn stricter_threshold_refilters_without_a_request() {
    let mut app = app();
    ready_probe(&mut app);
    search_and_answer(
        &mut app,
        outcome(0.9, &[("a", 0.95), ("b", 0.8), ("c", 0.76)]),
    );
    // Typed, and still editing: F5 works from inside the input.
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    for _ in 0..5 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "0.9");
    let fx = press(&mut app, KeyCode::F(5));
    assert!(!has_search(&fx), "no request for a stricter threshold");
    let run = app.shown_run().unwrap();
    assert_eq!(
        (run.id, run.refiltered_from, run.matches.len()),
        (2, Some(1), 1)
    );
    assert!(matches!(&fx[0], Effect::SaveRun(r) if r.refiltered_from == Some(1)));
    // Shift-F5 forces a real request.
    let fx = key_mod(&mut app, KeyCode::F(5), KeyModifiers::SHIFT);
    assert!(has_search(&fx));
    // Still editing min_score: the first Esc leaves the input, the second cancels.
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(matches!(
        press(&mut app, KeyCode::Esc).as_slice(),
        [Effect::CancelSearch { .. }]
    ));
    // A looser threshold needs a request.
    press(&mut app, KeyCode::Enter);
    for _ in 0..5 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "0.6");
    press(&mut app, KeyCode::Enter);
    assert!(has_search(&press(&mut app, KeyCode::F(5))));
}

#[test]
fn the_face_box_becomes_fractions_of_the_upload_and_follows_refiltered_runs() {
    let mut app = app();
    ready_probe(&mut app);
    // Downscaled for upload: the server's pixels are the upload's, not the file's.
    if let ProbeState::Ready(info) = &mut app.probe {
        info.original = (1280, 960);
        info.sent = (320, 240);
    }
    let mut out = outcome(0.9, &[("a", 0.95), ("b", 0.8)]);
    out.face = Some(FaceBox {
        x: 80.0,
        y: 24.0,
        width: 160.0,
        height: 192.0,
    });
    let fx = search_and_answer(&mut app, out);
    let want = FaceRegion {
        x: 0.25,
        y: 0.1,
        width: 0.5,
        height: 0.8,
    };
    assert_eq!(app.shown_run().unwrap().face, Some(want));
    assert!(matches!(&fx[0], Effect::SaveRun(r) if r.face == Some(want)));
    // A stricter threshold re-filters run 1 locally: same file, same face.
    set_min_score(&mut app, "0.9");
    let fx = press(&mut app, KeyCode::F(5));
    assert!(!has_search(&fx));
    let run = app.shown_run().unwrap();
    assert_eq!((run.refiltered_from, run.face), (Some(1), Some(want)));
    // A server without boxes (Verifik): no box, and the run is otherwise the same.
    let fx = key_mod(&mut app, KeyCode::F(5), KeyModifiers::SHIFT);
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::Search { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    app.update(Action::SearchDone {
        id,
        elapsed_ms: 240,
        result: Ok(outcome(0.9, &[("a", 0.95)])),
    });
    let run = app.shown_run().unwrap();
    assert_eq!(
        (run.refiltered_from, run.face, run.matches.len()),
        (None, None, 1)
    );
}

#[test]
fn history_enter_loads_and_r_reruns_as_is() {
    let mut stored = run(4, 0.8, &[("x", 0.9)]);
    stored.params.os = Os::Ios;
    let (mut app, _) = app_with(vec![run(3, 0.7, &[]), stored]);
    press(&mut app, KeyCode::Char('5'));
    assert_eq!(app.history_selected, 1);
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(app.form.os, Os::Ios);
    assert_eq!(app.form.min_score.value(), "0.8");
    assert_eq!(app.results, ResultsView::Run(4));
    assert!(matches!(&fx[0], Effect::PrepareProbe { path, .. } if path.ends_with("alice.jpg")));
    // R: prepare the probe, then search with the run's parameters.
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Right); // change os in the form
    press(&mut app, KeyCode::Char('5'));
    let fx = key_mod(&mut app, KeyCode::Char('R'), KeyModifiers::SHIFT);
    let Effect::PrepareProbe { seq, path } = fx[0].clone() else {
        panic!("{fx:?}")
    };
    let mut changed = probe("alice.jpg");
    changed.stamp.mtime_ms = Some(1); // the file changed: re-filtering is not allowed
    let fx = app.update(Action::ProbeReady {
        seq,
        path,
        result: Ok(changed),
    });
    let Some(Effect::Search { params, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!((params.os, params.min_score), (Os::Ios, 0.8));
}

#[test]
fn rerun_of_yesterdays_run_sends_a_request_unless_the_window_allows_it() {
    // Run 4 is from an earlier session, about 28 hours before the app's clock.
    let rerun = |refilter: Refilter| {
        let (mut app, _) = app_with(vec![run(4, 0.8, &[("x", 0.9)])]);
        app.refilter = refilter;
        press(&mut app, KeyCode::Char('5'));
        let fx = key_mod(&mut app, KeyCode::Char('R'), KeyModifiers::SHIFT);
        let Effect::PrepareProbe { seq, path } = fx[0].clone() else {
            panic!()
        };
        let fx = app.update(Action::ProbeReady {
            seq,
            path,
            result: Ok(probe("alice.jpg")),
        });
        (app, fx)
    };
    let (_, fx) = rerun(Refilter::Session);
    assert!(
        has_search(&fx),
        "yesterday's run never answers today's query"
    );
    let day = std::time::Duration::from_secs(24 * 3600);
    let (_, fx) = rerun(Refilter::MaxAge(day));
    assert!(has_search(&fx), "28 hours is older than the 24-hour window");
    let (app, fx) = rerun(Refilter::MaxAge(2 * day));
    assert!(!has_search(&fx));
    assert_eq!(app.shown_run().unwrap().refiltered_from, Some(4));
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("re-filtered from run #4 (27 h old)"),
        "{screen}"
    );
    let (_, fx) = rerun(Refilter::Never);
    assert!(has_search(&fx));
}

#[test]
fn a_run_from_another_back_end_never_answers_a_query() {
    let mut app = app();
    ready_probe(&mut app);
    search_and_answer(&mut app, outcome(0.9, &[("a", 0.95)]));
    assert_eq!(app.runs[0].backend_key.as_deref(), Some(BACKEND_KEY));
    // The same query against another back end (say, the cloud after the sandbox).
    app.backend_key = "https://api.verifik.co#0123456789ab".into();
    set_min_score(&mut app, "0.9");
    assert!(has_search(&press(&mut app, KeyCode::F(5))));
}

#[test]
fn a_retrying_search_shows_the_attempt_and_the_budget_left() {
    let mut app = app();
    ready_probe(&mut app);
    let fx = press(&mut app, KeyCode::F(5));
    let Some(Effect::Search { id, .. }) =
        fx.into_iter().find(|e| matches!(e, Effect::Search { .. }))
    else {
        panic!("no search")
    };
    app.update(Action::SearchRetrying {
        id,
        notice: liveface::api::client::RetryNotice {
            attempt: 2,
            max_attempts: 3,
            wait: std::time::Duration::from_secs(2),
            reason: "the server failed [503]".into(),
            budget_left: std::time::Duration::from_secs(25),
        },
    });
    let screen = render(&app, 120, 40);
    assert!(screen.contains("retry 2/3 · 27s left"), "{screen}");
    assert!(
        screen.contains("retrying (attempt 2 of 3) in 2.0 s"),
        "{screen}"
    );
}

#[test]
fn liveness_at_the_threshold_is_never_a_pass() {
    let mut app = app();
    ready_probe(&mut app);
    // The form's liveness_min_score is 0.65; the server answered with 0.65 anyway.
    search_and_answer(&mut app, outcome(0.65, &[("a", 0.95)]));
    let screen = render(&app, 120, 40);
    assert!(!screen.contains("pass"), "{screen}");
    assert!(screen.contains("liveness 0.650 not above 0.65"), "{screen}");
}

#[test]
fn mark_twice_opens_compare_and_s_opens_sweep() {
    let (mut app, _) = app_with(vec![
        run(1, 0.7, &[("a", 0.9)]),
        run(2, 0.8, &[("a", 0.85)]),
    ]);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.marked, Some(2));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(
        app.popup,
        Some(Popup::Compare {
            a: 2,
            b: 1,
            scroll: 0
        })
    );
    assert_eq!(app.marked, None);
    press(&mut app, KeyCode::Down);
    assert_eq!(
        app.popup,
        Some(Popup::Compare {
            a: 2,
            b: 1,
            scroll: 0
        }),
        "one row fits: nothing to scroll"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.popup, Some(Popup::Sweep { run: 1 }));
}

#[test]
fn results_enter_opens_the_record_and_fetches_it_when_missing() {
    let mut app = app();
    ready_probe(&mut app);
    search_and_answer(&mut app, outcome(0.9, &[("p1", 0.97)]));
    press(&mut app, KeyCode::Char('4'));
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::FetchPerson { id: "p1".into() }]);
    assert!(matches!(&app.popup, Some(Popup::Detail { person_id, .. }) if person_id == "p1"));
}

#[test]
fn quit_asks_while_searching_and_ctrl_c_always_quits() {
    let mut app = app();
    assert_eq!(press(&mut app, KeyCode::Char('q')), vec![Effect::Quit]);
    let mut app = app_with(Vec::new()).0;
    ready_probe(&mut app);
    press(&mut app, KeyCode::F(5));
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(app.popup, Some(Popup::ConfirmQuit));
    press(&mut app, KeyCode::Char('n'));
    assert!(app.popup.is_none() && !app.quit);
    press(&mut app, KeyCode::Char('q'));
    let fx = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::CancelSearch { .. }, Effect::Quit]
    ));
    // Ctrl-c from inside a text input.
    let mut app = app_with(Vec::new()).0;
    load_dir(&mut app);
    press(&mut app, KeyCode::Char('/'));
    let fx = key_mod(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(fx, vec![Effect::Quit]);
    let mut app = app_with(Vec::new()).0;
    assert_eq!(app.update(Action::Terminate), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn help_and_theme_keys() {
    let mut app = app();
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.popup, Some(Popup::Help { scroll: 0 }));
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.popup, None);
    press(&mut app, KeyCode::F(1));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
    let before = app.theme.name.clone();
    key_mod(&mut app, KeyCode::Char('T'), KeyModifiers::SHIFT);
    assert_eq!(
        (before.as_str(), app.theme.name.as_str()),
        ("default", "light")
    );
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('T'));
    }
    assert_eq!(app.theme.name, "default", "cycles round");
}

#[test]
fn ticks_animate_only_and_warnings_show() {
    let mut app = app();
    load_dir(&mut app);
    let listed = app.browser.entries.clone();
    let s = app.spinner;
    assert!(app.update(Action::Tick).is_empty());
    assert_eq!(app.spinner, s + 1);
    assert!(app
        .update(Action::Resize {
            width: 100,
            height: 30
        })
        .is_empty());
    app.update(Action::Warning("run #3 not saved".into()));
    assert_eq!(app.last_error.as_deref(), Some("run #3 not saved"));
    // A line in the log file (a background panic, a sandbox error): one line in the bar.
    app.update(Action::Logged {
        lines: 1,
        path: "/data/liveface/liveface.log".into(),
    });
    let bar = app.last_error.clone().unwrap();
    assert!(
        bar.contains("logged to /data/liveface/liveface.log"),
        "{bar}"
    );
    // Nothing else changed: the listing is as loaded, its broken link still marked. (This
    // once asserted "no entry is a broken link" over a browser never loaded: an empty list,
    // so it passed whatever happened.)
    assert!(
        listed.iter().any(|e| e.kind == EntryKind::BrokenLink),
        "the fixture listing has a broken link: {listed:?}"
    );
    assert_eq!(app.browser.entries, listed);
}

#[test]
fn readme_key_table_is_the_keymap() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = liveface::tui::keymap::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's key table is out of date; put this after <!-- KEYS -->:\n{table}"
    );
}

#[test]
fn p_in_the_form_previews_the_probe() {
    let mut app = app();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('p'));
    assert!(app.popup.is_none());
    assert!(app.notice.as_deref().unwrap().contains("pick a probe"));
    ready_probe(&mut app);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.popup, Some(Popup::Preview));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
}

// ---- persons list (P) ----------------------------------------------------------

fn persons_page(names: &[(&str, &str)], page: u64, pages: Option<u64>) -> Page<Person> {
    Page {
        items: names.iter().map(|(id, n)| person(id, n)).collect(),
        pagination: pages.map(|pages| Pagination {
            page,
            limit: 20,
            total: Some(pages * 20 - 7),
            pages: Some(pages),
        }),
    }
}

fn list_seq(fx: &[Effect]) -> (u64, PersonQuery) {
    match fx {
        [Effect::ListPersons { seq, query }] => (*seq, query.clone()),
        other => panic!("expected one ListPersons, got {other:?}"),
    }
}

/// Opens the list with `P` and answers with page 1 of 3.
fn open_persons(app: &mut App) {
    let fx = press(app, KeyCode::Char('P'));
    let (seq, _) = list_seq(&fx);
    app.update(Action::PersonsLoaded {
        seq,
        result: Ok(persons_page(
            &[
                ("p1", "Ana Gómez"),
                ("p2", "Luis Pérez"),
                ("p3", "Ana Ruiz"),
            ],
            1,
            Some(3),
        )),
    });
}

#[test]
fn capital_p_opens_the_persons_list_for_the_chosen_collection() {
    let mut app = app();
    app.focus = Pane::Collections;
    app.update(Action::CollectionsLoaded(Ok(vec![Collection {
        id: "c1".into(),
        name: "Staff".into(),
        ..Collection::default()
    }])));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let fx = press(&mut app, KeyCode::Char('P'));
    assert_eq!(app.popup, Some(Popup::Persons));
    let (_, q) = list_seq(&fx);
    assert_eq!(
        q,
        PersonQuery {
            page: 1,
            limit: 20,
            collection: Some("c1".into()),
            status: None
        }
    );
    assert!(app.person_list.loading);
    assert!(app.is_busy(), "spinner while loading");
    // Reopening for another collection starts over on its first page.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter); // all collections
    let (_, q) = list_seq(&press(&mut app, KeyCode::Char('P')));
    assert_eq!((q.page, q.collection), (1, None));
}

#[test]
fn persons_load_pages_and_drop_stale_answers() {
    let mut app = app();
    open_persons(&mut app);
    let l = &app.person_list;
    assert!(!l.loading);
    assert_eq!(l.items.len(), 3);
    assert_eq!(l.page_label(), "page 1 of 3 · 53 persons");
    // p on the first page asks nothing.
    assert!(press(&mut app, KeyCode::Char('p')).is_empty());
    // n twice without waiting: the first answer is stale and dropped.
    let (s2, q2) = list_seq(&press(&mut app, KeyCode::Char('n')));
    assert_eq!(q2.page, 2);
    let (s3, q3) = list_seq(&press(&mut app, KeyCode::Char('n')));
    assert_eq!(q3.page, 3);
    // Typing into the filter works while a page loads.
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "x");
    assert_eq!(app.person_list.filter.value(), "x");
    press(&mut app, KeyCode::Esc);
    app.update(Action::PersonsLoaded {
        seq: s2,
        result: Ok(persons_page(&[("p21", "Stale")], 2, Some(3))),
    });
    assert!(app.person_list.loading, "stale answer applied");
    app.update(Action::PersonsLoaded {
        seq: s3,
        result: Ok(persons_page(&[("p41", "Xavi Last")], 3, Some(3))),
    });
    assert_eq!(app.person_list.page, 3);
    assert_eq!(app.person_list.items[0].id, "p41");
    // Last page: n asks nothing; p goes back.
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(list_seq(&press(&mut app, KeyCode::Char('p'))).1.page, 2);
}

#[test]
fn persons_without_pagination_page_while_pages_are_full() {
    let mut app = app();
    let (seq, _) = list_seq(&press(&mut app, KeyCode::Char('P')));
    app.update(Action::PersonsLoaded {
        seq,
        result: Ok(persons_page(&[("p1", "Ana Gómez")], 1, None)),
    });
    assert_eq!(app.person_list.page_label(), "page 1");
    assert!(
        press(&mut app, KeyCode::Char('n')).is_empty(),
        "short page is the last"
    );
}

#[test]
fn persons_error_is_plain_words_and_r_retries() {
    let mut app = app();
    let (seq, _) = list_seq(&press(&mut app, KeyCode::Char('P')));
    let err = ApiError::Status {
        status: 500,
        code: None,
        message: Some("database down".into()),
        data: None,
    };
    let words = err.to_string();
    app.update(Action::PersonsLoaded {
        seq,
        result: Err(err),
    });
    assert!(!app.person_list.loading);
    assert_eq!(app.person_list.error.as_deref(), Some(words.as_str()));
    assert!(words.contains("database down"), "{words}");
    let (_, q) = list_seq(&press(&mut app, KeyCode::Char('r')));
    assert_eq!(q.page, 1);
    assert!(app.person_list.error.is_none());
}

#[test]
fn persons_filter_by_name_and_enter_opens_the_record() {
    let mut app = app();
    open_persons(&mut app);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "ana");
    assert_eq!(app.person_list.visible(), [0, 2]);
    press(&mut app, KeyCode::Enter); // leaves the filter
    press(&mut app, KeyCode::Down);
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "record is known"
    );
    assert_eq!(
        app.popup,
        Some(Popup::Detail {
            person_id: "p3".into(),
            scroll: 0
        })
    );
    assert_eq!(app.persons["p3"].name.as_deref(), Some("Ana Ruiz"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, Some(Popup::Persons), "back to the list");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
}

#[test]
fn delete_asks_then_removes_the_row_without_reload() {
    let mut app = app();
    open_persons(&mut app);
    press(&mut app, KeyCode::Down); // Luis Pérez
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    assert_eq!(
        app.popup,
        Some(Popup::ConfirmDelete {
            id: "p2".into(),
            name: "Luis Pérez".into(),
            collection: None,
        })
    );
    // n keeps it.
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.popup, Some(Popup::Persons));
    press(&mut app, KeyCode::Char('d'));
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        fx,
        [Effect::DeletePerson {
            id: "p2".into(),
            collection: None
        }]
    );
    assert_eq!(app.popup, Some(Popup::Persons));
    app.update(Action::PersonDeleted {
        id: "p2".into(),
        collection: None,
        result: Ok(()),
    });
    let ids: Vec<_> = app
        .person_list
        .items
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids, ["p1", "p3"]);
    assert_eq!(app.person_list.page_label(), "page 1 of 3 · 52 persons");
    assert_eq!(app.notice.as_deref(), Some("deleted Luis Pérez"));
}

#[test]
fn failed_delete_keeps_the_row_and_says_why() {
    let mut app = app();
    open_persons(&mut app);
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Char('y'));
    let err = ApiError::Status {
        status: 404,
        code: None,
        message: Some("person not found".into()),
        data: None,
    };
    let words = err.to_string();
    app.update(Action::PersonDeleted {
        id: "p1".into(),
        collection: None,
        result: Err(err),
    });
    assert_eq!(app.person_list.items.len(), 3);
    let shown = app.person_list.error.clone().unwrap();
    assert!(shown.contains(&words), "{shown}");
    assert!(app.person_list.deleting.is_empty());
}

#[test]
fn alt_key_is_esc_then_key() {
    let mut app = app();
    load_dir(&mut app);
    press(&mut app, KeyCode::Char('/'));
    // Esc then 3, typed fast: leaves the filter, then jumps to pane 3.
    key_mod(&mut app, KeyCode::Char('3'), KeyModifiers::ALT);
    assert!(!app.in_text_input());
    assert_eq!(app.focus, Pane::Collections);
    assert_eq!(app.browser.filter.value(), "");
}

// ---- collections (pane 3: a / e / d) ----------------------------------------------

fn staff() -> Collection {
    Collection {
        id: "c1".into(),
        name: "Staff".into(),
        description: Some("Front desk".into()),
        code: Some("uuid-staff".into()),
        ..Collection::default()
    }
}

fn visitors() -> Collection {
    Collection {
        id: "c2".into(),
        name: "Visitors".into(),
        ..Collection::default()
    }
}

/// Pane 3 focused with Staff and Visitors loaded; the cursor on "all collections".
fn collections_app() -> App {
    let mut app = app();
    app.update(Action::CollectionsLoaded(Ok(vec![staff(), visitors()])));
    press(&mut app, KeyCode::Char('3'));
    app
}

fn editor_error(app: &App) -> Option<String> {
    app.editor.as_ref().and_then(|e| e.error.clone())
}

fn field_error(app: &App, label: &str) -> Option<String> {
    let e = app.editor.as_ref().expect("a form is open");
    e.form.field(label).and_then(|f| f.error.clone())
}

fn save(app: &mut App) -> Vec<Effect> {
    press(app, KeyCode::F(2))
}

#[test]
fn a_opens_an_empty_form_and_an_empty_name_sends_nothing() {
    let mut app = collections_app();
    assert!(press(&mut app, KeyCode::Char('a')).is_empty());
    assert_eq!(app.popup, Some(Popup::Editor));
    assert_eq!(app.editor.as_ref().unwrap().title(), "New collection");
    assert!(save(&mut app).is_empty(), "nothing is sent without a name");
    assert_eq!(field_error(&app, "Name").as_deref(), Some("required"));
    assert_eq!(editor_error(&app).as_deref(), Some("fix the marked fields"));
    assert!(!app.editor.as_ref().unwrap().saving);
    // A name another collection has (in any case) is refused too.
    retype(&mut app, "  staff ");
    assert!(save(&mut app).is_empty());
    assert_eq!(
        field_error(&app, "Name").as_deref(),
        Some("another collection is already called Staff")
    );

    retype(&mut app, "Guests");
    press(&mut app, KeyCode::Down);
    retype(&mut app, "Weekend visitors");
    let fx = save(&mut app);
    assert_eq!(
        fx,
        [Effect::CreateCollection {
            input: CollectionInput {
                name: "Guests".into(),
                description: Some("Weekend visitors".into()),
            }
        }]
    );
    assert!(app.editor.as_ref().unwrap().saving);
    assert_eq!(field_error(&app, "Name"), None);
    assert!(save(&mut app).is_empty(), "one request at a time");
    // Ctrl-s from inside a text field saves as well; without a description none is sent.
    let mut app = collections_app();
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "Guests");
    let fx = key_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(
        fx,
        [Effect::CreateCollection {
            input: CollectionInput {
                name: "Guests".into(),
                description: None,
            }
        }]
    );
}

#[test]
fn a_created_collection_closes_the_form_reloads_and_is_selected() {
    let mut app = collections_app();
    press(&mut app, KeyCode::Char('a'));
    retype(&mut app, "Guests");
    save(&mut app);
    let guests = Collection {
        id: "c3".into(),
        name: "Guests".into(),
        ..Collection::default()
    };
    let fx = app.update(Action::CollectionCreated(Ok(guests.clone())));
    assert_eq!(fx, [Effect::LoadCollections]);
    assert_eq!(app.collections.load, Loading::Loading);
    assert_eq!((app.popup.clone(), app.editor.is_none()), (None, true));
    assert_eq!(app.notice.as_deref(), Some("created collection Guests"));
    app.update(Action::CollectionsLoaded(Ok(vec![
        staff(),
        visitors(),
        guests,
    ])));
    assert_eq!(app.collections.selected, 3, "the cursor is on Guests");
    assert_eq!(
        app.form.collection.value(),
        "",
        "the search form keeps its choice"
    );
}

#[test]
fn e_fills_the_form_and_sends_only_when_something_changed() {
    let mut app = collections_app();
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.popup, None, "the first row is all collections");
    assert!(app
        .notice
        .as_deref()
        .unwrap()
        .contains("move to a collection"));
    press(&mut app, KeyCode::Down); // Staff
    press(&mut app, KeyCode::Char('e'));
    let e = app.editor.as_ref().unwrap();
    assert_eq!(e.title(), "Edit collection Staff");
    assert_eq!(
        (e.form.text("Name"), e.form.text("Description")),
        ("Staff".to_string(), "Front desk".to_string())
    );
    assert!(save(&mut app).is_empty());
    assert_eq!(app.notice.as_deref(), Some("nothing changed"));
    assert_eq!(app.popup, Some(Popup::Editor), "the form stays open");

    // Emptying the description is refused before sending: the API cannot clear it.
    press(&mut app, KeyCode::Down);
    retype(&mut app, "");
    assert!(save(&mut app).is_empty());
    assert!(field_error(&app, "Description")
        .unwrap()
        .contains("cannot be emptied"));
    retype(&mut app, "Front desk");

    // A rename sends the name (always required) and no unchanged description.
    press(&mut app, KeyCode::Up);
    retype(&mut app, "Crew");
    assert_eq!(
        save(&mut app),
        [Effect::UpdateCollection {
            id: "c1".into(),
            input: CollectionInput {
                name: "Crew".into(),
                description: None,
            }
        }]
    );
    // Keeping its own name (changing only the description) is no clash with itself.
    let mut app = collections_app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Down);
    retype(&mut app, "Reception");
    assert_eq!(
        save(&mut app),
        [Effect::UpdateCollection {
            id: "c1".into(),
            input: CollectionInput {
                name: "Staff".into(),
                description: Some("Reception".into()),
            }
        }]
    );
}

#[test]
fn a_renamed_collection_stays_chosen_in_the_search_form() {
    let mut app = collections_app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.form.collection.value(), "uuid-staff");
    press(&mut app, KeyCode::Char('e'));
    retype(&mut app, "Crew");
    save(&mut app);
    let crew = Collection {
        name: "Crew".into(),
        ..staff()
    };
    let fx = app.update(Action::CollectionUpdated {
        id: "c1".into(),
        result: Ok(crew.clone()),
    });
    assert_eq!(fx, [Effect::LoadCollections]);
    assert!(app.editor.is_none(), "the form closed");
    assert_eq!(
        app.notice.as_deref(),
        Some("renamed Staff to Crew (still chosen in the search form)")
    );
    assert_eq!(app.form.collection.value(), "uuid-staff");
    app.update(Action::CollectionsLoaded(Ok(vec![visitors(), crew])));
    assert_eq!(app.collections.selected, 2, "the cursor follows Crew");
}

#[test]
fn save_errors_stay_in_the_form_with_what_was_typed() {
    let status = |status: u16, code: Option<&str>, message: &str| ApiError::Status {
        status,
        code: code.map(str::to_owned),
        message: Some(message.into()),
        data: None,
    };
    let errors = [
        status(401, Some("UNAUTHORIZED"), "Authentication required"),
        status(409, Some("MissingParameter"), "name is already taken"),
        status(500, Some("ERROR"), "internal_error"),
        ApiError::NotJson {
            host: "api.verifik.co".into(),
            status: 502,
            what: "an HTML page".into(),
        },
        ApiError::Timeout {
            host: "api.verifik.co".into(),
            after: std::time::Duration::from_secs(30),
        },
    ];
    for err in errors {
        let mut app = collections_app();
        press(&mut app, KeyCode::Char('a'));
        retype(&mut app, "Guests");
        save(&mut app);
        let words = liveface::tui::app::error_words(&err);
        let fx = app.update(Action::CollectionCreated(Err(err)));
        assert!(fx.is_empty(), "{fx:?}");
        assert_eq!(app.popup, Some(Popup::Editor));
        let e = app.editor.as_ref().unwrap();
        assert_eq!(e.error.as_deref(), Some(words.as_str()));
        assert!(!e.saving, "Save works again");
        assert_eq!(e.form.text("Name"), "Guests", "nothing typed is lost");
    }
    // The 409 words name the server's reason; 401 names the token.
    let mut app = collections_app();
    press(&mut app, KeyCode::Char('a'));
    retype(&mut app, "Guests");
    save(&mut app);
    app.update(Action::CollectionCreated(Err(status(
        409,
        Some("MissingParameter"),
        "name is already taken",
    ))));
    assert!(editor_error(&app)
        .unwrap()
        .contains("name is already taken"));

    // A 404 on a rename: the collection is gone, so the list reloads; the form stays.
    let mut app = collections_app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('e'));
    retype(&mut app, "Crew");
    save(&mut app);
    let fx = app.update(Action::CollectionUpdated {
        id: "c1".into(),
        result: Err(status(404, Some("ERROR"), "invalid_collection")),
    });
    assert_eq!(fx, [Effect::LoadCollections]);
    assert!(editor_error(&app).unwrap().contains("collection not found"));
    assert_eq!(app.editor.as_ref().unwrap().form.text("Name"), "Crew");

    // Closed while saving: the answer still shows, in the status bar.
    let mut app = collections_app();
    press(&mut app, KeyCode::Char('a'));
    retype(&mut app, "Guests");
    save(&mut app);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
    app.update(Action::CollectionCreated(Err(status(
        500,
        Some("ERROR"),
        "internal_error",
    ))));
    assert!(app
        .last_error
        .as_deref()
        .unwrap()
        .starts_with("collection not created: the server failed"));
}

#[test]
fn d_asks_and_n_keeps_the_collection() {
    let mut app = collections_app();
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(
        app.popup, None,
        "nothing to delete on the all-collections row"
    );
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down); // Visitors
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    assert_eq!(app.popup, Some(Popup::ConfirmDeleteCollection));
    assert_eq!(
        app.collections.delete.as_ref().unwrap().collection.name,
        "Visitors"
    );
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(
        (app.popup.clone(), app.collections.delete.clone()),
        (None, None)
    );
    press(&mut app, KeyCode::Char('d'));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.popup, None);
}

#[test]
fn deleting_the_chosen_collection_clears_the_form_and_the_persons_filter() {
    let mut app = collections_app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter); // Staff chosen in the search form
    app.person_list.collection = Some("uuid-staff".into());
    app.person_list.items = vec![person("p1", "Ana Gómez")];
    press(&mut app, KeyCode::Char('d'));
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(fx, [Effect::DeleteCollection { id: "c1".into() }]);
    assert!(app.collections.delete.as_ref().unwrap().sending);
    assert!(app.is_busy());
    assert!(press(&mut app, KeyCode::Char('y')).is_empty(), "sent once");
    let fx = app.update(Action::CollectionDeleted {
        id: "c1".into(),
        result: Ok(()),
    });
    assert_eq!(fx, [Effect::LoadCollections]);
    assert_eq!(app.popup, None);
    assert_eq!(app.collections.delete, None);
    assert_eq!(app.form.collection.value(), "", "the form searches all now");
    assert_eq!(app.form.params().unwrap().collection_id, None);
    assert_eq!(app.person_list.collection, None);
    assert!(app.person_list.items.is_empty(), "reloads when opened");
    assert_eq!(
        app.notice.as_deref(),
        Some(
            "deleted collection Staff; its persons stay enrolled · the search form now searches all collections · the persons list shows all collections"
        )
    );
    // Opening the persons list now asks for every collection.
    let (_, q) = list_seq(&press(&mut app, KeyCode::Char('P')));
    assert_eq!((q.page, q.collection), (1, None));
}

#[test]
fn deleting_another_collection_keeps_the_form_choice() {
    let mut app = collections_app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter); // Staff chosen
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('d')); // Visitors
    press(&mut app, KeyCode::Char('y'));
    app.update(Action::CollectionDeleted {
        id: "c2".into(),
        result: Ok(()),
    });
    assert_eq!(app.form.collection.value(), "uuid-staff");
    assert_eq!(
        app.notice.as_deref(),
        Some("deleted collection Visitors; its persons stay enrolled")
    );
}

#[test]
fn a_failed_delete_stays_in_the_question_and_y_tries_again() {
    let mut app = collections_app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Char('y'));
    let err = ApiError::Status {
        status: 500,
        code: Some("ERROR".into()),
        message: Some("internal_error".into()),
        data: None,
    };
    let words = liveface::tui::app::error_words(&err);
    let fx = app.update(Action::CollectionDeleted {
        id: "c1".into(),
        result: Err(err),
    });
    assert!(fx.is_empty());
    assert_eq!(app.popup, Some(Popup::ConfirmDeleteCollection));
    let d = app.collections.delete.clone().unwrap();
    assert_eq!((d.sending, d.error), (false, Some(words)));
    assert_eq!(
        press(&mut app, KeyCode::Char('y')),
        [Effect::DeleteCollection { id: "c1".into() }]
    );
    // 404: it is gone already; the list reloads so it disappears.
    let fx = app.update(Action::CollectionDeleted {
        id: "c1".into(),
        result: Err(ApiError::Status {
            status: 404,
            code: Some("ERROR".into()),
            message: Some("invalid_collection".into()),
            data: None,
        }),
    });
    assert_eq!(fx, [Effect::LoadCollections]);
    assert!(app
        .collections
        .delete
        .as_ref()
        .unwrap()
        .error
        .as_deref()
        .unwrap()
        .contains("collection not found"));
    // Closed with n while the request runs: the failure goes to the status bar.
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.popup, None);
    app.update(Action::CollectionDeleted {
        id: "c1".into(),
        result: Err(ApiError::Timeout {
            host: "api.verifik.co".into(),
            after: std::time::Duration::from_secs(30),
        }),
    });
    assert!(app
        .last_error
        .as_deref()
        .unwrap()
        .starts_with("collection Staff not deleted: no answer from api.verifik.co"));
    assert_eq!(app.collections.delete, None);
}

#[test]
fn y_on_a_run_shows_its_curl_command_and_puts_it_on_the_clipboard() {
    let (mut app, _) = app_with(vec![run(1, 0.75, &[("a", 0.9)]), run(2, 0.8, &[])]);
    press(&mut app, KeyCode::Char('5'));
    let fx = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(fx.as_slice(), [Effect::CurlOf(r)] if r.id == 2),
        "the selected run: {fx:?}"
    );
    let command = "curl -sS -X POST 'http://127.0.0.1:8787/v2/face-recognition/search-live-face' \\\n  -H \"Authorization: Bearer $VERIFIK_TOKEN\"".to_string();
    let fx = app.update(Action::CurlReady(Ok(command.clone())));
    assert_eq!(fx, vec![Effect::Clipboard(command)]);
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Copy as curl"), "{screen}");
    assert!(screen.contains("Bearer $VERIFIK_TOKEN"), "{screen}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
    app.update(Action::CurlReady(Err("cannot read /p/a.jpg".into())));
    assert_eq!(app.last_error.as_deref(), Some("cannot read /p/a.jpg"));
    // A sandbox run seen from a cloud session: its curl would go to the wrong back end.
    app.backend_key = "https://api.verifik.co#0123456789ab".into();
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    let said = app.last_error.clone().unwrap_or_default();
    assert!(
        said.contains("embedded sandbox, which this session does not run"),
        "{said}"
    );
}
