//! What a request brings in: path ids, base64 images decoded and analysed by the
//! engine, collection keys resolved, and the search mode.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use base64::Engine as _;
use image::DynamicImage;

use crate::sandbox::engine::{AnalysisError, Engine};
use crate::sandbox::reply::Failure;
use crate::sandbox::state::AppState;
use crate::sandbox::store::{FaceInput, Store};
use crate::vocabulary::SearchMode;

/// Longest side of a stored thumbnail.
pub const THUMBNAIL_SIDE: u32 = 96;

pub(super) fn path_id(p: Result<Path<String>, PathRejection>) -> Result<String, Failure> {
    p.map(|Path(id)| id)
        .map_err(|_| Failure::missing("\"id\" must be a valid id"))
}

/// Base64 (raw or data URL) → upright pixels, or 412 `only_images_in_base64`.
pub fn decode_image(text: &str) -> Result<DynamicImage, Failure> {
    let raw = crate::vocabulary::strip_data_url(text.trim());
    if raw.len() < 100 {
        return Err(Failure::only_images());
    }
    let compact: String;
    let raw = if raw.bytes().any(|b| b.is_ascii_whitespace()) {
        compact = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        compact.as_str()
    } else {
        raw
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(raw))
        .map_err(|_| Failure::only_images())?;
    crate::imageio::decode_oriented(&bytes).map_err(|_| Failure::only_images())
}

/// A small JPEG of the enrolled image.
pub fn thumbnail(img: &DynamicImage) -> Vec<u8> {
    let small = img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    crate::sandbox::synth::jpeg(&small, 80)
}

pub(super) fn analysis_failure(e: AnalysisError) -> Failure {
    Failure::unusable_image(match e {
        AnalysisError::NoFace => "no_face_detected: no face was found in the image".into(),
        AnalysisError::MultipleFaces => {
            "multiple_faces_detected: the image has more than one face".into()
        }
        AnalysisError::Invalid(why) => format!("image is invalid for checking liveness: {why}"),
    })
}

/// The ready engine, and a store that holds only its vectors.
pub(super) fn engine_for(state: &AppState) -> Result<Arc<dyn Engine>, Failure> {
    let engine = state.engine.get()?;
    state.store.check_engine(engine.id())?;
    Ok(engine)
}

pub(super) struct Analysed {
    pub(super) faces: Vec<FaceInput>,
    pub(super) liveness: Vec<f64>,
}

pub(super) fn analyse_all(
    engine: &dyn Engine,
    images: &[String],
    mode: SearchMode,
) -> Result<Analysed, Failure> {
    let decoded = images
        .iter()
        .map(|i| decode_image(i))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Analysed {
        faces: Vec::new(),
        liveness: Vec::new(),
    };
    for img in &decoded {
        let a = engine.analyze(img, mode).map_err(analysis_failure)?;
        out.liveness.push(a.liveness_score);
        out.faces.push(FaceInput {
            thumbnail: thumbnail(img),
            vector: a.vector,
        });
    }
    Ok(out)
}

pub(super) fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

pub(super) fn search_mode(s: &str) -> SearchMode {
    SearchMode::parse(s).unwrap_or_default()
}

pub(super) fn resolve_collections(store: &Store, keys: &[String]) -> Result<Vec<String>, Failure> {
    let mut ids: Vec<String> = Vec::new();
    for k in keys {
        let c = store
            .find_collection(k)?
            .ok_or_else(Failure::invalid_collection)?;
        if !ids.contains(&c.id) {
            ids.push(c.id);
        }
    }
    Ok(ids)
}
