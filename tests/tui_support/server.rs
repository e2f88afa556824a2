//! A throwaway Verifik-like server on 127.0.0.1 for the dashboard's network tests: it
//! filters a fixed gallery by the request's `min_score`, answers `{id, score}` only (so
//! names must be fetched), and counts search requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub const GALLERY: [(&str, &str, f64); 4] = [
    ("p1", "Ana Gómez", 0.97),
    ("p2", "Luis Pérez", 0.88),
    ("p3", "Marta Ruiz", 0.79),
    ("p4", "Iván Soto", 0.66),
];

#[derive(Clone, Default)]
pub struct Counters {
    pub searches: Arc<AtomicUsize>,
    /// Milliseconds each search waits before answering (to test cancel).
    pub delay_ms: Arc<AtomicUsize>,
    /// When set, the server's one collection is named after it (tells two servers apart).
    pub label: Arc<std::sync::Mutex<String>>,
}

impl Counters {
    pub fn searches(&self) -> usize {
        self.searches.load(Ordering::SeqCst)
    }
}

async fn search(State(c): State<Counters>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    c.searches.fetch_add(1, Ordering::SeqCst);
    let delay = c.delay_ms.load(Ordering::SeqCst) as u64;
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if body
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        return (
            StatusCode::CONFLICT,
            Json(json!({"code": "MissingParameter", "message": "image"})),
        );
    }
    let min = body.get("min_score").and_then(Value::as_f64).unwrap_or(0.8);
    let persons: Vec<Value> = GALLERY
        .iter()
        .filter(|(_, _, s)| *s >= min)
        .map(|(id, _, s)| json!({"id": id, "score": s}))
        .collect();
    (
        StatusCode::OK,
        Json(json!({"data": {"persons": persons, "liveness_score": 0.93}})),
    )
}

async fn collections(State(c): State<Counters>) -> Json<Value> {
    let label = c.label.lock().unwrap().clone();
    if !label.is_empty() {
        return Json(
            json!({"data": [{"_id": format!("c-{label}"), "name": format!("{label} gallery")}]}),
        );
    }
    Json(json!({"data": [
        {"_id": "c1", "name": "Staff", "code": "uuid-staff"},
        {"_id": "c2", "name": "Visitors"}
    ]}))
}

async fn person(Path(id): Path<String>) -> (StatusCode, Json<Value>) {
    match GALLERY.iter().find(|(p, _, _)| *p == id) {
        Some((p, name, _)) => (
            StatusCode::OK,
            Json(
                json!({"data": {"_id": p, "name": name, "gender": "F", "date_of_birth": "1990-01-15", "nationality": "CO"}}),
            ),
        ),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"code": "NotFound", "message": "Person not found"})),
        ),
    }
}

async fn persons() -> Json<Value> {
    let items: Vec<Value> = GALLERY
        .iter()
        .map(|(p, name, _)| json!({"_id": p, "name": name, "gender": "F"}))
        .collect();
    Json(json!({"data": items, "pagination": {"page": 1, "limit": 20, "total": 4, "pages": 1}}))
}

async fn delete_person(Path(id): Path<String>) -> (StatusCode, Json<Value>) {
    if GALLERY.iter().any(|(p, _, _)| *p == id) {
        (StatusCode::OK, Json(json!({"data": {"_id": id}})))
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"code": "NotFound", "message": "Person not found"})),
        )
    }
}

/// Starts the server on a free port of 127.0.0.1; returns its base URL.
pub async fn start(counters: Counters) -> String {
    let app = Router::new()
        .route("/v2/face-recognition/search-live-face", post(search))
        .route("/v2/face-recognition/collections", get(collections))
        .route("/v2/face-recognition/persons", get(persons))
        .route(
            "/v2/face-recognition/persons/{id}",
            get(person).delete(delete_person),
        )
        .with_state(counters);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}
