//! One text input in a box of fixed width, scrolled sideways so the cursor stays in view
//! (after a 20,000-character paste the box shows its end, where the cursor is).

use tui_input::Input;
use unicode_width::UnicodeWidthChar;

/// What a box shows of an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputView {
    /// The visible slice of the value, at most the box's width in columns.
    pub text: String,
    /// The cursor's column inside the box (always less than the width).
    pub cursor: usize,
}

/// The part of `input` a `width`-column box shows, scrolled so the cursor — and the cell
/// after the last character, where typing goes — stays inside the box.
pub fn view(input: &Input, width: usize) -> InputView {
    if width == 0 {
        return InputView {
            text: String::new(),
            cursor: 0,
        };
    }
    let skip = input.visual_scroll(width - 1);
    let mut skipped = 0;
    let mut shown = 0;
    let mut text = String::new();
    for c in input.value().chars() {
        let w = c.width().unwrap_or(0);
        if skipped < skip {
            skipped += w;
            continue;
        }
        if shown + w > width {
            break;
        }
        text.push(c);
        shown += w;
    }
    InputView {
        text,
        cursor: input.visual_cursor().saturating_sub(skipped).min(width - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_value_shows_whole_with_the_cursor_after_it() {
        let v = view(&Input::new("Ana".into()), 10);
        assert_eq!(
            v,
            InputView {
                text: "Ana".into(),
                cursor: 3
            }
        );
    }

    #[test]
    fn a_long_value_shows_its_end_where_the_cursor_is() {
        let long: String = (0..20_000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let v = view(&Input::new(long.clone()), 20);
        assert_eq!(v.cursor, 19, "the cursor sits in the box's last cell");
        assert_eq!(v.text, long[long.len() - 19..], "the paste's end is shown");
        let at_start = view(&Input::new(long.clone()).with_cursor(0), 20);
        assert_eq!((at_start.text.as_str(), at_start.cursor), (&long[..20], 0));
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let v = view(&Input::new("名前名前名前".into()), 7);
        assert_eq!(
            v,
            InputView {
                text: "前名前".into(),
                cursor: 6
            }
        );
    }
}
