//! The face engine end to end through HTTP: the sandbox with the real models, driven
//! by the typed client exactly as the dashboard and the CLI drive it.

use crate::face_common;

use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use liveface::api::model::{NewPerson, SearchMode, SearchParams};
use liveface::api::{ApiError, Client, ClientConfig, ErrorKind, Token};
use liveface::sandbox::choose::{choose_engine_in, wait_ready};
use liveface::sandbox::{start, RunningSandbox, SandboxOptions};

use face_common::{available, fixtures_dir, models_dir};

fn b64_file(name: &str) -> String {
    let bytes = std::fs::read(fixtures_dir().join(name)).unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A photo-sized image with no face in it: smooth gradients and a few rectangles.
fn no_face_b64() -> String {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        let block = ((x / 80) + (y / 80)) % 2 == 0;
        image::Rgb([
            (x * 255 / 640) as u8,
            if block { 90 } else { 160 },
            (y * 255 / 480) as u8,
        ])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(out)
}

async fn face_sandbox(dir: &Path) -> (RunningSandbox, Client) {
    let choice = choose_engine_in(&models_dir());
    assert!(choice.face, "models present and verified: {}", choice.note);
    let slot = choice.slot.clone();
    tokio::task::spawn_blocking(move || wait_ready(&slot))
        .await
        .unwrap()
        .expect("the face engine loads");
    let mut opts = SandboxOptions::local(dir);
    opts.engine = choice.slot;
    let sandbox = start(opts).await.unwrap();
    let client = Client::new(ClientConfig::new(
        &sandbox.base_url,
        Token::new("test-token"),
    ))
    .unwrap();
    (sandbox, client)
}

fn params(mode: SearchMode) -> SearchParams {
    SearchParams {
        search_mode: mode,
        ..SearchParams::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn enrolled_identities_are_found_strangers_spoofs_and_bad_probes_are_refused() {
    if !available() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (_sandbox, client) = face_sandbox(data.path()).await;
    let mut ids = std::collections::HashMap::new();
    for (name, file) in [
        ("Obama", "obama_1.jpg"),
        ("Biden", "biden_1.jpg"),
        ("Harington", "harington_1.jpg"),
        ("Lacamoire", "lacamoire_1.jpg"),
        ("Leslie", "leslie_1.jpg"),
    ] {
        let person = client
            .create_person(&NewPerson {
                name: name.into(),
                images: vec![b64_file(file)],
                ..NewPerson::default()
            })
            .await
            .unwrap_or_else(|e| panic!("enrolling {name}: {e}"));
        ids.insert(name, person.id);
    }

    for mode in SearchMode::ALL {
        // Another photo of an enrolled identity: that person first, above 0.75.
        for (probe, who) in [("obama_2.jpg", "Obama"), ("biden_2_group.jpg", "Biden")] {
            let out = client
                .search_live_face(&b64_file(probe), &params(mode))
                .await
                .unwrap_or_else(|e| panic!("{probe} {mode}: {e}"));
            let top = out
                .persons
                .first()
                .unwrap_or_else(|| panic!("{probe} {mode}: no match"));
            assert_eq!(top.id, ids[who], "{probe} {mode}: {:?}", out.persons);
            assert!(top.score >= 0.75, "{probe} {mode}: {}", top.score);
            assert_eq!(top.name(), Some(who));
            assert!(out.persons.iter().all(|m| m.score >= 0.75));
        }

        // A live stranger: passes liveness, matches nobody at the default 0.75.
        let out = client
            .search_live_face(&b64_file("live_real_1.jpg"), &params(mode))
            .await
            .unwrap();
        assert!(out.liveness_score.unwrap() > 0.65);
        assert!(out.persons.is_empty(), "{mode}: {:?}", out.persons);

        // A printed photo: refused by liveness, with the score.
        let err = client
            .search_live_face(&b64_file("spoof_print_1.jpg"), &params(mode))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Liveness, "{err}");
        assert!(err.liveness_score().unwrap() < 0.65);
    }

    let two = client
        .search_live_face(&b64_file("two_people.jpg"), &params(SearchMode::Accurate))
        .await
        .unwrap_err();
    assert!(two.to_string().contains("more than one face"), "{two}");
    assert!(matches!(two, ApiError::Status { status, .. } if (400..500).contains(&status)));

    let none = client
        .search_live_face(&no_face_b64(), &params(SearchMode::Fast))
        .await
        .unwrap_err();
    assert!(none.to_string().contains("no face"), "{none}");

    // Enrolment follows the same face rules.
    let refused = client
        .create_person(&NewPerson {
            name: "Two People".into(),
            images: vec![b64_file("two_people.jpg")],
            ..NewPerson::default()
        })
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("more than one face"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_refuses_vectors_of_another_engine() {
    if !available() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    // Fill the store with the pixel engine (the synthetic demo)…
    liveface::sandbox::seed_demo(data.path(), &data.path().join("probes")).unwrap();
    // …then open it with the face engine: searches say so instead of scoring nonsense.
    let (_sandbox, client) = face_sandbox(data.path()).await;
    let err = client
        .search_live_face(&b64_file("obama_2.jpg"), &params(SearchMode::Fast))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("engine"), "{err}");
    assert!(err.to_string().contains("re-enroll"), "{err}");
}

/// The sandbox's extra `face` field: the box of the face it searched with, in pixels of
/// the upright image it received, around the landmarks the engine itself found there.
#[tokio::test(flavor = "multi_thread")]
async fn the_search_answer_boxes_the_face_it_used() {
    let Some(engine) = face_common::engine() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let (sandbox, client) = face_sandbox(data.path()).await;
    for file in [
        "obama_1.jpg",
        "obama_2.jpg",
        "biden_2_group.jpg",
        "harington_1.jpg",
        // Stored sideways with an EXIF tag: the box is in upright pixels.
        "live_real_1.jpg",
    ] {
        let upright = face_common::fixture(file);
        let (w, h) = (upright.width() as f64, upright.height() as f64);
        for mode in SearchMode::ALL {
            let out = client
                .search_live_face(&b64_file(file), &params(mode))
                .await
                .unwrap_or_else(|e| panic!("{file} {mode}: {e}"));
            let b = out
                .face
                .unwrap_or_else(|| panic!("{file} {mode}: no face box"));
            let what = format!("{file} {mode} in {w}×{h}: {b:?}");
            println!("{what}");
            // Inside the image, and a face-sized part of it.
            assert!(b.x >= 0.0 && b.y >= 0.0, "{what}");
            assert!(
                b.x + b.width <= w + 0.05 && b.y + b.height <= h + 0.05,
                "{what}"
            );
            assert!(b.width >= 0.05 * w && b.width <= 0.9 * w, "{what}");
            assert!((0.7..=1.8).contains(&(b.height / b.width)), "{what}");
            // Around both eyes, the nose and both mouth corners.
            let chosen = engine.trace(&upright, mode).unwrap().chosen;
            for [lx, ly] in chosen.landmarks {
                let (lx, ly) = (f64::from(lx), f64::from(ly));
                assert!(
                    b.x < lx && lx < b.x + b.width && b.y < ly && ly < b.y + b.height,
                    "{what}: landmark ({lx}, {ly}) outside"
                );
            }
        }
    }
    // A portrait: the face is in the upper middle of the picture.
    let out = client
        .search_live_face(&b64_file("obama_1.jpg"), &params(SearchMode::Accurate))
        .await
        .unwrap();
    let b = out.face.unwrap();
    let upright = face_common::fixture("obama_1.jpg");
    let (cx, cy) = (
        (b.x + b.width / 2.0) / upright.width() as f64,
        (b.y + b.height / 2.0) / upright.height() as f64,
    );
    assert!(
        (0.3..0.7).contains(&cx) && (0.15..0.6).contains(&cy),
        "centre ({cx}, {cy})"
    );
    // The answer's JSON carries it as documented.
    let body = serde_json::json!({
        "image": b64_file("obama_1.jpg"), "os": "DESKTOP", "liveness_min_score": 0.6,
        "min_score": 0.75, "search_mode": "ACCURATE",
    });
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/v2/face-recognition/search-live-face",
            sandbox.base_url
        ))
        .bearer_auth("t")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let face = &answer["data"]["face"];
    for k in ["x", "y", "width", "height", "confidence"] {
        assert!(face[k].is_number(), "{k} in {answer}");
    }
    assert_eq!(face["width"].as_f64(), Some(b.width), "{answer}");
}
