//! One error type for every way a call can fail, with a plain-words explanation.
//!
//! Messages never contain the token or the image: they are built only from the
//! status, the server's `code`/`message`, and short snippets of non-JSON bodies.

use std::time::Duration;

use serde_json::Value;

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
        }
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// Refused locally: nothing was sent.
    #[error("{0}")]
    InvalidInput(String),
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
    #[error("no answer from {host} within {}s (timed out)", after.as_secs())]
    Timeout { host: String, after: Duration },
    #[error("cannot reach {host}: {reason}")]
    Connect { host: String, reason: String },
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } | ApiError::NotJson { status, .. } => Some(*status),
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
            ApiError::Timeout { .. } | ApiError::Connect { .. } => ErrorKind::Network,
            ApiError::Decode(_) => ErrorKind::Api,
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

    /// True when a retry may help: 5xx, timeouts, refused or reset connections.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Timeout { .. } | ApiError::Connect { .. } => true,
            ApiError::Status { status, .. } | ApiError::NotJson { status, .. } => *status >= 500,
            _ => false,
        }
    }

    pub fn is_liveness_failure(&self) -> bool {
        matches!(self, ApiError::Status { message: Some(m), .. } if m.contains("liveness_failed"))
    }

    /// The liveness score a `liveness_failed` answer carries, in its data or its message.
    pub fn liveness_score(&self) -> Option<f64> {
        let ApiError::Status { message, data, .. } = self else {
            return None;
        };
        if let Some(s) = data
            .as_ref()
            .and_then(|d| d.get("liveness_score"))
            .and_then(super::model::score)
        {
            return Some(s);
        }
        let m = message.as_deref()?;
        let rest = &m[m.find("liveness_failed")? + "liveness_failed".len()..];
        rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .find(|t| t.contains('.') && t.parse::<f64>().is_ok())
            .and_then(|t| t.parse().ok())
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

fn hint_for_html(status: u16) -> &'static str {
    if status == 404 {
        " (is the base URL right? it should be the API host, e.g. https://api.verifik.co)"
    } else {
        ""
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
    let plain = if msg.contains("liveness_failed") {
        "liveness failed: the probe does not look like a live person (use a clear, front-facing, well-lit photo taken live)".to_string()
    } else if msg.contains("token_expired") {
        "token expired: get a new one and set VERIFIK_TOKEN (or `token` in config.toml)".to_string()
    } else if status == 401 {
        "not authorised: the token is missing or wrong; set VERIFIK_TOKEN (or `token` in config.toml)".to_string()
    } else if status == 403 {
        "forbidden: the token is expired or not allowed to do this; set a valid VERIFIK_TOKEN"
            .to_string()
    } else if msg.contains("duplicated_person") {
        "this person is already enrolled in the collection (duplicate face)".to_string()
    } else if msg.contains("person_already_set") {
        "a person with the same name and date of birth already exists in this collection"
            .to_string()
    } else if msg.contains("only_images_in_base64") {
        "the server could not read the image (it expects a real base64-encoded photo)".to_string()
    } else if msg.contains("more than one face") {
        "the image has more than one face: use a photo with a single face".to_string()
    } else if msg.contains("no_face") || msg.to_ascii_lowercase().contains("no face") {
        "no face was found in the image: use a clear, front-facing photo".to_string()
    } else if msg.contains("invalid for checking liveness") {
        "the image is not usable for liveness: use a clear, front-facing, well-lit photo"
            .to_string()
    } else if status == 404 && (msg.contains("collection") || code == Some("ERROR")) {
        "collection not found: check the collection id (`liveface collections` lists them)"
            .to_string()
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
    (code, message, data)
}
