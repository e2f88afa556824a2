//! The background half: bytes → upright pixels → fitted to the pane → encoded
//! for the terminal. Runs on tokio's blocking pool, never on the render path.

use std::path::PathBuf;
use std::sync::Arc;

use image::imageops::FilterType;
use image::DynamicImage;
use ratatui::layout::Size;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;
use ratatui_image::Resize;

use super::facebox::FaceMark;
use super::key::{PreviewKey, SourceId};
use crate::imageio::decode_oriented_within;
use crate::probe::{plain_io, MAX_FILE_BYTES};

/// What a job reads.
#[derive(Debug, Clone)]
pub enum JobInput {
    File(PathBuf),
    /// Already-decoded base64 (a server thumbnail).
    Bytes(Arc<[u8]>),
}

/// A decode to run off the render path. Build it through the cache.
pub struct PreviewJob {
    key: PreviewKey,
    input: JobInput,
    picker: Picker,
}

/// A finished job, to be fed back with [`super::PreviewCache::complete`].
pub struct PreviewDone {
    pub key: PreviewKey,
    pub result: DecodeResult,
}

impl std::fmt::Debug for PreviewDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let result = match &self.result {
            DecodeResult::Ready(_) => "Ready".to_string(),
            DecodeResult::Failed(r) => format!("Failed({r:?})"),
            DecodeResult::Stale => "Stale".to_string(),
        };
        f.debug_struct("PreviewDone")
            .field("key", &self.key)
            .field("result", &result)
            .finish()
    }
}

/// How a decode ended: a picture encoded for the terminal, a reason it cannot be
/// shown, or stale (the file changed under it).
pub enum DecodeResult {
    Ready(Protocol),
    /// The sentence shown instead of the picture.
    Failed(String),
    /// The file changed while it was read: the result describes no version of it.
    Stale,
}

impl PreviewJob {
    pub(crate) fn new(key: PreviewKey, input: JobInput, picker: Picker) -> PreviewJob {
        PreviewJob { key, input, picker }
    }

    pub fn key(&self) -> &PreviewKey {
        &self.key
    }

    /// Does the work on the calling thread (blocking: tests and benches call it).
    pub fn run(self) -> PreviewDone {
        let cells = Size::new(self.key.cells.0, self.key.cells.1);
        let mark = self.key.mark.as_ref();
        let result = match &self.input {
            JobInput::File(path) => match read_file(path, &self.key.source) {
                Ok(Some(bytes)) => encode_marked(&bytes, cells, &self.picker, mark).map_or_else(
                    |r| DecodeResult::Failed(format!("cannot preview: {r}")),
                    DecodeResult::Ready,
                ),
                Ok(None) => DecodeResult::Stale,
                Err(reason) => DecodeResult::Failed(format!("cannot preview: {reason}")),
            },
            JobInput::Bytes(bytes) => encode_marked(bytes, cells, &self.picker, mark).map_or_else(
                |r| DecodeResult::Failed(format!("thumbnail is not an image: {r}")),
                DecodeResult::Ready,
            ),
        };
        PreviewDone {
            key: self.key,
            result,
        }
    }

    /// Runs on tokio's blocking pool and hands the result to `deliver` (which
    /// typically sends an `Action` on the app's channel). A decoder panic
    /// becomes a failure, so the entry never stays `Loading` forever.
    /// Must be called from within a tokio runtime.
    pub fn spawn<F>(self, deliver: F) -> tokio::task::JoinHandle<()>
    where
        F: FnOnce(PreviewDone) + Send + 'static,
    {
        tokio::task::spawn_blocking(move || {
            let key = self.key.clone();
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run()))
                .unwrap_or_else(|_| PreviewDone {
                    key,
                    result: DecodeResult::Failed(
                        "cannot preview: the image decoder crashed".into(),
                    ),
                });
            deliver(done);
        })
    }
}

