//! The typed client against a real HTTP server on 127.0.0.1: what it sends (path,
//! method, query, exact JSON, headers), how it decodes every documented answer
//! shape, how it maps errors, and what it retries.

use crate::support;

use std::time::Duration;

use base64::Engine as _;
use liveface::api::model::*;
use liveface::api::{ApiError, Client, ClientConfig, ErrorKind, Token};
use serde_json::{json, Value};
use support::{refused_addr, Step, TestServer};

const TOKEN: &str = "tok_SECRET_9f8e7d6c5b4a3210";
const PREFIX: &str = "/v2/face-recognition";

/// A probe image as the client receives it: raw base64 of a few hundred bytes.
fn image_b64() -> String {
    let bytes: Vec<u8> = (0..600u32).map(|i| (i * 37 % 251) as u8).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn config(server_url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(server_url, Token::new(TOKEN));
    c.backoff = Duration::from_millis(10);
    c.timeout = Duration::from_secs(5);
    c
}

fn client(server: &TestServer) -> Client {
    Client::new(config(&server.url())).unwrap()
}

fn params() -> SearchParams {
    SearchParams {
        os: Os::Desktop,
        liveness_min_score: 0.65,
        min_score: 0.75,
        search_mode: SearchMode::Fast,
        collection_id: None,
    }
}

/// An `{id, data, signature}` success envelope, as the current docs show.
fn envelope(data: Value) -> Step {
    Step::json(
        200,
        json!({
            "id": "SLF01",
            "data": data,
            "signature": {"message": "Certified by Verifik.co", "dateTime": "January 16, 2024 3:44 PM"}
        }),
    )
}

fn person_json(id: &str) -> Value {
    json!({"_id": id, "name": "Ana Gómez", "gender": "F", "date_of_birth": "1990-01-15"})
}

fn collection_json(id: &str) -> Value {
    json!({
        "_id": id, "name": "Staff", "description": "employees", "deleted": false,
        "client": "c1", "code": "8a6c3c1e-4f7e-4f3a-9d47-0d5cbe2b6b71",
        "createdAt": "2024-01-16T15:44:00.000Z", "updatedAt": "2024-01-16T15:44:00.000Z", "__v": 0
    })
}

/// No error may carry the token or the probe image, in Display or Debug.
fn assert_secret_free(e: &ApiError) {
    let image = image_b64();
    for shown in [e.to_string(), format!("{e:?}")] {
        assert!(!shown.contains(TOKEN), "token leaked: {shown}");
        assert!(!shown.contains(&image[..48]), "image leaked: {shown}");
    }
}

async fn search_err(server: &TestServer) -> ApiError {
    let e = client(server)
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap_err();
    assert_secret_free(&e);
    e
}

// ---- what is sent ------------------------------------------------------------

#[tokio::test]
async fn search_sends_the_exact_body_and_headers() {
    let server = TestServer::start([envelope(json!({"persons": [], "liveness_score": 0.9}))]).await;
    let with_prefix = format!("data:image/jpeg;base64,{}", image_b64());
    client(&server)
        .search_live_face(&with_prefix, &params())
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, format!("{PREFIX}/search-live-face"));
    assert_eq!(r.query, None);
    // Exact equality: numbers are JSON numbers, no data-URL prefix, no collection_id.
    assert_eq!(
        r.json(),
        json!({
            "image": image_b64(),
            "os": "DESKTOP",
            "liveness_min_score": 0.65,
            "min_score": 0.75,
            "search_mode": "FAST"
        })
    );
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(r.header_count("authorization"), 1);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("user-agent"),
        Some(concat!("liveface/", env!("CARGO_PKG_VERSION")))
    );
}

#[tokio::test]
async fn search_sends_collection_id_os_and_mode_when_set() {
    let server = TestServer::start([envelope(json!({"persons": []}))]).await;
    let p = SearchParams {
        os: Os::Ios,
        liveness_min_score: 0.5,
        min_score: 1.0,
        search_mode: SearchMode::Accurate,
        collection_id: Some(" 8a6c3c1e-4f7e-4f3a-9d47-0d5cbe2b6b71 ".into()),
    };
    client(&server)
        .search_live_face(&image_b64(), &p)
        .await
        .unwrap();
    let body = server.single_request().json();
    assert_eq!(
        body,
        json!({
            "image": image_b64(),
            "os": "IOS",
            "liveness_min_score": 0.5,
            "min_score": 1.0,
            "search_mode": "ACCURATE",
            "collection_id": "8a6c3c1e-4f7e-4f3a-9d47-0d5cbe2b6b71"
        })
    );
    assert!(body["min_score"].is_number() && body["liveness_min_score"].is_number());
}

#[tokio::test]
async fn bad_thresholds_and_empty_images_are_refused_before_sending() {
    let server = TestServer::start([]).await;
    let c = client(&server);
    for (liveness, min) in [(0.4999, 0.75), (0.65, 1.0001), (f64::NAN, 0.75)] {
        let p = SearchParams {
            liveness_min_score: liveness,
            min_score: min,
            ..params()
        };
        let e = c.search_live_face(&image_b64(), &p).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput, "{e}");
        assert_eq!(e.exit_code(), 2);
    }
    let e = c
        .search_live_face("data:image/jpeg;base64,", &params())
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    let e = c.get_person("../admin").await.unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn every_call_carries_auth_content_type_and_user_agent() {
    let server = TestServer::start([
        Step::json(200, json!({"data": []})),
        envelope(person_json("p1")),
        Step::json(200, json!({"data": []})),
        Step::json(200, json!({"data": {"_id": "p1"}})),
    ])
    .await;
    let c = client(&server);
    c.list_persons(&PersonQuery::default()).await.unwrap();
    c.get_person("p1").await.unwrap();
    c.list_collections().await.unwrap();
    c.delete_person("p1", None).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    for r in reqs {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{r:?}"
        );
        assert_eq!(r.header("content-type"), Some("application/json"), "{r:?}");
        assert!(
            r.header("user-agent").unwrap().starts_with("liveface/"),
            "{r:?}"
        );
        assert!(r.body.is_empty(), "GET/DELETE carry no body: {r:?}");
    }
}

#[tokio::test]
async fn without_a_token_no_authorization_header_is_sent() {
    let server = TestServer::start([Step::json(200, json!({"data": []}))]).await;
    let mut cfg = config(&server.url());
    cfg.token = Token::new("   ");
    assert!(cfg.token.is_none());
    Client::new(cfg).unwrap().list_collections().await.unwrap();
    assert_eq!(server.single_request().header("authorization"), None);
}

