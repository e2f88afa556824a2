//! The face engine on real photographs: detection, EXIF, liveness, identity, the face
//! rules, and refusing bad model files. Needs `../shared/models` and
//! `../shared/fixtures/faces`; skips (or fails, with `LIVEFACE_REQUIRE_MODELS=1`) without.

use crate::face_common;

use std::path::Path;

use face_common::{engine, fixture, fixtures_dir, models_dir, IDENTITIES};
use image::{DynamicImage, ImageReader, RgbImage};
use liveface::api::model::SearchMode;
use liveface::sandbox::engine::{cosine, AnalysisError, Engine};
use liveface::sandbox::face::detect::{self, Detection};
use liveface::sandbox::face::models::{self, ModelError, ALL, MOBILEFACENET, YUNET};
use liveface::sandbox::face::FaceEngine;

/// Liveness threshold the tests use.
const LIVENESS_PASS: f64 = 0.65;

fn inside(d: &Detection, [x, y]: [f32; 2]) -> bool {
    x >= d.x && x <= d.x + d.width && y >= d.y && y <= d.y + d.height
}

/// Landmarks in the box, eyes above the nose above the mouth, the subject's right eye on
/// the image's left.
fn assert_plausible_face(name: &str, img: &DynamicImage, d: &Detection) {
    assert!(d.score >= 0.8, "{name}: weak detection {d:?}");
    assert!(d.width > 20.0 && d.height > 20.0, "{name}: tiny box {d:?}");
    assert!(
        d.x + d.width > 0.0 && d.y + d.height > 0.0,
        "{name}: box outside the image {d:?}"
    );
    assert!(
        d.x < img.width() as f32 && d.y < img.height() as f32,
        "{name}: box outside the image {d:?}"
    );
    for l in d.landmarks {
        assert!(inside(d, l), "{name}: landmark {l:?} outside the box {d:?}");
    }
    let [right_eye, left_eye, nose, right_mouth, left_mouth] = d.landmarks;
    let eyes_y = right_eye[1].max(left_eye[1]);
    let mouth_y = right_mouth[1].min(left_mouth[1]);
    assert!(
        eyes_y < nose[1] && nose[1] < mouth_y,
        "{name}: not upright {d:?}"
    );
    assert!(right_eye[0] < left_eye[0], "{name}: eyes swapped {d:?}");
    assert!(
        right_mouth[0] < left_mouth[0],
        "{name}: mouth corners swapped {d:?}"
    );
}

#[test]
fn detector_finds_upright_faces_with_landmarks_inside() {
    let Some(engine) = engine() else { return };
    for (name, _) in IDENTITIES {
        let img = fixture(name);
        let faces = engine
            .detector(SearchMode::Accurate)
            .detect(&img.to_rgb8())
            .unwrap();
        let chosen = detect::choose(&faces).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_plausible_face(name, &img, &chosen);
    }
}

#[test]
fn exif_rotated_fixtures_are_detected_upright() {
    let Some(engine) = engine() else { return };
    for name in ["live_real_1.jpg", "spoof_print_1.jpg"] {
        // The stored pixels are sideways: decoding without EXIF gives swapped dimensions.
        let raw = ImageReader::open(fixtures_dir().join(name))
            .unwrap()
            .decode()
            .unwrap();
        let upright = fixture(name);
        assert_eq!(
            (raw.width(), raw.height()),
            (upright.height(), upright.width()),
            "{name} is expected to carry a 90° EXIF rotation"
        );
        let faces = engine
            .detector(SearchMode::Accurate)
            .detect(&upright.to_rgb8())
            .unwrap();
        let chosen = detect::choose(&faces).unwrap();
        assert_plausible_face(name, &upright, &chosen);
    }
}

#[test]
fn liveness_passes_the_live_selfie_and_fails_the_print() {
    let Some(engine) = engine() else { return };
    let live = engine
        .analyze(&fixture("live_real_1.jpg"), SearchMode::Fast)
        .unwrap();
    let spoof = engine
        .analyze(&fixture("spoof_print_1.jpg"), SearchMode::Fast)
        .unwrap();
    println!(
        "liveness: live_real_1 {:.3}, spoof_print_1 {:.3}",
        live.liveness_score, spoof.liveness_score
    );
    assert!(
        live.liveness_score >= LIVENESS_PASS,
        "{}",
        live.liveness_score
    );
    assert!(
        spoof.liveness_score < LIVENESS_PASS,
        "{}",
        spoof.liveness_score
    );
}

