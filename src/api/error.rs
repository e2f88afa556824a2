//! One error type for every way a call can fail, with a plain-words explanation.
//!
//! Messages never contain the token or the image: they are built only from the
//! status, the server's `code`/`message`, and short snippets of non-JSON bodies.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::vocabulary::message;

/// The broad class of a failure; decides the CLI exit code and the retry policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Rejected before sending (bad threshold, bad id, …).
    BadInput,
    /// The server ran liveness and the probe failed it.
    Liveness,
    /// 401/403: token missing, wrong or expired.
    Auth,
    /// Timeouts, refused or reset connections, 5xx.
    Network,
    /// Any other answer the server gave (404, 409, 412, garbage …).
    Api,
    /// The embedded sandbox could not start (port, store, disk): nothing was sent.
    Sandbox,
}

impl ErrorKind {
    /// The documented exit code of `liveface search` and friends.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::BadInput => 2,
            ErrorKind::Liveness => 3,
            ErrorKind::Auth => 4,
            ErrorKind::Network => 5,
            ErrorKind::Api => 6,
            ErrorKind::Sandbox => 7,
        }
    }
}

/// `Debug` is written by hand (below) so the server's `data` is shown redacted.
#[derive(Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// Refused locally: nothing was sent.
    #[error("{0}")]
    InvalidInput(String),
    /// The embedded sandbox could not start; the message says why (port, store, disk).
    #[error("the embedded sandbox could not start: {0}")]
    SandboxStart(String),
    /// The server answered with an error status and a JSON body.
    #[error("{}", explain_status(*status, code.as_deref(), message.as_deref()))]
    Status {
        status: u16,
        code: Option<String>,
        message: Option<String>,
        /// The envelope's `data`, e.g. the existing person of `person_already_set`.
        data: Option<Value>,
    },
    /// The server answered something that is not the JSON the API documents.
    #[error("the server at {host} answered HTTP {status} with {what}, not the JSON the API sends{}", hint_for_html(*status))]
    NotJson {
        host: String,
        status: u16,
        what: String,
    },
    /// A 2xx answer whose JSON has an unexpected shape.
    #[error("the server's answer had an unexpected shape: {0}")]
    Decode(String),
    /// No complete answer in time. The request may have reached the server.
    #[error("no answer from {host} within {} (timed out)", seconds(*after))]
    Timeout { host: String, after: Duration },
    /// The request provably never reached the server: refused, unresolvable, or the
    /// TLS handshake failed.
    #[error("connection to {host} failed: {reason}")]
    Connect { host: String, reason: String },
    /// The exchange broke after the request was sent (reset, cut mid-answer, not HTTP):
    /// the server may have done the work.
    #[error(
        "connection to {host} failed: the connection broke before a complete answer ({reason})"
    )]
    Broken { host: String, reason: String },
    /// The server keeps redirecting (more redirects than the client follows).
    #[error("redirect loop: {host} keeps redirecting the request ({reason}); check the base URL")]
    RedirectLoop { host: String, reason: String },
    /// The answer was larger than the client reads (`limit` bytes); reading stopped.
    #[error("answer too large: {host} sent more than {} MB; nothing was read past that", limit / (1024 * 1024))]
    TooLarge { host: String, limit: usize },
    /// `429`/`503` with a `Retry-After` longer than what was left of the time budget.
    #[error("{error} — the server asked to wait {}, longer than the {} left of the time budget (--timeout); try again later", seconds(*asked), seconds(*left))]
    WaitTooLong {
        error: Box<ApiError>,
        asked: Duration,
        left: Duration,
    },
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::InvalidInput(m) => f.debug_tuple("InvalidInput").field(m).finish(),
            ApiError::SandboxStart(m) => f.debug_tuple("SandboxStart").field(m).finish(),
            ApiError::Status {
                status,
                code,
                message,
                data,
            } => f
                .debug_struct("Status")
                .field("status", status)
                .field("code", code)
                .field("message", message)
                // e.g. a validation `detail[].input` echoing the probe image
                .field("data", &data.as_ref().map(redact_value))
                .finish(),
            ApiError::NotJson { host, status, what } => f
                .debug_struct("NotJson")
                .field("host", host)
                .field("status", status)
                .field("what", what)
                .finish(),
            ApiError::Decode(m) => f.debug_tuple("Decode").field(m).finish(),
            ApiError::Timeout { host, after } => f
                .debug_struct("Timeout")
                .field("host", host)
                .field("after", after)
                .finish(),
            ApiError::Connect { host, reason } => f
                .debug_struct("Connect")
                .field("host", host)
                .field("reason", reason)
                .finish(),
            ApiError::Broken { host, reason } => f
                .debug_struct("Broken")
                .field("host", host)
                .field("reason", reason)
                .finish(),
            ApiError::RedirectLoop { host, reason } => f
                .debug_struct("RedirectLoop")
                .field("host", host)
                .field("reason", reason)
                .finish(),
            ApiError::TooLarge { host, limit } => f
                .debug_struct("TooLarge")
                .field("host", host)
                .field("limit", limit)
                .finish(),
            ApiError::WaitTooLong { error, asked, left } => f
                .debug_struct("WaitTooLong")
                .field("error", error)
                .field("asked", asked)
                .field("left", left)
                .finish(),
        }
    }
}

