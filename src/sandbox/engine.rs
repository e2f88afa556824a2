//! What the sandbox asks of a recognition engine: a liveness score and a vector per
//! image, and a calibration of vector similarity into the API's 0–1 score.
//!
//! Two engines implement it: the pixel engine (always available, not a face
//! recognizer) and the face engine (ONNX models, when installed). Every stored vector
//! carries its engine's `id`, so a store never compares vectors of different engines.

use image::DynamicImage;

use crate::vocabulary::SearchMode;

/// A face the engine found: its box in pixels of the upright image it analysed
/// (`x`, `y` the top-left corner; `width`, `height`), and the detector's confidence,
/// 0–1. Not the API's `api::model::FaceBox` (a box in upload pixels, no confidence):
/// the routes turn this one into the answer's `face` JSON.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectedFace {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub confidence: f32,
}

/// What an engine learned from one image.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Probability that the image shows a live person, 0–1.
    pub liveness_score: f64,
    /// L2-normalised descriptor; compare two with a dot product.
    pub vector: Vec<f32>,
    /// The face the vector describes, when the engine detects faces.
    pub face: Option<DetectedFace>,
}

/// Why an engine cannot analyse an image. The sandbox maps these to Verifik-style errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("no face was found in the image")]
    NoFace,
    #[error("the image has more than one face")]
    MultipleFaces,
    #[error("image is invalid for checking liveness: {0}")]
    Invalid(String),
}

pub trait Engine: Send + Sync + 'static {
    /// Stable identifier stored with every vector, e.g. `pixel-v1`.
    fn id(&self) -> &'static str;
    /// Short label for status bars and notes, e.g. `pixel fallback`, `face models`.
    fn label(&self) -> &'static str;
    /// Length of every vector this engine produces.
    fn dim(&self) -> usize;
    /// Liveness and descriptor of one upright image.
    fn analyze(&self, image: &DynamicImage, mode: SearchMode) -> Result<Analysis, AnalysisError>;
    /// Monotone map of cosine similarity (−1…1) to the API's score (0…1).
    fn score(&self, cosine: f32) -> f64;
}

/// Cosine similarity of two L2-normalised vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scales a vector to unit length in place (a zero vector stays zero).
pub fn l2_normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