#[test]
fn same_identity_is_closer_than_any_different_identity() {
    let Some(engine) = engine() else { return };
    for mode in SearchMode::ALL {
        let vectors: Vec<(&str, Vec<f32>)> = IDENTITIES
            .iter()
            .map(|(name, who)| (*who, engine.analyze(&fixture(name), mode).unwrap().vector))
            .collect();
        let (mut worst_same, mut worst_diff) = (f32::INFINITY, f32::NEG_INFINITY);
        for (i, (a_who, a)) in vectors.iter().enumerate() {
            for (b_who, b) in &vectors[i + 1..] {
                let c = cosine(a, b);
                if a_who == b_who {
                    worst_same = worst_same.min(c);
                } else {
                    worst_diff = worst_diff.max(c);
                }
            }
        }
        println!("{mode}: lowest same-identity cosine {worst_same:.3}, highest different {worst_diff:.3}");
        assert!(
            worst_same > worst_diff,
            "{mode}: {worst_same} <= {worst_diff}"
        );
    }
}

#[test]
fn analysis_through_the_engine_trait() {
    let Some(engine) = engine() else { return };
    let dyn_engine: &dyn Engine = engine;
    assert_eq!(dyn_engine.id(), "face-mobilefacenet-v1");
    assert_eq!(dyn_engine.label(), "face models");
    assert_eq!(dyn_engine.dim(), 128);
    let img = fixture("obama_1.jpg");
    let fast = dyn_engine.analyze(&img, SearchMode::Fast).unwrap();
    let accurate = dyn_engine.analyze(&img, SearchMode::Accurate).unwrap();
    for a in [&fast, &accurate] {
        assert_eq!(a.vector.len(), 128);
        let norm = a.vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "not unit length: {norm}");
        let b = a.face.expect("the face engine reports the face box");
        assert!(b.width > 20.0 && b.x + b.width <= img.width() as f32);
        assert!((0.0..=1.0).contains(&a.liveness_score));
    }
    // The mirrored-average descriptor describes the same face.
    assert!(cosine(&fast.vector, &accurate.vector) > 0.9);
    // Grey images take the conversion path and must give the same answer.
    let grey = DynamicImage::ImageLuma8(img.to_luma8());
    assert!(dyn_engine.analyze(&grey, SearchMode::Fast).is_ok());
}

#[test]
fn two_similar_faces_are_refused() {
    let Some(engine) = engine() else { return };
    for mode in SearchMode::ALL {
        assert_eq!(
            engine.analyze(&fixture("two_people.jpg"), mode),
            Err(AnalysisError::MultipleFaces)
        );
    }
}

#[test]
fn biden_portrait_is_his_face_despite_the_painting_behind() {
    let Some(engine) = engine() else { return };
    // The fixture README calls this a group photo; it is a portrait in front of a
    // painting, which the detector reads as two weak face-sized boxes. Only Biden counts.
    let trace = engine
        .trace(&fixture("biden_2_group.jpg"), SearchMode::Fast)
        .unwrap();
    let best = trace.faces.iter().map(|f| f.score).fold(0.0f32, f32::max);
    assert_eq!(trace.chosen.score, best);
    let biden = engine
        .analyze(&fixture("biden_1.jpg"), SearchMode::Fast)
        .unwrap();
    let obama = engine
        .analyze(&fixture("obama_1.jpg"), SearchMode::Fast)
        .unwrap();
    assert!(cosine(&trace.vector, &biden.vector) > cosine(&trace.vector, &obama.vector));
    assert!(engine.score(cosine(&trace.vector, &biden.vector)) >= 0.75);
}

/// Two face crops side by side on a grey canvas, the second scaled by `second_scale`.
fn composite(second_scale: f32) -> DynamicImage {
    let obama = fixture("obama_1.jpg").crop_imm(300, 30, 380, 470);
    let leslie = fixture("leslie_1.jpg").crop_imm(560, 0, 380, 450);
    let leslie = leslie.resize(
        (380.0 * second_scale) as u32,
        (450.0 * second_scale) as u32,
        image::imageops::FilterType::Triangle,
    );
    let mut canvas = DynamicImage::new_rgb8(900, 600);
    canvas
        .as_mut_rgb8()
        .unwrap()
        .pixels_mut()
        .for_each(|p| p.0 = [128; 3]);
    image::imageops::replace(&mut canvas, &obama, 20, 50);
    image::imageops::replace(&mut canvas, &leslie, 480, 50);
    canvas
}

