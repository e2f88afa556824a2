//! Every pane in its empty, loading, result and error states, at 80×24 and 120×40,
//! rendered into ratatui's `TestBackend` and compared with insta snapshots (text only).

use crate::common::assert_all;
use crate::tui_support;

use crossterm::event::KeyCode;
use liveface::api::model::Collection;
use liveface::api::ApiError;
use liveface::tui::action::Action;
use liveface::tui::app::App;
use liveface::tui::effect::Effect;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let screen = render(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

fn collections() -> Vec<Collection> {
    ["Staff", "Visitors", "Contractors"]
        .iter()
        .enumerate()
        .map(|(i, n)| Collection {
            id: format!("c{i}"),
            name: n.to_string(),
            ..Collection::default()
        })
        .collect()
}

/// Browser, form and collections loaded, probe picked, one finished search.
fn with_results() -> App {
    let mut earlier = run(1, 0.6, &[("p1", 0.97), ("p9", 0.7)]);
    earlier.probe = stamp("bob.png"); // another probe: no re-filter from it
    let (mut app, _) = app_with(vec![earlier]);
    app.update(Action::CollectionsLoaded(Ok(collections())));
    ready_probe(&mut app);
    search_and_answer(
        &mut app,
        outcome(0.93, &[("p1", 0.971), ("p2", 0.884), ("p3", 0.79)]),
    );
    app.update(Action::PersonLoaded {
        id: "p1".into(),
        result: Ok(person("p1", "Ana Gómez")),
    });
    app.update(Action::PersonLoaded {
        id: "p2".into(),
        result: Ok(person("p2", "Luis Pérez")),
    });
    app
}

#[test]
fn empty_state() {
    let (mut app, _) = app_with(Vec::new());
    let seq = app.browser.seq;
    app.update(Action::DirLoaded {
        seq,
        dir: DIR.into(),
        result: Ok(Vec::new()),
    });
    app.update(Action::CollectionsLoaded(Ok(Vec::new())));
    snap("empty", &app);
}

#[test]
fn loading_state() {
    let (mut app, _) = app_with(Vec::new());
    // directory and collections still loading; a probe being prepared
    let fx =
        liveface::tui::app::App::new(init(Vec::new()), Some("/data/probes/alice.jpg".into())).1;
    assert_eq!(fx.len(), 3);
    app.probe = liveface::tui::app::ProbeState::Loading("/data/probes/alice.jpg".into());
    snap("loading", &app);
}

#[test]
fn searching_state() {
    let (mut app, _) = app_with(Vec::new());
    app.update(Action::CollectionsLoaded(Ok(collections())));
    ready_probe(&mut app);
    let fx = press(&mut app, KeyCode::F(5));
    assert!(matches!(fx[0], Effect::Search { .. }));
    snap("searching", &app);
}

#[test]
fn result_state() {
    let app = with_results();
    snap("results", &app);
}

#[test]
fn refiltered_state() {
    let mut app = with_results();
    set_min_score(&mut app, "0.85");
    press(&mut app, KeyCode::F(5));
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("re-filtered from run #2 (0 s old) — no request sent"),
        "{screen}"
    );
    snap("refiltered", &app);
}

#[test]
fn error_states() {
    let (mut app, _) = app_with(Vec::new());
    app.update(Action::CollectionsLoaded(Err(
        "cannot reach 127.0.0.1:9: connection refused".into(),
    )));
    ready_probe(&mut app);
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Home);
    let fx = press(&mut app, KeyCode::Enter);
    let Effect::ReadDir { seq, dir } = fx[0].clone() else {
        panic!()
    };
    app.update(Action::DirLoaded {
        seq,
        dir,
        result: Err("cannot open /data/probes/gallery: permission denied".into()),
    });
    search_and_reply(&mut app, 90, Err(token_expired()));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("token expired"), "{screen}");
    snap("errors", &app);
}

#[test]
fn liveness_failed_and_no_match() {
    let (mut app, _) = app_with(Vec::new());
    ready_probe(&mut app);
    search_and_reply(&mut app, 90, Err(liveness_failed(0.42)));
    assert!(render(&app, 80, 24).contains("liveness failed: 0.42 < 0.65"));
    snap("liveness_failed", &app);
    search_and_answer(&mut app, outcome(0.9, &[]));
    assert!(render(&app, 80, 24).contains("no match at or above 0.75"));
    snap("no_match", &app);
}

#[test]
fn invalid_threshold() {
    let (mut app, _) = app_with(Vec::new());
    load_dir(&mut app);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "2");
    let screen = render(&app, 80, 24);
    assert!(screen.contains("✗ 0.5–1.0"), "{screen}");
    snap("invalid_threshold", &app);
}

#[test]
fn popups() {
    let mut app = with_results();
    press(&mut app, KeyCode::Char('?'));
    snap("help", &app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('c'));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('c'));
    snap("compare", &app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('s'));
    snap("sweep", &app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Enter);
    snap("detail", &app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('p'));
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains('▀') || screen.contains('▄'),
        "half blocks drawn:\n{screen}"
    );
    snap("preview", &app);
}

