//! From a key event to a command, and a key's printed name.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::bindings::BINDINGS;
use super::command::{Binding, Command, Ctx};

use KeyCode::*;

/// Shift is part of the character for letters and symbols (`R`, `?`) and of BackTab,
/// and terminals disagree about reporting it there; it only counts for other keys.
fn normalise(key: &KeyEvent) -> (KeyCode, KeyModifiers) {
    let mut mods =
        key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::SHIFT | KeyModifiers::ALT);
    if matches!(key.code, Char(_) | BackTab) {
        mods.remove(KeyModifiers::SHIFT);
    }
    (key.code, mods)
}

fn matches(b: &Binding, code: KeyCode, mods: KeyModifiers) -> bool {
    b.code == code && b.mods == mods
}

/// The command for a key in the given contexts, most specific first.
pub fn lookup(key: &KeyEvent, ctxs: &[Ctx]) -> Option<Command> {
    let (code, mods) = normalise(key);
    ctxs.iter().find_map(|ctx| {
        BINDINGS
            .iter()
            .find(|b| b.ctx == *ctx && matches(b, code, mods))
            .map(|b| b.cmd)
    })
}

/// A key's name as the help and the hints print it.
pub fn key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        Char(' ') => "Space".to_string(),
        Char(c) => c.to_string(),
        F(n) => format!("F{n}"),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Tab => "Tab".into(),
        BackTab => "Shift-Tab".into(),
        Backspace => "Backspace".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        Left => "←".into(),
        Right => "→".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        Home => "Home".into(),
        End => "End".into(),
        other => format!("{other:?}"),
    };
    let mut prefix = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        prefix.push_str("Ctrl-");
    }
    if mods.contains(KeyModifiers::SHIFT) {
        prefix.push_str("Shift-");
    }
    prefix + &base
}
