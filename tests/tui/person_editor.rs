//! The person forms, key by key: enrol (plain and with liveness), edit with a partial
//! update, replace faces after a yes, duplicates that name the existing person, detach.

use crate::tui_support;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyModifiers};
use liveface::api::model::{Collection, CollectionRef, DateOfBirth, Page, SearchMode, Thumbnail};
use liveface::api::ApiError;
use liveface::tui::action::Action;
use liveface::tui::app::{App, Popup};
use liveface::tui::effect::{Effect, PersonSave};
use serde_json::json;
use tui_support::*;

fn collections(app: &mut App) {
    let col = |id: &str, name: &str, code: &str| Collection {
        id: id.into(),
        name: name.into(),
        code: Some(code.into()),
        ..Collection::default()
    };
    app.update(Action::CollectionsLoaded(Ok(vec![
        col("c1", "Staff", "uuid-staff"),
        col("c2", "Visitors", "uuid-visitors"),
    ])));
}

/// An app with collections loaded, the probe picked and the persons list open.
fn persons_open() -> App {
    let mut app = app();
    collections(&mut app);
    ready_probe(&mut app);
    let fx = press(&mut app, KeyCode::Char('P'));
    let Some(Effect::ListPersons { seq, .. }) = fx.into_iter().next() else {
        panic!("P lists persons")
    };
    let mut ana = person("p1", "Ana Gómez");
    ana.collections = vec![CollectionRef {
        id: "c1".into(),
        code: Some("uuid-staff".into()),
        name: Some("Staff".into()),
    }];
    ana.notes = Some("front desk".into());
    app.update(Action::PersonsLoaded {
        seq,
        result: Ok(Page {
            items: vec![ana, person("p2", "Luis Pérez")],
            pagination: None,
        }),
    });
    app
}

fn form_label(app: &App) -> &'static str {
    app.editor.as_ref().unwrap().form.current().unwrap().label
}

/// Moves the form cursor to the field with `label`.
fn go_to(app: &mut App, label: &str) {
    for _ in 0..30 {
        if form_label(app) == label {
            return;
        }
        press(app, KeyCode::Down);
    }
    for _ in 0..30 {
        if form_label(app) == label {
            return;
        }
        press(app, KeyCode::Up);
    }
    panic!("no field {label}");
}

/// Replaces a text field's value.
fn fill(app: &mut App, label: &str, text: &str) {
    go_to(app, label);
    retype(app, text);
}

fn save(app: &mut App) -> Vec<Effect> {
    key_mod(app, KeyCode::Char('s'), KeyModifiers::CONTROL)
}

fn error_of(app: &App, label: &str) -> Option<String> {
    let form = &app.editor.as_ref().unwrap().form;
    form.field(label).unwrap().error.clone()
}

fn probe_path() -> PathBuf {
    PathBuf::from(DIR).join("alice.jpg")
}