#[test]
fn help_lists_every_binding_of_the_keymap() {
    use liveface::tui::keymap::{key_name, BINDINGS};
    let app = app();
    // The help as (section, keys, description) rows, read from its spans: matching a key
    // name anywhere in the text would find "d" or "e" in any word.
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut section = String::new();
    for line in liveface::tui::panes::help::lines(&app) {
        match line.spans.as_slice() {
            [title] => section = title.content.to_string(),
            [keys, desc] => rows.push((
                section.clone(),
                keys.content.trim().to_owned(),
                desc.content.to_string(),
            )),
            other => panic!("unexpected help line {other:?}"),
        }
    }
    assert_all("every binding is in the help", BINDINGS.iter(), |b| {
        let name = key_name(b.code, b.mods);
        // An alias is listed on its command's line, under the first binding's words.
        let first = BINDINGS
            .iter()
            .find(|x| x.ctx == b.ctx && x.cmd == b.cmd)
            .map_or(b.desc, |x| x.desc);
        rows.iter().any(|(s, keys, desc)| {
            // Aliases are joined with '/'; the '/' key itself leaves an empty piece.
            let piece = if name == "/" { "" } else { name.as_str() };
            s == b.ctx.title() && desc == first && keys.split('/').any(|k| k == piece)
        })
    });
}

#[test]
fn tiny_terminals_say_too_small() {
    let mut app = with_results();
    press(&mut app, KeyCode::Char('?'));
    for (w, h) in [(1, 1), (2, 1), (20, 5), (59, 24), (80, 19)] {
        let screen = render(&app, w, h);
        if w >= 20 {
            assert!(screen.contains("too"), "{w}x{h}: {screen}");
        }
    }
    insta::assert_snapshot!("too_small_40x8", render(&app, 40, 8));
}

#[test]
fn large_terminal_uses_the_room() {
    let app = with_results();
    let screen = render(&app, 200, 60);
    assert!(
        screen.contains("collections") && screen.contains("nation"),
        "{screen}"
    );
    assert!(screen.contains("backend"));
}

#[test]
fn persons_list() {
    use liveface::api::model::{CollectionRef, Page, Pagination};
    let mut app = with_results();
    let fx = press(&mut app, KeyCode::Char('P'));
    let Some(Effect::ListPersons { seq, .. }) = fx.into_iter().next() else {
        panic!("no list request")
    };
    let mut items = vec![
        person("p1", "Ana Gómez"),
        person("p2", "Luis Pérez"),
        person("p3", "María Fernanda Rodríguez de la Torre"),
    ];
    items[0].collections = vec![CollectionRef {
        id: "c0".into(),
        code: None,
        name: Some("Staff".into()),
    }];
    items[2].collections = vec![
        CollectionRef {
            id: "c1".into(),
            code: None,
            name: Some("Visitors".into()),
        },
        CollectionRef {
            id: "c2".into(),
            code: None,
            name: Some("Contractors".into()),
        },
    ];
    items[1].gender = Some("M".into());
    app.update(Action::PersonsLoaded {
        seq,
        result: Ok(Page {
            items,
            pagination: Some(Pagination {
                page: 1,
                limit: 20,
                total: Some(43),
                pages: Some(3),
            }),
        }),
    });
    press(&mut app, KeyCode::Down);
    snap("persons", &app);
    press(&mut app, KeyCode::Char('d'));
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("Delete Luis Pérez?") && screen.contains("y delete from every collection"),
        "{screen}"
    );
}

#[test]
fn collection_form_and_delete_question() {
    let mut app = with_results();
    press(&mut app, KeyCode::Char('3'));
    // A new collection saved without a name: the field says why, nothing is sent.
    press(&mut app, KeyCode::Char('a'));
    assert!(press(&mut app, KeyCode::F(2)).is_empty());
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("New collection") && screen.contains("✗ required"),
        "{screen}"
    );
    snap("collection_form", &app);

    // Renaming Staff, refused by the server: the words and the typed name stay.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, " team");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "Everyone on the payroll");
    press(&mut app, KeyCode::Enter);
    let fx = press(&mut app, KeyCode::F(2));
    assert!(
        matches!(&fx[..], [Effect::UpdateCollection { .. }]),
        "{fx:?}"
    );
    app.update(Action::CollectionUpdated {
        id: "c0".into(),
        result: Err(ApiError::Status {
            status: 409,
            code: Some("MissingParameter".into()),
            message: Some("name is already taken".into()),
            data: None,
        }),
    });
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("Edit collection Staff")
            && screen.contains("Staff team")
            && screen.contains("name is already taken"),
        "{screen}"
    );
    snap("collection_form_error", &app);

    // Deleting the collection the search form uses: the question says what happens.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter); // choose Staff in the search form
    press(&mut app, KeyCode::Char('d'));
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("Delete collection Staff?")
            && screen.contains("persons stay enrolled")
            && screen.contains("y delete"),
        "{screen}"
    );
    assert!(!screen.contains("detach"), "no person-only keys: {screen}");
    snap("collection_delete", &app);
}
