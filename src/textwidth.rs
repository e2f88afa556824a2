//! Text measured in terminal cells, not characters: `王` takes two cells, `e` + U+0308
//! (an NFD `ë`) one, and a family emoji joined by ZWJs two. Every table and column of
//! the dashboard and the CLI clips and pads through these functions.
//!
//! A string is measured one grapheme cluster at a time (as ratatui's buffer draws it),
//! and cuts fall only between clusters, so an ellipsis never splits a wide character,
//! a combining sequence or an emoji sequence.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The mark that replaces the cut part (one cell wide).
pub const ELLIPSIS: char = '…';

/// Cells `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Cuts `s` to at most `w` cells, marking a cut with `…` at the end. The result may be
/// one cell narrower than `w` when a wide character does not fit; [`fit`] pads it.
pub fn clip(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let gw = g.width();
        if used + gw > w - 1 {
            break;
        }
        out.push_str(g);
        used += gw;
    }
    out.push(ELLIPSIS);
    out
}

/// Keeps the end of `s` within `w` cells, marking a cut with `…` at the start (for
/// paths: `…/b/c`).
pub fn clip_left(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut kept = Vec::new();
    let mut used = 0;
    for g in s.graphemes(true).rev() {
        let gw = g.width();
        if used + gw > w - 1 {
            break;
        }
        kept.push(g);
        used += gw;
    }
    let mut out = String::from(ELLIPSIS);
    out.extend(kept.into_iter().rev());
    out
}

/// Exactly `w` cells: `s` clipped, then padded with spaces on the right (a left-aligned
/// column).
pub fn fit(s: &str, w: usize) -> String {
    let mut out = clip(s, w);
    let pad = w.saturating_sub(width(&out));
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Exactly `w` cells: `s` clipped, then padded with spaces on the left (a right-aligned
/// column, for numbers and dates).
pub fn fit_right(s: &str, w: usize) -> String {
    let out = clip(s, w);
    let pad = w.saturating_sub(width(&out));
    let mut padded: String = std::iter::repeat_n(' ', pad).collect();
    padded.push_str(&out);
    padded
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200d}👩\u{200d}👧"; // one grapheme, two cells
    const NFD_ZOE: &str = "Zoe\u{308}"; // "Zoë" with a combining diaeresis: three cells

    #[test]
    fn measures_cells_not_characters() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("王小明"), 6);
        assert_eq!(width("中国"), 4);
        assert_eq!(width(NFD_ZOE), 3);
        assert_eq!(NFD_ZOE.chars().count(), 4);
        assert_eq!(width(FAMILY), 2);
        assert_eq!(width("📷.jpg"), 6);
    }

    #[test]
    fn short_text_is_left_alone() {
        assert_eq!(clip("王小明", 6), "王小明");
        assert_eq!(clip(NFD_ZOE, 3), NFD_ZOE);
        assert_eq!(clip("", 0), "");
        assert_eq!(clip("abc", 0), "");
    }

    #[test]
    fn clips_cjk_without_splitting_a_wide_character() {
        let name = "王小明の写真_とても長い名前のファイル_001.jpg";
        for w in 1..=width(name) + 2 {
            let c = clip(name, w);
            assert!(width(&c) <= w, "{c:?} is wider than {w}");
            // At most one cell is lost, to a wide character that did not fit.
            assert!(width(&c) + 1 >= w.min(width(name)), "{c:?} at {w}");
            assert_eq!(width(&fit(name, w)), w);
        }
        assert_eq!(clip(name, 6), "王小…");
        assert_eq!(clip(name, 7), "王小明…");
        assert_eq!(fit(name, 6), "王小… ");
    }

    #[test]
    fn never_splits_an_emoji_sequence_or_a_combining_mark() {
        let s = format!("{FAMILY}{FAMILY}abc");
        assert_eq!(clip(&s, 4), format!("{FAMILY}…"));
        assert_eq!(clip(&s, 3), format!("{FAMILY}…"));
        assert_eq!(clip(&s, 2), "…");
        let z = format!("{NFD_ZOE}{NFD_ZOE}");
        // "Zoë" then the cut: the diaeresis stays with its e.
        assert_eq!(clip(&z, 4), format!("{NFD_ZOE}…"));
        assert_eq!(clip("Zoe\u{308}x", 3), "Zo…");
    }

    #[test]
    fn clip_left_keeps_the_end() {
        assert_eq!(clip_left("/a/b/c", 10), "/a/b/c");
        assert_eq!(clip_left("/data/王小明/photos", 9), "…/photos");
        assert_eq!(clip_left("/data/王小明", 5), "…小明");
        assert_eq!(clip_left("/data/王小明", 4), "…明");
        assert_eq!(clip_left("abc", 0), "");
    }

    #[test]
    fn columns_pad_to_exact_cells() {
        assert_eq!(fit("中国", 6), "中国  ");
        assert_eq!(fit(NFD_ZOE, 5), format!("{NFD_ZOE}  "));
        assert_eq!(fit_right("1.2 KB", 8), "  1.2 KB");
        assert_eq!(fit_right("王小明", 4), " 王…");
        for s in ["王小明", NFD_ZOE, FAMILY, "plain"] {
            for w in 0..9 {
                assert_eq!(width(&fit(s, w)), w, "{s:?} at {w}");
                assert_eq!(width(&fit_right(s, w)), w, "{s:?} at {w}");
            }
        }
    }
}
