//! Shared by the face-engine test files: where the models and fixtures are, one engine
//! loaded per test binary, and the skip-or-fail rule when the models are absent.

#![allow(dead_code)] // each test file uses a different subset

use std::path::PathBuf;
use std::sync::OnceLock;

use image::DynamicImage;
use liveface::sandbox::face::models::ALL;
use liveface::sandbox::face::FaceEngine;

pub fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/models")
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/faces")
}

/// True when the models and fixtures are there. Otherwise records a skip
/// (`common::skip`) and returns false — or panics when `LIVEFACE_REQUIRE_MODELS=1`.
pub fn available() -> bool {
    let missing: Vec<PathBuf> = ALL
        .iter()
        .map(|f| models_dir().join(f.name))
        .chain([fixtures_dir().join("obama_1.jpg")])
        .filter(|p| !p.is_file())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "models not found at {} (missing: {})",
        models_dir().display(),
        missing
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    crate::common::skip(crate::common::Missing::Models, &msg);
    false
}

/// The engine, loaded once per test binary; `None` (after printing SKIPPED) without models.
pub fn engine() -> Option<&'static FaceEngine> {
    static ENGINE: OnceLock<FaceEngine> = OnceLock::new();
    if !available() {
        return None;
    }
    Some(ENGINE.get_or_init(|| {
        FaceEngine::load(&models_dir()).unwrap_or_else(|e| panic!("loading the face engine: {e}"))
    }))
}

/// A fixture photo, decoded the way the sandbox decodes uploads (EXIF orientation
/// applied). `NAME#left` / `NAME#right` is the left or right half of the photo.
pub fn fixture(name: &str) -> DynamicImage {
    let (file, half) = name.split_once('#').unwrap_or((name, ""));
    let bytes = std::fs::read(fixtures_dir().join(file))
        .unwrap_or_else(|e| panic!("reading fixture {file}: {e}"));
    let img = liveface::imageio::decode_oriented(&bytes)
        .unwrap_or_else(|e| panic!("decoding {file}: {e}"));
    let (w, h) = (img.width(), img.height());
    match half {
        "" => img,
        "left" => img.crop_imm(0, 0, w / 2, h),
        "right" => img.crop_imm(w / 2, 0, w - w / 2, h),
        other => panic!("unknown fixture part {other}"),
    }
}

/// Single-face fixtures and who they show; the halves of `two_people.jpg` are a third
/// photo each of Obama and Biden.
pub const IDENTITIES: [(&str, &str); 11] = [
    ("two_people.jpg#left", "obama"),
    ("two_people.jpg#right", "biden"),
    ("obama_1.jpg", "obama"),
    ("obama_2.jpg", "obama"),
    ("biden_1.jpg", "biden"),
    ("biden_2_group.jpg", "biden"),
    ("harington_1.jpg", "harington"),
    ("leslie_1.jpg", "leslie"),
    ("lacamoire_1.jpg", "lacamoire"),
    ("live_real_1.jpg", "selfie person"),
    ("spoof_print_1.jpg", "print person"),
];
