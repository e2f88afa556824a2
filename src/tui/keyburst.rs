//! Terminal events of one read, turned into actions, with one repair: crossterm 0.29
//! reads `ESC ESC [ B` (Esc, then ↓, arriving together — a quick Esc-then-key, common
//! over SSH) as Esc, `[`, `B` (crossterm-rs/crossterm#1124). `1` or `5` in such a tail
//! would then jump between panes. Within one burst, an Esc followed by a complete CSI or
//! SS3 sequence typed as characters becomes Esc and the key that sequence stands for.
//! A bracketed paste stays one `Action::Paste` in its place: text, never keys.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// The actions for a burst of terminal events, in order.
pub fn actions(burst: Vec<Event>) -> Vec<Action> {
    let mut out = Vec::new();
    let mut keys = Vec::new();
    for ev in burst {
        match ev {
            // Key release events (Windows, kitty protocol) would double every key.
            Event::Key(k) if k.kind != KeyEventKind::Release => keys.push(k),
            Event::Resize(width, height) => {
                out.extend(
                    repair(std::mem::take(&mut keys))
                        .into_iter()
                        .map(Action::Key),
                );
                out.push(Action::Resize { width, height });
            }
            Event::Paste(text) => {
                out.extend(
                    repair(std::mem::take(&mut keys))
                        .into_iter()
                        .map(Action::Key),
                );
                out.push(Action::Paste(text));
            }
            _ => {}
        }
    }
    out.extend(repair(keys).into_iter().map(Action::Key));
    out
}

