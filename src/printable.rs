//! Text from a server, made safe for a terminal.
//!
//! A name such as `"Eve\u{1b}[2J\u{1b}]0;PWNED\u{7}"` would clear the screen and retitle
//! the terminal if printed as is. Everything the server sends (names, notes, ids, error
//! messages) passes through [`printable`] before any output that a terminal renders;
//! `--json` output is left exact, since JSON escapes control characters itself.

use std::borrow::Cow;

/// `s` with every control character (C0, DEL, C1) and every bidirectional override
/// (U+202A–U+202E, U+2066–U+2069, which reorder what follows on screen) replaced:
/// tabs and line breaks by a space, the rest by `?`. Borrows when nothing changes.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if is_unsafe(c) => '?',
                c => c,
            })
            .collect(),
    )
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_survive() {
        let evil = "Eve\u{1b}[2J\u{1b}]0;PWNED\u{7}";
        assert_eq!(printable(evil), "Eve?[2J?]0;PWNED?");
        assert_eq!(printable("a\u{9b}31mb"), "a?31mb", "C1 CSI");
        assert_eq!(printable("x\u{202E}gpj.exe"), "x?gpj.exe", "bidi override");
        assert_eq!(printable("two\nlines\ttab"), "two lines tab");
        assert_eq!(printable("\u{7f}"), "?");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in ["Zoë", "王小明", "O'Brien-Smith", "👩‍👩‍👧", ""] {
            assert!(matches!(printable(s), Cow::Borrowed(_)), "{s}");
        }
    }
}