#[tokio::test]
async fn list_persons_sends_page_limit_and_filters() {
    let server = TestServer::start([
        Step::json(200, json!({"data": []})),
        Step::json(200, json!({"data": []})),
    ])
    .await;
    let c = client(&server);
    c.list_persons(&PersonQuery::default()).await.unwrap();
    c.list_persons(&PersonQuery {
        page: 3,
        limit: 100,
        collection: Some("staff & co/1".into()),
        status: Some("active".into()),
    })
    .await
    .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, format!("{PREFIX}/persons"));
    assert_eq!(reqs[0].query.as_deref(), Some("page=1&limit=20"));
    assert_eq!(
        reqs[1].query_pairs(),
        vec![
            ("page".to_string(), "3".to_string()),
            ("limit".into(), "100".into()),
            ("collection".into(), "staff & co/1".into()),
            ("status".into(), "active".into()),
        ]
    );
    // Reserved characters are escaped, not sent raw (form encoding: a space is `+`).
    assert!(reqs[1]
        .query
        .as_deref()
        .unwrap()
        .contains("staff+%26+co%2F1"));
}

#[tokio::test]
async fn list_persons_refuses_out_of_range_paging() {
    let server = TestServer::start([]).await;
    let c = client(&server);
    for q in [
        PersonQuery {
            limit: 0,
            ..PersonQuery::default()
        },
        PersonQuery {
            limit: 101,
            ..PersonQuery::default()
        },
        PersonQuery {
            page: 0,
            ..PersonQuery::default()
        },
    ] {
        assert_eq!(c.list_persons(&q).await.unwrap_err().exit_code(), 2);
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn get_person_requests_its_path() {
    let server = TestServer::start([envelope(person_json("651743f2b2eaf872c3541417"))]).await;
    let p = client(&server)
        .get_person(" 651743f2b2eaf872c3541417 ")
        .await
        .unwrap();
    assert_eq!(p.id, "651743f2b2eaf872c3541417");
    let r = server.single_request();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        (
            "GET",
            "/v2/face-recognition/persons/651743f2b2eaf872c3541417"
        )
    );
}

#[tokio::test]
async fn create_person_sends_raw_images_and_only_set_fields() {
    let server =
        TestServer::start([envelope(person_json("p1")), envelope(person_json("p2"))]).await;
    let c = client(&server);
    let full = NewPerson {
        name: "Ana Gómez".into(),
        images: vec![
            format!("data:image/png;base64,{}", image_b64()),
            image_b64(),
        ],
        gender: Some("F".into()),
        date_of_birth: DateOfBirth::new(1990, 1, 15),
        nationality: Some("Colombian".into()),
        collections: vec!["65b9592267cc4f096dbe743d".into()],
        notes: Some("front desk".into()),
    };
    assert_eq!(c.create_person(&full).await.unwrap().id, "p1");
    let minimal = NewPerson {
        name: "Bo".into(),
        images: vec![image_b64()],
        ..NewPerson::default()
    };
    c.create_person(&minimal).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].path, format!("{PREFIX}/persons"));
    assert_eq!(
        reqs[0].json(),
        json!({
            "name": "Ana Gómez",
            "images": [image_b64(), image_b64()],
            "gender": "F",
            "date_of_birth": "1990-01-15",
            "nationality": "Colombian",
            "collections": ["65b9592267cc4f096dbe743d"],
            "notes": "front desk"
        })
    );
    assert_eq!(
        reqs[1].json(),
        json!({"name": "Bo", "images": [image_b64()]})
    );
}

#[tokio::test]
async fn create_person_refuses_bad_input_locally() {
    let server = TestServer::start([]).await;
    let c = client(&server);
    let base = NewPerson {
        name: "Ana".into(),
        images: vec![image_b64()],
        ..NewPerson::default()
    };
    for bad in [
        NewPerson {
            images: vec![],
            ..base.clone()
        },
        NewPerson {
            images: vec![image_b64(); 4],
            ..base.clone()
        },
        NewPerson {
            images: vec!["data:image/jpeg;base64,".into()],
            ..base.clone()
        },
        NewPerson {
            name: "  ".into(),
            ..base.clone()
        },
    ] {
        let e = c.create_person(&bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput, "{e}");
        assert_secret_free(&e);
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn create_person_live_sends_the_documented_body() {
    let server = TestServer::start([envelope(json!({
        "_id": "65b95a0d67cc4f096dbe7445", "name": "Ana", "gender": "F",
        "date_of_birth": "1990-01-15T00:00:00.000Z", "collections": ["65b9592267cc4f096dbe743d"],
        "deleted": false, "createdAt": "2024-01-30T20:11:57.606Z", "updatedAt": "2024-01-30T20:11:57.606Z"
    }))])
    .await;
    let p = NewLivePerson {
        name: "Ana".into(),
        images: vec![format!("data:image/jpeg;base64,{}", image_b64())],
        gender: "F".into(),
        date_of_birth: DateOfBirth::new(1990, 1, 15).unwrap(),
        nationality: None,
        collection_id: "65b9592267cc4f096dbe743d".into(),
        liveness_min_score: 0.6,
        min_score: 0.8,
        search_mode: SearchMode::Accurate,
    };
    let created = client(&server).create_person_live(&p).await.unwrap();
    assert_eq!(created.id, "65b95a0d67cc4f096dbe7445");
    assert_eq!(created.date_of_birth, DateOfBirth::new(1990, 1, 15));
    assert_eq!(created.collections[0].id, "65b9592267cc4f096dbe743d");
    let r = server.single_request();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v2/face-recognition/persons/search-live-face")
    );
    assert_eq!(
        r.json(),
        json!({
            "name": "Ana",
            "images": [image_b64()],
            "gender": "F",
            "date_of_birth": "1990-01-15",
            "collection_id": "65b9592267cc4f096dbe743d",
            "liveness_min_score": 0.6,
            "min_score": 0.8,
            "search_mode": "ACCURATE"
        })
    );
}

#[tokio::test]
async fn create_person_live_validates_thresholds() {
    let server = TestServer::start([]).await;
    let p = NewLivePerson {
        name: "Ana".into(),
        images: vec![image_b64()],
        gender: "F".into(),
        date_of_birth: DateOfBirth::new(1990, 1, 15).unwrap(),
        nationality: None,
        collection_id: "c".into(),
        liveness_min_score: 0.49,
        min_score: 0.8,
        search_mode: SearchMode::Fast,
    };
    let e = client(&server).create_person_live(&p).await.unwrap_err();
    assert!(e.to_string().contains("liveness_min_score"), "{e}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn update_person_sends_only_changed_fields() {
    let server = TestServer::start([
        Step::json(200, json!({"success": true, "data": person_json("p1")})),
        Step::json(200, json!({"data": person_json("p1")})),
    ])
    .await;
    let c = client(&server);
    let u = PersonUpdate {
        notes: Some("moved to night shift".into()),
        collections: Some(vec![]),
        ..PersonUpdate::default()
    };
    assert_eq!(
        c.update_person("p1", &u).await.unwrap().name.as_deref(),
        Some("Ana Gómez")
    );
    let faces = PersonUpdate {
        images: Some(vec![format!("data:image/jpeg;base64,{}", image_b64())]),
        date_of_birth: DateOfBirth::new(1991, 12, 31),
        ..PersonUpdate::default()
    };
    c.update_person("p1", &faces).await.unwrap();
    let reqs = server.requests();
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("PUT", "/v2/face-recognition/persons/p1")
    );
    assert_eq!(
        reqs[0].json(),
        json!({"notes": "moved to night shift", "collections": []})
    );
    assert_eq!(
        reqs[1].json(),
        json!({"images": [image_b64()], "date_of_birth": "1991-12-31"})
    );
    let e = c
        .update_person("p1", &PersonUpdate::default())
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn delete_person_with_and_without_collection() {
    let server = TestServer::start([
        envelope(json!({"_id": "p1"})),
        Step::json(200, json!({"success": true, "message": "Person deleted successfully", "data": {"_id": "p1"}})),
        Step::empty(204),
    ])
    .await;
    let c = client(&server);
    c.delete_person("p1", None).await.unwrap();
    c.delete_person("p1", Some("65b9592267cc4f096dbe743d"))
        .await
        .unwrap();
    c.delete_person("p1", None).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "DELETE");
    assert_eq!(reqs[0].path, format!("{PREFIX}/persons/p1"));
    assert_eq!(reqs[0].query, None);
    assert_eq!(
        reqs[1].query.as_deref(),
        Some("collection=65b9592267cc4f096dbe743d")
    );
}

#[tokio::test]
async fn collection_calls_use_their_paths_methods_and_bodies() {
    let id = "65b9592267cc4f096dbe743d";
    let server = TestServer::start([
        Step::json(
            200,
            json!({"data": [collection_json(id), collection_json("65b9592267cc4f096dbe7440")]}),
        ),
        Step::json(200, json!({"data": collection_json(id)})),
        Step::json(200, json!({"data": collection_json(id)})),
        Step::json(200, json!({"data": collection_json(id)})),
        Step::json(200, json!({"data": collection_json(id)})),
    ])
    .await;
    let c = client(&server);
    let all = c.list_collections().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0].code.as_deref(),
        Some("8a6c3c1e-4f7e-4f3a-9d47-0d5cbe2b6b71")
    );
    assert_eq!(all[0].description.as_deref(), Some("employees"));
    let got = c.get_collection(id).await.unwrap();
    assert_eq!(got.name, "Staff");
    c.create_collection(&CollectionInput {
        name: "Staff".into(),
        description: None,
    })
    .await
    .unwrap();
    c.update_collection(
        id,
        &CollectionInput {
            name: "Staff".into(),
            description: Some("all".into()),
        },
    )
    .await
    .unwrap();
    c.delete_collection(id).await.unwrap();
    let reqs = server.requests();
    let seen: Vec<(&str, &str)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let one = format!("{PREFIX}/collections/{id}");
    let list = format!("{PREFIX}/collections");
    assert_eq!(
        seen,
        vec![
            ("GET", list.as_str()),
            ("GET", one.as_str()),
            ("POST", list.as_str()),
            ("PUT", one.as_str()),
            ("DELETE", one.as_str()),
        ]
    );
    assert_eq!(reqs[2].json(), json!({"name": "Staff"}));
    assert_eq!(
        reqs[3].json(),
        json!({"name": "Staff", "description": "all"})
    );
    assert!(reqs[4].body.is_empty());
    // `name` is required on create and on every update.
    let blank = CollectionInput {
        name: " ".into(),
        description: None,
    };
    assert_eq!(
        c.create_collection(&blank).await.unwrap_err().exit_code(),
        2
    );
    assert_eq!(
        c.update_collection(id, &blank)
            .await
            .unwrap_err()
            .exit_code(),
        2
    );
    assert_eq!(server.requests().len(), 5);
}