#[test]
fn enrol_uses_the_probe_validates_and_sends_a_plain_create() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.popup, Some(Popup::Editor));
    assert_eq!(
        form_label(&app),
        "Name",
        "the cursor starts on the first input"
    );

    // Nothing typed: the name is required, a bad date is refused, nothing is sent.
    fill(&mut app, "Born", "1990-02-30");
    assert!(save(&mut app).is_empty());
    assert_eq!(error_of(&app, "Name").as_deref(), Some("required"));
    assert!(error_of(&app, "Born").unwrap().contains("YYYY-MM-DD"));
    assert_eq!(
        app.editor.as_ref().unwrap().error.as_deref(),
        Some("fix the marked fields")
    );

    fill(&mut app, "Name", "Eva Díaz");
    fill(&mut app, "Born", "1991-03-04");
    go_to(&mut app, "Gender");
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right); // — → M → F
    go_to(&mut app, "Collections");
    press(&mut app, KeyCode::Down); // Visitors
    press(&mut app, KeyCode::Char(' '));
    let fx = save(&mut app);
    let [Effect::SavePerson { request, images }] = fx.as_slice() else {
        panic!("expected one save, got {fx:?}")
    };
    assert_eq!(images, &[probe_path()], "no marks: the probe is the face");
    let PersonSave::Create(p) = request else {
        panic!("plain create expected, got {request:?}")
    };
    assert_eq!(p.name, "Eva Díaz");
    assert_eq!(p.gender.as_deref(), Some("F"));
    assert_eq!(p.date_of_birth, DateOfBirth::new(1991, 3, 4));
    assert_eq!(p.collections, ["c2"]);
    assert!(p.images.is_empty(), "the runner prepares the images");
    assert!(app.editor.as_ref().unwrap().saving);
    assert!(save(&mut app).is_empty(), "no second save while one runs");

    // The answer: the form closes, the list shows the new person first.
    let mut eva = person("p9", "Eva Díaz");
    eva.collections = vec![CollectionRef {
        id: "c2".into(),
        ..CollectionRef::default()
    }];
    app.update(Action::PersonSaved(Ok(eva)));
    assert!(app.editor.is_none());
    assert_eq!(app.popup, Some(Popup::Persons));
    assert_eq!(app.person_list.items[0].id, "p9");
    assert_eq!(app.person_list.current().unwrap().id, "p9");
    assert_eq!(app.notice.as_deref(), Some("enrolled Eva Díaz"));
}

#[test]
fn marked_images_are_the_faces_up_to_three() {
    let mut app = app();
    load_dir(&mut app);
    let mut entries = entries();
    for n in ["c.jpg", "d.jpg"] {
        entries.push(entry(n, liveface::tui::fsview::EntryKind::File, 10));
    }
    let seq = app.browser.seq;
    app.update(Action::DirLoaded {
        seq,
        dir: DIR.into(),
        result: Ok(entries),
    });
    press(&mut app, KeyCode::Char('1'));
    let select = |app: &mut App, name: &str| {
        press(app, KeyCode::Home);
        while app.browser.current().map(|e| e.name.as_str()) != Some(name) {
            press(app, KeyCode::Down);
        }
    };
    select(&mut app, "notes.txt");
    press(&mut app, KeyCode::Char('m'));
    assert!(app.browser.marked.is_empty());
    assert!(app.notice.as_deref().unwrap().contains("not an image"));
    for n in ["alice.jpg", "bob.png", "c.jpg", "d.jpg"] {
        select(&mut app, n);
        press(&mut app, KeyCode::Char('m'));
    }
    assert_eq!(app.browser.marked.len(), 3);
    assert!(app.notice.as_deref().unwrap().contains("at most 3"));
    select(&mut app, "bob.png");
    press(&mut app, KeyCode::Char('m')); // unmark
    let names: Vec<_> = app
        .browser
        .marked
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["alice.jpg", "c.jpg"]);
    assert_eq!(app.face_images(), app.browser.marked);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("✓1 alice.jpg"), "{screen}");
    assert!(screen.contains("✓2 c.jpg"), "{screen}");
}

#[test]
fn enrol_without_any_image_says_how_to_get_one() {
    let mut app = app();
    let fx = press(&mut app, KeyCode::Char('P'));
    assert!(!fx.is_empty());
    press(&mut app, KeyCode::Char('a'));
    assert!(error_of(&app, "Faces").unwrap().contains("mark 1–3 images"));
    fill(&mut app, "Name", "Eva");
    assert!(save(&mut app).is_empty());
}

