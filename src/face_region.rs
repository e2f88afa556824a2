//! Where the searched face is in the probe, as fractions (0–1) of the picture: the same
//! numbers then fit the upload, the file on disk and any preview of either, whatever
//! their pixel size.

use serde::{Deserialize, Deserializer, Serialize};

use crate::api::model::FaceBox;

/// A face's box as fractions of the image's width and height; always inside the image
/// and never empty.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceRegion {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Four decimals: a tenth of a pixel on a 1600 px upload, and short history lines.
fn round4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

impl FaceRegion {
    /// A box in pixels of a `width`×`height` image, clipped to it. `None` when the image
    /// is empty or nothing of the box lies inside it.
    pub fn from_pixels(b: &FaceBox, (width, height): (u32, u32)) -> Option<FaceRegion> {
        if width == 0 || height == 0 {
            return None;
        }
        let (w, h) = (f64::from(width), f64::from(height));
        let x0 = (b.x / w).clamp(0.0, 1.0);
        let y0 = (b.y / h).clamp(0.0, 1.0);
        let x1 = ((b.x + b.width) / w).clamp(0.0, 1.0);
        let y1 = ((b.y + b.height) / h).clamp(0.0, 1.0);
        FaceRegion::from_edges(x0, y0, x1, y1)
    }

    fn from_edges(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<FaceRegion> {
        let (x0, y0, x1, y1) = (round4(x0), round4(y0), round4(x1), round4(y1));
        let r = FaceRegion {
            x: x0,
            y: y0,
            width: round4(x1 - x0),
            height: round4(y1 - y0),
        };
        r.is_valid().then_some(r)
    }

    /// Finite, inside 0–1 and not empty: what a region read from a file must be.
    pub fn is_valid(&self) -> bool {
        let inside = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
        inside(self.x)
            && inside(self.y)
            && self.width > 0.0
            && self.height > 0.0
            && inside(self.x + self.width - 1e-9)
            && inside(self.y + self.height - 1e-9)
    }

    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }
}

/// For history: a missing, damaged or out-of-range region is no region, never a lost run.
pub fn deserialize_lenient<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<FaceRegion>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value::<FaceRegion>(v)
        .ok()
        .filter(FaceRegion::is_valid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(x: f64, y: f64, width: f64, height: f64) -> FaceBox {
        FaceBox {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn pixels_become_fractions_of_the_sent_size() {
        let r = FaceRegion::from_pixels(&px(160.0, 90.0, 320.0, 450.0), (640, 900)).unwrap();
        assert_eq!(
            r,
            FaceRegion {
                x: 0.25,
                y: 0.1,
                width: 0.5,
                height: 0.5
            }
        );
        assert_eq!((r.right(), r.bottom()), (0.75, 0.6));
    }

    #[test]
    fn boxes_are_clipped_to_the_image_and_empty_ones_dropped() {
        let r = FaceRegion::from_pixels(&px(-50.0, 800.0, 150.0, 400.0), (200, 1000)).unwrap();
        assert_eq!((r.x, r.y, r.width, r.height), (0.0, 0.8, 0.5, 0.2));
        assert_eq!(
            FaceRegion::from_pixels(&px(300.0, 10.0, 50.0, 50.0), (200, 100)),
            None,
            "entirely outside"
        );
        assert_eq!(
            FaceRegion::from_pixels(&px(1.0, 1.0, 5.0, 5.0), (0, 100)),
            None
        );
    }

    #[test]
    fn validity_needs_finite_fractions_inside_the_image() {
        let ok = FaceRegion {
            x: 0.2,
            y: 0.3,
            width: 0.8,
            height: 0.7,
        };
        assert!(ok.is_valid());
        for bad in [
            FaceRegion { x: -0.1, ..ok },
            FaceRegion { width: 0.0, ..ok },
            FaceRegion { width: 0.9, ..ok },
            FaceRegion { y: f64::NAN, ..ok },
            FaceRegion {
                height: f64::INFINITY,
                ..ok
            },
        ] {
            assert!(!bad.is_valid(), "{bad:?}");
        }
    }
}
