//! The searched face's box, drawn into a picture's pixels before the picture becomes a
//! terminal protocol: half blocks, kitty, sixel and iTerm2 then all show the same box.
//!
//! A line must survive the way each protocol shows pixels. Graphics protocols show them
//! one to one, so a line is a few pixels thick. Half blocks show one averaged colour per
//! half cell ("dot"), so a line is one dot thick and snapped to the dot grid: drawn
//! across two dots it would average into two faint ones.

use image::{DynamicImage, GenericImage, Rgba};
use ratatui_image::picker::{Picker, ProtocolType};

use crate::face_region::FaceRegion;

/// Fractions are kept in these units, so a mark can be part of a cache key.
const UNITS: f64 = 10_000.0;

/// A face box to draw: where (quantised fractions of the picture) and in which colour.
/// Part of [`super::PreviewKey`]: the same file with another box (or none) is another
/// picture, so a box never shows on a run it does not belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FaceMark {
    /// Left, top, right, bottom, in 1/10 000 of the width or height.
    edges: [u16; 4],
    pub rgb: [u8; 3],
}

impl FaceMark {
    pub fn new(region: &FaceRegion, rgb: [u8; 3]) -> FaceMark {
        let q = |v: f64| (v.clamp(0.0, 1.0) * UNITS).round() as u16;
        FaceMark {
            edges: [
                q(region.x),
                q(region.y),
                q(region.right()),
                q(region.bottom()),
            ],
            rgb,
        }
    }

    /// Left, top, right, bottom as fractions of the picture.
    pub fn fractions(&self) -> [f64; 4] {
        self.edges.map(|e| f64::from(e) / UNITS)
    }

    /// Draws the box into `img`, a picture fitted to its cells that `picker` will encode.
    pub fn draw_for(&self, img: &mut DynamicImage, picker: &Picker) {
        let stroke = Stroke::for_picture(img.width(), img.height(), picker);
        self.draw(img, stroke);
    }

    /// Draws the box's outline into `img`, as it will be shown with `stroke`.
    pub fn draw(&self, img: &mut DynamicImage, stroke: Stroke) {
        let (w, h) = (img.width(), img.height());
        if w == 0 || h == 0 {
            return;
        }
        // A grey picture would turn the colour grey: give it colour channels first.
        if !matches!(
            img,
            DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_)
        ) {
            *img = if img.color().has_alpha() {
                DynamicImage::ImageRgba8(img.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(img.to_rgb8())
            };
        }
        let [l, t, r, b] = self.fractions();
        let cols = dot_span(l * f64::from(w), r * f64::from(w), stroke.dot.0, w);
        let rows = dot_span(t * f64::from(h), b * f64::from(h), stroke.dot.1, h);
        let (Some((c0, c1)), Some((r0, r1))) = (cols, rows) else {
            return;
        };
        let k = stroke.dots;
        let colour = Rgba([self.rgb[0], self.rgb[1], self.rgb[2], 255]);
        // Left and right sides, then top and bottom (dot ranges, inclusive).
        let sides = [
            (c0, (c0 + k - 1).min(c1), r0, r1),
            (c1.saturating_sub(k - 1).max(c0), c1, r0, r1),
            (c0, c1, r0, (r0 + k - 1).min(r1)),
            (c0, c1, r1.saturating_sub(k - 1).max(r0), r1),
        ];
        for (dc0, dc1, dr0, dr1) in sides {
            let (x0, x1) = dot_pixels(dc0, dc1, stroke.dot.0, w);
            let (y0, y1) = dot_pixels(dr0, dr1, stroke.dot.1, h);
            for y in y0..y1 {
                for x in x0..x1 {
                    img.put_pixel(x, y, colour);
                }
            }
        }
    }
}

/// How a picture's pixels reach the screen: the size of one visible dot in pixels, and
/// how many dots thick a line is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    pub dot: (f64, f64),
    pub dots: u32,
}

impl Stroke {
    /// For a `width`×`height` picture about to be encoded by `picker` (already fitted
    /// to its cells, as [`super::job::fit_pixels`] does).
    pub fn for_picture(width: u32, height: u32, picker: &Picker) -> Stroke {
        let font = picker.font_size();
        match picker.protocol_type() {
            ProtocolType::Halfblocks => {
                // The encoder turns w×h pixels into ceil(w/fw) × 2·ceil(h/fh) dots.
                let fw = u32::from(font.width).max(1);
                let fh = u32::from(font.height).max(1);
                let across = width.div_ceil(fw).max(1);
                let down = (2 * height.div_ceil(fh)).max(1);
                Stroke {
                    dot: (
                        f64::from(width) / f64::from(across),
                        f64::from(height) / f64::from(down),
                    ),
                    dots: 1,
                }
            }
            // Pixels one to one: about 1/120 of the picture, never thinner than 2 px.
            _ => Stroke {
                dot: (1.0, 1.0),
                dots: (width.min(height) / 120).max(2),
            },
        }
    }
}

/// The dots (of `dot` pixels, along a side of `len` pixels) that the pixel range
/// `from..to` touches, inclusive; `None` when none does.
fn dot_span(from: f64, to: f64, dot: f64, len: u32) -> Option<(u32, u32)> {
    let last = ((f64::from(len) / dot).round() as u32).max(1) - 1;
    let first = ((from / dot).floor().max(0.0) as u32).min(last);
    let end = ((to / dot).ceil() as u32).saturating_sub(1).min(last);
    (first <= end).then_some((first, end))
}