#[test]
fn enrol_with_liveness_needs_one_collection_and_uses_the_form_thresholds() {
    let mut app = persons_open();
    // Thresholds come from the search form.
    app.form.min_score = tui_input::Input::new("0.9".into());
    app.form.mode = SearchMode::Accurate;
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, "Name", "Eva Díaz");
    go_to(&mut app, "Method");
    press(&mut app, KeyCode::Char(' '));
    assert!(save(&mut app).is_empty());
    assert!(error_of(&app, "Gender").unwrap().contains("required"));
    assert!(error_of(&app, "Born").unwrap().contains("required"));
    assert!(error_of(&app, "Collections")
        .unwrap()
        .contains("exactly one"));

    go_to(&mut app, "Gender");
    press(&mut app, KeyCode::Right);
    fill(&mut app, "Born", "1991-03-04");
    go_to(&mut app, "Collections");
    press(&mut app, KeyCode::Enter); // Staff
    let fx = save(&mut app);
    let [Effect::SavePerson {
        request: PersonSave::CreateLive(p),
        ..
    }] = fx.as_slice()
    else {
        panic!("expected a create with liveness, got {fx:?}")
    };
    assert_eq!(p.collection_id, "c1");
    assert_eq!(p.gender, "M");
    assert_eq!(p.min_score, 0.9);
    assert_eq!(p.search_mode, SearchMode::Accurate);
    let screen = render(&app, 120, 40);
    assert!(screen.contains("saving"), "{screen}");
}

#[test]
fn a_bad_threshold_in_the_search_form_stops_a_live_enrolment() {
    let mut app = persons_open();
    app.form.liveness = tui_input::Input::new("2".into());
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, "Name", "Eva Díaz");
    go_to(&mut app, "Method");
    press(&mut app, KeyCode::Char(' '));
    assert!(save(&mut app).is_empty());
    let words = app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(words.starts_with("search form:"), "{words}");
}

fn already_set(data: serde_json::Value, status: u16, message: &str) -> ApiError {
    ApiError::Status {
        status,
        code: Some("PreconditionFailed".into()),
        message: Some(message.into()),
        data: Some(data),
    }
}

#[test]
fn person_already_set_names_the_existing_person_and_o_opens_it() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, "Name", "Ana Gómez");
    assert_eq!(save(&mut app).len(), 1);
    let existing = json!({"_id": "p1", "name": "Ana Gómez", "date_of_birth": "1990-01-15"});
    app.update(Action::PersonSaved(Err(already_set(
        existing,
        412,
        "person_already_set",
    ))));
    let e = app.editor.as_ref().unwrap();
    assert!(!e.saving);
    assert!(e.error.as_deref().unwrap().contains("already exists"));
    assert_eq!(e.existing.as_ref().unwrap().id, "p1");
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Ana Gómez (p1)"), "{screen}");
    assert!(screen.contains("o opens it"), "{screen}");

    assert!(
        press(&mut app, KeyCode::Char('o')).is_empty(),
        "record known"
    );
    assert!(matches!(&app.popup, Some(Popup::Detail { person_id, .. }) if person_id == "p1"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, Some(Popup::Editor), "back to the form");
    assert_eq!(app.editor.as_ref().unwrap().form.text("Name"), "Ana Gómez");
}

#[test]
fn a_duplicate_face_with_only_an_id_fetches_the_person() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, "Name", "Someone Else");
    save(&mut app);
    app.update(Action::PersonSaved(Err(already_set(
        json!({"_id": "p7", "score": 0.93}),
        409,
        "409:duplicated_person",
    ))));
    let words = app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(words.contains("already enrolled"), "{words}");
    let screen = render(&app, 120, 40);
    assert!(screen.contains("existing person: p7"), "{screen}");
    assert!(screen.contains("similarity 0.93"), "{screen}");
    assert_eq!(
        press(&mut app, KeyCode::Char('o')),
        [Effect::FetchPerson { id: "p7".into() }]
    );
}

