//! The pixel engine: a deterministic image descriptor and an image-statistics
//! liveness score. It finds near-duplicate *images*, not faces: it is the honest
//! fallback that lets the sandbox run with no models installed.
//!
//! Descriptor (272 floats, L2-normalised), computed on the centre 80 % of the image
//! resampled to 48×48:
//! - a 12×12 grey layout, mean-centred and contrast-normalised (weight 1.0);
//! - a 4×4 grid of 2 chroma means (Cb, Cr), centred (weight 0.8);
//! - a 4×4 grid of 6-bin gradient-orientation histograms, magnitude-weighted (weight 0.7).
//!
//! Score: `(cosine − 0.3) / 0.7`, clamped to 0–1. Two unrelated portraits share a
//! layout (a head in the middle, a shirt below), so their cosine is rarely below 0.3;
//! the offset spends the 0–1 range on the differences that matter.
//!
//! Liveness: the geometric mean of four factors, each a smooth ramp to 1 (see
//! [`liveness`]): sharpness (variance of the Laplacian), colourfulness (Hasler and
//! Süsstrunk), size (shorter side) and contrast (grey standard deviation).

use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView, RgbImage};

use super::engine::{l2_normalize, Analysis, AnalysisError, Engine};
use crate::vocabulary::SearchMode;

const SIDE: u32 = 48;
const GREY: usize = 12;
const CELLS: usize = 4;
const BINS: usize = 6;
/// Cosine similarity that maps to score 0.
const SCORE_FLOOR: f64 = 0.3;
pub const PIXEL_DIM: usize = GREY * GREY + CELLS * CELLS * 2 + CELLS * CELLS * BINS;

/// Near-duplicate image similarity and image-statistics liveness.
#[derive(Clone, Copy, Debug, Default)]
pub struct PixelEngine;

impl Engine for PixelEngine {
    fn id(&self) -> &'static str {
        "pixel-v1"
    }

    fn label(&self) -> &'static str {
        "pixel fallback"
    }

    fn dim(&self) -> usize {
        PIXEL_DIM
    }

    fn analyze(&self, image: &DynamicImage, _mode: SearchMode) -> Result<Analysis, AnalysisError> {
        if image.width() < 8 || image.height() < 8 {
            return Err(AnalysisError::Invalid(format!(
                "the image is only {}×{} pixels",
                image.width(),
                image.height()
            )));
        }
        Ok(Analysis {
            liveness_score: liveness(image).score,
            vector: descriptor(image),
            face: None,
        })
    }

    fn score(&self, cosine: f32) -> f64 {
        ((f64::from(cosine) - SCORE_FLOOR) / (1.0 - SCORE_FLOOR)).clamp(0.0, 1.0)
    }
}

/// The centre 80 % of the image, resampled to `SIDE`×`SIDE` RGB.
fn centre(image: &DynamicImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let (cw, ch) = ((w * 4 / 5).max(1), (h * 4 / 5).max(1));
    let crop = image.crop_imm((w - cw) / 2, (h - ch) / 2, cw, ch);
    // Triangle filtering averages enough to make re-encoding and resizing harmless.
    crop.resize_exact(SIDE, SIDE, FilterType::Triangle)
        .to_rgb8()
}

fn luma(p: &image::Rgb<u8>) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// The descriptor of one image (see the module comment).
pub fn descriptor(image: &DynamicImage) -> Vec<f32> {
    let small = centre(image);
    let n = SIDE as usize;
    let grey: Vec<f32> = small.pixels().map(luma).collect();
    let mut out = Vec::with_capacity(PIXEL_DIM);

    // Grey layout: block means, then mean-centred and scaled to unit length.
    let block = n / GREY;
    let mut layout = vec![0f32; GREY * GREY];
    for (i, g) in grey.iter().enumerate() {
        let (x, y) = (i % n, i / n);
        layout[(y / block) * GREY + x / block] += g;
    }
    push_centred(&mut out, layout, 1.0);

    // Chroma layout: mean Cb and Cr per cell.
    let cell = n / CELLS;
    let mut chroma = [0f32; CELLS * CELLS * 2];
    for (i, p) in small.pixels().enumerate() {
        let (x, y) = (i % n, i / n);
        let c = (y / cell) * CELLS + x / cell;
        let (r, g, b) = (p[0] as f32, p[1] as f32, p[2] as f32);
        chroma[2 * c] += -0.1687 * r - 0.3313 * g + 0.5 * b;
        chroma[2 * c + 1] += 0.5 * r - 0.4187 * g - 0.0813 * b;
    }
    let scale = 1.0 / (cell * cell) as f32 / 128.0;
    let chroma: Vec<f32> = chroma.iter().map(|v| v * scale).collect();
    let norm = chroma.iter().map(|v| v * v).sum::<f32>().sqrt().max(0.05);
    out.extend(chroma.iter().map(|v| v / norm * 0.8));

    // Gradient-orientation histograms (unsigned orientation, magnitude-weighted).
    let mut hist = vec![0f32; CELLS * CELLS * BINS];
    for y in 1..n - 1 {
        for x in 1..n - 1 {
            let gx = grey[y * n + x + 1] - grey[y * n + x - 1];
            let gy = grey[(y + 1) * n + x] - grey[(y - 1) * n + x];
            let mag = (gx * gx + gy * gy).sqrt();
            if mag < 1e-3 {
                continue;
            }
            let angle = gy.atan2(gx).rem_euclid(std::f32::consts::PI);
            let bin = ((angle / std::f32::consts::PI * BINS as f32) as usize).min(BINS - 1);
            hist[((y / cell) * CELLS + x / cell) * BINS + bin] += mag;
        }
    }
    let norm = hist.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 1e-3 {
        out.extend(hist.iter().map(|v| v / norm * 0.7));
    } else {
        out.extend(std::iter::repeat_n(0.0, hist.len()));
    }

    l2_normalize(&mut out);
    out
}

