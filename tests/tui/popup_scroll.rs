//! Scrolling popups (help, person detail, compare) stop where their content ends, at the
//! terminal's current size: ↓ past the end does nothing, so ↑ answers at once.

use crate::tui_support;

use crossterm::event::KeyCode;
use liveface::tui::action::Action;
use liveface::tui::app::{App, Popup};
use liveface::tui::panes::popup_scroll_max;
use ratatui::layout::Rect;
use tui_support::*;

fn scroll(app: &App) -> usize {
    match app.popup {
        Some(
            Popup::Help { scroll } | Popup::Detail { scroll, .. } | Popup::Compare { scroll, .. },
        ) => scroll,
        ref other => panic!("no scrolling popup: {other:?}"),
    }
}

fn resize(app: &mut App, width: u16, height: u16) {
    liveface::tui::update(app, Action::Resize { width, height });
}

fn presses(app: &mut App, code: KeyCode, n: usize) {
    for _ in 0..n {
        press(app, code);
    }
}

#[test]
fn help_stops_at_its_last_line() {
    let mut app = app();
    resize(&mut app, 80, 24);
    press(&mut app, KeyCode::Char('?'));
    let max = popup_scroll_max(&app, Rect::new(0, 0, 80, 24));
    assert!(max > 5, "the help is longer than the popup");
    presses(&mut app, KeyCode::Down, max + 50);
    assert_eq!(scroll(&app), max);
    let last = liveface::tui::panes::help::lines(&app)
        .last()
        .unwrap()
        .to_string();
    assert!(
        render(&app, 80, 24).contains(last.trim()),
        "the last line shows"
    );
    press(&mut app, KeyCode::Up);
    assert_eq!(scroll(&app), max - 1, "↑ moves at once");

    // A taller terminal shows more, so the end comes sooner.
    presses(&mut app, KeyCode::Down, 3);
    resize(&mut app, 80, 40);
    assert_eq!(
        scroll(&app),
        popup_scroll_max(&app, Rect::new(0, 0, 80, 40))
    );
}

#[test]
fn a_detail_that_fits_does_not_scroll_and_a_long_one_stops_at_its_end() {
    let mut app = app();
    resize(&mut app, 80, 24);
    app.update(Action::PersonLoaded {
        id: "p1".into(),
        result: Ok(person("p1", "Ana Gómez")),
    });
    app.popup = Some(Popup::Detail {
        person_id: "p1".into(),
        scroll: 0,
    });
    presses(&mut app, KeyCode::Down, 5);
    assert_eq!(scroll(&app), 0, "the record fits");

    let mut long = person("p1", "Ana Gómez");
    long.notes = Some("escort required at all times; ".repeat(40));
    app.update(Action::PersonLoaded {
        id: "p1".into(),
        result: Ok(long),
    });
    let max = popup_scroll_max(&app, Rect::new(0, 0, 80, 24));
    assert!(max > 3, "long notes wrap over many rows: {max}");
    presses(&mut app, KeyCode::Down, max + 20);
    assert_eq!(scroll(&app), max);
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("thumbnails"),
        "the record's end shows:\n{screen}"
    );
    press(&mut app, KeyCode::Up);
    assert_eq!(scroll(&app), max - 1);
}

#[test]
fn compare_stops_at_its_last_row() {
    let (mut app, _) = app_with(vec![
        run(1, 0.7, &[("a", 0.9)]),
        run(2, 0.8, &[("a", 0.85)]),
    ]);
    resize(&mut app, 80, 24);
    app.popup = Some(Popup::Compare {
        a: 1,
        b: 2,
        scroll: 0,
    });
    presses(&mut app, KeyCode::Down, 3);
    assert_eq!(scroll(&app), 0, "one row fits");
}