#[test]
fn edit_sends_only_what_changed() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('e'));
    let e = app.editor.as_ref().unwrap();
    assert_eq!(e.title(), "Edit Ana Gómez");
    assert_eq!(e.form.text("Born"), "1990-01-15");
    assert_eq!(e.form.checked("Collections"), ["c1"]);
    assert_eq!(e.form.choice("Gender"), 2, "F");

    assert!(save(&mut app).is_empty());
    assert_eq!(app.notice.as_deref(), Some("nothing changed"));

    fill(&mut app, "Notes", "night shift");
    go_to(&mut app, "Collections");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter); // + Visitors
    let fx = save(&mut app);
    let [Effect::SavePerson {
        request: PersonSave::Update { id, update },
        images,
    }] = fx.as_slice()
    else {
        panic!("expected an update, got {fx:?}")
    };
    assert_eq!(id, "p1");
    assert!(images.is_empty(), "faces kept");
    let body = serde_json::to_value(update).unwrap();
    assert_eq!(
        body,
        json!({"notes": "night shift", "collections": ["c1", "c2"]})
    );

    let mut saved = person("p1", "Ana Gómez");
    saved.notes = Some("night shift".into());
    app.update(Action::PersonSaved(Ok(saved)));
    assert_eq!(app.popup, Some(Popup::Persons));
    assert_eq!(app.person_list.items.len(), 2, "replaced in place");
    assert_eq!(
        app.person_list.items[0].notes.as_deref(),
        Some("night shift")
    );
    assert_eq!(app.notice.as_deref(), Some("saved Ana Gómez"));
}

#[test]
fn digits_in_a_name_are_warned_about_once_before_sending() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, "Name", "Agent 007");
    assert!(save(&mut app).is_empty(), "the first save only warns");
    let error = app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(
        error.contains("'Agent 007' will be stored as 'Agent'"),
        "{error}"
    );
    let fx = save(&mut app);
    let [Effect::SavePerson {
        request: PersonSave::Create(p),
        ..
    }] = fx.as_slice()
    else {
        panic!("the second save sends: {fx:?}")
    };
    assert_eq!(p.name, "Agent 007", "sent as typed; the server strips");

    // Editing: a renamed person is warned about; an unchanged name is not.
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('e'));
    fill(&mut app, "Notes", "x");
    assert_eq!(save(&mut app).len(), 1, "no digits: no warning");
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('e'));
    fill(&mut app, "Name", "Ana 2");
    assert!(save(&mut app).is_empty());
    assert!(app
        .editor
        .as_ref()
        .unwrap()
        .error
        .as_deref()
        .unwrap()
        .contains("'Ana'"));
}

#[test]
fn replacing_faces_asks_first() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('e'));
    go_to(&mut app, "Faces");
    press(&mut app, KeyCode::Right); // keep → replace with alice.jpg
    assert!(save(&mut app).is_empty());
    assert_eq!(app.popup, Some(Popup::ConfirmReplaceFaces));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("old faces will be replaced"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.popup, Some(Popup::Editor));
    save(&mut app);
    let fx = press(&mut app, KeyCode::Char('y'));
    let [Effect::SavePerson {
        request: PersonSave::Update { update, .. },
        images,
    }] = fx.as_slice()
    else {
        panic!("expected an update, got {fx:?}")
    };
    assert_eq!(images, &[probe_path()]);
    assert!(update.is_empty(), "only the faces change");
}

#[test]
fn marks_are_cleared_once_they_became_faces_and_kept_otherwise() {
    let mut app = persons_open();
    app.browser.marked = vec![probe_path()];
    press(&mut app, KeyCode::Char('e'));
    fill(&mut app, "Notes", "x");
    save(&mut app);
    app.update(Action::PersonSaved(Ok(person("p1", "Ana Gómez"))));
    assert_eq!(app.browser.marked.len(), 1, "faces kept: the marks stay");

    press(&mut app, KeyCode::Char('e'));
    go_to(&mut app, "Faces");
    press(&mut app, KeyCode::Right);
    save(&mut app);
    press(&mut app, KeyCode::Char('y'));
    app.update(Action::PersonSaved(Ok(person("p1", "Ana Gómez"))));
    assert!(app.browser.marked.is_empty(), "the marks became her faces");
}

#[test]
fn esc_closes_the_form_without_sending_and_typing_never_triggers_keys() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('e'));
    go_to(&mut app, "Nationality");
    press(&mut app, KeyCode::Enter);
    // Letters that are keys elsewhere (q quits, P opens persons) are text here.
    type_text(&mut app, "qPo");
    assert!(!app.quit);
    press(&mut app, KeyCode::Esc); // stops typing
    assert_eq!(app.popup, Some(Popup::Editor));
    assert_eq!(
        app.editor.as_ref().unwrap().form.text("Nationality"),
        "COqPo"
    );
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.popup, Some(Popup::Persons));
    assert!(app.editor.is_none());
}