#[test]
fn a_dominant_face_wins_over_a_small_one_behind() {
    let Some(engine) = engine() else { return };
    let obama = engine
        .analyze(&fixture("obama_1.jpg"), SearchMode::Fast)
        .unwrap();
    let trace = engine.trace(&composite(0.35), SearchMode::Fast).unwrap();
    let confident = trace
        .faces
        .iter()
        .filter(|f| f.score >= detect::CONFIDENT_SCORE)
        .count();
    assert_eq!(confident, 2, "both faces must be seen: {:?}", trace.faces);
    assert!(
        trace.chosen.x < 450.0,
        "the large face is on the left: {:?}",
        trace.chosen
    );
    assert!(cosine(&trace.vector, &obama.vector) > 0.5);
    // The same two faces at similar sizes are refused.
    assert_eq!(
        engine.analyze(&composite(0.9), SearchMode::Fast),
        Err(AnalysisError::MultipleFaces)
    );
}

#[test]
fn fast_retries_at_640_before_saying_no_face() {
    let Some(engine) = engine() else { return };
    // A 44 px wide face in a 1400 px image: too small for the 320 input, fine at 640.
    let face = fixture("obama_1.jpg").crop_imm(300, 30, 380, 470).resize(
        68,
        84,
        image::imageops::FilterType::Triangle,
    );
    let mut canvas = DynamicImage::new_rgb8(1400, 1400);
    canvas
        .as_mut_rgb8()
        .unwrap()
        .pixels_mut()
        .for_each(|p| p.0 = [128; 3]);
    image::imageops::replace(&mut canvas, &face, 600, 600);
    let rgb = canvas.to_rgb8();
    assert!(engine
        .detector(SearchMode::Fast)
        .detect(&rgb)
        .unwrap()
        .is_empty());
    assert!(!engine
        .detector(SearchMode::Accurate)
        .detect(&rgb)
        .unwrap()
        .is_empty());
    let a = engine.analyze(&canvas, SearchMode::Fast).unwrap();
    let b = a.face.unwrap();
    assert!(
        b.x > 590.0 && b.x < 680.0 && b.y > 590.0 && b.y < 700.0,
        "{b:?}"
    );
}

#[test]
fn images_without_a_face_are_refused() {
    let Some(engine) = engine() else { return };
    let gradient = RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 2) as u8, ((x + y) / 5) as u8])
    });
    let mut seed = 0x2545_f491_u32;
    let noise = RgbImage::from_fn(300, 200, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        image::Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8])
    });
    for img in [gradient, noise, RgbImage::new(1, 1)] {
        assert_eq!(
            engine.analyze(&DynamicImage::ImageRgb8(img), SearchMode::Accurate),
            Err(AnalysisError::NoFace)
        );
    }
    // Slivers make the detector's thinnest inputs (one row or column of 32): still
    // "no face", not an error of the model.
    let sliver = |w, h| DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, image::Rgb([90; 3])));
    for (w, h) in [(3000, 20), (20, 3000), (5000, 1)] {
        for mode in [SearchMode::Fast, SearchMode::Accurate] {
            assert_eq!(
                engine.analyze(&sliver(w, h), mode),
                Err(AnalysisError::NoFace),
                "{w}×{h} {mode:?}"
            );
        }
    }
    assert!(matches!(
        engine.analyze(&DynamicImage::new_rgb8(0, 0), SearchMode::Fast),
        Err(AnalysisError::Invalid(_))
    ));
}

/// A temporary models directory: symlinks to the real files, then `tamper` on it.
fn tampered_dir(tamper: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ALL {
        std::os::unix::fs::symlink(models_dir().join(f.name), dir.path().join(f.name)).unwrap();
    }
    tamper(dir.path());
    dir
}

