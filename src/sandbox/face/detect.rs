//! Face detection with YuNet: scale the photo so its long side fits the input, pad to the
//! next multiple of 32 (one cached plan per input shape), decode the anchor-free outputs
//! of strides 8/16/32, non-maximum suppression, and choosing the face to use.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use image::RgbImage;

use super::models::{ModelError, YUNET};
use super::net::{Graph, Net};
use super::pixels::{resize_region, to_chw, Order};
use crate::sandbox::engine::AnalysisError;

/// Candidates scoring below this are not faces at all.
pub const SCORE_THRESHOLD: f32 = 0.6;
/// Candidates scoring below this count only when nothing scores higher (a poor but
/// single face is still used). On the fixtures real faces score 0.92–0.95, while a
/// painting behind Biden yields two face-sized false positives at 0.61 and 0.72 that
/// would otherwise make his portrait "more than one face". OpenCV Zoo's demo uses 0.9.
pub const CONFIDENT_SCORE: f32 = 0.85;
/// Boxes overlapping more than this (IoU) with a better one are the same face (OpenCV's default).
pub const NMS_IOU: f32 = 0.3;
/// A second face counts as "similar in size" to the largest when its side
/// (√area) is at least this fraction of the largest's. Below it, the largest face is
/// dominant and the others are background. The two people in `two_people.jpg` measure
/// 0.95; a face at 0.6 of another's side has 0.36 of its area, clearly behind it.
pub const SIMILAR_SIZE_RATIO: f32 = 0.6;

const STRIDES: [usize; 3] = [8, 16, 32];
/// Input sides must be multiples of the coarsest stride.
const ALIGN: usize = 32;
/// Inputs whose width is a multiple of this run slower than wider ones: measured with
/// tract 0.21 on x86-64, a 512 × 640 input took 1.2–1.37× the CPU time of 544 × 640 (rows
/// of 512 floats alias in the cache), and 256 columns cost as much as 320, while heights
/// of 512 ran as fast as 544. Such widths get one more column of anchors of padding.
const SLOW_WIDTH: usize = 256;
/// Narrow inputs cost more per pixel than full-width ones: 576 × 640 and 608 × 640 took
/// 1.03–1.08× the CPU time of 640 × 640, 544 × 640 0.95×, 480 × 640 0.8×. A width above
/// this share of the long side runs at the full side.
const FULL_WIDTH_SHARE: f32 = 0.85;

/// One detected face in pixels of the upright image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f32,
    /// Right eye, left eye, nose tip, right and left mouth corner (the subject's right:
    /// the first point is on the image's left).
    pub landmarks: [[f32; 2]; 5],
}

impl Detection {
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    fn iou(&self, o: &Detection) -> f32 {
        let ix = (self.x + self.width).min(o.x + o.width) - self.x.max(o.x);
        let iy = (self.y + self.height).min(o.y + o.height) - self.y.max(o.y);
        let inter = ix.max(0.0) * iy.max(0.0);
        let union = self.area() + o.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }
}

/// YuNet with the photo's long side scaled to `side` pixels.
///
/// The input is not a `side` × `side` letterbox: its short side is the photo's, rounded
/// up to a multiple of 32 (with the width rules of `SLOW_WIDTH` and
/// `FULL_WIDTH_SHARE`), so a 3:4 portrait runs on 480 × 640 instead of 640 × 640
/// (0.8× the CPU time). The pixels of the photo are the same either way, and YuNet takes
/// raw 0–255 values, so the padding it no longer sees was zeros, as its own convolution
/// padding is. Plans are built per input shape on first use (≈ 60 ms each) and kept: at
/// most 2 × side / 32 of them.
pub struct Detector {
    graph: Arc<Graph>,
    side: usize,
    plans: Mutex<HashMap<(usize, usize), Arc<Net>>>,
}

impl Detector {
    /// Verifies and loads YuNet for photos scaled to a long side of `side` pixels (640 is
    /// what it was exported for; `side` must be a multiple of 32), and builds the plan for
    /// square photos at once, so a model tract cannot run fails here rather than on the
    /// first request.
    ///
    /// # Errors
    /// [`ModelError`] for a missing, altered or unreadable model, or a bad `side`.
    pub fn load(dir: &Path, side: usize) -> Result<Detector, ModelError> {
        let graph = Arc::new(Graph::read(dir, YUNET, true)?);
        Detector::sharing(&graph, side)
    }