#[test]
fn delete_can_detach_from_the_listed_collection_only() {
    let mut app = persons_open();
    // No collection filter: only "delete everywhere" is offered.
    press(&mut app, KeyCode::Char('d'));
    assert!(matches!(
        &app.popup,
        Some(Popup::ConfirmDelete {
            collection: None,
            ..
        })
    ));
    assert!(press(&mut app, KeyCode::Char('c')).is_empty());
    press(&mut app, KeyCode::Esc);

    // c: all → Staff.
    let fx = press(&mut app, KeyCode::Char('c'));
    let [Effect::ListPersons { seq, query }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(query.collection.as_deref(), Some("uuid-staff"));
    assert_eq!(query.page, 1);
    app.update(Action::PersonsLoaded {
        seq: *seq,
        result: Ok(Page {
            items: vec![person("p1", "Ana Gómez")],
            pagination: None,
        }),
    });
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Staff · status: any"), "{screen}");
    press(&mut app, KeyCode::Char('d'));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("c detach from Staff only"), "{screen}");
    let fx = press(&mut app, KeyCode::Char('c'));
    assert_eq!(
        fx,
        [Effect::DeletePerson {
            id: "p1".into(),
            collection: Some("uuid-staff".into())
        }]
    );
    app.update(Action::PersonDeleted {
        id: "p1".into(),
        collection: Some("uuid-staff".into()),
        result: Ok(()),
    });
    assert!(app.person_list.items.is_empty());
    assert_eq!(app.notice.as_deref(), Some("detached Ana Gómez from Staff"));
}

#[test]
fn s_cycles_the_status_filter() {
    let mut app = persons_open();
    let statuses: Vec<Option<String>> = (0..4)
        .map(|_| match press(&mut app, KeyCode::Char('s')).as_slice() {
            [Effect::ListPersons { query, .. }] => query.status.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        statuses,
        [
            Some("active".to_string()),
            Some("inactive".to_string()),
            Some("pending".to_string()),
            None
        ]
    );
}

#[test]
fn the_detail_shows_collections_by_name_and_lists_thumbnails() {
    let mut app = persons_open();
    let mut p = person("p5", "Eva Díaz");
    p.collections = vec![CollectionRef {
        id: "c2".into(),
        ..CollectionRef::default()
    }];
    p.thumbnails = vec![
        Thumbnail {
            id: Some("t1".into()),
            image: Ok(vec![0; 2048]),
        },
        Thumbnail {
            id: None,
            image: Err("not base64".into()),
        },
    ];
    app.persons.insert("p5".into(), p);
    app.popup = Some(Popup::Detail {
        person_id: "p5".into(),
        scroll: 0,
    });
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Visitors"), "{screen}");
    assert!(screen.contains("1. t1 · 2.0 KB"), "{screen}");
    assert!(screen.contains("2. unavailable: not base64"), "{screen}");
}

// ---- snapshots ---------------------------------------------------------------------

fn snap(name: &str, app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

#[test]
fn snapshots_of_the_person_forms() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, "Name", "Eva Díaz");
    fill(&mut app, "Born", "1991-13-01");
    save(&mut app);
    snap("enrol_invalid", &app);

    fill(&mut app, "Born", "1991-03-04");
    save(&mut app);
    let existing = json!({"_id": "p1", "name": "Ana Gómez", "date_of_birth": "1990-01-15"});
    app.update(Action::PersonSaved(Err(already_set(
        existing,
        412,
        "person_already_set",
    ))));
    snap("enrol_already_set", &app);

    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('e'));
    snap("edit_person", &app);
    go_to(&mut app, "Faces");
    press(&mut app, KeyCode::Right);
    save(&mut app);
    snap("confirm_replace_faces", &app);
}

