//! The probe preview of the `p` popup: the upload drawn with half blocks (works over SSH
//! and in any terminal), made off the render path when the probe is prepared. It keeps
//! its small pixels so a run's face box can be drawn into them by the request step
//! before a frame (see [`crate::tui::pictures`]), never while drawing.

use std::sync::Arc;

use image::imageops::FilterType;
use image::DynamicImage;
use ratatui::layout::Size;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;
use ratatui_image::Resize;

use crate::preview::FaceMark;

/// Preview size in cells (half blocks: two pixels per cell vertically).
pub const PREVIEW_CELLS: (u16, u16) = (32, 16);

/// A ready-to-draw probe preview, and the pixels to draw a face box into.
#[derive(Clone)]
pub struct Preview {
    plain: Arc<Protocol>,
    /// The fitted pixels `plain` was encoded from.
    pixels: Arc<DynamicImage>,
}

impl std::fmt::Debug for Preview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Preview")
    }
}

impl PartialEq for Preview {
    fn eq(&self, other: &Preview) -> bool {
        Arc::ptr_eq(&self.plain, &other.plain)
    }
}

impl Preview {
    /// Fits `img` to the preview and encodes it; `None` if it cannot be drawn.
    pub fn new(img: DynamicImage) -> Option<Preview> {
        // Scale to the preview's pixel size first (the half-block picker assumes 10×20 px
        // cells): small probes grow to fill it, and big ones are not resized twice.
        let pixels = img.resize(
            u32::from(PREVIEW_CELLS.0) * 10,
            u32::from(PREVIEW_CELLS.1) * 20,
            FilterType::Triangle,
        );
        let plain = encode(pixels.clone())?;
        Some(Preview {
            plain: Arc::new(plain),
            pixels: Arc::new(pixels),
        })
    }

    /// The plain picture.
    pub fn plain(&self) -> Arc<Protocol> {
        self.plain.clone()
    }

    /// The picture with `mark` drawn in: a few hundred pixels' worth of half blocks,
    /// encoded on each call (the request step keeps the last one); the plain picture
    /// if that fails.
    pub fn with_mark(&self, mark: FaceMark) -> Arc<Protocol> {
        let mut pixels = (*self.pixels).clone();
        mark.draw_for(&mut pixels, &Picker::halfblocks());
        encode(pixels).map_or_else(|| self.plain.clone(), Arc::new)
    }
}

fn encode(pixels: DynamicImage) -> Option<Protocol> {
    let size = Size::new(PREVIEW_CELLS.0, PREVIEW_CELLS.1);
    Picker::halfblocks()
        .new_protocol(pixels, size, Resize::Fit(None))
        .ok()
}