/// Reads the file the key describes; `Ok(None)` when it is no longer that file.
fn read_file(path: &std::path::Path, source: &SourceId) -> Result<Option<Vec<u8>>, String> {
    // Checked before opening: a FIFO would block this worker for good.
    let meta = crate::filetype::check_regular(path).map_err(|e| plain_io(&e))?;
    if let SourceId::File { mtime, len, .. } = source {
        if meta.modified().ok() != *mtime || meta.len() != *len {
            return Ok(None);
        }
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "too large ({} MB; the limit is {} MB)",
            meta.len().div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let (bytes, _) =
        crate::filetype::read_regular(path, MAX_FILE_BYTES).map_err(|e| plain_io(&e))?;
    // Grew or shrank while we read it: what we hold matches no version on disk.
    if bytes.len() as u64 != meta.len() {
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// Decodes and fits the picture into `cells`, then encodes it for the protocol.
pub fn encode(bytes: &[u8], cells: Size, picker: &Picker) -> Result<Protocol, String> {
    encode_marked(bytes, cells, picker, None)
}

/// As [`encode`], with a face box drawn into the fitted pixels (before the protocol
/// sees them, so every protocol shows it).
pub fn encode_marked(
    bytes: &[u8],
    cells: Size,
    picker: &Picker,
    mark: Option<&FaceMark>,
) -> Result<Protocol, String> {
    // Never decode pixels the fit would throw away: a JPEG comes out of its DCT at
    // 1/2, 1/4 or 1/8 size when the pane needs no more (a 24 MP photo in a fraction of
    // the time). The longest side of the pane's pixel box bounds the fitted picture's.
    let img = decode_oriented_within(bytes, pixel_box_side(cells, picker))
        .map_err(|e| e.to_string())?
        .image;
    let mut img = fit_pixels(img, cells, picker);
    if let Some(mark) = mark {
        mark.draw_for(&mut img, picker);
    }
    picker
        .new_protocol(img, cells, Resize::Fit(None))
        .map_err(|e| format!("cannot draw it: {e}"))
}

/// The longest side, in pixels, of the box `cells` cover with `picker`'s font: a
/// picture fitted into the box is never longer than this on any side.
fn pixel_box_side(cells: Size, picker: &Picker) -> u32 {
    let font = picker.font_size();
    (u32::from(cells.width) * u32::from(font.width))
        .max(u32::from(cells.height) * u32::from(font.height))
}

/// Scales (down, or up for small thumbnails) to fill the pane's pixel box,
/// keeping the aspect ratio, so the protocol encoder never resizes a photo.
pub fn fit_pixels(img: DynamicImage, cells: Size, picker: &Picker) -> DynamicImage {
    let font = picker.font_size();
    let max_w = u32::from(cells.width) * u32::from(font.width);
    let max_h = u32::from(cells.height) * u32::from(font.height);
    if max_w == 0 || max_h == 0 || img.width() == 0 || img.height() == 0 {
        return img;
    }
    if img.width() > max_w || img.height() > max_h {
        // Area averaging: fast on 24 MP photos and without aliasing at big ratios.
        img.thumbnail(max_w, max_h)
    } else if img.width() < max_w && img.height() < max_h {
        img.resize(max_w, max_h, FilterType::Triangle)
    } else {
        img
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo-sized JPEG: decoded at 1/8 for a small pane, it must come out as the same
    /// picture (size, aspect, colours) a full decode fits into that pane.
    #[test]
    fn a_big_jpeg_is_decoded_reduced_and_fitted_like_a_full_decode() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(1600, 1200, |x, _| {
            if x < 800 {
                image::Rgb([200, 30, 30])
            } else {
                image::Rgb([30, 30, 200])
            }
        }));
        let jpeg = crate::probe::encode_jpeg(&img).unwrap();
        let picker = Picker::halfblocks();
        let cells = Size::new(20, 10);
        let side = pixel_box_side(cells, &picker);
        let reduced = crate::imageio::decode_oriented_within(&jpeg, side).unwrap();
        assert!(
            reduced.image.width() < 1600
                && reduced.image.width().max(reduced.image.height()) >= side,
            "decoded at {}×{} for a {side}-pixel box",
            reduced.image.width(),
            reduced.image.height()
        );
        let full = fit_pixels(
            crate::imageio::decode_oriented(&jpeg).unwrap(),
            cells,
            &picker,
        );
        let fitted = fit_pixels(reduced.image, cells, &picker);
        assert_eq!(
            (fitted.width(), fitted.height()),
            (full.width(), full.height())
        );
        let encoded = encode(&jpeg, cells, &picker).unwrap();
        assert!(encoded.size().width <= cells.width && encoded.size().height <= cells.height);
    }
}