// ---- what is decoded ---------------------------------------------------------

#[tokio::test]
async fn decodes_the_full_gitbook_search_hit() {
    let thumb = base64::engine::general_purpose::STANDARD.encode(b"\xff\xd8\xff thumbnail");
    let server = TestServer::start([Step::json(
        200,
        json!({
            "id": "ga8sn",
            "data": {
                "persons": [{
                    "id": "651743f2b2eaf872c3541417",
                    "name": "Mateo Verifik",
                    "notes": "",
                    "score": 0.9971,
                    "gender": "M",
                    "thumbnails": [{"id": "4f0f4c3e-6d4b-4c39-9e0a-1c1f0e1d2a3b", "thumbnail": thumb}],
                    "collections": [],
                    "create_date": "2023-09-29T21:38:59.306976",
                    "nationality": "Colombian",
                    "date_of_birth": "1995-05-07",
                    "modified_date": "2023-09-29T21:38:59.306976",
                    "someFutureField": {"x": 1}
                }],
                "liveness_score": 0.98
            },
            "signature": {"message": "Certified by Verifik.co", "dateTime": "September 29, 2023 11:40 PM"}
        }),
    )])
    .await;
    let out = client(&server)
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap();
    assert_eq!(out.liveness_score, Some(0.98));
    assert_eq!(out.persons.len(), 1);
    let m = &out.persons[0];
    assert_eq!(
        (m.id.as_str(), m.score),
        ("651743f2b2eaf872c3541417", 0.9971)
    );
    assert_eq!(m.name(), Some("Mateo Verifik"));
    let p = m.person.as_ref().unwrap();
    assert_eq!(p.gender.as_deref(), Some("M"));
    assert_eq!(p.nationality.as_deref(), Some("Colombian"));
    assert_eq!(p.notes, None, "empty notes are no notes");
    assert_eq!(p.date_of_birth, DateOfBirth::new(1995, 5, 7));
    assert_eq!(p.created_at.as_deref(), Some("2023-09-29T21:38:59.306976"));
    assert_eq!(p.updated_at.as_deref(), Some("2023-09-29T21:38:59.306976"));
    assert_eq!(p.thumbnails.len(), 1);
    assert_eq!(
        p.thumbnails[0].image.as_deref().unwrap(),
        b"\xff\xd8\xff thumbnail"
    );
    assert_eq!(p.extra.get("someFutureField"), Some(&json!({"x": 1})));
}

#[tokio::test]
async fn decodes_minimal_id_score_hits_sorted_by_score() {
    let server = TestServer::start([envelope(json!({
        "persons": [{"id": "a", "score": 0.81}, {"id": "b", "score": 0.93}],
        "liveness_score": 0.92
    }))])
    .await;
    let out = client(&server)
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap();
    let got: Vec<(&str, f64, bool)> = out
        .persons
        .iter()
        .map(|m| (m.id.as_str(), m.score, m.person.is_some()))
        .collect();
    assert_eq!(got, vec![("b", 0.93, false), ("a", 0.81, false)]);
}