/// The pixels of dots `d0..=d1`, as a half-open range, at least one pixel wide.
fn dot_pixels(d0: u32, d1: u32, dot: f64, len: u32) -> (u32, u32) {
    let at = |d: u32| ((f64::from(d) * dot).round() as u32).min(len);
    (at(d0), at(d1 + 1).max(at(d0) + 1).min(len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbImage;

    const GREEN: [u8; 3] = [0, 255, 95];

    fn region(x: f64, y: f64, width: f64, height: f64) -> FaceRegion {
        FaceRegion {
            x,
            y,
            width,
            height,
        }
    }

    fn grey(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, image::Rgb([128, 128, 128])))
    }

    fn is_box(img: &DynamicImage, x: u32, y: u32) -> bool {
        img.to_rgb8().get_pixel(x, y).0 == GREEN
    }

    #[test]
    fn graphics_protocols_get_a_thin_outline_exactly_at_the_box() {
        let mut img = grey(240, 300);
        let mark = FaceMark::new(&region(0.25, 0.2, 0.5, 0.6), GREEN);
        let stroke = Stroke {
            dot: (1.0, 1.0),
            dots: 2,
        };
        mark.draw(&mut img, stroke);
        // Box pixels 60..180 × 60..240: two-pixel lines on its inside edges.
        for (x, y, want) in [
            (60, 100, true),
            (61, 100, true),
            (62, 100, false),
            (59, 100, false),
            (179, 100, true),
            (180, 100, false),
            (120, 60, true),
            (120, 61, true),
            (120, 62, false),
            (120, 239, true),
            (120, 240, false),
            (120, 150, false),
            (10, 10, false),
        ] {
            assert_eq!(is_box(&img, x, y), want, "({x}, {y})");
        }
    }

    #[test]
    fn half_blocks_get_one_dot_lines_on_the_dot_grid() {
        // 160×160 px in half blocks at 10×20 px cells: 16×16 dots of 10×10 px.
        let stroke = Stroke::for_picture(160, 160, &Picker::halfblocks());
        assert_eq!(
            stroke,
            Stroke {
                dot: (10.0, 10.0),
                dots: 1
            }
        );
        let mut img = grey(160, 160);
        // Edges off the grid (x 43 px … 117 px) snap outwards to whole dots 4 and 11.
        FaceMark::new(&region(0.27, 0.27, 0.46, 0.46), GREEN).draw(&mut img, stroke);
        for (x, y, want) in [
            (40, 80, true),
            (49, 80, true),
            (50, 80, false),
            (39, 80, false),
            (110, 80, true),
            (119, 80, true),
            (120, 80, false),
            (80, 40, true),
            (80, 119, true),
            (80, 80, false),
        ] {
            assert_eq!(is_box(&img, x, y), want, "({x}, {y})");
        }
    }

    #[test]
    fn a_box_at_the_edge_or_tiny_still_draws_inside_the_picture() {
        let stroke = Stroke {
            dot: (1.0, 1.0),
            dots: 3,
        };
        let mut img = grey(50, 40);
        FaceMark::new(&region(0.0, 0.0, 1.0, 1.0), GREEN).draw(&mut img, stroke);
        assert!(is_box(&img, 0, 0) && is_box(&img, 49, 39) && !is_box(&img, 25, 20));
        let mut img = grey(50, 40);
        FaceMark::new(&region(0.5, 0.5, 0.001, 0.001), GREEN).draw(&mut img, stroke);
        assert!(is_box(&img, 25, 20));
        let mut empty = DynamicImage::new_rgb8(0, 0);
        FaceMark::new(&region(0.1, 0.1, 0.5, 0.5), GREEN).draw(&mut empty, stroke);
    }

    #[test]
    fn a_grey_picture_gets_a_coloured_box() {
        let mut img =
            DynamicImage::ImageLuma8(image::GrayImage::from_pixel(100, 100, image::Luma([90])));
        let stroke = Stroke {
            dot: (1.0, 1.0),
            dots: 2,
        };
        FaceMark::new(&region(0.2, 0.2, 0.6, 0.6), GREEN).draw(&mut img, stroke);
        assert!(
            is_box(&img, 20, 50),
            "{:?}",
            img.to_rgb8().get_pixel(20, 50)
        );
        assert_eq!(img.to_rgb8().get_pixel(50, 50).0, [90, 90, 90]);
    }

    #[test]
    fn graphics_lines_scale_with_the_picture() {
        let mut kitty = Picker::halfblocks();
        kitty.set_protocol_type(ProtocolType::Kitty);
        for (w, h, dots) in [(200, 300, 2), (100, 40, 2), (720, 900, 6)] {
            let s = Stroke::for_picture(w, h, &kitty);
            assert_eq!((s.dot, s.dots), ((1.0, 1.0), dots), "{w}×{h}");
        }
    }

    #[test]
    fn marks_key_by_quantised_region_and_colour() {
        let a = FaceMark::new(&region(0.25, 0.2, 0.5, 0.6), GREEN);
        let same = FaceMark::new(&region(0.250_001, 0.2, 0.5, 0.6), GREEN);
        assert_eq!(a, same);
        assert_ne!(a, FaceMark::new(&region(0.26, 0.2, 0.5, 0.6), GREEN));
        assert_ne!(
            a,
            FaceMark::new(&region(0.25, 0.2, 0.5, 0.6), [255, 0, 255])
        );
        assert_eq!(a.fractions(), [0.25, 0.2, 0.75, 0.8]);
    }
}
