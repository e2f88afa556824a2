//! Match thumbnails: the base64 pictures the server sent with each person,
//! decoded off the render path and cached by person id + thumbnail index.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ratatui::layout::Size;

use super::cache::PreviewCache;
use super::job::JobInput;
use super::key::{PreviewKey, PreviewState, SourceId};
use crate::api::model::Thumbnail;

/// Below this many terminal rows the results list shows text only (thumbnails go to the detail).
pub const MIN_HEIGHT_FOR_LIST_THUMBNAILS: u16 = 40;
/// Height of one results-list row when it carries a thumbnail.
pub const LIST_THUMBNAIL_ROWS: u16 = 4;
/// Width of that thumbnail: square on screen, as cells are about 1:2.
pub const LIST_THUMBNAIL_COLS: u16 = 8;

impl PreviewCache {
    /// The picture of `person`'s thumbnail number `index`, fitted into `cells`.
    /// `None` (the person has no such thumbnail) and undecodable base64 answer
    /// with a placeholder reason at once; bytes are decoded in the background.
    pub fn request_thumbnail(
        &mut self,
        person: &str,
        index: usize,
        thumbnail: Option<&Thumbnail>,
        cells: Size,
    ) -> PreviewState {
        match thumbnail_key(person, index, thumbnail, cells) {
            Ok((key, bytes)) => self.request(key, || JobInput::Bytes(Arc::from(bytes))),
            Err(failed) => failed,
        }
    }
}

/// The key of a thumbnail and the bytes to decode; `Err` is what to draw instead (the
/// person has no such thumbnail, or its base64 was bad).
pub(crate) fn thumbnail_key<'a>(
    person: &str,
    index: usize,
    thumbnail: Option<&'a Thumbnail>,
    cells: Size,
) -> Result<(PreviewKey, &'a [u8]), PreviewState> {
    let bytes = match thumbnail.map(|t| &t.image) {
        None => return Err(PreviewState::Failed("no thumbnail".into())),
        Some(Err(reason)) => return Err(PreviewState::Failed(reason.clone())),
        Some(Ok(bytes)) => bytes,
    };
    let key = PreviewKey {
        source: SourceId::Thumbnail {
            person: person.to_string(),
            index,
            fingerprint: fingerprint(bytes),
        },
        cells: (cells.width, cells.height),
        mark: None,
    };
    Ok((key, bytes.as_slice()))
}

/// Tells two pictures apart cheaply (~0.1 ms for a 100 KB thumbnail).
fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Row height for each results-list entry: with a thumbnail when the terminal
/// is tall enough to still show several matches, else one text line (`None`):
/// then thumbnails appear only in the detail views.
pub fn list_thumbnail_rows(terminal_height: u16) -> Option<u16> {
    (terminal_height >= MIN_HEIGHT_FOR_LIST_THUMBNAILS).then_some(LIST_THUMBNAIL_ROWS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_thumbnails_only_when_tall_enough() {
        assert_eq!(list_thumbnail_rows(24), None);
        assert_eq!(list_thumbnail_rows(39), None);
        assert_eq!(list_thumbnail_rows(40), Some(LIST_THUMBNAIL_ROWS));
        assert_eq!(list_thumbnail_rows(60), Some(LIST_THUMBNAIL_ROWS));
    }

    #[test]
    fn fingerprints_differ_for_different_bytes() {
        assert_ne!(fingerprint(b"abc"), fingerprint(b"abd"));
        assert_eq!(fingerprint(b"abc"), fingerprint(b"abc"));
    }
}