#[tokio::test]
async fn decodes_underscore_and_oid_ids_and_a_consistent_percent_scale() {
    let server = TestServer::start([Step::json(
        200,
        json!({"data": {
            "persons": [
                {"_id": "u1", "score": "77"},
                {"_id": {"$oid": "65b95a0d67cc4f096dbe7445"}, "score": 91.5},
                {"id": "p3", "score": "88"}
            ],
            "liveness_score": "97"
        }}),
    )])
    .await;
    let out = client(&server)
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap();
    assert!(out.percent_scale, "a note says the scores were converted");
    assert_eq!(out.liveness_score, Some(0.97));
    let got: Vec<(&str, f64)> = out
        .persons
        .iter()
        .map(|m| (m.id.as_str(), m.score))
        .collect();
    assert_eq!(
        got,
        vec![
            ("65b95a0d67cc4f096dbe7445", 0.915),
            ("p3", 0.88),
            ("u1", 0.77)
        ]
    );
}

#[tokio::test]
async fn decodes_empty_and_array_search_answers() {
    let server = TestServer::start([
        Step::json(200, json!({"data": {"persons": [], "liveness_score": 0.9}})),
        Step::json(200, json!({"data": [{"id": "x", "score": 0.8}]})),
        Step::json(
            200,
            json!({"id": "x", "data": {"liveness_score": 0.9, "persons": null}}),
        ),
    ])
    .await;
    let c = client(&server);
    assert!(c
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap()
        .persons
        .is_empty());
    assert_eq!(
        c.search_live_face(&image_b64(), &params())
            .await
            .unwrap()
            .persons[0]
            .id,
        "x"
    );
    assert!(c
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap()
        .persons
        .is_empty());
}

#[tokio::test]
async fn a_search_answer_without_persons_is_a_decode_error() {
    let server = TestServer::start([Step::json(200, json!({"data": "ok"}))]).await;
    let e = search_err(&server).await;
    assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
    assert_eq!(e.exit_code(), 6);
}

#[tokio::test]
async fn decodes_date_of_birth_in_every_form() {
    let server = TestServer::start([
        envelope(json!({"_id": "p", "date_of_birth": {"year": 1990, "month": 1, "day": 15}})),
        envelope(json!({"_id": "p", "date_of_birth": "1990-01-15"})),
        envelope(json!({"_id": "p", "date_of_birth": "1990-01-15T00:00:00.000Z"})),
        envelope(json!({"_id": "p", "date_of_birth": "1990-02-30"})),
        envelope(json!({"_id": "p", "date_of_birth": 42})),
    ])
    .await;
    let c = client(&server);
    for _ in 0..3 {
        assert_eq!(
            c.get_person("p").await.unwrap().date_of_birth,
            DateOfBirth::new(1990, 1, 15)
        );
    }
    // A date the server got wrong is dropped, not fatal.
    for _ in 0..2 {
        let p = c.get_person("p").await.unwrap();
        assert_eq!((p.id.as_str(), p.date_of_birth), ("p", None));
    }
}

#[tokio::test]
async fn decodes_the_current_retrieve_example_with_images_and_encodings() {
    let server = TestServer::start([envelope(json!({
        "_id": "65b95a0d67cc4f096dbe7445", "name": "John Doe", "gender": "M",
        "date_of_birth": {"year": 1990, "month": 1, "day": 15}, "nationality": "US",
        "images": [image_b64()], "collections": [{"_id": "c1", "code": "uuid-1", "name": "Staff"}, "c2"],
        "notes": "", "client": "cl1", "status": "active", "faceEncodings": [[0.1, 0.2]],
        "createdAt": "2024-01-16T15:44:00.000Z", "updatedAt": "2024-01-16T15:44:00.000Z"
    }))])
    .await;
    let p = client(&server)
        .get_person("65b95a0d67cc4f096dbe7445")
        .await
        .unwrap();
    assert_eq!(p.status.as_deref(), Some("active"));
    assert_eq!(p.collections.len(), 2);
    assert_eq!(p.collections[0].label(), "Staff");
    assert_eq!(p.collections[0].code.as_deref(), Some("uuid-1"));
    assert_eq!(p.collections[1].label(), "c2");
    assert_eq!(p.created_at.as_deref(), Some("2024-01-16T15:44:00.000Z"));
    assert!(!p.extra.contains_key("images") && !p.extra.contains_key("faceEncodings"));
    assert_eq!(p.extra.get("client"), Some(&json!("cl1")));
}

#[tokio::test]
async fn a_thumbnail_with_invalid_base64_is_unavailable_not_a_crash() {
    let server = TestServer::start([Step::json(
        200,
        json!({"data": {"_id": "p1", "name": "Ana", "thumbnails": [
            {"id": "t1", "thumbnail": "this is !!! not base64"},
            {"id": "t2", "thumbnail": 17},
            {"id": "t3", "thumbnail": "aGk="}
        ]}}),
    )])
    .await;
    let p = client(&server).get_person("p1").await.unwrap();
    assert_eq!(p.thumbnails.len(), 3);
    assert!(p.thumbnails[0].image.is_err());
    assert!(p.thumbnails[1].image.is_err());
    assert_eq!(p.thumbnails[2].image.as_deref(), Ok(&b"hi"[..]));
}