    /// A detector for another long side, on the same parsed model.
    ///
    /// # Errors
    /// As [`Detector::load`].
    pub fn with_side(&self, side: usize) -> Result<Detector, ModelError> {
        Detector::sharing(&self.graph, side)
    }

    fn sharing(graph: &Arc<Graph>, side: usize) -> Result<Detector, ModelError> {
        if side == 0 || !side.is_multiple_of(ALIGN) {
            return Err(ModelError::Invalid {
                path: YUNET.name.into(),
                reason: format!("detector input side {side} is not a multiple of {ALIGN}"),
            });
        }
        let detector = Detector {
            graph: Arc::clone(graph),
            side,
            plans: Mutex::new(HashMap::new()),
        };
        detector.plan(side, side)?;
        Ok(detector)
    }

    /// The long side photos are scaled to, in pixels.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The input (width, height) for a photo of `width` × `height` pixels, and the
    /// size the photo is scaled to inside it (top-left, the rest black).
    pub fn input_for(&self, width: u32, height: u32) -> ((usize, usize), (u32, u32)) {
        fitted_input(self.side, width, height)
    }

    /// The plan for one input shape, built on first use.
    fn plan(&self, width: usize, height: usize) -> Result<Arc<Net>, ModelError> {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(net) = plans.get(&(width, height)) {
            return Ok(Arc::clone(net));
        }
        let net = Arc::new(self.graph.plan(&[1, 3, height, width])?);
        plans.insert((width, height), Arc::clone(&net));
        Ok(net)
    }

    /// How many input shapes have a plan (for tests and diagnostics).
    pub fn plans_built(&self) -> usize {
        self.plans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// All faces in the image, best first.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<Detection>, String> {
        if img.width() == 0 || img.height() == 0 {
            return Ok(Vec::new());
        }
        let ((in_w, in_h), (w, h)) = self.input_for(img.width(), img.height());
        let net = self.plan(in_w, in_h).map_err(|e| e.to_string())?;
        let resized = resize_region(img, (0, 0, img.width() - 1, img.height() - 1), w, h);
        let mut input = RgbImage::new(in_w as u32, in_h as u32);
        image::imageops::replace(&mut input, &resized, 0, 0);
        // YuNet takes raw 0–255 BGR.
        let outputs = net.run(to_chw(&input, Order::Bgr, |_, v| v))?;
        let mut found = decode(&outputs, in_w, in_h)?;
        found.iter_mut().for_each(|d| {
            unscale(
                d,
                w as f32 / img.width() as f32,
                h as f32 / img.height() as f32,
            )
        });
        Ok(nms(found, NMS_IOU))
    }
}

/// See [`Detector::input_for`]; `side` is the detector's long side.
fn fitted_input(side: usize, width: u32, height: u32) -> ((usize, usize), (u32, u32)) {
    let scale = side as f32 / width.max(height).max(1) as f32;
    let fit = |v: u32| ((v as f32 * scale).round() as u32).clamp(1, side as u32);
    let (w, h) = (fit(width), fit(height));
    let pad = |v: u32| (v as usize).div_ceil(ALIGN) * ALIGN;
    let mut in_w = pad(w);
    if in_w.is_multiple_of(SLOW_WIDTH) {
        in_w += ALIGN;
    }
    if in_w as f32 > FULL_WIDTH_SHARE * side as f32 {
        in_w = in_w.max(side);
    }
    ((in_w, pad(h)), (w, h))
}

