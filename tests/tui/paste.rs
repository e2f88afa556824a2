//! Bracketed paste: a paste is text for the focused text field, never keys. Single-line
//! fields (every field of the dashboard) turn line breaks into spaces; a paste with no
//! text field focused changes nothing and says so; a huge paste keeps its end in view.

use crate::tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use liveface::tui::action::Action;
use liveface::tui::app::{App, Popup};
use liveface::tui::effect::{Effect, PersonSave};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui_support::*;

/// The issue's paste, as a terminal sends it (line breaks as CR, as tmux and xterm do).
const NOTE: &str = "Escort required.\rkeep badge at desk.\r";

fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    app.update(Action::Paste(text.into()))
}

/// The enrol form, opened from the persons list, its cursor on `label`.
fn enrol_form_at(label: &str) -> App {
    let mut app = app();
    ready_probe(&mut app);
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.popup, Some(Popup::Editor));
    while current_label(&app) != label {
        press(&mut app, KeyCode::Down);
    }
    app
}

fn current_label(app: &App) -> &'static str {
    app.editor.as_ref().unwrap().form.current().unwrap().label
}

fn field_text(app: &App, label: &str) -> String {
    app.editor.as_ref().unwrap().form.text(label)
}

#[test]
fn a_multi_line_paste_into_notes_stays_in_notes() {
    let mut app = enrol_form_at("Name");
    retype(&mut app, "Zoe Tester");
    while current_label(&app) != "Notes" {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert!(paste(&mut app, NOTE).is_empty());
    assert_eq!(current_label(&app), "Notes", "the k of keep moved nothing");
    assert!(app.editor.as_ref().unwrap().form.editing, "still typing");
    assert_eq!(
        field_text(&app, "Notes"),
        "Escort required. keep badge at desk."
    );
    assert_eq!(field_text(&app, "Nationality"), "");

    let fx = key_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let Some(Effect::SavePerson {
        request: PersonSave::Create(p),
        ..
    }) = fx.into_iter().next()
    else {
        panic!("Ctrl-s saves")
    };
    assert_eq!(
        p.notes.as_deref(),
        Some("Escort required. keep badge at desk.")
    );
    assert_eq!(p.nationality, None);
}

#[test]
fn a_paste_on_a_selected_text_row_edits_it() {
    let mut app = enrol_form_at("Nationality");
    paste(&mut app, "CO\n");
    assert_eq!(field_text(&app, "Nationality"), "CO");
    assert!(app.editor.as_ref().unwrap().form.editing);
}

#[test]
fn a_paste_with_no_text_field_focused_is_ignored_with_a_notice() {
    // The files pane, not filtering: `q`, `1`, … in the paste must not run.
    let mut app = app();
    load_dir(&mut app);
    let before = app.browser.selected;
    assert!(paste(&mut app, "q\n5jjj").is_empty());
    assert!(!app.quit);
    assert_eq!(app.browser.selected, before);
    assert_eq!(app.focus, liveface::tui::action::Pane::Browser);
    assert!(
        app.notice.as_deref().unwrap().contains("paste ignored"),
        "{:?}",
        app.notice
    );

    // A choice row of the edit form takes no text either.
    let mut app = enrol_form_at("Gender");
    paste(&mut app, " M");
    assert_eq!(app.editor.as_ref().unwrap().form.choice("Gender"), 0);
    assert!(app.notice.as_deref().unwrap().contains("paste ignored"));

    // Nor does a popup without inputs.
    let mut help = tui_support::app();
    press(&mut help, KeyCode::Char('?'));
    paste(&mut help, "\u{1b}q");
    assert_eq!(help.popup, Some(Popup::Help { scroll: 0 }));
    assert!(!help.quit);
}

#[test]
fn filters_and_the_search_form_take_pastes_as_one_line() {
    let mut app = app();
    load_dir(&mut app);
    press(&mut app, KeyCode::Char('/'));
    paste(&mut app, "ali\nce");
    assert_eq!(app.browser.filter.value(), "ali ce");
    press(&mut app, KeyCode::Enter);

    // The collection field of the search form (pane 2), selected but not yet editing.
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::End);
    paste(&mut app, "uuid-staff\r\n");
    assert_eq!(app.form.collection.value(), "uuid-staff");
    assert!(app.form.editing);

    // The collections filter.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('/'));
    paste(&mut app, "Sta\tff");
    assert_eq!(app.collections.filter.value(), "Sta ff");
}

#[test]
fn a_huge_paste_keeps_the_cursor_end_visible() {
    let mut app = enrol_form_at("Notes");
    press(&mut app, KeyCode::Enter);
    let big: String = (0..20_000)
        .map(|i| {
            if i % 50 == 49 {
                '\n'
            } else {
                char::from(b'a' + (i % 26) as u8)
            }
        })
        .chain("THE-END".chars())
        .collect();
    paste(&mut app, &big);
    assert_eq!(field_text(&app, "Notes").chars().count(), 20_007);

    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let pictures = liveface::tui::pictures::view(&app, t.get_frame().area());
    t.draw(|f| liveface::tui::panes::render(&app, &pictures, f))
        .unwrap();
    let screen = render(&app, 100, 30);
    let row = screen
        .lines()
        .position(|l| l.contains("THE-END"))
        .unwrap_or_else(|| panic!("the end of the paste is not shown:\n{screen}"));
    let cursor = t.get_cursor_position().unwrap();
    assert_eq!(cursor.y as usize, row, "the cursor is on the Notes row");
    let line = screen.lines().nth(row).unwrap();
    let end_col = line[..line.find("THE-END").unwrap()].chars().count() + "THE-END".len();
    assert_eq!(
        cursor.x as usize, end_col,
        "the cursor sits right after the paste:\n{screen}"
    );
}
