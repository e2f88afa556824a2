//! Verifik-shaped answers: the `{id, data, signature}` envelope, the `{data}` of the
//! collection endpoints, and every documented error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::synth::SplitMix;
use crate::vocabulary::{code, message};

/// A 5-character request id, like `SLF01` or `ga8sn` in the docs.
pub fn request_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = SplitMix::new(uuid::Uuid::new_v4().as_u128() as u64);
    (0..5)
        .map(|_| ALPHABET[(rng.next_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

/// `{message: "Certified by Verifik.co", dateTime: "September 29, 2023 11:40 PM"}`.
pub fn signature() -> Value {
    json!({
        "message": "Certified by Verifik.co",
        "dateTime": chrono::Utc::now().format("%B %-d, %Y %-I:%M %p").to_string(),
    })
}

/// A successful answer.
#[derive(Debug)]
pub enum Reply {
    /// `{id, data, signature}` (biometrics and persons endpoints).
    Enveloped(Value),
    /// `{id, data, pagination, signature}` (person lists).
    Paginated(Value, Value),
    /// `{data}` (collection endpoints).
    Plain(Value),
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let body = match self {
            Reply::Enveloped(data) => {
                json!({"id": request_id(), "data": data, "signature": signature()})
            }
            Reply::Paginated(data, pagination) => json!({
                "id": request_id(), "data": data, "pagination": pagination, "signature": signature()
            }),
            Reply::Plain(data) => json!({ "data": data }),
        };
        (StatusCode::OK, Json(body)).into_response()
    }
}

/// An error answer: a status and its documented JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: StatusCode,
    pub body: Value,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl Failure {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            body: json!({"code": code, "message": message.into()}),
        }
    }

    /// 409 `MissingParameter` with a Joi-style message.
    pub fn missing(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::CONFLICT, code::MISSING_PARAMETER, message)
    }

    /// 409 `INVALID_PARAMETERS` (person list query).
    pub fn invalid_query(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::CONFLICT, code::INVALID_PARAMETERS, message)
    }

    /// 400 `{error: "Invalid request"}`: the body is not JSON at all.
    pub fn bad_json(detail: &str) -> Failure {
        Failure {
            status: StatusCode::BAD_REQUEST,
            body: json!({"error": "Invalid request", "message": format!("the body is not valid JSON: {detail}")}),
        }
    }

    pub fn only_images() -> Failure {
        Failure::new(
            StatusCode::PRECONDITION_FAILED,
            code::ERROR,
            message::ONLY_IMAGES_IN_BASE64,
        )
    }

    pub fn person_not_found() -> Failure {
        Failure {
            status: StatusCode::NOT_FOUND,
            body: json!({"error": "Person not found", "message": message::PERSON_NOT_FOUND}),
        }
    }

    pub fn invalid_collection() -> Failure {
        Failure::new(
            StatusCode::NOT_FOUND,
            code::ERROR,
            message::INVALID_COLLECTION,
        )
    }

    /// 412 with the existing person as `data`.
    pub fn person_already_set(existing: Value) -> Failure {
        Failure {
            status: StatusCode::PRECONDITION_FAILED,
            body: json!({"code": code::PRECONDITION_FAILED, "message": message::PERSON_ALREADY_SET, "data": existing}),
        }
    }

    pub fn duplicated_person(existing_id: &str, score: f64) -> Failure {
        Failure {
            status: StatusCode::CONFLICT,
            body: json!({"code": code::ERROR, "message": format!("409:{}", message::DUPLICATED_PERSON),
                         "data": {"_id": existing_id, "score": score}}),
        }
    }

    pub fn liveness_failed(score: f64, min: f64) -> Failure {
        Failure {
            status: StatusCode::CONFLICT,
            body: json!({
                "code": code::ERROR,
                "message": format!("{}: score {score:.2} is not above {min}", message::LIVENESS_FAILED),
                "data": {"liveness_score": score},
            }),
        }
    }

    pub fn unauthorized() -> Failure {
        Failure::new(
            StatusCode::UNAUTHORIZED,
            code::UNAUTHORIZED,
            "Authentication required",
        )
    }

    pub fn too_large(limit_mb: usize) -> Failure {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::ERROR,
            format!("payload_too_large: request bodies are limited to {limit_mb} MB"),
        )
    }

    pub fn engine_loading() -> Failure {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::ERROR,
            format!(
                "{}: face models are still loading, retry in a moment",
                message::ENGINE_LOADING
            ),
        )
    }

    pub fn engine_failed(reason: &str) -> Failure {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::ERROR,
            format!("engine_unavailable: {reason}"),
        )
    }

    pub fn engine_mismatch(stored: &str) -> Failure {
        Failure::new(
            StatusCode::CONFLICT,
            code::ERROR,
            format!(
                "{}: this store holds vectors of {stored}; re-enroll the persons \
                 (liveface sandbox demo --reset …) or use --data with another directory",
                message::ENGINE_MISMATCH
            ),
        )
    }

    /// An image the engine cannot use (no face, several faces, unusable).
    pub fn unusable_image(message: String) -> Failure {
        Failure::new(StatusCode::CONFLICT, code::ERROR, message)
    }

    pub fn not_found_route(method: &str, path: &str) -> Failure {
        Failure::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no route for {method} {path}"),
        )
    }

    pub fn method_not_allowed() -> Failure {
        Failure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "method not allowed on this route",
        )
    }

    /// 503 with the store's reason (`store_unavailable: …`, `store_read_only: …`,
    /// `store_full: …`): nothing was written, and retrying will not help until the
    /// operator fixes the data directory.
    pub fn store_unavailable(message: String) -> Failure {
        Failure::new(StatusCode::SERVICE_UNAVAILABLE, code::ERROR, message)
    }

    /// 500; the detail goes to the log, not to the client.
    pub fn internal() -> Failure {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::ERROR,
            message::INTERNAL_ERROR,
        )
    }
}