#[test]
fn after_an_enrolment_the_same_search_is_sent_not_refiltered() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Esc);
    search_and_answer(&mut app, outcome(0.9, &[]));
    let again = press(&mut app, KeyCode::F(5));
    assert!(
        !again.iter().any(|e| matches!(e, Effect::Search { .. })),
        "unchanged query: re-filtered locally"
    );
    assert_eq!(app.runs.last().unwrap().refiltered_from, Some(1));

    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, "Name", "Eva Díaz");
    save(&mut app);
    app.update(Action::PersonSaved(Ok(person("p9", "Eva Díaz"))));
    press(&mut app, KeyCode::Esc);
    let fx = press(&mut app, KeyCode::F(5));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Search { .. })),
        "the gallery changed: a real request, got {fx:?}"
    );
}

#[test]
fn e_in_a_person_record_edits_it_and_returns_there() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Enter); // Ana's record
    assert!(matches!(&app.popup, Some(Popup::Detail { person_id, .. }) if person_id == "p1"));
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.popup, Some(Popup::Editor));
    fill(&mut app, "Nationality", "AR");
    let fx = save(&mut app);
    assert!(matches!(
        fx.as_slice(),
        [Effect::SavePerson {
            request: PersonSave::Update { .. },
            ..
        }]
    ));
    let mut saved = person("p1", "Ana Gómez");
    saved.nationality = Some("AR".into());
    app.update(Action::PersonSaved(Ok(saved)));
    assert!(matches!(&app.popup, Some(Popup::Detail { person_id, .. }) if person_id == "p1"));
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("AR"),
        "the record shows the saved value:\n{screen}"
    );
    assert_eq!(app.persons["p1"].nationality.as_deref(), Some("AR"));
}

#[test]
fn capital_l_cycles_the_page_size_from_page_one() {
    let mut app = persons_open();
    let limits: Vec<(u64, u64)> = (0..4)
        .map(|_| match press(&mut app, KeyCode::Char('L')).as_slice() {
            [Effect::ListPersons { query, .. }] => (query.limit, query.page),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(limits, [(50, 1), (100, 1), (10, 1), (20, 1)]);
    assert_eq!(app.notice.as_deref(), Some("20 persons per page"));
}

#[test]
fn a_404_on_save_is_plain_words_and_keeps_the_form() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('e'));
    fill(&mut app, "Notes", "moved to HQ");
    save(&mut app);
    let err = ApiError::Status {
        status: 404,
        code: Some("NotFound".into()),
        message: Some("person_not_found".into()),
        data: None,
    };
    app.update(Action::PersonSaved(Err(err)));
    let e = app.editor.as_ref().unwrap();
    let words = e.error.clone().unwrap();
    assert!(words.to_lowercase().contains("not found"), "{words}");
    assert!(e.existing.is_none());
    assert_eq!(e.form.text("Notes"), "moved to HQ", "nothing typed is lost");
    assert_eq!(app.popup, Some(Popup::Editor));
    // Saving again is allowed once the answer came.
    assert_eq!(save(&mut app).len(), 1);
}

#[test]
fn the_status_bar_message_is_the_newest_notice_or_error() {
    let mut app = persons_open();
    app.update(Action::Warning("history not saved".into()));
    assert_eq!(app.notice, None);
    press(&mut app, KeyCode::Char('L')); // sets a notice
    assert_eq!(app.notice.as_deref(), Some("50 persons per page"));
    assert_eq!(app.last_error, None, "the older error gives way");
    let screen = render(&app, 120, 40);
    assert!(screen.contains("50 persons per page"), "{screen}");
    app.update(Action::Warning("run #4 not saved".into()));
    assert_eq!(app.notice, None, "the newer error shows");
}