/// Decodes YuNet's 12 outputs (cls ×3, obj ×3, bbox ×3, kps ×3, strides 8/16/32) into
/// candidates above [`SCORE_THRESHOLD`], in input pixels. Each output lists the anchors
/// of its stride row by row over a `width` × `height` input.
fn decode(out: &[Vec<f32>], width: usize, height: usize) -> Result<Vec<Detection>, String> {
    if out.len() != 12 {
        return Err(format!("YuNet returned {} outputs, expected 12", out.len()));
    }
    let mut found = Vec::new();
    for (i, &stride) in STRIDES.iter().enumerate() {
        let cols = width / stride;
        let n = cols * (height / stride);
        let (cls, obj, bbox, kps) = (&out[i], &out[3 + i], &out[6 + i], &out[9 + i]);
        if cls.len() != n || obj.len() != n || bbox.len() != 4 * n || kps.len() != 10 * n {
            return Err(format!("YuNet output sizes do not match stride {stride}"));
        }
        let s = stride as f32;
        for k in 0..n {
            let score = (cls[k].clamp(0.0, 1.0) * obj[k].clamp(0.0, 1.0)).sqrt();
            if score < SCORE_THRESHOLD {
                continue;
            }
            let (r, c) = ((k / cols) as f32, (k % cols) as f32);
            let b = &bbox[4 * k..4 * k + 4];
            let (cx, cy) = ((c + b[0]) * s, (r + b[1]) * s);
            let (bw, bh) = (b[2].exp() * s, b[3].exp() * s);
            let mut landmarks = [[0.0; 2]; 5];
            for (j, l) in landmarks.iter_mut().enumerate() {
                *l = [
                    (kps[10 * k + 2 * j] + c) * s,
                    (kps[10 * k + 2 * j + 1] + r) * s,
                ];
            }
            found.push(Detection {
                x: cx - bw / 2.0,
                y: cy - bh / 2.0,
                width: bw,
                height: bh,
                score,
                landmarks,
            });
        }
    }
    Ok(found)
}

/// Maps a detection from input pixels back to image pixels.
fn unscale(d: &mut Detection, sx: f32, sy: f32) {
    d.x /= sx;
    d.y /= sy;
    d.width /= sx;
    d.height /= sy;
    for l in d.landmarks.iter_mut() {
        l[0] /= sx;
        l[1] /= sy;
    }
}

/// Greedy non-maximum suppression; returns survivors best first.
pub fn nms(mut found: Vec<Detection>, iou: f32) -> Vec<Detection> {
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for d in found {
        if kept.iter().all(|k| k.iou(&d) <= iou) {
            kept.push(d);
        }
    }
    kept
}

