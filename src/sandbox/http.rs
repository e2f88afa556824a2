//! The HTTP plumbing around the handlers: a bounded JSON body extractor, bearer
//! authentication, one log line per request, and running handler work off the
//! async runtime (where a panic becomes a 500, never a dropped server).

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::body::BodyDataStream;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{AUTHORIZATION, CONNECTION, CONTENT_LENGTH, EXPECT};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::reply::{Failure, Reply};
use super::state::AppState;

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 20 * 1024 * 1024;
/// How much of a body nobody read (an early 401, 404, 405 or 413) is read and
/// discarded before the answer goes out; past it, the answer closes the connection.
pub const DRAIN_LIMIT: usize = 256 * 1024 * 1024;
/// A client that sends nothing for this long while its unread body is drained gets
/// the answer anyway (and the connection closes).
const DRAIN_IDLE: Duration = Duration::from_secs(10);

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
                // `drain_unread` reads the rest, so the client sees the 413.
                break;
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

/// The request body, shared between the handler and [`drain_unread`].
#[derive(Clone)]
struct SharedBody(Arc<Mutex<BodyState>>);

struct BodyState {
    stream: BodyDataStream,
    /// Whether anyone asked for the body (which makes hyper send `100 Continue`).
    polled: bool,
    ended: bool,
}

impl Stream for SharedBody {
    type Item = Result<axum::body::Bytes, axum::Error>;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        state.polled = true;
        let next = state.stream.poll_next_unpin(cx);
        if let Poll::Ready(None) = next {
            state.ended = true;
        }
        next
    }
}

/// Makes every early answer (401 before the body is read, 404, 405, 413) reach the
/// client as itself. A server that answers and closes while the client is still
/// sending makes the client's kernel see a reset: most clients that write the whole
/// request before reading (Python's urllib, Node's fetch, curl without
/// `Expect`) then report "broken pipe" instead of the answer. So the rest of the body
/// is read and discarded, up to [`DRAIN_LIMIT`] bytes, before the answer goes out;
/// past that, or when the client stalls, the answer says `Connection: close`.
pub async fn drain_unread(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let expects_continue = parts
        .headers
        .get(EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let shared = SharedBody(Arc::new(Mutex::new(BodyState {
        stream: body.into_data_stream(),
        polled: false,
        ended: false,
    })));
    let req = Request::from_parts(parts, Body::from_stream(shared.clone()));
    let mut resp = next.run(req).await;
    let (polled, ended) = {
        let state = shared.0.lock().unwrap_or_else(|p| p.into_inner());
        (state.polled, state.ended)
    };
    if ended {
        return resp;
    }
    // A client waiting for `100 Continue` has sent nothing: answer without asking.
    let drained = if expects_continue && !polled {
        false
    } else {
        drain(shared).await
    };
    if !drained {
        resp.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// Reads and discards what is left of a body; false when it was cut short.
async fn drain(mut body: SharedBody) -> bool {
    let mut seen = 0usize;
    loop {
        match tokio::time::timeout(DRAIN_IDLE, body.next()).await {
            Ok(None) => return true,
            Ok(Some(Ok(chunk))) => {
                seen += chunk.len();
                if seen > DRAIN_LIMIT {
                    return false;
                }
            }
            Ok(Some(Err(_))) | Err(_) => return false,
        }
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
