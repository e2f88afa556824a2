//! Colours and styles of key screens, not just their text: focus on each pane, errors in
//! the results and the status bar, a failed liveness check, and the face box over the
//! probe preview. Each row of the screen is written as its runs of equal style,
//! `[fg/bg/modifiers]"text"`, so a theme or focus regression shows as a readable diff.

use crate::tui_support;

use std::fmt::Write as _;

use crossterm::event::KeyCode;
use image::{DynamicImage, Rgb, RgbImage};
use liveface::api::model::Collection;
use liveface::face_region::FaceRegion;
use liveface::tui::action::{Action, Pane, ProbeInfo};
use liveface::tui::app::{App, Popup, ProbeState};
use liveface::tui::{panes, pictures};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use tui_support::*;

const W: u16 = 80;
const H: u16 = 24;

/// A colour as a short word: `-` for the terminal's own, `#rrggbb`, `i42`, or a name.
fn colour(c: Color) -> String {
    match c {
        Color::Reset => "-".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => format!("i{i}"),
        named => format!("{named:?}").to_lowercase(),
    }
}

fn modifiers(m: Modifier) -> String {
    let names = [
        (Modifier::BOLD, "bold"),
        (Modifier::DIM, "dim"),
        (Modifier::ITALIC, "italic"),
        (Modifier::UNDERLINED, "underlined"),
        (Modifier::SLOW_BLINK, "blink"),
        (Modifier::RAPID_BLINK, "rapid-blink"),
        (Modifier::REVERSED, "reversed"),
        (Modifier::HIDDEN, "hidden"),
        (Modifier::CROSSED_OUT, "crossed-out"),
    ];
    names
        .iter()
        .filter(|(bit, _)| m.contains(*bit))
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join("+")
}

/// `area` of `buf`, one line per row: `NN: [fg/bg/mods]"text"[…]"…"`.
fn styles(buf: &Buffer, area: Rect) -> String {
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let _ = write!(out, "{y:02}:");
        let mut run: Option<(String, String)> = None;
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            let style = format!(
                "{}/{}/{}",
                colour(cell.fg),
                colour(cell.bg),
                modifiers(cell.modifier)
            );
            match &mut run {
                Some((s, text)) if *s == style => text.push_str(cell.symbol()),
                _ => {
                    if let Some((s, text)) = run.take() {
                        let _ = write!(out, " [{s}]{text:?}");
                    }
                    run = Some((style, cell.symbol().to_string()));
                }
            }
        }
        if let Some((s, text)) = run {
            let _ = write!(out, " [{s}]{text:?}");
        }
        out.push('\n');
    }
    out
}

/// One frame as the dashboard draws it (pictures from a request step).
fn frame(app: &App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let shown = pictures::view(app, Rect::new(0, 0, w, h));
    t.draw(|f| panes::render(app, &shown, f)).unwrap();
    t.backend().buffer().clone()
}

fn screen_styles(app: &App) -> String {
    let buf = frame(app, W, H);
    styles(&buf, buf.area)
}

fn collections() -> Vec<Collection> {
    ["Staff", "Visitors"]
        .iter()
        .enumerate()
        .map(|(i, n)| Collection {
            id: format!("c{i}"),
            name: n.to_string(),
            ..Collection::default()
        })
        .collect()
}

/// Files, collections and a probe loaded; one search with three matches.
fn with_results() -> App {
    let (mut app, _) = app_with(Vec::new());
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
    app
}

#[test]
fn focus_on_each_pane() {
    let mut app = with_results();
    for pane in Pane::ALL {
        press(
            &mut app,
            KeyCode::Char(char::from(b'0' + pane.number() as u8)),
        );
        assert_eq!(app.focus, pane);
        insta::assert_snapshot!(format!("focus_{}", pane.number()), screen_styles(&app));
    }
}

#[test]
fn errors_in_the_results_and_the_status_bar() {
    let (mut app, _) = app_with(Vec::new());
    app.update(Action::CollectionsLoaded(Err(
        "cannot reach 127.0.0.1:9: connection refused".into(),
    )));
    ready_probe(&mut app);
    search_and_reply(&mut app, 90, Err(token_expired()));
    insta::assert_snapshot!("errors", screen_styles(&app));
}

#[test]
fn a_failed_liveness_check() {
    let (mut app, _) = app_with(Vec::new());
    ready_probe(&mut app);
    search_and_reply(&mut app, 90, Err(liveness_failed(0.42)));
    insta::assert_snapshot!("liveness_failed", screen_styles(&app));
}

#[test]
fn the_face_box_over_the_probe_preview() {
    // A flat grey probe: every coloured cell of the picture that is not grey is the box.
    let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(120, 160, Rgb([90, 90, 90])));
    let (mut app, _) = app_with(Vec::new());
    ready_probe(&mut app);
    search_and_answer(&mut app, outcome(0.93, &[("p1", 0.971)]));
    let ProbeState::Ready(info) = &app.probe else {
        panic!("the probe is ready")
    };
    let info = ProbeInfo {
        preview: liveface::tui::runner::preview_of(img),
        ..info.clone()
    };
    let run = app.runs.last_mut().unwrap();
    run.probe = info.stamp.clone();
    run.face = Some(FaceRegion {
        x: 0.25,
        y: 0.2,
        width: 0.5,
        height: 0.45,
    });
    app.probe = ProbeState::Ready(info);
    app.popup = Some(Popup::Preview);
    let buf = frame(&app, W, H);
    let popup = panes::popup_area(buf.area, 34, 18);
    insta::assert_snapshot!("face_box", styles(&buf, popup));
}
