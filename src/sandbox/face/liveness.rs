//! Passive liveness with the two MiniFASNet models of Silent-Face-Anti-Spoofing: each
//! sees the face box enlarged by its own scale, at 80×80; their softmaxes are averaged
//! and the "real" class (index 1) is the liveness score.

use std::path::Path;

use image::RgbImage;

use super::detect::Detection;
use super::models::{ModelError, ModelFile, MINIFASNET_V1SE, MINIFASNET_V2};
use super::net::Net;
use super::pixels::{resize_region, to_chw, Order};

const SIDE: u32 = 80;
const REAL_CLASS: usize = 1;

/// One MiniFASNet and the box scale it was trained with.
struct Model {
    net: Net,
    scale: f32,
}

/// Both liveness models.
pub struct Liveness {
    models: [Model; 2],
}

impl Liveness {
    pub fn load(dir: &Path) -> Result<Liveness, ModelError> {
        let load = |file: ModelFile, scale: f32| -> Result<Model, ModelError> {
            Ok(Model {
                net: Net::load(dir, file, &[1, 3, SIDE as usize, SIDE as usize])?,
                scale,
            })
        };
        Ok(Liveness {
            models: [load(MINIFASNET_V2, 2.7)?, load(MINIFASNET_V1SE, 4.0)?],
        })
    }

    /// Probability (0–1) that `face` in `img` is a live person.
    pub fn score(&self, img: &RgbImage, face: &Detection) -> Result<f64, String> {
        let mut sum = 0.0;
        for m in &self.models {
            let region = crop_box(img.width(), img.height(), face, m.scale);
            let crop = resize_region(img, region, SIDE, SIDE);
            // MiniFASNet takes raw 0–255 BGR, like the OpenCV code it was trained with.
            let out = m.net.run(to_chw(&crop, Order::Bgr, |_, v| v))?;
            let logits = out
                .first()
                .filter(|l| l.len() == 3)
                .ok_or_else(|| "liveness model returned an unexpected output shape".to_string())?;
            sum += softmax(logits)[REAL_CLASS] as f64;
        }
        Ok(sum / self.models.len() as f64)
    }
}

/// Silent-Face's `CropImage._get_new_box`: the box scaled about its centre by `scale`
/// (less if the image is too small), shifted back inside the image; inclusive corners.
pub fn crop_box(src_w: u32, src_h: u32, face: &Detection, scale: f32) -> (u32, u32, u32, u32) {
    let (w, h) = (face.width.max(1.0), face.height.max(1.0));
    let max_x = src_w.saturating_sub(1) as f32;
    let max_y = src_h.saturating_sub(1) as f32;
    let scale = scale.min(max_y / h).min(max_x / w);
    let (nw, nh) = (w * scale, h * scale);
    let (cx, cy) = (face.x + w / 2.0, face.y + h / 2.0);
    let (mut l, mut t, mut r, mut b) = (cx - nw / 2.0, cy - nh / 2.0, cx + nw / 2.0, cy + nh / 2.0);
    if l < 0.0 {
        r -= l;
        l = 0.0;
    }
    if t < 0.0 {
        b -= t;
        t = 0.0;
    }
    if r > max_x {
        l -= r - max_x;
        r = max_x;
    }
    if b > max_y {
        t -= b - max_y;
        b = max_y;
    }
    // Float noise or a box far outside the image must still give a valid region.
    let clamp = |v: f32, max: f32| v.clamp(0.0, max) as u32;
    let (l, t) = (clamp(l, max_x), clamp(t, max_y));
    (l, t, clamp(r, max_x).max(l), clamp(b, max_y).max(t))
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|v| (v - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, y: f32, w: f32, h: f32) -> Detection {
        Detection {
            x,
            y,
            width: w,
            height: h,
            score: 1.0,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn crop_is_scaled_about_the_centre() {
        // 20×20 box centred at (100, 100), scale 2.7 → 54×54.
        assert_eq!(
            crop_box(1000, 1000, &face(90.0, 90.0, 20.0, 20.0), 2.7),
            (73, 73, 127, 127)
        );
    }

    #[test]
    fn crop_is_shifted_inside_and_shrunk_to_fit() {
        // Near the top-left corner: shifted right/down, same size.
        assert_eq!(
            crop_box(1000, 1000, &face(0.0, 0.0, 20.0, 20.0), 4.0),
            (0, 0, 80, 80)
        );
        // Larger than the image allows: the scale shrinks to fit the height.
        let (l, t, r, b) = crop_box(400, 200, &face(150.0, 50.0, 100.0, 100.0), 4.0);
        assert_eq!((t, b), (0, 199));
        assert!(r - l <= 200 && r < 400);
        // A degenerate box outside the image still yields a valid region.
        let (l, t, r, b) = crop_box(10, 10, &face(-500.0, 900.0, 0.0, 0.0), 2.7);
        assert!(l <= r && t <= b && r < 10 && b < 10);
    }

    #[test]
    fn softmax_sums_to_one() {
        let p = softmax(&[1.0, 3.0, -2.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[1] > p[0] && p[0] > p[2]);
    }
}