/// A copy of `v` with every string passed through [`redact`].
pub fn redact_value(v: &Value) -> Value {
    map_strings(v, &redact)
}

/// A copy of `v` with `f` applied to every string value (keys are left alone).
pub fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), map_strings(x, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } | ApiError::NotJson { status, .. } => Some(*status),
            ApiError::WaitTooLong { error, .. } => error.status(),
            _ => None,
        }
    }

    /// The server's `code`, e.g. `MissingParameter`.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The server's `message` (or `error`).
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiError::Status { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::InvalidInput(_) => ErrorKind::BadInput,
            ApiError::SandboxStart(_) => ErrorKind::Sandbox,
            ApiError::Timeout { .. }
            | ApiError::Connect { .. }
            | ApiError::Broken { .. }
            | ApiError::RedirectLoop { .. } => ErrorKind::Network,
            ApiError::WaitTooLong { error, .. } => error.kind(),
            ApiError::Decode(_) | ApiError::TooLarge { .. } => ErrorKind::Api,
            ApiError::NotJson { status, .. } => {
                if *status >= 500 {
                    ErrorKind::Network
                } else if *status == 401 || *status == 403 {
                    ErrorKind::Auth
                } else {
                    ErrorKind::Api
                }
            }
            ApiError::Status { status, .. } => {
                if self.is_liveness_failure() {
                    ErrorKind::Liveness
                } else if *status == 401 || *status == 403 {
                    ErrorKind::Auth
                } else if *status >= 500 {
                    ErrorKind::Network
                } else {
                    ErrorKind::Api
                }
            }
        }
    }

    /// True when a retry may help an idempotent call (GET, PUT, DELETE): 5xx, 429,
    /// timeouts, refused or broken connections. See [`ApiError::is_retryable_post`] for
    /// the stricter rule of calls that are billed or create something.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Timeout { .. } | ApiError::Connect { .. } | ApiError::Broken { .. } => true,
            ApiError::Status { status, .. } | ApiError::NotJson { status, .. } => {
                *status >= 500 || *status == 429
            }
            _ => false,
        }
    }

    /// True when a POST may be sent again without risking the work twice: the request
    /// provably never reached the server (refused, DNS, TLS handshake), or the server
    /// said it did not take it (`429`, `503`). Never after a timeout, a broken answer,
    /// or `500`/`502`/`504`.
    pub fn is_retryable_post(&self) -> bool {
        matches!(self, ApiError::Connect { .. }) || matches!(self.status(), Some(429 | 503))
    }

    /// True when the server may have done the work although no answer says so (a
    /// timeout, a broken answer, `500`/`502`/`504`): a create must be checked, not
    /// repeated.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Timeout { .. } | ApiError::Broken { .. } => true,
            ApiError::Status { status, .. } | ApiError::NotJson { status, .. } => {
                *status >= 500 && *status != 503
            }
            _ => false,
        }
    }

    pub fn is_liveness_failure(&self) -> bool {
        matches!(self, ApiError::Status { message: Some(m), .. } if m.contains(message::LIVENESS_FAILED))
    }

    /// The liveness score a `liveness_failed` answer carries, in its data or its message.
    pub fn liveness_score(&self) -> Option<f64> {
        let ApiError::Status { message, data, .. } = self else {
            return None;
        };
        // Documented on 0–1; anything else is no score rather than a guessed one.
        if let Some(s) = data
            .as_ref()
            .and_then(|d| d.get("liveness_score"))
            .and_then(super::scores::unit_score)
        {
            return Some(s);
        }
        let m = message.as_deref()?;
        let rest = &m[m.find(message::LIVENESS_FAILED)? + message::LIVENESS_FAILED.len()..];
        rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .find(|t| t.contains('.') && t.parse::<f64>().is_ok())
            .and_then(|t| t.parse().ok())
            .filter(|s: &f64| (0.0..=1.0).contains(s))
    }

    /// The server's `data` payload (e.g. the existing person of `person_already_set`).
    pub fn data(&self) -> Option<&Value> {
        match self {
            ApiError::Status { data, .. } => data.as_ref(),
            _ => None,
        }
    }

    pub fn exit_code(&self) -> i32 {
        self.kind().exit_code()
    }
}

