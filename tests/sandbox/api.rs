//! The typed client against a real sandbox over HTTP on 127.0.0.1: every endpoint,
//! every documented error, pagination, scoping, update/delete semantics, restarts.

use crate::sandbox_common;

use std::sync::Arc;

use liveface::api::model::{CollectionInput, NewLivePerson, PersonQuery, PersonUpdate, SearchMode};
use liveface::api::{ApiError, ErrorKind};
use liveface::sandbox::engine::{Analysis, AnalysisError, DetectedFace, Engine};
use liveface::sandbox::synth::Variant;
use liveface::sandbox::{start, EngineSlot, PixelEngine, SandboxOptions};
use reqwest::Method;
use sandbox_common::*;
use serde_json::json;

fn status_code(e: &ApiError) -> (u16, String, String) {
    (
        e.status().unwrap_or(0),
        e.code().unwrap_or("").to_owned(),
        e.message().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn search_finds_enrolled_persons_sorted_filtered_and_scoped() {
    let h = harness().await;
    let c = &h.client;
    let staff = c
        .create_collection(&CollectionInput {
            name: "Staff".into(),
            description: None,
        })
        .await
        .unwrap();
    let guests = c
        .create_collection(&CollectionInput {
            name: "Guests".into(),
            description: Some("g".into()),
        })
        .await
        .unwrap();
    let ana = c
        .create_person(&person("Ana", 11, &[&staff.id]))
        .await
        .unwrap();
    let ben = c
        .create_person(&person("Ben", 12, &[&staff.id]))
        .await
        .unwrap();
    // The code (UUID) is accepted wherever an _id is.
    let cy = c
        .create_person(&person("Cy", 13, &[guests.code.as_deref().unwrap()]))
        .await
        .unwrap();
    assert_eq!(cy.collections[0].id, guests.id);

    let probe = image(11);
    for mode in [SearchMode::Fast, SearchMode::Accurate] {
        let mut p = params(0.5);
        p.search_mode = mode;
        let out = c.search_live_face(&probe, &p).await.unwrap();
        assert!(out.liveness_score.unwrap() > 0.65);
        assert_eq!(out.persons[0].id, ana.id, "{mode}");
        assert!(out.persons[0].score >= 0.99);
        assert!(out.persons.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(out.persons.iter().all(|m| m.score >= 0.5));
        let record = out.persons[0].person.as_ref().unwrap();
        assert_eq!(record.name.as_deref(), Some("Ana"));
        assert_eq!(record.thumbnails.len(), 1);
        assert!(record.thumbnails[0].image.is_ok());
        assert_eq!(record.collections[0].id, staff.id);
    }
    // A modified picture still matches above the default threshold.
    let moved = variant(
        12,
        Variant {
            dx: 3.0,
            dy: -2.0,
            brightness: 10.0,
            ..Variant::default()
        },
    );
    let out = c.search_live_face(&moved, &params(0.75)).await.unwrap();
    assert_eq!(
        out.persons.first().map(|m| m.id.clone()),
        Some(ben.id.clone())
    );
    // Scoped to Guests, Ana's probe cannot find Ana.
    let mut scoped = params(0.5);
    scoped.collection_id = Some(guests.id.clone());
    let out = c.search_live_face(&probe, &scoped).await.unwrap();
    assert!(out.persons.iter().all(|m| m.id == cy.id));
    // A stranger matches nobody at the default threshold.
    let out = c
        .search_live_face(&image(777), &params(0.75))
        .await
        .unwrap();
    assert!(out.persons.is_empty(), "{:?}", out.persons);
    // Unknown collection.
    scoped.collection_id = Some("0123456789abcdef01234567".into());
    let e = c.search_live_face(&probe, &scoped).await.unwrap_err();
    assert_eq!(
        status_code(&e),
        (404, "ERROR".into(), "invalid_collection".into())
    );
}

#[tokio::test]
async fn validation_errors_are_the_documented_ones() {
    let h = harness().await;
    let url = &h.sandbox.base_url;
    let t = Some("tok");
    let img = image(1);
    let body = |v: serde_json::Value| Some(serde_json::to_vec(&v).unwrap());
    let good = json!({"image": img, "os": "DESKTOP", "liveness_min_score": 0.65, "min_score": 0.75, "search_mode": "FAST"});
    let (s, v) = raw(
        url,
        Method::POST,
        "/search-live-face",
        t,
        body(good.clone()),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["id"].as_str().unwrap().len(), 5);
    assert_eq!(v["signature"]["message"], "Certified by Verifik.co");

    let cases = [
        ("os", json!(null), 409, "\"os\" is required"),
        (
            "os",
            json!("MACOS"),
            409,
            "\"os\" must be one of [ANDROID, IOS, DESKTOP]",
        ),
        (
            "min_score",
            json!(0.3),
            409,
            "\"min_score\" must be greater than or equal to 0.5",
        ),
        (
            "liveness_min_score",
            json!(1.5),
            409,
            "\"liveness_min_score\" must be less than or equal to 1",
        ),
        (
            "min_score",
            json!("abc"),
            409,
            "\"min_score\" must be a number",
        ),
        (
            "search_mode",
            json!(null),
            409,
            "\"search_mode\" is required",
        ),
        ("image", json!(null), 409, "\"image\" is required"),
        ("image", json!("aGVsbG8="), 412, "only_images_in_base64"),
        (
            "image",
            json!("A".repeat(400)),
            412,
            "only_images_in_base64",
        ),
        (
            "collection_id",
            json!(""),
            409,
            "\"collection_id\" is not allowed to be empty",
        ),
    ];
    for (field, value, status, message) in cases {
        let mut b = good.clone();
        if value.is_null() {
            b.as_object_mut().unwrap().remove(field);
        } else {
            b[field] = value;
        }
        let (s, v) = raw(url, Method::POST, "/search-live-face", t, body(b)).await;
        assert_eq!(
            (s, v["message"].as_str().unwrap_or("")),
            (status, message),
            "{field}: {v}"
        );
        if status == 409 {
            assert_eq!(v["code"], "MissingParameter");
        }
    }
    let (s, v) = raw(
        url,
        Method::POST,
        "/search-live-face",
        t,
        Some(b"{not json".to_vec()),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(v["error"], "Invalid request");
    let (s, v) = raw(
        url,
        Method::POST,
        "/search-live-face",
        t,
        Some(b"[1,2]".to_vec()),
    )
    .await;
    assert_eq!(
        (s, v["message"].as_str().unwrap()),
        (409, "\"value\" must be of type object")
    );
    let (s, v) = raw(
        url,
        Method::POST,
        "/persons",
        t,
        body(json!({"images": [img]})),
    )
    .await;
    assert_eq!(
        (s, v["message"].as_str().unwrap()),
        (409, "\"name\" is required")
    );
    let (s, v) = raw(
        url,
        Method::POST,
        "/persons",
        t,
        body(json!({"name": "A", "images": [img], "gender": "X"})),
    )
    .await;
    assert_eq!(
        (s, v["message"].as_str().unwrap()),
        (409, "\"gender\" must be one of [M, F]")
    );
    let (s, v) = raw(
        url,
        Method::POST,
        "/persons",
        t,
        body(json!({"name": "A", "images": [img, img, img, img]})),
    )
    .await;
    assert_eq!(
        (s, v["message"].as_str().unwrap()),
        (409, "\"images\" must contain less than or equal to 3 items")
    );
    let (s, v) = raw(
        url,
        Method::POST,
        "/collections",
        t,
        body(json!({"description": "x"})),
    )
    .await;
    assert_eq!(
        (s, v["message"].as_str().unwrap()),
        (409, "\"name\" is required")
    );
    let (s, v) = raw(url, Method::GET, "/nope", t, None).await;
    assert_eq!((s, v["code"].as_str().unwrap()), (404, "NotFound"));
    let (s, _) = raw(url, Method::PATCH, "/persons", t, None).await;
    assert_eq!(s, 405);
}

#[tokio::test]
async fn authentication_is_required_and_a_configured_token_is_enforced() {
    let h = harness().await;
    let (s, v) = raw(&h.sandbox.base_url, Method::GET, "/collections", None, None).await;
    assert_eq!((s, v["code"].as_str().unwrap()), (401, "UNAUTHORIZED"));
    let (s, _) = raw(
        &h.sandbox.base_url,
        Method::GET,
        "/collections",
        Some("anything"),
        None,
    )
    .await;
    assert_eq!(s, 200);

    let locked = harness_with(|o| o.token = Some("the-right-token".into())).await;
    let wrong = client_for(&locked.sandbox.base_url, Some("the-wrong-token"));
    let e = wrong.list_collections().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(status_code(&e).1, "UNAUTHORIZED");
    let right = client_for(&locked.sandbox.base_url, Some("the-right-token"));
    assert!(right.list_collections().await.unwrap().is_empty());
}

#[tokio::test]
async fn persons_can_be_created_read_updated_detached_and_deleted() {
    let h = harness().await;
    let c = &h.client;
    let a = c
        .create_collection(&CollectionInput {
            name: "A".into(),
            description: None,
        })
        .await
        .unwrap();
    let b = c
        .create_collection(&CollectionInput {
            name: "B".into(),
            description: None,
        })
        .await
        .unwrap();
    let mut new = person("Dora 42", 21, &[&a.id, &b.id]);
    new.notes = Some("first".into());
    let p = c.create_person(&new).await.unwrap();
    assert_eq!(p.name.as_deref(), Some("Dora"), "digits are stripped");
    assert_eq!(p.id.len(), 24);
    assert_eq!(p.collections.len(), 2);

    // Same name + date of birth in a shared collection: 412 with the existing person.
    let e = c
        .create_person(&person("dora", 21, &[&b.id]))
        .await
        .unwrap_err();
    assert_eq!(status_code(&e).0, 412);
    assert_eq!(e.message(), Some("person_already_set"));
    assert_eq!(e.data().unwrap()["_id"], p.id.as_str());

    let got = c.get_person(&p.id).await.unwrap();
    assert_eq!(got.notes.as_deref(), Some("first"));
    assert_eq!(got.date_of_birth, new.date_of_birth);

    // Partial update keeps what is not sent.
    let upd = c
        .update_person(
            &p.id,
            &PersonUpdate {
                notes: Some("second".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (upd.name.as_deref(), upd.notes.as_deref()),
        (Some("Dora"), Some("second"))
    );
    // Images replace the enrolled faces: the old picture no longer finds her.
    let upd = c
        .update_person(
            &p.id,
            &PersonUpdate {
                images: Some(vec![image(22), image(23)]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(upd.thumbnails.len(), 2);
    let old = c.search_live_face(&image(21), &params(0.9)).await.unwrap();
    assert!(old.persons.iter().all(|m| m.id != p.id));
    let new_face = c.search_live_face(&image(23), &params(0.9)).await.unwrap();
    assert_eq!(new_face.persons[0].id, p.id);
    // Collections are replaced.
    let upd = c
        .update_person(
            &p.id,
            &PersonUpdate {
                collections: Some(vec![b.id.clone()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        upd.collections
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>(),
        vec![b.id.clone()]
    );
    let e = c
        .update_person(
            &p.id,
            &PersonUpdate {
                collections: Some(vec!["ffffffffffffffffffffffff".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        status_code(&e),
        (404, "ERROR".into(), "invalid_collection".into())
    );

    // Delete with ?collection= only detaches.
    c.delete_person(&p.id, Some(&b.id)).await.unwrap();
    let got = c.get_person(&p.id).await.unwrap();
    assert!(got.collections.is_empty());
    c.delete_person(&p.id, None).await.unwrap();
    let e = c.get_person(&p.id).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert!(e.message().unwrap().contains("PERSON_NOT_FOUND"));
    assert_eq!(
        c.delete_person(&p.id, None).await.unwrap_err().status(),
        Some(404)
    );
    let e = c
        .update_person(
            &p.id,
            &PersonUpdate {
                notes: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));
    let gone = c.search_live_face(&image(23), &params(0.9)).await.unwrap();
    assert!(gone.persons.is_empty());
}

#[tokio::test]
async fn person_lists_paginate_and_filter() {
    let h = harness().await;
    let c = &h.client;
    let coll = c
        .create_collection(&CollectionInput {
            name: "Odd".into(),
            description: None,
        })
        .await
        .unwrap();
    for i in 0..25u64 {
        let colls: Vec<&str> = if i % 2 == 1 { vec![&coll.id] } else { vec![] };
        c.create_person(&person(
            &format!("P {}", ["a", "b", "c", "d", "e"][(i % 5) as usize]),
            100 + i,
            &colls,
        ))
        .await
        .unwrap();
    }
    let page = |page, limit, collection: Option<String>| PersonQuery {
        page,
        limit,
        collection,
        status: None,
    };
    let p1 = c.list_persons(&page(1, 10, None)).await.unwrap();
    assert_eq!(p1.items.len(), 10);
    let pg = p1.pagination.unwrap();
    assert_eq!(
        (pg.page, pg.limit, pg.total, pg.pages),
        (1, 10, Some(25), Some(3))
    );
    let p3 = c.list_persons(&page(3, 10, None)).await.unwrap();
    assert_eq!(p3.items.len(), 5);
    assert!(p3
        .items
        .iter()
        .all(|p| !p1.items.iter().any(|q| q.id == p.id)));
    let odd = c
        .list_persons(&page(1, 100, Some(coll.code.clone().unwrap())))
        .await
        .unwrap();
    assert_eq!(odd.items.len(), 12);
    assert_eq!(odd.pagination.unwrap().total, Some(12));
    let (s, v) = raw(
        &h.sandbox.base_url,
        Method::GET,
        "/persons?limit=101",
        Some("t"),
        None,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str().unwrap()),
        (409, "INVALID_PARAMETERS")
    );
    let (s, _) = raw(
        &h.sandbox.base_url,
        Method::GET,
        "/persons?page=0",
        Some("t"),
        None,
    )
    .await;
    assert_eq!(s, 409);
    let (s, _) = raw(
        &h.sandbox.base_url,
        Method::GET,
        "/persons?status=weird",
        Some("t"),
        None,
    )
    .await;
    assert_eq!(s, 409);
    let (s, v) = raw(
        &h.sandbox.base_url,
        Method::GET,
        "/persons?status=inactive",
        Some("t"),
        None,
    )
    .await;
    assert_eq!((s, v["pagination"]["total"].as_u64()), (200, Some(0)));
}

#[tokio::test]
async fn collections_can_be_created_read_updated_and_deleted() {
    let h = harness().await;
    let c = &h.client;
    let made = c
        .create_collection(&CollectionInput {
            name: "Team".into(),
            description: Some("d".into()),
        })
        .await
        .unwrap();
    assert_eq!(made.id.len(), 24);
    assert_eq!(made.code.as_ref().unwrap().len(), 36);
    assert_eq!(
        c.get_collection(made.code.as_ref().unwrap())
            .await
            .unwrap()
            .id,
        made.id
    );
    let renamed = c
        .update_collection(
            &made.id,
            &CollectionInput {
                name: "Crew".into(),
                description: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.description.as_deref()),
        ("Crew", Some("d"))
    );
    let p = c
        .create_person(&person("Eve", 31, &[&made.id]))
        .await
        .unwrap();
    // `people` reconciles membership.
    let (s, _) = raw(
        &h.sandbox.base_url,
        Method::PUT,
        &format!("/collections/{}", made.id),
        Some("t"),
        Some(serde_json::to_vec(&json!({"name": "Crew", "people": []})).unwrap()),
    )
    .await;
    assert_eq!(s, 200);
    assert!(c.get_person(&p.id).await.unwrap().collections.is_empty());
    c.delete_collection(&made.id).await.unwrap();
    assert!(c.list_collections().await.unwrap().is_empty());
    for e in [
        c.get_collection(&made.id).await.unwrap_err(),
        c.delete_collection(&made.id).await.unwrap_err(),
        c.update_collection(
            &made.id,
            &CollectionInput {
                name: "X".into(),
                description: None,
            },
        )
        .await
        .unwrap_err(),
    ] {
        assert_eq!(
            status_code(&e),
            (404, "ERROR".into(), "invalid_collection".into())
        );
    }
    assert!(
        c.get_person(&p.id).await.is_ok(),
        "persons survive their collection"
    );
}

#[tokio::test]
async fn liveness_failures_answer_409_with_the_score() {
    let h = harness().await;
    let e = h
        .client
        .search_live_face(&grey(5), &params(0.75))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Liveness);
    assert_eq!(e.status(), Some(409));
    let score = e.liveness_score().unwrap();
    assert!(score <= 0.65);
    assert!(e.message().unwrap().contains("liveness_failed"));
    // Strictly above: a threshold of 1.0 can never pass.
    let mut strict = params(0.75);
    strict.liveness_min_score = 1.0;
    assert!(h
        .client
        .search_live_face(&image(5), &strict)
        .await
        .unwrap_err()
        .is_liveness_failure());
}

#[tokio::test]
async fn create_with_liveness_checks_liveness_and_duplicates() {
    let h = harness().await;
    let c = &h.client;
    let coll = c
        .create_collection(&CollectionInput {
            name: "Live".into(),
            description: None,
        })
        .await
        .unwrap();
    let live = |name: &str, img: String| NewLivePerson {
        name: name.into(),
        images: vec![img],
        gender: "M".into(),
        date_of_birth: liveface::api::model::DateOfBirth::new(1980, 5, 6).unwrap(),
        nationality: None,
        collection_id: coll.id.clone(),
        liveness_min_score: 0.65,
        min_score: 0.8,
        search_mode: SearchMode::Accurate,
    };
    let p = c
        .create_person_live(&live("Finn", image(41)))
        .await
        .unwrap();
    assert_eq!(p.collections[0].id, coll.id);
    let e = c
        .create_person_live(&live("Other", image(41)))
        .await
        .unwrap_err();
    assert_eq!(
        status_code(&e),
        (409, "ERROR".into(), "409:duplicated_person".into())
    );
    let e = c
        .create_person_live(&live("Grey", grey(42)))
        .await
        .unwrap_err();
    assert!(e.is_liveness_failure());
    let e = c
        .create_person_live(&live("Finn", image(43)))
        .await
        .unwrap_err();
    assert_eq!(e.message(), Some("person_already_set"));
}

#[tokio::test]
async fn bodies_over_20_mb_get_413_and_garbage_never_crashes_the_server() {
    let h = harness().await;
    let url = &h.sandbox.base_url;
    let big = format!("{{\"image\":\"{}\"}}", "A".repeat(21 * 1024 * 1024));
    let (s, v) = raw(
        url,
        Method::POST,
        "/search-live-face",
        Some("t"),
        Some(big.into_bytes()),
    )
    .await;
    assert_eq!(s, 413);
    assert!(v["message"].as_str().unwrap().contains("payload_too_large"));
    let mut rng = liveface::sandbox::synth::SplitMix::new(3);
    let garbage: Vec<Vec<u8>> = vec![
        vec![],
        b"null".to_vec(),
        b"\"str\"".to_vec(),
        b"{\"image\": 5, \"images\": {}}".to_vec(),
        b"{\"name\": [\"x\"], \"images\": [null]}".to_vec(),
        b"{\"name\": \"x\", \"images\": [\"data:image/png;base64,\"], \"date_of_birth\": \"9999-99-99\"}".to_vec(),
        (0..5000).map(|_| rng.next_u64() as u8).collect(),
        format!("{{\"image\": \"{}\", \"os\": \"IOS\", \"liveness_min_score\": 0.6, \"min_score\": 0.6, \"search_mode\": \"FAST\"}}",
            liveface::sandbox::synth::jpeg_base64(&image::DynamicImage::new_rgb8(3, 3))).into_bytes(),
    ];
    for path in [
        "/search-live-face",
        "/persons",
        "/persons/search-live-face",
        "/collections",
        "/persons/abc",
        "/collections/abc",
    ] {
        for method in [Method::POST, Method::PUT] {
            for g in &garbage {
                let (s, v) = raw(url, method.clone(), path, Some("t"), Some(g.clone())).await;
                // Some garbage is a valid collection body; none may fail the server.
                assert!(s < 500, "{method} {path} → {s} {v}");
            }
        }
    }
    assert!(h.client.list_collections().await.is_ok(), "still serving");
}

/// The pixel engine under another id and with an optional fixed face box: enough to
/// prove a store never mixes vectors, and to stand in for a detecting engine.
struct PixelLike {
    id: &'static str,
    face: Option<DetectedFace>,
}

/// An engine with another id, to prove a store never mixes vectors.
const OTHER_ENGINE: PixelLike = PixelLike {
    id: "other-v1",
    face: None,
};

/// The pixel engine's answer with a fixed face box: what a detecting engine reports.
const BOXING_ENGINE: PixelLike = PixelLike {
    id: "pixel-v1",
    face: Some(DetectedFace {
        x: 40.25,
        y: 30.0,
        width: 120.04,
        height: 150.5,
        confidence: 0.912_34,
    }),
};

impl Engine for PixelLike {
    fn id(&self) -> &'static str {
        self.id
    }
    fn label(&self) -> &'static str {
        "pixel-like"
    }
    fn dim(&self) -> usize {
        PixelEngine.dim()
    }
    fn analyze(
        &self,
        image: &image::DynamicImage,
        mode: SearchMode,
    ) -> Result<Analysis, AnalysisError> {
        let pixel = PixelEngine.analyze(image, mode)?;
        Ok(Analysis {
            face: self.face.or(pixel.face),
            ..pixel
        })
    }
    fn score(&self, cosine: f32) -> f64 {
        PixelEngine.score(cosine)
    }
}

/// A search of a synthetic portrait, answered as raw JSON.
async fn raw_search(base_url: &str) -> (u16, serde_json::Value) {
    let body = serde_json::to_vec(&json!({
        "image": image(3), "os": "DESKTOP", "liveness_min_score": 0.6,
        "min_score": 0.75, "search_mode": "FAST",
    }))
    .unwrap();
    raw(
        base_url,
        Method::POST,
        "/search-live-face",
        Some("t"),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn search_answers_the_face_box_only_when_the_engine_found_one() {
    // The pixel engine finds no face: the answer is exactly Verifik's shape.
    let h = harness().await;
    let (s, v) = raw_search(&h.sandbox.base_url).await;
    assert_eq!(s, 200, "{v}");
    let mut keys: Vec<&String> = v["data"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["liveness_score", "persons"], "{v}");
    assert_eq!(
        h.client
            .search_live_face(&image(3), &params(0.75))
            .await
            .unwrap()
            .face,
        None
    );

    let dir = tempfile::tempdir().unwrap();
    let mut opts = SandboxOptions::local(dir.path());
    opts.engine = EngineSlot::ready(Arc::new(BOXING_ENGINE));
    let sb = start(opts).await.unwrap();
    let (s, v) = raw_search(&sb.base_url).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["data"]["face"],
        json!({"x": 40.3, "y": 30.0, "width": 120.0, "height": 150.5, "confidence": 0.9123}),
        "{v}"
    );
    let out = client_for(&sb.base_url, Some("t"))
        .search_live_face(&image(3), &params(0.75))
        .await
        .unwrap();
    let face = out.face.expect("the client reads the box");
    assert_eq!(
        (face.x, face.y, face.width, face.height),
        (40.3, 30.0, 120.0, 150.5)
    );
}

#[tokio::test]
async fn a_loading_engine_answers_503_and_another_engine_409() {
    let dir = tempfile::tempdir().unwrap();
    let slot = EngineSlot::loading();
    let mut opts = SandboxOptions::local(dir.path());
    opts.engine = slot.clone();
    let sb = start(opts).await.unwrap();
    let client = client_for(&sb.base_url, Some("t"));
    assert_eq!(sb.engine_label(), "loading face models…");
    let e = client
        .search_live_face(&image(1), &params(0.75))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert!(e.message().unwrap().starts_with("engine_loading"));
    assert!(e.is_retryable());
    assert!(
        client.list_collections().await.is_ok(),
        "the store answers meanwhile"
    );
    slot.set(Arc::new(PixelEngine));
    client.create_person(&person("Gus", 51, &[])).await.unwrap();
    sb.shutdown().await;

    let mut opts = SandboxOptions::local(dir.path());
    opts.engine = EngineSlot::ready(Arc::new(OTHER_ENGINE));
    let sb = start(opts).await.unwrap();
    let client = client_for(&sb.base_url, Some("t"));
    let e = client
        .search_live_face(&image(51), &params(0.75))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(409));
    assert!(e
        .message()
        .unwrap()
        .contains("engine_mismatch: this store holds vectors of pixel-v1"));
    assert_eq!(
        client
            .create_person(&person("Hal", 52, &[]))
            .await
            .unwrap_err()
            .status(),
        Some(409)
    );
    assert_eq!(
        client
            .list_persons(&PersonQuery::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start(SandboxOptions::local(dir.path())).await.unwrap();
    let client = client_for(&sb.base_url, Some("t"));
    let coll = client
        .create_collection(&CollectionInput {
            name: "Keep".into(),
            description: None,
        })
        .await
        .unwrap();
    let p = client
        .create_person(&person("Ida", 61, &[&coll.id]))
        .await
        .unwrap();
    sb.shutdown().await;
    let sb = start(SandboxOptions::local(dir.path())).await.unwrap();
    let client = client_for(&sb.base_url, Some("t"));
    assert_eq!(
        client.get_person(&p.id).await.unwrap().collections[0].id,
        coll.id
    );
    let mut scoped = params(0.9);
    scoped.collection_id = Some(coll.id.clone());
    assert_eq!(
        client
            .search_live_face(&image(61), &scoped)
            .await
            .unwrap()
            .persons[0]
            .id,
        p.id
    );
}

#[tokio::test]
async fn the_embedded_connection_seeds_the_demo_and_its_probes_behave_as_described() {
    let dir = tempfile::tempdir().unwrap();
    // An empty config file and an empty environment: nothing configured.
    let cfg_file = dir.path().join("config.toml");
    std::fs::write(&cfg_file, "").unwrap();
    let flags = liveface::config::Flags {
        config: Some(cfg_file),
        ..Default::default()
    };
    let config = liveface::config::resolve(&flags, &|_| None).unwrap();
    assert_eq!(config.target, liveface::config::Target::EmbeddedSandbox);
    let data = dir.path().join("sandbox");
    let conn =
        liveface::connect::embedded::connect_at(&config, data.clone(), EngineSlot::default())
            .await
            .unwrap();
    assert!(conn.backend.is_sandbox());
    assert!(
        conn.notes[0].contains("embedded sandbox")
            && conn.notes[0].contains("not a face recognizer")
    );
    let probes = data.join("probes");
    assert!(probes.join("README.txt").exists());
    let read = |f: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(probes.join(f)).unwrap())
    };
    let c = &conn.client;
    let collections = c.list_collections().await.unwrap();
    assert_eq!(collections.len(), 2);
    let exact = c
        .search_live_face(&read("match_alice_exact.jpg"), &params(0.75))
        .await
        .unwrap();
    assert_eq!(exact.persons[0].name(), Some("Alice Moreau"));
    assert!(exact.persons[0].score >= 0.99);
    let bob = c
        .search_live_face(&read("match_bob_variant.jpg"), &params(0.75))
        .await
        .unwrap();
    assert_eq!(bob.persons[0].name(), Some("Bob Okafor"));
    let stranger = c
        .search_live_face(&read("stranger.jpg"), &params(0.75))
        .await
        .unwrap();
    assert!(stranger.persons.is_empty());
    for spoof in ["spoof_grey.jpg", "spoof_blurred.jpg"] {
        assert!(
            c.search_live_face(&read(spoof), &params(0.75))
                .await
                .unwrap_err()
                .is_liveness_failure(),
            "{spoof}"
        );
    }
    let staff = collections.iter().find(|c| c.name == "Demo staff").unwrap();
    let mut scoped = params(0.75);
    scoped.collection_id = Some(staff.id.clone());
    let emi = c
        .search_live_face(&read("match_emi_visitors_only.jpg"), &scoped)
        .await
        .unwrap();
    assert!(emi.persons.iter().all(|m| m.name() != Some("Emi Tanaka")));
    let emi = c
        .search_live_face(&read("match_emi_visitors_only.jpg"), &params(0.75))
        .await
        .unwrap();
    assert_eq!(emi.persons[0].name(), Some("Emi Tanaka"));
    drop(conn);
    // A second start does not seed twice.
    let again = liveface::sandbox::seed_demo(&data, &probes).unwrap();
    assert!(again.already_seeded);
    assert_eq!(again.persons_created, 0);
}
