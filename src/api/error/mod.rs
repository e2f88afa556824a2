//! One error type for every way a call can fail, with a plain-words explanation.
//!
//! Messages never contain the token or the image: they are built only from the
//! status, the server's `code`/`message`, and short snippets of non-JSON bodies.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::vocabulary::message;

mod body;
mod explain;
mod redact;

pub use body::parse_error_body;
pub use explain::explain_status;
use explain::hint_for_html;
pub use redact::{map_strings, redact, redact_value, scrub};

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(x: &str) -> Option<String> {
        Some(x.to_owned())
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
