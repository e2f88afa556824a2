//! Pasted text into a single-line input: what a paste becomes, and inserting it at the
//! cursor in one step (a 20,000-character paste is one edit, not 20,000 keys).

use tui_input::Input;

/// `text` made fit for a single-line field: each line break (`\n`, `\r\n`, `\r`) and tab
/// becomes a space, other control characters are dropped, and the line breaks a copied
/// block usually ends with are not kept.
pub fn single_line(text: &str) -> String {
    let text = text.trim_end_matches(['\r', '\n']);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Inserts `text` (already single-line) at the cursor of `input`; the cursor ends after
/// it. Returns false when there was nothing to insert.
pub fn insert(input: &mut Input, text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    let value = input.value();
    let cursor = input.cursor();
    let at = value
        .char_indices()
        .nth(cursor)
        .map_or(value.len(), |(i, _)| i);
    let mut new = String::with_capacity(value.len() + text.len());
    new.push_str(&value[..at]);
    new.push_str(text);
    new.push_str(&value[at..]);
    let end = cursor + text.chars().count();
    *input = Input::new(new).with_cursor(end);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_spaces_and_the_trailing_one_goes() {
        assert_eq!(
            single_line("Escort required.\nkeep badge at desk.\n"),
            "Escort required. keep badge at desk."
        );
        assert_eq!(single_line("a\r\nb\rc\td\u{7}e\r\n\r\n"), "a b c de");
        assert_eq!(single_line("\n\n"), "");
    }

    #[test]
    fn insert_puts_the_text_at_the_cursor_and_moves_past_it() {
        let mut input = Input::new("Añ Gómez".into()).with_cursor(2);
        assert!(insert(&mut input, "a Ma"));
        assert_eq!(input.value(), "Aña Ma Gómez");
        assert_eq!(input.cursor(), 6);
        assert!(!insert(&mut input, ""));
        let mut end = Input::new("x".into());
        insert(&mut end, "yz");
        assert_eq!((end.value(), end.cursor()), ("xyz", 3));
    }
}