/// "30s", "0.25s" for the sub-second timeouts tests and impatient users set, whole
/// seconds from 10 s up (a budget left of "23.4871s" helps nobody).
pub(crate) fn seconds(d: Duration) -> String {
    let x = d.as_secs_f64();
    if d.subsec_millis() == 0 || x >= 10.0 {
        format!("{}s", x.round())
    } else {
        let s = format!("{x:.2}");
        format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

fn hint_for_html(status: u16) -> &'static str {
    match status {
        404 => " (is the base URL right? it should be the API host, e.g. https://api.verifik.co)",
        // The API answers JSON; a non-JSON 413 comes from a proxy (nginx's default is 1 MB).
        413 => ": the upload is too large for a proxy in front of the API (use a smaller image, --max-side, or raise the proxy's body limit)",
        _ => "",
    }
}

/// Plain words for an error answer, with the server's own words in brackets.
pub fn explain_status(status: u16, code: Option<&str>, message: Option<&str>) -> String {
    let msg = message.unwrap_or("");
    let server = match (code, message) {
        (Some(c), Some(m)) => format!(" [{status} {c}: {m}]"),
        (None, Some(m)) => format!(" [{status}: {m}]"),
        (Some(c), None) => format!(" [{status} {c}]"),
        (None, None) => format!(" [HTTP {status}]"),
    };
    let plain = if msg.contains(message::LIVENESS_FAILED) {
        "liveness failed: the probe does not look like a live person (use a clear, front-facing, well-lit photo taken live)".to_string()
    } else if msg.contains(message::TOKEN_EXPIRED) {
        "token expired: get a new one and set VERIFIK_TOKEN (or `token` in config.toml)".to_string()
    } else if msg.contains(message::ENGINE_LOADING) {
        "the sandbox is still loading its face models; try again in a moment".to_string()
    } else if msg.contains(message::ENGINE_MISMATCH) {
        format!("the sandbox's store was built with another engine: {msg}")
    } else if status == 401 {
        "not authorised: the token is missing or wrong; set VERIFIK_TOKEN (or `token` in config.toml)".to_string()
    } else if status == 403 {
        "forbidden: the token is expired or not allowed to do this; set a valid VERIFIK_TOKEN"
            .to_string()
    } else if msg.contains(message::DUPLICATED_PERSON) {
        "this person is already enrolled in the collection (duplicate face)".to_string()
    } else if msg.contains(message::PERSON_ALREADY_SET) {
        "a person with the same name and date of birth already exists in this collection"
            .to_string()
    } else if msg.contains(message::ONLY_IMAGES_IN_BASE64) {
        "the server could not read the image (it expects a real base64-encoded photo)".to_string()
    } else if msg.contains("more than one face") {
        "the image has more than one face: use a photo with a single face".to_string()
    } else if msg.contains("no_face") || msg.to_ascii_lowercase().contains("no face") {
        "no face was found in the image: use a clear, front-facing photo".to_string()
    } else if msg.contains("invalid for checking liveness") {
        "the image is not usable for liveness: use a clear, front-facing, well-lit photo"
            .to_string()
    } else if status == 404 && (msg.contains("collection") || code == Some("ERROR")) {
        "collection not found: check the collection id (it may have been deleted)".to_string()
    } else if status == 404 {
        "not found: no such person (or it belongs to another client)".to_string()
    } else if status == 409 {
        format!(
            "the server refused the request as invalid: {}",
            if msg.is_empty() {
                "no reason given"
            } else {
                msg
            }
        )
    } else if status == 412 {
        "the server refused a precondition of the request".to_string()
    } else if status == 413 {
        "the request is too large for the server: use a smaller image".to_string()
    } else if status == 429 {
        "too many requests: the server is rate limiting; wait and try again".to_string()
    } else if status >= 500 {
        "the server failed (an error on its side); try again later".to_string()
    } else {
        "the server refused the request".to_string()
    };
    format!("{plain}{server}")
}

/// Extracts `(code, message, data)` from every documented error envelope:
/// `{message, code}`, `{error, message}`, `{success:false, error, code}`,
/// nested `data.message`/`data.code`, and validation lists `data.detail[]`.
pub fn parse_error_body(body: &Value) -> (Option<String>, Option<String>, Option<Value>) {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let data = body.get("data").cloned().filter(|d| !d.is_null());
    let mut code = text(body.get("code"));
    let mut message = text(body.get("message"));
    if let Some(error) = text(body.get("error")) {
        // `{error: "Person not found", message: "PERSON_NOT_FOUND"}`: keep both.
        message = Some(match message {
            Some(m) if m != error => format!("{m} ({error})"),
            _ => error,
        });
    }
    if let Some(d) = data.as_ref().and_then(Value::as_object) {
        code = code.or_else(|| text(d.get("code")));
        message = message.or_else(|| text(d.get("message")));
        if message.is_none() {
            if let Some(detail) = d.get("detail").and_then(Value::as_array) {
                let parts: Vec<String> = detail
                    .iter()
                    .filter_map(|item| {
                        let msg = item.get("msg").and_then(Value::as_str)?;
                        let field = item
                            .get("loc")
                            .and_then(Value::as_array)
                            .and_then(|l| l.last())
                            .map(|f| f.as_str().map(str::to_owned).unwrap_or(f.to_string()));
                        Some(match field {
                            Some(f) => format!("{f}: {msg}"),
                            None => msg.to_owned(),
                        })
                    })
                    .collect();
                if !parts.is_empty() {
                    message = Some(parts.join("; "));
                }
            }
        }
    }
    let clean = |t: String| crate::printable::printable(&redact(&t)).into_owned();
    (code.map(clean), message.map(clean), data)
}

/// Shortest run of base64/JWT characters treated as echoed payload rather than words.
const LONG_RUN: usize = 64;

/// Hides long base64-like runs in a server text. Validators echo what they were sent
/// (Joi: `"image" with value "iVBOR…" fails to match …`), and an error message must
/// never carry the probe image or a token back to the screen or a log.
pub fn redact(text: &str) -> String {
    let is_payload = |c: char| c.is_ascii_alphanumeric() || "+/=_-.".contains(c);
    let mut out = String::with_capacity(text.len().min(256));
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= LONG_RUN {
            out.push_str(&format!("[{} characters hidden]", run.len()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_payload(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Replaces every occurrence of `secret` (the token) in `text`. Very short secrets are
/// left alone: replacing every "t" of a message would destroy it and hide nothing.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.len() < 8 {
        text.to_owned()
    } else {
        text.replace(secret, "[token]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> (Option<String>, Option<String>, Option<Value>) {
        parse_error_body(&v)
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_owned())
    }

    #[test]
    fn parses_message_and_code() {
        let (code, msg, data) =
            parse(json!({"message": "\"os\" is required", "code": "MissingParameter"}));
        assert_eq!(code, s("MissingParameter"));
        assert_eq!(msg, s("\"os\" is required"));
        assert_eq!(data, None);
    }

    #[test]
    fn parses_a_bare_error_field() {
        assert_eq!(
            parse(json!({"error": "Invalid request"})),
            (None, s("Invalid request"), None)
        );
    }

    #[test]
    fn keeps_both_error_and_message() {
        let (code, msg, _) =
            parse(json!({"error": "Person not found", "message": "PERSON_NOT_FOUND"}));
        assert_eq!(code, None);
        assert_eq!(msg, s("PERSON_NOT_FOUND (Person not found)"));
        let (_, same, _) = parse(json!({"error": "x", "message": "x"}));
        assert_eq!(same, s("x"));
    }

    #[test]
    fn parses_the_old_success_false_envelope() {
        let (code, msg, _) = parse(json!({
            "success": false, "error": "Invalid query parameters", "code": "INVALID_PARAMETERS"
        }));
        assert_eq!(code, s("INVALID_PARAMETERS"));
        assert_eq!(msg, s("Invalid query parameters"));
    }

    #[test]
    fn keeps_data_and_signature_is_ignored() {
        let (code, msg, data) = parse(json!({
            "message": "person_already_set", "code": "PreconditionFailed",
            "data": {"_id": "p1", "name": "Ana"},
            "signature": {"message": "Certified by Verifik.co", "dateTime": "x"}
        }));
        assert_eq!(code, s("PreconditionFailed"));
        assert_eq!(msg, s("person_already_set"));
        assert_eq!(data, Some(json!({"_id": "p1", "name": "Ana"})));
        assert_eq!(parse(json!({"message": "m", "data": null})).2, None);
    }

    #[test]
    fn falls_back_to_nested_data_message_and_code() {
        let (code, msg, _) = parse(
            json!({"data": {"code": "ERR_ENTITY_NOT_FOUND", "message": "collection not found"}}),
        );
        assert_eq!(code, s("ERR_ENTITY_NOT_FOUND"));
        assert_eq!(msg, s("collection not found"));
        // Top-level fields win over nested ones.
        let (code, msg, _) = parse(
            json!({"code": "A", "message": "top", "data": {"code": "B", "message": "inner"}}),
        );
        assert_eq!((code, msg), (s("A"), s("top")));
    }

    #[test]
    fn names_fields_of_a_validation_detail_list() {
        let (_, msg, _) = parse(json!({"data": {"detail": [
            {"loc": ["body", "min_score"], "msg": "must be >= 0.5", "ctx": {"ge": 0.5}},
            {"loc": ["body", 0], "msg": "bad item"},
            {"msg": "no location"},
            {"loc": ["x"]}
        ]}}));
        assert_eq!(
            msg,
            s("min_score: must be >= 0.5; 0: bad item; no location")
        );
    }

    #[test]
    fn an_empty_or_odd_object_gives_nothing() {
        assert_eq!(parse(json!({})), (None, None, None));
        assert_eq!(
            parse(json!({"message": 5, "code": ["x"]})),
            (None, None, None)
        );
    }

    #[test]
    fn long_echoed_payloads_are_hidden_from_messages() {
        let image = "iVBORw0KGgo".repeat(20);
        let (_, msg, _) = parse(json!({
            "message": format!("\"image\" with value \"{image}\" fails to match the required pattern"),
            "code": "MissingParameter"
        }));
        let msg = msg.unwrap();
        assert!(!msg.contains(&image[..64]), "{msg}");
        assert!(
            msg.starts_with("\"image\" with value \"[220 characters hidden]\" fails"),
            "{msg}"
        );
        // Ordinary words, ids and paths survive.
        let text = "person 651743f2b2eaf872c3541417 not in /v2/face-recognition/persons";
        assert_eq!(redact(text), text);
    }

    #[test]
    fn debug_of_data_is_redacted_but_data_itself_is_not() {
        let image = "A".repeat(300);
        let e = ApiError::Status {
            status: 409,
            code: None,
            message: s("bad"),
            data: Some(json!({"detail": [{"input": image.clone()}]})),
        };
        assert!(!format!("{e:?}").contains(&image[..64]));
        assert!(format!("{e:?}").contains("300 characters hidden"));
        assert_eq!(e.data().unwrap()["detail"][0]["input"], json!(image));
    }

    #[test]
    fn scrub_replaces_the_exact_token() {
        assert_eq!(
            scrub("bad token abc123def456 given", "abc123def456"),
            "bad token [token] given"
        );
        assert_eq!(scrub("nothing here", ""), "nothing here");
        // A one-letter token must not turn every "t" into "[token]".
        assert_eq!(scrub("the store holds", "t"), "the store holds");
    }

    fn status(status: u16, code: Option<&str>, message: Option<&str>) -> ApiError {
        ApiError::Status {
            status,
            code: code.map(str::to_owned),
            message: message.map(str::to_owned),
            data: None,
        }
    }

    #[test]
    fn kinds_and_exit_codes() {
        let cases = [
            (ApiError::InvalidInput("x".into()), ErrorKind::BadInput, 2),
            (ApiError::SandboxStart("x".into()), ErrorKind::Sandbox, 7),
            (
                status(409, Some("ERROR"), Some("liveness_failed 0.41")),
                ErrorKind::Liveness,
                3,
            ),
            (status(401, Some("UNAUTHORIZED"), None), ErrorKind::Auth, 4),
            (
                status(403, Some("FORBIDDEN"), Some("token_expired")),
                ErrorKind::Auth,
                4,
            ),
            (
                status(500, Some("ERROR"), Some("internal_error")),
                ErrorKind::Network,
                5,
            ),
            (
                status(404, None, Some("PERSON_NOT_FOUND")),
                ErrorKind::Api,
                6,
            ),
            (
                status(409, Some("MissingParameter"), None),
                ErrorKind::Api,
                6,
            ),
            (
                status(412, Some("ERROR"), Some("only_images_in_base64")),
                ErrorKind::Api,
                6,
            ),
            (ApiError::Decode("x".into()), ErrorKind::Api, 6),
            (
                ApiError::Timeout {
                    host: "h".into(),
                    after: Duration::from_secs(30),
                },
                ErrorKind::Network,
                5,
            ),
            (
                ApiError::Connect {
                    host: "h".into(),
                    reason: "refused".into(),
                },
                ErrorKind::Network,
                5,
            ),
            (
                ApiError::NotJson {
                    host: "h".into(),
                    status: 502,
                    what: "x".into(),
                },
                ErrorKind::Network,
                5,
            ),
            (
                ApiError::NotJson {
                    host: "h".into(),
                    status: 401,
                    what: "x".into(),
                },
                ErrorKind::Auth,
                4,
            ),
            (
                ApiError::NotJson {
                    host: "h".into(),
                    status: 200,
                    what: "x".into(),
                },
                ErrorKind::Api,
                6,
            ),
        ];
        for (e, kind, code) in cases {
            assert_eq!(e.kind(), kind, "{e:?}");
            assert_eq!(e.exit_code(), code, "{e:?}");
        }
    }

    #[test]
    fn only_server_and_network_failures_are_retryable() {
        assert!(status(500, None, None).is_retryable());
        assert!(status(503, None, None).is_retryable());
        assert!(!status(409, None, None).is_retryable());
        assert!(!status(401, None, None).is_retryable());
        assert!(!status(404, None, None).is_retryable());
        assert!(!ApiError::Decode("x".into()).is_retryable());
        assert!(!ApiError::InvalidInput("x".into()).is_retryable());
    }

    #[test]
    fn liveness_score_is_read_from_data_or_message() {
        let in_data = ApiError::Status {
            status: 409,
            code: s("ERROR"),
            message: s("liveness_failed"),
            data: Some(json!({"liveness_score": 0.42})),
        };
        assert_eq!(in_data.liveness_score(), Some(0.42));
        let in_msg = status(
            409,
            Some("ERROR"),
            Some("liveness_failed: score 0.38 below 0.6"),
        );
        assert_eq!(in_msg.liveness_score(), Some(0.38));
        let none = status(409, Some("ERROR"), Some("liveness_failed"));
        assert_eq!(none.liveness_score(), None);
        assert_eq!(status(409, None, Some("other 0.5")).liveness_score(), None);
    }

    #[test]
    fn explanations_say_what_to_do() {
        let e = status(401, Some("UNAUTHORIZED"), Some("Authentication required"));
        assert!(e.to_string().contains("VERIFIK_TOKEN"), "{e}");
        assert!(
            e.to_string()
                .contains("[401 UNAUTHORIZED: Authentication required]"),
            "{e}"
        );
        let e = status(403, Some("FORBIDDEN"), Some("token_expired"));
        assert!(e.to_string().starts_with("token expired"), "{e}");
        let e = status(404, Some("ERROR"), Some("invalid_collection"));
        assert!(e.to_string().starts_with("collection not found"), "{e}");
        let e = status(404, None, None);
        assert!(e.to_string().contains("[HTTP 404]"), "{e}");
        let e = status(409, Some("ERROR"), Some("409:duplicated_person"));
        assert!(e.to_string().contains("already enrolled"), "{e}");
        let t = ApiError::Timeout {
            host: "h:1".into(),
            after: Duration::from_millis(250),
        };
        assert_eq!(t.to_string(), "no answer from h:1 within 0.25s (timed out)");
        let t = ApiError::Timeout {
            host: "h:1".into(),
            after: Duration::from_secs(30),
        };
        assert_eq!(t.to_string(), "no answer from h:1 within 30s (timed out)");
    }
}