/// Keys with every `Esc, '[' …` / `Esc, 'O' …` tail that spells a whole sequence decoded.
pub fn repair(keys: Vec<KeyEvent>) -> Vec<KeyEvent> {
    let mut out = Vec::with_capacity(keys.len());
    let mut i = 0;
    while i < keys.len() {
        out.push(keys[i]);
        if is_plain(&keys[i], KeyCode::Esc) {
            if let Some((key, used)) = decode_tail(&keys[i + 1..]) {
                out.push(key);
                i += 1 + used;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn is_plain(k: &KeyEvent, code: KeyCode) -> bool {
    k.code == code && (k.modifiers - KeyModifiers::SHIFT).is_empty()
}

fn char_of(k: &KeyEvent) -> Option<char> {
    match k.code {
        KeyCode::Char(c) if (k.modifiers - KeyModifiers::SHIFT).is_empty() => Some(c),
        _ => None,
    }
}

/// The key a `[`… or `O`… tail of characters stands for, and how many events it used.
fn decode_tail(tail: &[KeyEvent]) -> Option<(KeyEvent, usize)> {
    let intro = char_of(tail.first()?)?;
    match intro {
        'O' => {
            let c = char_of(tail.get(1)?)?;
            Some((KeyEvent::new(final_key(c)?, KeyModifiers::NONE), 2))
        }
        '[' => {
            let mut params = String::new();
            for (n, k) in tail.iter().enumerate().skip(1) {
                let c = char_of(k)?;
                match c {
                    '0'..='9' | ';' if params.len() < 8 => params.push(c),
                    '@'..='~' => return csi_key(&params, c).map(|key| (key, n + 1)),
                    _ => return None,
                }
            }
            None
        }
        _ => None,
    }
}

/// `ESC [ params final`: arrows, Home/End, Shift-Tab, F1–F12, editing keys, with the
/// xterm modifier parameter (`;2` Shift, `;3` Alt, `;5` Ctrl …).
fn csi_key(params: &str, fin: char) -> Option<KeyEvent> {
    let mut parts = params.split(';');
    let first = parts.next().unwrap_or("");
    let mods = match parts.next() {
        Some(m) => modifiers(m.parse().ok()?),
        None => KeyModifiers::NONE,
    };
    let code = match fin {
        '~' => match first.parse::<u8>().ok()? {
            1 | 7 => KeyCode::Home,
            2 => KeyCode::Insert,
            3 => KeyCode::Delete,
            4 | 8 => KeyCode::End,
            5 => KeyCode::PageUp,
            6 => KeyCode::PageDown,
            n @ 11..=15 => KeyCode::F(n - 10),
            n @ 17..=21 => KeyCode::F(n - 11),
            n @ 23..=24 => KeyCode::F(n - 12),
            _ => return None,
        },
        'Z' => return Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        c => final_key(c)?,
    };
    Some(KeyEvent::new(code, mods))
}

/// The keys a single final character names (after `[` or `O`).
fn final_key(c: char) -> Option<KeyCode> {
    Some(match c {
        'A' => KeyCode::Up,
        'B' => KeyCode::Down,
        'C' => KeyCode::Right,
        'D' => KeyCode::Left,
        'H' => KeyCode::Home,
        'F' => KeyCode::End,
        'P' => KeyCode::F(1),
        'Q' => KeyCode::F(2),
        'R' => KeyCode::F(3),
        'S' => KeyCode::F(4),
        _ => return None,
    })
}

/// xterm's modifier parameter: 1 + (Shift 1 | Alt 2 | Ctrl 4).
fn modifiers(m: u8) -> KeyModifiers {
    let bits = m.saturating_sub(1);
    let mut mods = KeyModifiers::NONE;
    if bits & 1 != 0 {
        mods |= KeyModifiers::SHIFT;
    }
    if bits & 2 != 0 {
        mods |= KeyModifiers::ALT;
    }
    if bits & 4 != 0 {
        mods |= KeyModifiers::CONTROL;
    }
    mods
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    /// What crossterm hands us for `ESC` + the bytes of `seq` (after its own ESC).
    fn mangled(seq: &str) -> Vec<KeyEvent> {
        std::iter::once(key(KeyCode::Esc))
            .chain(seq.chars().map(|c| {
                let mods = if c.is_ascii_uppercase() {
                    KeyModifiers::SHIFT
                } else {
                    KeyModifiers::NONE
                };
                KeyEvent::new(KeyCode::Char(c), mods)
            }))
            .collect()
    }

    #[test]
    fn esc_then_special_keys_in_one_read_are_repaired() {
        let esc = key(KeyCode::Esc);
        assert_eq!(repair(mangled("[B")), [esc, key(KeyCode::Down)]);
        assert_eq!(repair(mangled("[15~")), [esc, key(KeyCode::F(5))]);
        assert_eq!(
            repair(mangled("[15;2~")),
            [esc, KeyEvent::new(KeyCode::F(5), KeyModifiers::SHIFT)]
        );
        assert_eq!(
            repair(mangled("[Z")),
            [esc, KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)]
        );
        assert_eq!(repair(mangled("OP")), [esc, key(KeyCode::F(1))]);
        assert_eq!(repair(mangled("[6~")), [esc, key(KeyCode::PageDown)]);
        assert_eq!(
            repair(mangled("[1;5C")),
            [esc, KeyEvent::new(KeyCode::Right, KeyModifiers::CONTROL)]
        );
    }

    #[test]
    fn what_follows_the_repaired_key_is_kept() {
        let mut keys = mangled("[A");
        keys.push(key(KeyCode::Char('q')));
        assert_eq!(
            repair(keys),
            [key(KeyCode::Esc), key(KeyCode::Up), key(KeyCode::Char('q'))]
        );
    }

    #[test]
    fn typing_and_incomplete_or_unknown_tails_pass_through() {
        for keys in [
            mangled("[1"),   // cut short
            mangled("[99~"), // no such key
            mangled("[x"),   // not a sequence
            mangled("Ox"),
            vec![key(KeyCode::Char('[')), key(KeyCode::Char('A'))], // no Esc before
        ] {
            assert_eq!(repair(keys.clone()), keys);
        }
    }

    #[test]
    fn releases_are_dropped_and_resizes_and_pastes_keep_their_place() {
        let mut release = key(KeyCode::Char('a'));
        release.kind = KeyEventKind::Release;
        let burst = vec![
            Event::Key(key(KeyCode::Esc)),
            Event::Resize(80, 24),
            Event::Key(release),
            Event::Key(key(KeyCode::Char('b'))),
            Event::Paste("q\n1".into()),
            Event::Key(key(KeyCode::Char('c'))),
        ];
        let names: Vec<String> = actions(burst)
            .into_iter()
            .map(|a| match a {
                Action::Key(k) => format!("{:?}", k.code),
                Action::Resize { .. } => "resize".into(),
                Action::Paste(t) => format!("paste {t:?}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            ["Esc", "resize", "Char('b')", "paste \"q\\n1\"", "Char('c')"]
        );
    }
}
