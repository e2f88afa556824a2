//! The status bar: where requests go, the masked token, the search in flight, the last
//! error, and key hints for the focused pane (from the keymap).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{clip, spinner};
use crate::tui::app::{App, ModelsInstall, ModelsPhase, Popup};
use crate::tui::keymap::{self, Command, Ctx};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    if let Some(p) = &app.profile {
        spans.push(Span::styled(format!(" [{p}]"), t.accent()));
    }
    spans.push(Span::styled(format!(" {} ", app.backend_label), t.accent()));
    if let Some(tok) = &app.token_masked {
        spans.push(Span::raw(format!("│ token {tok} ")));
    }
    if let Some(sent) = &app.billed_requests {
        spans.push(Span::raw(format!(
            "│ {} requests · {} saved ",
            sent.load(std::sync::atomic::Ordering::Relaxed),
            app.requests_saved()
        )));
    }
    if let Some(f) = &app.in_flight {
        let secs = app.now.saturating_duration_since(f.started).as_secs_f64();
        spans.push(Span::styled(
            format!("│ {} searching {secs:.1}s ", spinner(app)),
            t.accent(),
        ));
        // While the client retries: which attempt, and what is left of the budget.
        if let (Some(r), Some((_, left))) = (&f.retry, f.retry_countdown(app.now)) {
            spans.push(Span::styled(
                format!(
                    "│ retry {}/{} · {:.0}s left ",
                    r.attempt,
                    r.max_attempts,
                    left.as_secs_f64()
                ),
                t.warn(),
            ));
        }
    }
    // Writes in flight, so a slow server never looks like a frozen form.
    if let Some(e) = app.editor.as_ref().filter(|e| e.saving) {
        spans.push(Span::styled(
            format!("│ {} saving {} ", spinner(app), e.subject()),
            t.accent(),
        ));
    }
    let deleting = app.person_list.deleting.len();
    if deleting > 0 {
        spans.push(Span::styled(
            format!("│ {} deleting {deleting} ", spinner(app)),
            t.accent(),
        ));
    }
    if let Some(m) = &app.models {
        // The newest message keeps its room: beside a long one the offer is short.
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let message = app.last_error.as_ref().or(app.notice.as_ref());
        let full = models_span(app, m, false);
        let fits = message.is_none_or(|msg| {
            used + full.width() + 2 + Span::raw(msg.as_str()).width() <= area.width as usize
        });
        spans.push(if fits {
            full
        } else {
            models_span(app, m, true)
        });
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = (area.width as usize).saturating_sub(used);
    let tail = if let Some(e) = &app.last_error {
        Span::styled(format!("│ {}", clip(e, room.saturating_sub(2))), t.error())
    } else if let Some(n) = &app.notice {
        Span::raw(format!("│ {}", clip(n, room.saturating_sub(2))))
    } else {
        Span::styled(
            format!("│ {}", clip(&hints(app), room.saturating_sub(2))),
            t.dim(),
        )
    };
    spans.push(tail);
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.status()), area);
}

/// The models offer, the install gauge, or the engine starting; `short` for the offer
/// beside a message that needs the room.
fn models_span(app: &App, m: &ModelsInstall, short: bool) -> Span<'static> {
    let t = &app.theme;
    let mb = |b: u64| b as f64 / 1_000_000.0;
    match m.phase {
        ModelsPhase::Offered if short => Span::styled("│ M: install face models ", t.warn()),
        ModelsPhase::Offered => Span::styled(
            format!(
                "│ pixel engine: face models missing — M installs them (≈ {:.0} MB) ",
                mb(m.total).ceil()
            ),
            t.warn(),
        ),
        ModelsPhase::Installing { done, .. } => {
            const CELLS: u64 = 10;
            let filled = (done.min(m.total) * CELLS)
                .checked_div(m.total)
                .unwrap_or(0) as usize;
            let bar: String = "█".repeat(filled) + &"░".repeat(CELLS as usize - filled);
            let rate = m
                .rate()
                .map(|r| format!(" · {:.1} MB/s", r / 1_000_000.0))
                .unwrap_or_default();
            let eta = m
                .eta()
                .map(|d| format!(" · {}s left", d.as_secs_f64().ceil() as u64))
                .unwrap_or_default();
            Span::styled(
                format!(
                    "│ face models {bar} {:.1}/{:.1} MB{rate}{eta} · M cancels ",
                    mb(done),
                    mb(m.total)
                ),
                t.accent(),
            )
        }
        ModelsPhase::Switching => Span::styled(
            format!("│ {} starting the face engine ", spinner(app)),
            t.accent(),
        ),
    }
}

/// `Enter open · / filter · ? help` for the current context.
pub fn hints(app: &App) -> String {
    let ctx = app.contexts()[0];
    // `c` detaches only when the person question names a collection.
    let no_detach = matches!(
        app.popup,
        Some(
            Popup::ConfirmDeleteCollection
                | Popup::ConfirmDelete {
                    collection: None,
                    ..
                }
        )
    );
    let mut parts: Vec<String> = keymap::help_lines_of(ctx)
        .into_iter()
        .filter(|(cmd, _)| !(no_detach && *cmd == Command::Detach))
        .take(4)
        .map(|(_, l)| format!("{} {}", l.keys, l.desc))
        .collect();
    if !matches!(
        ctx,
        Ctx::Input | Ctx::Popup | Ctx::Confirm | Ctx::Persons | Ctx::ConfirmDelete | Ctx::Editor
    ) {
        parts.push("F5 search · ? help".into());
    }
    parts.join(" · ")
}