#[test]
fn corrupt_or_missing_model_files_are_clear_errors() {
    if engine().is_none() {
        return;
    }
    // Truncated: half of the embedder.
    let truncated = tampered_dir(|d| {
        let bytes = std::fs::read(models_dir().join(MOBILEFACENET.name)).unwrap();
        std::fs::remove_file(d.join(MOBILEFACENET.name)).unwrap();
        std::fs::write(d.join(MOBILEFACENET.name), &bytes[..bytes.len() / 2]).unwrap();
    });
    match FaceEngine::load(truncated.path()) {
        Err(ModelError::WrongHash { path, .. }) => assert!(path.ends_with(MOBILEFACENET.name)),
        other => panic!("expected WrongHash, got {:?}", other.err()),
    }
    // A different (valid) model under the detector's name.
    let swapped = tampered_dir(|d| {
        std::fs::remove_file(d.join(YUNET.name)).unwrap();
        std::os::unix::fs::symlink(models_dir().join(MOBILEFACENET.name), d.join(YUNET.name))
            .unwrap();
    });
    let err = FaceEngine::load(swapped.path()).err().unwrap();
    assert!(matches!(err, ModelError::WrongHash { .. }), "{err}");
    assert!(err.to_string().contains(YUNET.name), "{err}");
    // Missing.
    let missing = tampered_dir(|d| std::fs::remove_file(d.join(ALL[2].name)).unwrap());
    let err = FaceEngine::load(missing.path()).err().unwrap();
    assert!(matches!(err, ModelError::Missing { .. }), "{err}");
    let st = models::status(missing.path());
    assert!(!st.ready());
    assert!(st.to_string().contains("MISSING"));
    // The real directory is complete.
    let st = models::status(&models_dir());
    assert!(st.ready(), "{st}");
    assert!(st.to_string().contains("engine: face models"), "{st}");
}

/// The photo on a black square of its long side, at the top left: what the detector's
/// input was before it followed the photo's aspect ratio.
fn on_black_square(img: &DynamicImage) -> RgbImage {
    let side = img.width().max(img.height());
    let mut square = RgbImage::new(side, side);
    image::imageops::replace(&mut square, &img.to_rgb8(), 0, 0);
    square
}

#[test]
fn the_aspect_fitted_detector_finds_what_the_square_letterbox_found() {
    let Some(engine) = engine() else { return };
    let detector = engine.detector(SearchMode::Accurate);
    let mut shapes = std::collections::BTreeSet::new();
    for name in [
        "obama_1.jpg",
        "live_real_1.jpg",
        "biden_2_group.jpg",
        "two_people.jpg",
        "harington_1.jpg",
    ] {
        let img = fixture(name);
        let ((in_w, in_h), _) = detector.input_for(img.width(), img.height());
        assert_eq!(in_w.max(in_h), 640, "{name}: long side");
        shapes.insert((in_w, in_h));
        let fitted = detector.detect(&img.to_rgb8()).unwrap();
        let square = detector.detect(&on_black_square(&img)).unwrap();
        let confident = |faces: &[Detection]| {
            faces
                .iter()
                .filter(|d| d.score >= detect::CONFIDENT_SCORE)
                .count()
        };
        assert_eq!(confident(&fitted), confident(&square), "{name}");
        assert_eq!(
            detect::choose(&fitted).is_ok(),
            detect::choose(&square).is_ok(),
            "{name}"
        );
        // Face by face, best first: the same place to within 1 % of the photo's long side.
        let tolerance = img.width().max(img.height()) as f32 / 100.0;
        for (a, b) in fitted
            .iter()
            .zip(&square)
            .filter(|(b, _)| b.score >= detect::CONFIDENT_SCORE)
        {
            assert!((a.score - b.score).abs() < 0.02, "{name}: {a:?} vs {b:?}");
            let mut points = a.landmarks.iter().zip(&b.landmarks).collect::<Vec<_>>();
            let corners = ([a.x, a.y], [b.x, b.y]);
            points.push((&corners.0, &corners.1));
            for (p, q) in points {
                let d = (p[0] - q[0]).hypot(p[1] - q[1]);
                assert!(d <= tolerance, "{name}: {p:?} vs {q:?} ({d:.1} px)");
            }
        }
    }
    // Portraits and landscapes ran on inputs of their own shape, not on 640 × 640.
    assert!(shapes.iter().any(|&(w, h)| w < h), "{shapes:?}");
    assert!(detector.plans_built() >= shapes.len(), "{shapes:?}");
}
