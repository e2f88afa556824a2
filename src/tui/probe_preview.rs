//! The probe preview of the `p` popup: the upload drawn with half blocks (works over SSH
//! and in any terminal), made off the render path when the probe is prepared. It keeps
//! its small pixels so a run's face box can be drawn into them later.

use std::sync::{Arc, Mutex};

use image::imageops::FilterType;
use image::DynamicImage;
use ratatui::layout::Size;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;
use ratatui_image::Resize;

use crate::preview::FaceMark;

/// Preview size in cells (half blocks: two pixels per cell vertically).
pub const PREVIEW_CELLS: (u16, u16) = (32, 16);

/// A ready-to-draw probe preview, with and (once asked for) without a face box.
#[derive(Clone)]
pub struct Preview {
    plain: Arc<Protocol>,
    /// The fitted pixels `plain` was encoded from.
    pixels: Arc<DynamicImage>,
    /// The last boxed version. Cloned probes share it; a different box replaces it.
    marked: Arc<Mutex<Option<Boxed>>>,
}

/// A box and the preview with it drawn in.
type Boxed = (FaceMark, Arc<Protocol>);

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
            marked: Arc::new(Mutex::new(None)),
        })
    }

    /// The picture to draw: plain, or with `mark` drawn in. A new box is encoded once
    /// (a few hundred pixels' worth of half blocks) and reused while it stays the same.
    pub fn protocol(&self, mark: Option<FaceMark>) -> Arc<Protocol> {
        let Some(mark) = mark else {
            return self.plain.clone();
        };
        let mut memo = self.marked.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((m, p)) = memo.as_ref() {
            if *m == mark {
                return p.clone();
            }
        }
        let mut pixels = (*self.pixels).clone();
        mark.draw_for(&mut pixels, &Picker::halfblocks());
        match encode(pixels) {
            Some(p) => {
                let p = Arc::new(p);
                *memo = Some((mark, p.clone()));
                p
            }
            None => self.plain.clone(),
        }
    }
}

fn encode(pixels: DynamicImage) -> Option<Protocol> {
    let size = Size::new(PREVIEW_CELLS.0, PREVIEW_CELLS.1);
    Picker::halfblocks()
        .new_protocol(pixels, size, Resize::Fit(None))
        .ok()
}
