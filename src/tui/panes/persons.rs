//! The persons list popup (`P`): one page of `GET /persons`, filtered by name.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{clip, fit, key_line, popup_area, popup_block, scroll_offset, spinner};
use crate::api::model::Person;
use crate::tui::app::{person_label, App};

const GENDER_W: usize = 6;
const BORN_W: usize = 10;
const NAT_W: usize = 11;

/// A person's collections by name; ids the server did not name are looked up.
pub fn collections_text(app: &App, p: &Person) -> String {
    p.collections
        .iter()
        .map(|c| match &c.name {
            Some(n) => n.clone(),
            None => app.collection_name(&c.id),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row: `name  gender  born  nationality  collections`, clipped to `w` cells. Each
/// column is padded by display width, so `王小明` or an NFD `Zoë` keeps the columns after
/// it in place.
fn row(w: usize, cells: [&str; 5]) -> String {
    let fixed = 2 + GENDER_W + 1 + BORN_W + 1 + NAT_W + 1;
    let rest = w.saturating_sub(fixed);
    let name_w = (rest * 3 / 5).max(4);
    let coll_w = rest.saturating_sub(name_w + 1);
    let [name, gender, born, nat, coll] = cells;
    let line = format!(
        "{} {} {} {} {}",
        fit(name, name_w),
        fit(gender, GENDER_W),
        fit(born, BORN_W),
        fit(nat, NAT_W),
        clip(coll, coll_w),
    );
    clip(line.trim_end(), w.saturating_sub(2))
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let l = &app.person_list;
    let wide = area.width >= 110;
    let r = popup_area(
        area,
        if wide { 110 } else { 76 },
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, r);
    let block = popup_block(app, "Persons");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let w = inner.width as usize;
    let t = &app.theme;

    let filters = format!(
        "  {} · status: {}",
        l.collection
            .as_deref()
            .map_or("all collections".to_string(), |c| app.collection_name(c)),
        l.status.unwrap_or("any")
    );
    let mut status = vec![
        Span::styled(l.page_label(), t.accent()),
        Span::styled(filters, t.dim()),
    ];
    if l.loading {
        status.push(Span::styled(
            format!("  {} loading…", spinner(app)),
            t.dim(),
        ));
    }
    if !l.deleting.is_empty() {
        status.push(Span::styled(
            format!("  {} deleting…", spinner(app)),
            t.dim(),
        ));
    }
    let mut lines = vec![Line::from(status)];
    if l.filtering || !l.filter.value().is_empty() {
        lines.push(Line::from(vec![
            Span::styled("/", t.accent()),
            Span::raw(super::input_line::view(&l.filter, w.saturating_sub(1)).text),
        ]));
    }
    if let Some(e) = &l.error {
        lines.push(Line::from(Span::styled(clip(e, w), t.error())));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "  {}",
            row(w, ["name", "gender", "born", "nationality", "collections"])
        ),
        t.dim(),
    )));
    let visible = l.visible();
    let rows = (inner.height as usize).saturating_sub(lines.len() + 1);
    let offset = scroll_offset(l.selected, rows);
    for (i, idx) in visible.iter().enumerate().skip(offset).take(rows) {
        let p = &l.items[*idx];
        let born = p.date_of_birth.map(|d| d.to_string()).unwrap_or_default();
        let mark = if l.deleting.contains(&p.id) {
            "× "
        } else {
            "  "
        };
        let text = row(
            w,
            [
                person_label(p),
                p.gender.as_deref().unwrap_or(""),
                &born,
                p.nationality.as_deref().unwrap_or(""),
                &collections_text(app, p),
            ],
        );
        let mut line = Line::from(format!("{mark}{text}"));
        if i == l.selected {
            line = line.style(t.selection());
        }
        lines.push(line);
    }
    if visible.is_empty() && !l.loading {
        let msg = if l.items.is_empty() {
            "no persons on this page"
        } else {
            "no name matches the filter"
        };
        lines.push(Line::from(Span::styled(format!("  {msg}"), t.dim())));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let hints = "a enrol · e edit · d delete · c/s filter · n/p page · / name · Enter record";
    let hint_area = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1.min(inner.height),
        ..inner
    };
    frame.render_widget(
        Paragraph::new(Span::styled(clip(hints, w), t.dim())),
        hint_area,
    );
    if l.filtering {
        let x = inner.x + 1 + super::input_line::view(&l.filter, w.saturating_sub(1)).cursor as u16;
        frame.set_cursor_position(Position::new(x, inner.y + 1));
    }
}

pub fn confirm_delete(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    name: &str,
    collection: Option<&String>,
) {
    let r = popup_area(area, 60, if collection.is_some() { 7 } else { 5 });
    frame.render_widget(Clear, r);
    let mut lines = vec![
        Line::from(format!("Delete {name}?")),
        key_line(app, &[("y", "delete from every collection"), ("n", "keep")]),
    ];
    if let Some(c) = collection {
        lines.push(key_line(app, &[("c", &format!("detach from {c} only"))]));
    }
    let p = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(popup_block(app, "Delete person?"));
    frame.render_widget(p, r);
}
