//! Deterministic synthetic "portraits" for the demo gallery, the tests and the
//! benchmarks: a coloured gradient background, a head, hair, eyes, a shirt and a
//! per-person texture, all drawn from a seed. Variants shift, brighten, resize and
//! blur the same scene, so the same seed is "the same person".

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// A small, fast, seedable generator (splitmix64): no crate needed, same on every machine.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
}

/// How one picture of a person differs from the reference picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Shift of the subject, in pixels of the 200×240 canvas.
    pub dx: f32,
    pub dy: f32,
    /// Added to every channel (−255…255).
    pub brightness: f32,
    /// Output size; `None` keeps 200×240.
    pub size: Option<(u32, u32)>,
    /// Gaussian blur sigma; 0 for none.
    pub blur: f32,
}

impl Default for Variant {
    fn default() -> Self {
        Variant {
            dx: 0.0,
            dy: 0.0,
            brightness: 0.0,
            size: None,
            blur: 0.0,
        }
    }
}

pub const WIDTH: u32 = 200;
pub const HEIGHT: u32 = 240;

struct Scene {
    bg_a: [f32; 3],
    bg_b: [f32; 3],
    bg_angle: f32,
    stripes: f32,
    skin: [f32; 3],
    hair: [f32; 3],
    shirt: [f32; 3],
    head: (f32, f32, f32, f32),
    hair_height: f32,
    eye_gap: f32,
    eye_y: f32,
    mark: (f32, f32, f32),
    mark_colour: [f32; 3],
    texture_seed: u64,
}

fn colour(r: &mut SplitMix, lo: f32, hi: f32) -> [f32; 3] {
    [r.range(lo, hi), r.range(lo, hi), r.range(lo, hi)]
}

impl Scene {
    fn new(seed: u64) -> Scene {
        let mut r = SplitMix::new(seed);
        Scene {
            bg_a: colour(&mut r, 20.0, 235.0),
            bg_b: colour(&mut r, 20.0, 235.0),
            bg_angle: r.range(0.0, std::f32::consts::TAU),
            stripes: r.range(0.0, 1.0),
            skin: [
                r.range(90.0, 240.0),
                r.range(60.0, 190.0),
                r.range(40.0, 160.0),
            ],
            hair: colour(&mut r, 10.0, 200.0),
            shirt: colour(&mut r, 10.0, 245.0),
            head: (
                r.range(80.0, 120.0),
                r.range(95.0, 125.0),
                r.range(38.0, 58.0),
                r.range(50.0, 72.0),
            ),
            hair_height: r.range(0.2, 0.7),
            eye_gap: r.range(12.0, 24.0),
            eye_y: r.range(-14.0, 2.0),
            mark: (
                r.range(10.0, 190.0),
                r.range(10.0, 90.0),
                r.range(8.0, 26.0),
            ),
            mark_colour: colour(&mut r, 0.0, 255.0),
            texture_seed: r.next_u64(),
        }
    }

    /// The colour of scene point (x, y).
    fn at(&self, x: f32, y: f32) -> [f32; 3] {
        let (hx, hy, rx, ry) = self.head;
        let (dx, dy) = ((x - hx) / rx, (y - hy) / ry);
        let in_head = dx * dx + dy * dy <= 1.0;
        let shirt_top = hy + ry * 0.95;
        if y > shirt_top && (x - hx).abs() < rx * 1.6 + (y - shirt_top) * 0.8 {
            return self.shirt;
        }
        if in_head {
            if dy < -1.0 + self.hair_height {
                return self.hair;
            }
            let ey = hy + self.eye_y;
            for ex in [hx - self.eye_gap, hx + self.eye_gap] {
                if (x - ex).powi(2) + (y - ey).powi(2) < 16.0 {
                    return [30.0, 25.0, 20.0];
                }
            }
            if (y - (hy + ry * 0.45)).abs() < 2.5 && (x - hx).abs() < rx * 0.35 {
                return [150.0, 60.0, 60.0];
            }
            return self.skin;
        }
        let (mx, my, mr) = self.mark;
        if (x - mx).abs() < mr && (y - my).abs() < mr {
            return self.mark_colour;
        }
        let t = ((x * self.bg_angle.cos() + y * self.bg_angle.sin()) / 260.0 + 0.5).clamp(0.0, 1.0);
        let stripe = if self.stripes > 0.5 && ((y / 14.0) as i32) % 2 == 0 {
            0.85
        } else {
            1.0
        };
        std::array::from_fn(|i| (self.bg_a[i] * (1.0 - t) + self.bg_b[i] * t) * stripe)
    }
}

/// Renders person `seed` as `variant` describes.
pub fn portrait(seed: u64, variant: &Variant) -> DynamicImage {
    let scene = Scene::new(seed);
    let mut img = RgbImage::new(WIDTH, HEIGHT);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (sx, sy) = (x as f32 - variant.dx, y as f32 - variant.dy);
        let c = scene.at(sx, sy);
        // A fixed per-person grain (hashed from the scene position): photos are never flat.
        let cell = ((sx.floor() as i64 as u64) << 20) ^ (sy.floor() as i64 as u64);
        let grain = (SplitMix::new(scene.texture_seed ^ cell).unit() - 0.5) * 36.0;
        *p = Rgb(c.map(|v| (v + grain + variant.brightness).clamp(0.0, 255.0) as u8));
    }
    let mut out = DynamicImage::ImageRgb8(img);
    if variant.blur > 0.0 {
        out = out.blur(variant.blur);
    }
    if let Some((w, h)) = variant.size {
        out = out.resize_exact(w, h, image::imageops::FilterType::Triangle);
    }
    out
}

/// Encodes as JPEG at `quality` (1–100).
pub fn jpeg(img: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    // Writing into a Vec cannot fail for an RGB image.
    let _ = img.to_rgb8().write_with_encoder(encoder);
    out
}

/// Encodes as PNG.
pub fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png);
    out
}

/// Base64 of a JPEG at quality 90, as a client would send it.
pub fn jpeg_base64(img: &DynamicImage) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(jpeg(img, 90))
}