#[tokio::test]
async fn decodes_every_list_envelope() {
    let server = TestServer::start([
        // current docs: {id, data: [...], pagination, signature}
        Step::json(
            200,
            json!({
                "id": "x1", "data": [person_json("a"), person_json("b")],
                "pagination": {"page": 2, "limit": 2, "total": 9, "pages": 5},
                "signature": {"message": "Certified by Verifik.co", "dateTime": "x"}
            }),
        ),
        // older render: {success, data, pagination}
        Step::json(
            200,
            json!({
                "success": true, "data": [person_json("a")],
                "pagination": {"page": "1", "limit": "10", "total": "1", "pages": "1"}
            }),
        ),
        // paginated docs: data: {docs: [...], totalDocs, page, limit, totalPages}
        Step::json(
            200,
            json!({"data": {
                "docs": [person_json("a"), {"_id": {"$oid": "b"}}, {"name": "no id, skipped"}],
                "totalDocs": 42, "page": 3, "limit": 3, "totalPages": 14
            }}),
        ),
        // GitBook: {data} only
        Step::json(200, json!({"data": [person_json("a")]})),
        // lookup-style: {data, total}
        Step::json(200, json!({"data": [person_json("a")], "total": 1})),
    ])
    .await;
    let c = client(&server);
    let q = PersonQuery::default();
    let p = c.list_persons(&q).await.unwrap();
    assert_eq!(
        p.items.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(
        p.pagination,
        Some(Pagination {
            page: 2,
            limit: 2,
            total: Some(9),
            pages: Some(5)
        })
    );
    let p = c.list_persons(&q).await.unwrap();
    assert_eq!(
        p.pagination,
        Some(Pagination {
            page: 1,
            limit: 10,
            total: Some(1),
            pages: Some(1)
        })
    );
    let p = c.list_persons(&q).await.unwrap();
    assert_eq!(
        p.items.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(
        p.pagination,
        Some(Pagination {
            page: 3,
            limit: 3,
            total: Some(42),
            pages: Some(14)
        })
    );
    let p = c.list_persons(&q).await.unwrap();
    assert_eq!((p.items.len(), p.pagination), (1, None));
    let p = c.list_persons(&q).await.unwrap();
    assert_eq!(p.pagination.and_then(|x| x.total), Some(1));
}

#[tokio::test]
async fn a_list_answer_without_a_list_is_a_decode_error() {
    let server = TestServer::start([Step::json(200, json!({"data": {"count": 3}}))]).await;
    let e = client(&server)
        .list_persons(&PersonQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
}

// ---- errors ------------------------------------------------------------------

#[tokio::test]
async fn unauthorized_says_how_to_set_the_token() {
    let server = TestServer::start([Step::json(
        401,
        json!({"message": "Authentication required", "code": "UNAUTHORIZED"}),
    )])
    .await;
    let e = search_err(&server).await;
    assert_eq!(
        (e.status(), e.code(), e.message()),
        (
            Some(401),
            Some("UNAUTHORIZED"),
            Some("Authentication required")
        )
    );
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(e.exit_code(), 4);
    assert!(e.to_string().contains("VERIFIK_TOKEN"), "{e}");
    assert_eq!(server.requests().len(), 1, "401 is not retried");
}

#[tokio::test]
async fn an_expired_token_is_an_auth_error() {
    let server = TestServer::start([Step::json(
        403,
        json!({"message": "token_expired", "code": "FORBIDDEN"}),
    )])
    .await;
    let e = search_err(&server).await;
    assert_eq!(
        (e.status(), e.code(), e.message()),
        (Some(403), Some("FORBIDDEN"), Some("token_expired"))
    );
    assert_eq!(e.exit_code(), 4);
    assert!(
        e.to_string().contains("expired") && e.to_string().contains("VERIFIK_TOKEN"),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn not_found_in_both_documented_shapes() {
    let server = TestServer::start([
        Step::json(
            404,
            json!({"error": "Person not found", "message": "PERSON_NOT_FOUND"}),
        ),
        Step::json(
            404,
            json!({"code": "NotFound", "message": "person_not_found"}),
        ),
        Step::json(
            404,
            json!({"message": "invalid_collection", "code": "ERROR"}),
        ),
    ])
    .await;
    let c = client(&server);
    let e = c.get_person("p1").await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(404), None));
    assert!(e.message().unwrap().contains("PERSON_NOT_FOUND"));
    assert!(e.message().unwrap().contains("Person not found"));
    assert!(e.to_string().starts_with("not found"), "{e}");
    let e = c.get_person("p1").await.unwrap_err();
    assert_eq!(
        (e.status(), e.code(), e.message()),
        (Some(404), Some("NotFound"), Some("person_not_found"))
    );
    assert_eq!(e.exit_code(), 6);
    let e = c.get_collection("c1").await.unwrap_err();
    assert!(e.to_string().starts_with("collection not found"), "{e}");
    assert_eq!(server.requests().len(), 3, "404 is not retried");
}

#[tokio::test]
async fn a_validation_409_is_not_retried() {
    let server = TestServer::start([Step::json(
        409,
        json!({"message": "\"os\" is required", "code": "MissingParameter"}),
    )])
    .await;
    let e = search_err(&server).await;
    assert_eq!(
        (e.status(), e.code(), e.message()),
        (
            Some(409),
            Some("MissingParameter"),
            Some("\"os\" is required")
        )
    );
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.exit_code(), 6);
    assert!(e.to_string().contains("\"os\" is required"), "{e}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn liveness_failed_is_its_own_kind_with_the_score() {
    let server = TestServer::start([
        Step::json(409, json!({"message": "liveness_failed: score 0.41 is below 0.65", "code": "ERROR"})),
        Step::json(409, json!({"message": "liveness_failed", "code": "ERROR", "data": {"liveness_score": "0.38"}})),
        // Not on the documented 0–1 scale: no score rather than a guessed one.
        Step::json(409, json!({"message": "liveness_failed", "code": "ERROR", "data": {"liveness_score": "38"}})),
    ])
    .await;
    let e = search_err(&server).await;
    assert_eq!(e.kind(), ErrorKind::Liveness);
    assert!(e.is_liveness_failure());
    assert_eq!(e.exit_code(), 3);
    assert_eq!(e.liveness_score(), Some(0.41));
    assert!(e.to_string().starts_with("liveness failed"), "{e}");
    let e = search_err(&server).await;
    assert_eq!(e.liveness_score(), Some(0.38));
    let e = search_err(&server).await;
    assert_eq!(e.liveness_score(), None);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_duplicated_person_is_explained() {
    let server = TestServer::start([Step::json(
        409,
        json!({"message": "409:duplicated_person", "code": "ERROR"}),
    )])
    .await;
    let p = NewLivePerson {
        name: "Ana".into(),
        images: vec![image_b64()],
        gender: "F".into(),
        date_of_birth: DateOfBirth::new(1990, 1, 15).unwrap(),
        nationality: None,
        collection_id: "c1".into(),
        liveness_min_score: 0.6,
        min_score: 0.8,
        search_mode: SearchMode::Fast,
    };
    let e = client(&server).create_person_live(&p).await.unwrap_err();
    assert_secret_free(&e);
    assert_eq!(
        (e.status(), e.code(), e.message()),
        (Some(409), Some("ERROR"), Some("409:duplicated_person"))
    );
    assert_eq!(e.exit_code(), 6);
    assert!(e.to_string().contains("already enrolled"), "{e}");
}

#[tokio::test]
async fn person_already_set_carries_the_existing_person() {
    let server = TestServer::start([Step::json(412, json!({
        "message": "person_already_set",
        "code": "PreconditionFailed",
        "data": {
            "_id": "65b95a0d67cc4f096dbe7445", "name": "Ana", "date_of_birth": "1990-01-15", "gender": "F",
            "collections": [{"_id": "c1", "code": "uuid-1", "name": "Staff"}],
            "thumbnails": [{"id": "t1", "thumbnail": "aGk="}]
        }
    }))])
    .await;
    let new = NewPerson {
        name: "Ana".into(),
        images: vec![image_b64()],
        ..NewPerson::default()
    };
    let e = client(&server).create_person(&new).await.unwrap_err();
    assert_secret_free(&e);
    assert_eq!(
        (e.status(), e.code(), e.message()),
        (
            Some(412),
            Some("PreconditionFailed"),
            Some("person_already_set")
        )
    );
    assert_eq!(e.exit_code(), 6);
    assert!(e.to_string().contains("already exists"), "{e}");
    let existing = Person::from_value(e.data().unwrap()).unwrap();
    assert_eq!(existing.id, "65b95a0d67cc4f096dbe7445");
    assert_eq!(existing.collections[0].label(), "Staff");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn three_500s_are_retried_twice_then_fail() {
    let internal = || Step::json(500, json!({"message": "internal_error", "code": "ERROR"}));
    let server = TestServer::start([internal(), internal(), internal()]).await;
    let e = client(&server).get_person("p1").await.unwrap_err();
    assert_eq!(
        (e.status(), e.code(), e.message()),
        (Some(500), Some("ERROR"), Some("internal_error"))
    );
    assert_eq!(e.kind(), ErrorKind::Network);
    assert_eq!(e.exit_code(), 5);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(server.remaining(), 0);
    // Retries resend the very same request.
    let reqs = server.requests();
    assert!(reqs
        .iter()
        .all(|r| r.body == reqs[0].body && r.path == reqs[0].path));
}

#[tokio::test]
async fn a_500_then_a_200_is_one_success() {
    let server = TestServer::start([
        Step::json(500, json!({"message": "internal_error", "code": "ERROR"})),
        envelope(json!([collection_json("c1")])),
    ])
    .await;
    let all = client(&server).list_collections().await.unwrap();
    assert_eq!(all[0].id, "c1");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retries_follow_the_configured_count() {
    let internal = || Step::json(503, json!({"message": "busy"}));
    let server = TestServer::start([internal(), internal()]).await;
    let mut cfg = config(&server.url());
    cfg.retries = 1;
    let e = Client::new(cfg)
        .unwrap()
        .list_collections()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(server.requests().len(), 2);
    let mut cfg = config(&server.url());
    cfg.retries = 0;
    server.push(internal());
    Client::new(cfg)
        .unwrap()
        .list_collections()
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn backoff_doubles_between_retries() {
    let internal = || Step::json(500, json!({"message": "internal_error"}));
    let server = TestServer::start([internal(), internal(), internal()]).await;
    let mut cfg = config(&server.url());
    cfg.backoff = Duration::from_millis(100);
    let started = std::time::Instant::now();
    Client::new(cfg)
        .unwrap()
        .list_collections()
        .await
        .unwrap_err();
    // 100 ms then 200 ms of sleeping, at least (an ordering fact, not a speed claim).
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn an_html_page_is_reported_without_its_content() {
    let html = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>nginx</body></html>";
    let server = TestServer::start([
        Step::body(404, "text/html", html),
        Step::body(502, "text/html", html),
        Step::body(502, "text/html", html),
        Step::body(502, "text/html", html),
    ])
    .await;
    let c = client(&server);
    let e = c.get_person("p1").await.unwrap_err();
    assert_secret_free(&e);
    assert!(matches!(e, ApiError::NotJson { status: 404, .. }), "{e:?}");
    assert_eq!(e.exit_code(), 6);
    assert!(
        e.to_string().contains("HTML page") && e.to_string().contains("base URL"),
        "{e}"
    );
    assert!(!e.to_string().contains("nginx"));
    assert_eq!(server.requests().len(), 1, "a 404 page is not retried");
    let e = c.get_person("p1").await.unwrap_err();
    assert!(matches!(e, ApiError::NotJson { status: 502, .. }), "{e:?}");
    assert_eq!(e.exit_code(), 5);
    assert_eq!(server.requests().len(), 4, "a 502 page is retried twice");
}

#[tokio::test]
async fn empty_bodies() {
    let server = TestServer::start([Step::empty(500), Step::empty(200)]).await;
    let c = client(&server);
    let e = search_err(&server).await;
    assert!(matches!(e, ApiError::NotJson { status: 500, .. }), "{e:?}");
    assert!(e.to_string().contains("empty body"), "{e}");
    assert_eq!(
        server.requests().len(),
        1,
        "a search that got a 500 is not repeated"
    );
    // An empty 200 where a record was expected is a decode error, not a success.
    let e = c.get_person("p1").await.unwrap_err();
    assert_secret_free(&e);
    assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
    assert_eq!(e.exit_code(), 6);
}

#[tokio::test]
async fn garbage_bytes_are_not_json() {
    let garbage: Vec<u8> = vec![0xff, 0x00, 0xfe, b'{', b'x', 0x80, 0x81, 0x1b, b'['];
    let server = TestServer::start([
        Step::body(200, "application/json", garbage.clone()),
        Step::body(401, "application/octet-stream", garbage),
        Step::body(409, "application/json", "[\"not an object\"]"),
    ])
    .await;
    let c = client(&server);
    let e = search_err(&server).await;
    assert!(matches!(e, ApiError::NotJson { status: 200, .. }), "{e:?}");
    assert!(e.to_string().contains("9 bytes of non-JSON data"), "{e}");
    assert_eq!(e.exit_code(), 6);
    let e = c.list_collections().await.unwrap_err();
    assert_eq!((e.status(), e.exit_code()), (Some(401), 4));
    let e = c.list_collections().await.unwrap_err();
    assert_eq!((e.status(), e.exit_code()), (Some(409), 6));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_stalled_search_times_out_once_and_is_not_repeated() {
    let server = TestServer::start([Step::stall_ms(2_000), Step::stall_ms(2_000)]).await;
    let mut cfg = config(&server.url());
    cfg.timeout = Duration::from_millis(200);
    let e = Client::new(cfg)
        .unwrap()
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap_err();
    assert_secret_free(&e);
    assert!(matches!(e, ApiError::Timeout { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Network);
    assert_eq!(e.exit_code(), 5);
    assert!(
        e.to_string().contains("0.2s") && e.to_string().contains("timed out"),
        "{e}"
    );
    // Billed: a search that may have reached the server is sent once.
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_stalled_get_is_retried_within_the_budget() {
    let server = TestServer::start([
        Step::stall_ms(2_000),
        Step::stall_ms(2_000),
        Step::stall_ms(2_000),
    ])
    .await;
    let mut cfg = config(&server.url());
    cfg.timeout = Duration::from_millis(600);
    let started = std::time::Instant::now();
    let e = Client::new(cfg)
        .unwrap()
        .list_collections()
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Timeout { .. }), "{e:?}");
    assert_eq!(server.requests().len(), 3, "each attempt gets a third");
    // The whole call keeps to its budget (attempts and back-off included).
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_stall_then_an_answer_succeeds() {
    let server =
        TestServer::start([Step::stall_ms(2_000), Step::json(200, json!({"data": []}))]).await;
    let mut cfg = config(&server.url());
    cfg.timeout = Duration::from_millis(900);
    let all = Client::new(cfg).unwrap().list_collections().await.unwrap();
    assert!(all.is_empty());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_default_timeout_and_retries_are_as_documented() {
    let cfg = ClientConfig::new("https://api.verifik.co", None);
    assert_eq!(cfg.timeout, Duration::from_secs(30));
    assert_eq!(cfg.retries, 2);
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let addr = refused_addr().await;
    let c = Client::new(config(&format!("http://{addr}"))).unwrap();
    let e = c
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap_err();
    assert_secret_free(&e);
    assert!(matches!(e, ApiError::Connect { .. }), "{e:?}");
    assert_eq!(e.exit_code(), 5);
    let shown = e.to_string();
    assert!(shown.contains(&addr.to_string()), "{shown}");
    assert!(shown.to_ascii_lowercase().contains("refused"), "{shown}");
    assert!(!shown.contains("broke"), "{shown}");
    assert!(!shown.contains("http://"), "{shown}");
}

#[tokio::test]
async fn a_get_closed_mid_response_is_retried() {
    let server = TestServer::start([
        Step::Truncate {
            status: 200,
            declared_len: 500,
            body: br#"{"data": [{"_id""#.to_vec(),
        },
        Step::Close,
        envelope(json!([collection_json("c1")])),
    ])
    .await;
    let all = client(&server).list_collections().await.unwrap();
    assert_eq!(all[0].id, "c1");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_search_or_create_cut_mid_answer_is_not_repeated() {
    let cut = || Step::Truncate {
        status: 200,
        declared_len: 500,
        body: br#"{"data": {"persons": [{"id""#.to_vec(),
    };
    let server = TestServer::start([cut(), Step::Close]).await;
    let e = search_err(&server).await;
    assert!(matches!(e, ApiError::Broken { .. }), "{e:?}");
    assert_eq!(server.requests().len(), 1);
    // A connection closed after the request arrived: the server may have done it.
    let person = NewPerson {
        name: "Ana".into(),
        images: vec![image_b64()],
        ..NewPerson::default()
    };
    let e = client(&server).create_person(&person).await.unwrap_err();
    assert!(e.outcome_unknown(), "{e:?}");
    assert_eq!(server.requests().len(), 2, "the create was sent once");
}

#[tokio::test]
async fn connections_that_keep_dropping_end_in_a_network_error() {
    let cut = || Step::Truncate {
        status: 200,
        declared_len: 500,
        body: b"{\"data\":".to_vec(),
    };
    let server = TestServer::start([cut(), Step::Close, cut()]).await;
    let e = client(&server).list_collections().await.unwrap_err();
    assert!(matches!(e, ApiError::Broken { .. }), "{e:?}");
    // The server was reached: say the connection broke, not that it is unreachable.
    assert!(
        e.to_string().contains("broke before a complete answer"),
        "{e}"
    );
    assert_eq!(e.exit_code(), 5);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_raw_non_http_answer_is_a_network_error() {
    let server = TestServer::start([
        Step::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
        Step::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
        Step::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
        Step::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
    ])
    .await;
    let e = search_err(&server).await;
    assert_eq!(e.kind(), ErrorKind::Network, "{e:?}");
    assert_eq!(server.requests().len(), 1, "a search is not repeated");
    let e = client(&server).list_collections().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e:?}");
    assert_eq!(server.requests().len(), 4, "a list is retried twice");
}

#[tokio::test]
async fn an_echoed_image_or_token_never_reaches_the_error() {
    let image = image_b64();
    let server = TestServer::start([
        Step::json(409, json!({
            "message": format!("\"image\" with value \"{image}\" fails to match the required pattern"),
            "code": "MissingParameter",
            "data": {"detail": [{"loc": ["body", "image"], "msg": "bad image", "input": image}]}
        })),
        Step::json(401, json!({"message": format!("token {TOKEN} is not valid"), "code": "Unauthorized", "data": {"token": TOKEN}})),
    ])
    .await;
    let e = search_err(&server).await; // asserts Display and Debug are clean
    assert!(e.message().unwrap().contains("characters hidden"), "{e}");
    assert_eq!(e.exit_code(), 6);
    let e = search_err(&server).await;
    assert_eq!(e.message(), Some("token [token] is not valid"));
    assert_eq!(e.data(), Some(&json!({"token": "[token]"})));
    assert_eq!(e.exit_code(), 4);
}

#[tokio::test]
async fn client_debug_and_config_debug_hide_the_token() {
    let cfg = config("http://127.0.0.1:9");
    assert!(!format!("{cfg:?}").contains(TOKEN));
    let c = Client::new(cfg).unwrap();
    assert!(!format!("{c:?}").contains(TOKEN));
    assert_eq!(c.host(), "127.0.0.1:9");
    for bad in ["", "ftp://x", "127.0.0.1:8080", "http://"] {
        let e = Client::new(ClientConfig::new(bad, None)).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{bad}: {e}");
    }
}

// ---- never billed twice, never the wrong answer --------------------------------

/// A full HTTP answer with extra headers (the scripted server closes after it).
fn answer_with(status: u16, headers: &[(&str, &str)], body: &str) -> Step {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    Step::Raw([head.into_bytes(), body.as_bytes().to_vec()].concat())
}

fn busy(status: u16, retry_after: &str) -> Step {
    answer_with(
        status,
        &[
            ("Content-Type", "application/json"),
            ("Retry-After", retry_after),
        ],
        r#"{"message":"slow down"}"#,
    )
}

fn a_person() -> NewPerson {
    NewPerson {
        name: "Ana".into(),
        images: vec![image_b64()],
        date_of_birth: DateOfBirth::new(1990, 1, 15),
        collections: vec!["c1".into()],
        ..NewPerson::default()
    }
}

#[tokio::test]
async fn a_search_is_retried_on_429_and_503_honouring_retry_after() {
    let ok = envelope(json!({"persons": [], "liveness_score": 0.9}));
    let server = TestServer::start([busy(429, "1"), busy(503, "0"), ok]).await;
    let started = std::time::Instant::now();
    let out = client(&server)
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap();
    assert!(out.persons.is_empty());
    assert_eq!(server.requests().len(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(1_000),
        "waited as asked: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let when = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc2822();
    let when = when.replace("+0000", "GMT");
    let server = TestServer::start([busy(503, &when), envelope(json!([]))]).await;
    let started = std::time::Instant::now();
    client(&server).list_collections().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_wait_longer_than_the_budget_is_said_not_slept() {
    let server = TestServer::start([busy(429, "120")]).await;
    let started = std::time::Instant::now();
    let e = search_err(&server).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(e.status(), Some(429));
    let shown = e.to_string();
    assert!(shown.contains("asked to wait 120s"), "{shown}");
    assert!(shown.contains("left of the time budget"), "{shown}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn retries_are_reported_to_an_observer() {
    let server = TestServer::start([busy(503, "0"), busy(503, "0"), envelope(json!([]))]).await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let c = client(&server).observed(std::sync::Arc::new(move |n| sink.lock().unwrap().push(n)));
    c.list_collections().await.unwrap();
    let seen = seen.lock().unwrap();
    let attempts: Vec<(u32, u32)> = seen.iter().map(|n| (n.attempt, n.max_attempts)).collect();
    assert_eq!(attempts, [(2, 3), (3, 3)]);
    assert!(seen.iter().all(|n| n.budget_left <= Duration::from_secs(5)));
    assert!(
        seen[0].reason.contains("503") || seen[0].reason.contains("failed"),
        "{}",
        seen[0].reason
    );
}

#[tokio::test]
async fn a_refused_post_is_retried_because_it_never_arrived() {
    let addr = refused_addr().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(0));
    let sink = seen.clone();
    let c = Client::new(config(&format!("http://{addr}")))
        .unwrap()
        .observed(std::sync::Arc::new(move |_| *sink.lock().unwrap() += 1));
    let e = c
        .search_live_face(&image_b64(), &params())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Connect { .. }), "{e:?}");
    assert_eq!(*seen.lock().unwrap(), 2, "two retries");
}

#[tokio::test]
async fn post_5xx_other_than_503_are_never_repeated() {
    for status in [500, 502, 504] {
        let server = TestServer::start([Step::json(status, json!({"message": "x"}))]).await;
        let e = client(&server)
            .create_person(&a_person())
            .await
            .unwrap_err();
        assert!(e.outcome_unknown(), "{status}");
        assert_eq!(server.requests().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn a_redirect_loop_is_named_and_not_retried() {
    let hop = || answer_with(302, &[("Location", "/v2/face-recognition/collections")], "");
    let server = TestServer::start((0..40).map(|_| hop())).await;
    let e = client(&server).list_collections().await.unwrap_err();
    assert!(matches!(e, ApiError::RedirectLoop { .. }), "{e:?}");
    let shown = e.to_string();
    assert!(shown.contains("redirect loop"), "{shown}");
    assert!(!shown.contains("broke"), "{shown}");
    let sent = server.requests().len();
    assert!(sent <= 11, "followed once, never retried: {sent}");
}

#[tokio::test]
async fn https_to_a_plain_http_port_says_so() {
    // What a plain HTTP server answers to a TLS hello: a 400 in plain text.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let c = Client::new(config(&format!("https://{addr}"))).unwrap();
    let e = c.list_collections().await.unwrap_err();
    assert!(matches!(e, ApiError::Connect { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("does not speak TLS on this port: try http://"),
        "{e}"
    );
}

#[tokio::test]
async fn an_html_413_names_the_proxy() {
    let page =
        "<html><head><title>413 Request Entity Too Large</title></head><body>nginx</body></html>";
    let server = TestServer::start([Step::body(413, "text/html", page)]).await;
    let e = search_err(&server).await;
    assert!(
        e.to_string()
            .contains("the upload is too large for a proxy in front of the API"),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_answer_over_32_mb_is_refused_while_reading() {
    // Declared: refused before a byte of the body is read.
    let declared = Step::Truncate {
        status: 200,
        declared_len: 512 * 1024 * 1024,
        body: b"{\"data\": [".to_vec(),
    };
    // Streamed without a length: counted as it arrives.
    let mut chunked = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..34 {
        chunked.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend(&chunk);
        chunked.extend(b"\r\n");
    }
    chunked.extend(b"0\r\n\r\n");
    let server = TestServer::start([declared, Step::Raw(chunked)]).await;
    let c = client(&server);
    for _ in 0..2 {
        let e = c.get_person("p1").await.unwrap_err();
        assert!(matches!(e, ApiError::TooLarge { .. }), "{e:?}");
        assert!(e.to_string().contains("answer too large"), "{e}");
        assert_eq!(e.exit_code(), 6);
    }
    assert_eq!(server.requests().len(), 2, "never retried");
}

#[tokio::test]
async fn server_error_text_is_made_printable() {
    let server = TestServer::start([Step::json(
        409,
        json!({"message": "bad \u{1b}]0;PWNED\u{7} name\nsecond line", "code": "ERR\u{1b}[2J"}),
    )])
    .await;
    let e = search_err(&server).await;
    let shown = e.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains("bad ?]0;PWNED? name second line"), "{shown}");
}

#[tokio::test]
async fn absurd_pagination_is_refused_with_words() {
    let server = TestServer::start([
        Step::json(
            200,
            json!({"data": [], "pagination": {"page": 1, "pages": 1e30, "limit": 20}}),
        ),
        Step::json(
            200,
            json!({"data": [], "pagination": {"page": 1.5, "limit": 20}}),
        ),
    ])
    .await;
    let c = client(&server);
    for want in ["`pages` is 1e", "`page` is 1.5"] {
        let e = c.list_persons(&PersonQuery::default()).await.unwrap_err();
        assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
        assert!(e.to_string().contains(want), "{e}");
    }
}

#[tokio::test]
async fn a_timed_out_create_is_looked_up_before_anything_is_said() {
    let now = chrono::Utc::now().to_rfc3339();
    let found = json!({"data": [
        {"_id": "old", "name": "Ana", "date_of_birth": "1990-01-15", "createdAt": "2020-01-01T00:00:00Z"},
        {"_id": "new1", "name": "Ana 2", "date_of_birth": "1990-01-15", "createdAt": now}
    ], "pagination": {"page": 1, "pages": 1, "limit": 100, "total": 2}});
    let empty =
        json!({"data": [], "pagination": {"page": 1, "pages": 1, "limit": 100, "total": 0}});
    let server = TestServer::start([
        Step::stall_ms(1_500),
        Step::json(200, found),
        Step::stall_ms(1_500),
        Step::json(200, empty),
        Step::stall_ms(1_500),
        Step::json(500, json!({"message": "down"})),
        Step::json(500, json!({"message": "down"})),
        Step::json(500, json!({"message": "down"})),
    ])
    .await;
    let mut cfg = config(&server.url());
    cfg.timeout = Duration::from_millis(400);
    let c = Client::new(cfg).unwrap();
    use liveface::api::confirm::{CreateCheck, CreateError, Created};
    match c.create_person_checked(&a_person()).await {
        Ok(Created::Confirmed { person, after }) => {
            assert_eq!(person.id, "new1", "the old namesake is not ours");
            assert!(matches!(after, ApiError::Timeout { .. }));
        }
        other => panic!("{other:?}"),
    }
    match c.create_person_checked(&a_person()).await {
        Err(CreateError::Uncertain(u)) => assert_eq!(u.check, CreateCheck::NotCreated),
        other => panic!("{other:?}"),
    }
    match c.create_person_checked(&a_person()).await {
        Err(CreateError::Uncertain(u)) => {
            assert!(matches!(u.check, CreateCheck::Unknown(_)), "{:?}", u.check);
            assert!(
                u.to_string().contains("unknown: check before retrying"),
                "{u}"
            );
        }
        other => panic!("{other:?}"),
    }
    let reqs = server.requests();
    let posts = reqs.iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 3, "each create sent exactly once");
    let lookup = &reqs[1];
    assert_eq!(
        (lookup.method.as_str(), lookup.path.as_str()),
        ("GET", "/v2/face-recognition/persons")
    );
    assert!(lookup
        .query_pairs()
        .contains(&("collection".into(), "c1".into())));
}