#[test]
fn a_record_shows_the_probe_only_beside_a_match_of_the_shown_run() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Esc);
    search_and_answer(&mut app, outcome(0.9, &[("p1", 0.93)]));
    let open = |app: &mut App, id: &str| {
        app.popup = Some(Popup::Detail {
            person_id: id.into(),
            scroll: 0,
        });
        render(app, 120, 40)
    };
    app.persons.insert("p1".into(), person("p1", "Ana Gómez"));
    app.persons.insert("p2".into(), person("p2", "Luis Pérez"));
    let matched = open(&mut app, "p1");
    assert!(matched.contains("Probe · match"), "{matched}");
    let other = open(&mut app, "p2");
    assert!(other.contains("Enrolled face"), "{other}");
    assert!(!other.contains("Probe · match"), "{other}");
}

#[test]
fn enrol_pre_ticks_the_collection_the_list_shows() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('a'));
    let ticked = app.editor.as_ref().unwrap().form.checked("Collections");
    assert!(ticked.is_empty(), "no filter, no form choice: {ticked:?}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('c')); // all → Staff (by code)
    press(&mut app, KeyCode::Char('a'));
    let ticked = app.editor.as_ref().unwrap().form.checked("Collections");
    assert_eq!(ticked, ["c1"]);
}

#[test]
fn every_form_state_draws_at_any_size_without_panicking() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('a'));
    save(&mut app); // errors on every field
    let sizes = [(60, 20), (61, 21), (90, 22), (200, 60), (20, 5), (1, 1)];
    for (w, h) in sizes {
        render(&app, w, h);
    }
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('e'));
    go_to(&mut app, "Faces");
    press(&mut app, KeyCode::Right);
    save(&mut app); // the replace-faces question
    for (w, h) in sizes {
        render(&app, w, h);
    }
    let screen = render(&app, 60, 20);
    assert!(screen.contains("Replace faces?"), "{screen}");
}

#[test]
fn emptying_a_field_that_had_a_value_is_refused_on_every_field_alike() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Char('e')); // Ana: gender, born, nationality and notes set
    fill(&mut app, "Born", "");
    fill(&mut app, "Nationality", "");
    fill(&mut app, "Notes", "");
    go_to(&mut app, "Gender");
    for _ in 0..3 {
        if app.editor.as_ref().unwrap().form.choice("Gender") == 0 {
            break;
        }
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(app.editor.as_ref().unwrap().form.choice("Gender"), 0, "—");
    assert!(save(&mut app).is_empty(), "nothing is sent");
    for label in ["Gender", "Born", "Nationality", "Notes"] {
        let error = error_of(&app, label).unwrap_or_default();
        assert!(error.contains("cannot be emptied"), "{label}: {error:?}");
    }
    let words = app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(
        words.contains("gender, born, nationality, notes cannot be emptied"),
        "{words}"
    );

    // Typing new values is a change like any other; an untouched field is not sent.
    fill(&mut app, "Born", "1991-02-03");
    fill(&mut app, "Nationality", "PE");
    fill(&mut app, "Notes", "front desk");
    go_to(&mut app, "Gender");
    press(&mut app, KeyCode::Right); // — → M
    let fx = save(&mut app);
    let [Effect::SavePerson {
        request: PersonSave::Update { update, .. },
        ..
    }] = fx.as_slice()
    else {
        panic!("expected an update, got {fx:?}")
    };
    assert_eq!(
        serde_json::to_value(update).unwrap(),
        json!({"gender": "M", "date_of_birth": "1991-02-03", "nationality": "PE"})
    );
}

#[test]
fn a_field_that_never_had_a_value_may_stay_empty() {
    let mut app = persons_open();
    press(&mut app, KeyCode::Down); // Luis: no notes
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.editor.as_ref().unwrap().title(), "Edit Luis Pérez");
    fill(&mut app, "Notes", "   ");
    fill(&mut app, "Name", "Luis A. Pérez");
    let fx = save(&mut app);
    let [Effect::SavePerson {
        request: PersonSave::Update { update, .. },
        ..
    }] = fx.as_slice()
    else {
        panic!("expected an update, got {fx:?}")
    };
    assert_eq!(
        serde_json::to_value(update).unwrap(),
        json!({"name": "Luis A. Pérez"})
    );
    assert_eq!(error_of(&app, "Notes"), None);
}