/// Subtracts the mean, scales to unit length times `weight`, and appends.
fn push_centred(out: &mut Vec<f32>, v: Vec<f32>, weight: f32) {
    let mean = v.iter().sum::<f32>() / v.len() as f32;
    let mut c: Vec<f32> = v.iter().map(|x| x - mean).collect();
    let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 1e-3 {
        c.iter_mut().for_each(|x| *x = *x / norm * weight);
    } else {
        c.iter_mut().for_each(|x| *x = 0.0);
    }
    out.extend(c);
}

/// The factors behind a liveness score, for tests and the README.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Liveness {
    pub sharpness: f64,
    pub colour: f64,
    pub size: f64,
    pub contrast: f64,
    pub score: f64,
}

/// 0.02 below `lo`, 1 above `hi`, a smooth ramp between. The small floor keeps one
/// missing quality (e.g. colour) from hiding how good the others are.
fn ramp(x: f64, lo: f64, hi: f64) -> f64 {
    let t = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    0.02 + 0.98 * t * t * (3.0 - 2.0 * t)
}

/// Liveness from image statistics. A grey, tiny, flat or blurred image scores low;
/// a sharp, colourful, well-exposed photo of a reasonable size scores high.
pub fn liveness(image: &DynamicImage) -> Liveness {
    let (w, h) = image.dimensions();
    // Statistics on a bounded copy (longest side 256) so cost does not grow with size.
    let work = if w.max(h) > 256 {
        image.resize(256, 256, FilterType::Triangle)
    } else {
        image.clone()
    }
    .to_rgb8();
    let (ww, wh) = (work.width() as usize, work.height() as usize);
    let grey: Vec<f64> = work.pixels().map(|p| luma(p) as f64).collect();
    let count = grey.len().max(1) as f64;

    let mean = grey.iter().sum::<f64>() / count;
    let std = (grey.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / count).sqrt();

    let mut lap = Vec::with_capacity(grey.len());
    for y in 1..wh.saturating_sub(1) {
        for x in 1..ww.saturating_sub(1) {
            let c = grey[y * ww + x];
            lap.push(
                grey[y * ww + x - 1]
                    + grey[y * ww + x + 1]
                    + grey[(y - 1) * ww + x]
                    + grey[(y + 1) * ww + x]
                    - 4.0 * c,
            );
        }
    }
    let lap_var = if lap.is_empty() {
        0.0
    } else {
        let m = lap.iter().sum::<f64>() / lap.len() as f64;
        lap.iter().map(|v| (v - m).powi(2)).sum::<f64>() / lap.len() as f64
    };

    // Hasler–Süsstrunk colourfulness: spread and mean of opponent channels.
    let (mut rg, mut yb) = (
        Vec::with_capacity(grey.len()),
        Vec::with_capacity(grey.len()),
    );
    for p in work.pixels() {
        let (r, g, b) = (p[0] as f64, p[1] as f64, p[2] as f64);
        rg.push(r - g);
        yb.push(0.5 * (r + g) - b);
    }
    let stats = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / count;
        let s = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / count).sqrt();
        (m, s)
    };
    let ((mrg, srg), (myb, syb)) = (stats(&rg), stats(&yb));
    let colourfulness = (srg * srg + syb * syb).sqrt() + 0.3 * (mrg * mrg + myb * myb).sqrt();

    let sharpness = ramp(lap_var, 5.0, 60.0);
    let colour = ramp(colourfulness, 4.0, 25.0);
    let size = ramp(w.min(h) as f64, 48.0, 160.0);
    let contrast = ramp(std, 3.0, 20.0);
    let product = sharpness * colour * size * contrast;
    let score = (0.99 * product.powf(0.25) * 1e4).round() / 1e4;
    Liveness {
        sharpness,
        colour,
        size,
        contrast,
        score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::engine::cosine;
    use crate::sandbox::synth;

    #[test]
    fn descriptors_are_unit_length_and_deterministic() {
        let img = synth::portrait(7, &synth::Variant::default());
        let a = descriptor(&img);
        assert_eq!(a.len(), PIXEL_DIM);
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-4);
        assert_eq!(a, descriptor(&img));
    }

    #[test]
    fn a_flat_image_does_not_produce_nan() {
        let img = DynamicImage::new_rgb8(64, 64);
        assert!(descriptor(&img).iter().all(|v| v.is_finite()));
        assert!(liveness(&img).score < 0.1);
    }

    #[test]
    fn liveness_fails_grey_tiny_and_blurred_images_and_passes_portraits() {
        let img = synth::portrait(3, &synth::Variant::default());
        let live = liveness(&img);
        assert!(live.score > 0.8, "{live:?}");
        assert!(liveness(&DynamicImage::ImageLuma8(img.to_luma8())).score < 0.65);
        assert!(liveness(&img.resize(40, 40, FilterType::Triangle)).score < 0.65);
        assert!(liveness(&img.blur(6.0)).score < 0.65);
    }

    #[test]
    fn tiny_images_are_refused() {
        let e = PixelEngine.analyze(&DynamicImage::new_rgb8(4, 4), SearchMode::Fast);
        assert!(matches!(e, Err(AnalysisError::Invalid(_))));
    }
}