/// The face the API would use, among the confident faces (or the single best weak one,
/// see [`CONFIDENT_SCORE`]): none → `NoFace`; a second face of similar size (see
/// [`SIMILAR_SIZE_RATIO`]) → `MultipleFaces`; otherwise the largest face.
pub fn choose(faces: &[Detection]) -> Result<Detection, AnalysisError> {
    let mut by_size: Vec<&Detection> = faces
        .iter()
        .filter(|d| d.score >= CONFIDENT_SCORE)
        .collect();
    if by_size.is_empty() {
        by_size.extend(faces.iter().max_by(|a, b| a.score.total_cmp(&b.score)));
    }
    by_size.sort_by(|a, b| b.area().total_cmp(&a.area()));
    match by_size.as_slice() {
        [] => Err(AnalysisError::NoFace),
        [largest, second, ..] if (second.area() / largest.area()).sqrt() >= SIMILAR_SIZE_RATIO => {
            Err(AnalysisError::MultipleFaces)
        }
        [largest, ..] => Ok(**largest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, side: f32, score: f32) -> Detection {
        Detection {
            x,
            y: 0.0,
            width: side,
            height: side,
            score,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn nms_drops_overlapping_weaker_boxes() {
        let kept = nms(
            vec![
                face(0.0, 10.0, 0.7),
                face(1.0, 10.0, 0.9),
                face(50.0, 10.0, 0.8),
            ],
            NMS_IOU,
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].score, 0.9);
        assert_eq!(kept[1].x, 50.0);
    }

    #[test]
    fn choose_applies_the_size_rule() {
        assert_eq!(choose(&[]), Err(AnalysisError::NoFace));
        let one = face(0.0, 100.0, 0.9);
        assert_eq!(choose(&[one]), Ok(one));
        // A small face behind a dominant one is ignored, whatever its score.
        assert_eq!(choose(&[face(200.0, 40.0, 0.95), one]), Ok(one));
        // Two faces of similar size are refused.
        let similar = face(200.0, 80.0, 0.9);
        assert_eq!(choose(&[one, similar]), Err(AnalysisError::MultipleFaces));
        // A weak detection does not count next to a confident face...
        assert_eq!(choose(&[one, face(200.0, 120.0, 0.7)]), Ok(one));
        // ...but alone, the best weak detection is used.
        let weak = face(0.0, 50.0, 0.7);
        assert_eq!(choose(&[face(200.0, 90.0, 0.65), weak]), Ok(weak));
    }

    #[test]
    fn the_input_follows_the_photos_shape() {
        // A 3:4 portrait fills a 480 × 640 input, a square photo the whole square.
        assert_eq!(fitted_input(640, 480, 640), ((480, 640), (480, 640)));
        assert_eq!(fitted_input(640, 1000, 1000), ((640, 640), (640, 640)));
        // 24 MP landscape: 6000 × 4000 → 640 × 427, padded to 448 rows.
        assert_eq!(fitted_input(640, 6000, 4000), ((640, 448), (640, 427)));
        // 910 × 1137 scales to 512 columns: the slow width gets one more step.
        assert_eq!(fitted_input(640, 910, 1137), ((544, 640), (512, 640)));
        // Nearly square: 608 columns cost more than 640, so the full width is used.
        assert_eq!(fitted_input(640, 1000, 1050), ((640, 640), (610, 640)));
        // FAST's smaller side: rows of 256 are fine, a 3:4 portrait's 256 columns are
        // not, and 288 is above 85 % of 320.
        assert_eq!(fitted_input(320, 640, 480), ((320, 256), (320, 240)));
        assert_eq!(fitted_input(320, 480, 640), ((320, 320), (240, 320)));
        // A sliver still gets one anchor row.
        assert_eq!(fitted_input(640, 3000, 2), ((640, 32), (640, 1)));
    }

    #[test]
    fn decode_reads_anchors_row_by_row_on_a_wide_input() {
        let (width, height) = (64, 32);
        let ns: Vec<usize> = STRIDES.iter().map(|s| (width / s) * (height / s)).collect();
        let mut out: Vec<Vec<f32>> = Vec::new();
        for per_anchor in [1, 1, 4, 10] {
            out.extend(ns.iter().map(|n| vec![0.0; per_anchor * n]));
        }
        // Stride 16 on 64 × 32: 4 columns, 2 rows; anchor 6 is row 1, column 2.
        out[1][6] = 1.0;
        out[4][6] = 1.0;
        out[7][6 * 4..6 * 4 + 4].copy_from_slice(&[0.5, 0.5, 0.0, 0.0]);
        let found = decode(&out, width, height).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].x, found[0].y), (32.0, 16.0));
        // The same outputs read as a square input have the wrong sizes.
        assert!(decode(&out, width, width).is_err());
    }

    #[test]
    fn decode_reads_one_anchor() {
        let size = 64;
        let mut out: Vec<Vec<f32>> = Vec::new();
        let ns: Vec<usize> = STRIDES.iter().map(|s| (size / s) * (size / s)).collect();
        for n in &ns {
            out.push(vec![0.0; *n]); // cls
        }
        for n in &ns {
            out.push(vec![0.0; *n]); // obj
        }
        for n in &ns {
            out.push(vec![0.0; 4 * n]);
        }
        for n in &ns {
            out.push(vec![0.0; 10 * n]);
        }
        // Stride 16, 4 columns: anchor 6 is row 1, column 2.
        out[1][6] = 0.81;
        out[4][6] = 1.0;
        out[7][6 * 4..6 * 4 + 4].copy_from_slice(&[0.5, 0.5, 0.0, 1.0f32.ln()]);
        out[10][6 * 10] = 1.0;
        let found = decode(&out, size, size).unwrap();
        assert_eq!(found.len(), 1);
        let d = found[0];
        assert!((d.score - 0.9).abs() < 1e-6);
        assert_eq!((d.x, d.y, d.width, d.height), (32.0, 16.0, 16.0, 16.0));
        assert_eq!(d.landmarks[0], [48.0, 16.0]);
        assert!(decode(&out[..11], size, size).is_err());
    }
}
