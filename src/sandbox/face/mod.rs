//! The face engine: real face recognition with four small ONNX models run by tract
//! (pure Rust, CPU). Pipeline per image: detect (YuNet) → choose the face → liveness
//! (two MiniFASNets, averaged) → align on the 5 landmarks → embed (MobileFaceNet).
//!
//! The embedder was trained on MS-Celeb-1M, a withdrawn research data set; accuracy
//! figures quoted for it (LFW 99.48 %) come from its authors.

pub mod align;
pub mod calibrate;
pub mod detect;
pub mod embed;
pub mod liveness;
pub mod models;
pub mod net;
pub mod pixels;

use std::borrow::Cow;
use std::path::Path;

use image::{DynamicImage, RgbImage};

use crate::sandbox::engine::{Analysis, AnalysisError, DetectedFace, Engine};
use crate::vocabulary::SearchMode;
use detect::{Detection, Detector};
use embed::Embedder;
use liveness::Liveness;
pub use models::{resolve_dir, status, ModelError, ModelsStatus};

/// The long side photos are scaled to for the detector in ACCURATE (YuNet was exported
/// for 640 × 640; see [`Detector`] for the input's short side).
pub const ACCURATE_DETECTOR_SIZE: usize = 640;
/// The same for FAST: about 4× less detector work. On the fixtures it finds
/// every face the 640 input finds (scores 0.91–0.94 vs 0.93–0.95), but small faces are
/// missed (a face 1/32 of the image's side is found at 640, not at 320), so FAST retries
/// at 640 before answering "no face".
pub const FAST_DETECTOR_SIZE: usize = 320;

/// The four models, loaded once and shared by every request (all `run` calls take `&self`).
pub struct FaceEngine {
    accurate_detector: Detector,
    /// `None` when FAST uses the ACCURATE detector.
    fast_detector: Option<Detector>,
    liveness: Liveness,
    embedder: Embedder,
}

/// The face engine's label in status bars, notes and back-end keys.
pub const ENGINE_LABEL: &str = "face models";

/// Everything the pipeline found in one image, for tests, benchmarks and diagnostics.
#[derive(Clone, Debug)]
pub struct Trace {
    pub faces: Vec<Detection>,
    pub chosen: Detection,
    pub liveness: f64,
    pub aligned: RgbImage,
    pub vector: Vec<f32>,
}

impl FaceEngine {
    /// Verifies every model file in `dir` against its pinned SHA-256, then loads them.
    pub fn load(dir: &Path) -> Result<FaceEngine, ModelError> {
        let accurate_detector = Detector::load(dir, ACCURATE_DETECTOR_SIZE)?;
        let fast_detector = if FAST_DETECTOR_SIZE == ACCURATE_DETECTOR_SIZE {
            None
        } else {
            Some(accurate_detector.with_side(FAST_DETECTOR_SIZE)?)
        };
        Ok(FaceEngine {
            accurate_detector,
            fast_detector,
            liveness: Liveness::load(dir)?,
            embedder: Embedder::load(dir)?,
        })
    }

    pub fn detector(&self, mode: SearchMode) -> &Detector {
        match (mode, &self.fast_detector) {
            (SearchMode::Fast, Some(fast)) => fast,
            _ => &self.accurate_detector,
        }
    }

    pub fn liveness(&self) -> &Liveness {
        &self.liveness
    }

    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    /// Runs the whole pipeline and keeps every intermediate result.
    pub fn trace(&self, image: &DynamicImage, mode: SearchMode) -> Result<Trace, AnalysisError> {
        let rgb = as_rgb(image);
        if rgb.width() == 0 || rgb.height() == 0 {
            return Err(AnalysisError::Invalid("the image is empty".into()));
        }
        let mut faces = self
            .detector(mode)
            .detect(&rgb)
            .map_err(AnalysisError::Invalid)?;
        if faces.is_empty() && !std::ptr::eq(self.detector(mode), &self.accurate_detector) {
            faces = self
                .accurate_detector
                .detect(&rgb)
                .map_err(AnalysisError::Invalid)?;
        }
        let chosen = detect::choose(&faces)?;
        let liveness = self
            .liveness
            .score(&rgb, &chosen)
            .map_err(AnalysisError::Invalid)?;
        let aligned = align::align(&rgb, &chosen.landmarks).ok_or(AnalysisError::NoFace)?;
        let vector = match mode {
            SearchMode::Fast => self.embedder.embed(&aligned),
            SearchMode::Accurate => self.embedder.embed_with_mirror(&aligned),
        }
        .map_err(AnalysisError::Invalid)?;
        Ok(Trace {
            faces,
            chosen,
            liveness,
            aligned,
            vector,
        })
    }
}

/// The image as 8-bit RGB, borrowed when it already is.
fn as_rgb(image: &DynamicImage) -> Cow<'_, RgbImage> {
    match image.as_rgb8() {
        Some(rgb) => Cow::Borrowed(rgb),
        None => Cow::Owned(image.to_rgb8()),
    }
}

/// The chosen face's box, clipped to the image.
fn face_box(d: &Detection, width: u32, height: u32) -> DetectedFace {
    let x0 = d.x.clamp(0.0, width as f32);
    let y0 = d.y.clamp(0.0, height as f32);
    let x1 = (d.x + d.width).clamp(0.0, width as f32);
    let y1 = (d.y + d.height).clamp(0.0, height as f32);
    DetectedFace {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
        confidence: d.score,
    }
}

impl Engine for FaceEngine {
    fn id(&self) -> &'static str {
        "face-mobilefacenet-v1"
    }

    fn label(&self) -> &'static str {
        ENGINE_LABEL
    }

    fn dim(&self) -> usize {
        embed::DIM
    }

    fn analyze(&self, image: &DynamicImage, mode: SearchMode) -> Result<Analysis, AnalysisError> {
        let t = self.trace(image, mode)?;
        Ok(Analysis {
            liveness_score: t.liveness,
            vector: t.vector,
            face: Some(face_box(&t.chosen, image.width(), image.height())),
        })
    }

    fn score(&self, cosine: f32) -> f64 {
        calibrate::score(cosine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<FaceEngine>();
    }

    #[test]
    fn face_box_is_clipped_to_the_image() {
        let d = Detection {
            x: -10.0,
            y: 5.0,
            width: 50.0,
            height: 200.0,
            score: 0.9,
            landmarks: [[0.0; 2]; 5],
        };
        let b = face_box(&d, 100, 100);
        assert_eq!((b.x, b.y, b.width, b.height), (0.0, 5.0, 40.0, 95.0));
        assert_eq!(b.confidence, 0.9);
    }

    #[test]
    fn missing_models_are_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let err = FaceEngine::load(dir.path()).err().unwrap();
        assert!(matches!(err, ModelError::Missing { .. }), "{err}");
        assert!(err.to_string().contains("yunet_s_640_640.onnx"));
    }
}
