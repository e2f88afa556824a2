//! Drawing. Every function here reads `&App` and draws into a `Frame`: no I/O, no state
//! changes, so any state can be rendered into a `TestBackend`.

pub mod browser;
pub mod chrome;
pub mod collections;
pub mod columns;
pub mod compare;
pub mod curl;
pub mod detail;
pub mod editform;
pub mod editor;
pub mod evaluate;
pub mod form;
pub mod help;
pub mod history;
pub mod input_line;
pub mod label;
pub mod persons;
pub mod preview;
pub mod results;
pub mod status;
pub mod sweep;

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Popup};
use crate::preview::{Pictures, Wanted};
pub use chrome::{
    areas, bar, clip, clip_left, fit, human_bytes, key_line, pane_block, popup_area, popup_block,
    scroll_offset, spinner, wrapped_rows, Areas, MIN_HEIGHT, MIN_WIDTH, SPINNER,
};

/// The pictures a frame of `area` shows (from the state and the layout alone): the
/// request step asks the picture cache for them before drawing.
/// The open popup's come first: with few decoders, they are decoded first.
pub fn wanted(app: &App, area: Rect) -> Vec<Wanted> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Vec::new();
    }
    let mut wanted = match &app.popup {
        Some(Popup::Detail { person_id, .. }) => detail::wanted(app, area, person_id),
        Some(Popup::EvalPair { error, person }) => {
            evaluate::pair_wanted(app, area, error, person.as_deref())
        }
        _ => Vec::new(),
    };
    let a = areas(area);
    wanted.extend(browser::wanted(app, a.browser));
    wanted.extend(results::wanted(app, a.results, area.height));
    wanted
}

/// Draws the whole dashboard, pictures from `pictures` (what the request step found).
pub fn render(app: &App, pictures: &Pictures, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base()), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, frame, area);
        return;
    }
    let a = areas(area);
    browser::render(app, pictures, frame, a.browser);
    form::render(app, frame, a.form);
    collections::render(app, frame, a.collections);
    results::render(app, pictures, frame, a.results);
    history::render(app, frame, a.history);
    status::render(app, frame, a.status);
    match &app.popup {
        None => {}
        Some(Popup::Help { scroll }) => help::render(app, frame, area, *scroll),
        Some(Popup::ConfirmQuit) => confirm_quit(app, frame, area),
        Some(Popup::Detail { person_id, scroll }) => {
            detail::render(app, pictures, frame, area, person_id, *scroll)
        }
        Some(Popup::Compare { a, b, scroll }) => compare::render(app, frame, area, *a, *b, *scroll),
        Some(Popup::Sweep { run }) => sweep::render(app, frame, area, *run),
        Some(Popup::Curl { command }) => curl::render(app, frame, area, command),
        Some(Popup::Preview) => preview::render(app, pictures, frame, area),
        Some(Popup::Persons) => persons::render(app, frame, area),
        Some(Popup::ConfirmDelete {
            name, collection, ..
        }) => {
            persons::render(app, frame, area);
            persons::confirm_delete(app, frame, area, name, collection.as_ref().map(|c| &c.1));
        }
        Some(Popup::Editor) => editor::render(app, frame, area),
        Some(Popup::Label) => label::render(app, frame, area),
        Some(Popup::Evaluate) => evaluate::render(app, frame, area),
        Some(Popup::EvalPair { error, person }) => {
            evaluate::render(app, frame, area);
            evaluate::render_pair(app, pictures, frame, area, error, person.as_deref());
        }
        Some(Popup::ConfirmDeleteCollection) => collections::confirm_delete(app, frame, area),
        Some(Popup::ConfirmReplaceFaces) => {
            editor::render(app, frame, area);
            editor::confirm_replace(app, frame, area);
        }
    }
}

/// How far the open popup can scroll in a terminal of `area` before its content ends
/// (0 for popups that do not scroll).
pub fn popup_scroll_max(app: &App, area: Rect) -> usize {
    match &app.popup {
        Some(Popup::Help { .. }) => help::scroll_max(app, area),
        Some(Popup::Detail { person_id, .. }) => detail::scroll_max(app, area, person_id),
        Some(Popup::Compare { a, b, .. }) => compare::scroll_max(app, area, *a, *b),
        _ => 0,
    }
}

fn too_small(app: &App, frame: &mut Frame, area: Rect) {
    let text = format!(
        "terminal too small: {}×{} (needs {MIN_WIDTH}×{MIN_HEIGHT}) — q quits",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(app.theme.warn())
            .wrap(Wrap { trim: true }),
        area,
    );
}

fn confirm_quit(app: &App, frame: &mut Frame, area: Rect) {
    let r = popup_area(area, 44, 5);
    frame.render_widget(Clear, r);
    let p = Paragraph::new(vec![
        Line::from("A search is still running."),
        key_line(app, &[("y", "quit and cancel it"), ("n", "stay")]),
    ])
    .block(popup_block(app, "Quit?"));
    frame.render_widget(p, r);
}
