//! The HTTP plumbing around the handlers: a bounded JSON body extractor, bearer
//! authentication, one log line per request, and running handler work off the
//! async runtime (where a panic becomes a 500, never a dropped server).

use std::time::Instant;

use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::reply::{Failure, Reply};
use super::routes::AppState;

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 20 * 1024 * 1024;
/// Past this, an oversized body is no longer drained before answering 413.
const DRAIN_LIMIT: usize = 256 * 1024 * 1024;

/// A JSON request body of at most [`BODY_LIMIT`] bytes.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Failure;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut stream = req.into_body().into_data_stream();
        let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(BODY_LIMIT));
        let mut seen = 0usize;
        while let Some(chunk) = stream.next().await {
            let Ok(chunk) = chunk else {
                return Err(Failure::bad_json("the body could not be read"));
            };
            seen += chunk.len();
            if seen > BODY_LIMIT {
                // Keep reading (and discarding) so the client sees the 413 instead of
                // a reset connection while it is still sending.
                if seen > DRAIN_LIMIT {
                    break;
                }
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if seen > BODY_LIMIT {
            return Err(Failure::too_large(BODY_LIMIT / (1024 * 1024)));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Value::Object(Default::default())));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| Failure::bad_json(&format!("line {} column {}", e.line(), e.column())))
    }
}

/// The SHA-256 of a token: compared instead of the token, in constant time.
pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Accepts `Bearer <token>` (or the older `jwt <token>`): the configured token only,
/// or any non-empty token when none is configured.
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("jwt"))
                .then(|| token.trim())
                .filter(|t| !t.is_empty())
        });
    let ok = match (presented, &state.token_digest) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(t), Some(expected)) => same_digest(&token_digest(t), expected),
    };
    if ok {
        next.run(req).await
    } else {
        Failure::unauthorized().into_response()
    }
}

/// `sandbox: POST /v2/face-recognition/persons 200 12ms` to the log (`crate::logging`:
/// stderr, or the dashboard's log file): never a body,
/// a query string or a header.
pub async fn log_requests(
    State(state): State<AppState>,
    req: Request<Body>,
    next: Next,
) -> Response {
    if !state.log {
        return next.run(req).await;
    }
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let started = Instant::now();
    let resp = next.run(req).await;
    tracing::info!(
        "sandbox: {method} {path} {} {}ms",
        resp.status().as_u16(),
        started.elapsed().as_millis()
    );
    resp
}

/// Runs handler work on the blocking pool; a panic becomes a logged 500.
pub async fn blocking<F>(work: F) -> Response
where
    F: FnOnce() -> Result<Reply, Failure> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(reply)) => reply.into_response(),
        Ok(Err(failure)) => failure.into_response(),
        Err(e) => {
            tracing::error!("sandbox: a request failed internally: {e}");
            Failure::internal().into_response()
        }
    }
}
