//! Sending one call: the time budget, retries that never repeat billed work, the
//! bounded read of the answer, and transport failures in plain words.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::api::error::{map_strings, parse_error_body, scrub, ApiError};

use super::token::Token;
use super::{Client, RetryNotice, MAX_ANSWER_BYTES};
use crate::vocabulary::API_PREFIX;

impl Client {
    /// Sends one call with retries within the time budget; returns the parsed JSON
    /// envelope of a 2xx answer.
    pub(super) async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<Value, ApiError> {
        let url = format!("{}{API_PREFIX}{path}", self.base);
        // Serialise once: retries resend the same bytes.
        let payload =
            match body {
                Some(b) => Some(serde_json::to_vec(b).map_err(|e| {
                    ApiError::InvalidInput(format!("cannot encode the request: {e}"))
                })?),
                None => None,
            };
        let budget = self.config.timeout;
        let deadline = Instant::now() + budget;
        let max_attempts = self.config.retries + 1;
        let is_post = method == Method::POST;
        // A POST is not retried after a timeout, so its first attempt may use it all.
        let share = if is_post {
            budget
        } else {
            budget / max_attempts
        };
        let mut attempt = 1;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (err, retry_after) = match self
                .send_once(
                    method.clone(),
                    &url,
                    query,
                    payload.clone(),
                    share.min(left),
                )
                .await
            {
                Ok(v) => return Ok(v),
                Err(failure) => failure,
            };
            let retryable = if is_post {
                err.is_retryable_post()
            } else {
                err.is_retryable()
            };
            if !retryable || attempt >= max_attempts {
                return Err(err);
            }
            let wait =
                retry_after.unwrap_or_else(|| backoff_delay(self.config.backoff, attempt - 1));
            let left = deadline.saturating_duration_since(Instant::now());
            if wait >= left {
                return Err(match retry_after {
                    Some(asked) => ApiError::WaitTooLong {
                        error: Box::new(err),
                        asked,
                        left,
                    },
                    None => err,
                });
            }
            attempt += 1;
            if let Some(observe) = &self.observer {
                observe(RetryNotice {
                    attempt,
                    max_attempts,
                    wait,
                    reason: err.to_string(),
                    budget_left: left - wait,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt. On failure, also the server's `Retry-After` (429/503 only).
    async fn send_once(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        payload: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Value, (ApiError, Option<Duration>)> {
        let mut req = self
            .http
            .request(method, url)
            .query(query)
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(t) = &self.config.token {
            req = req.bearer_auth(t.expose());
        }
        if let Some(p) = payload {
            req = req.body(p);
        }
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let resp = req
            .send()
            .await
            .map_err(|e| (self.transport(e, timeout), None))?;
        let status = resp.status().as_u16();
        let retry_after = matches!(status, 429 | 503)
            .then(|| retry_after(resp.headers()))
            .flatten();
        let bytes = self
            .read_bounded(resp, timeout)
            .await
            .map_err(|e| (e, None))?;
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        let err = match json {
            Some(v) if (200..300).contains(&status) => return Ok(v),
            Some(v) if v.is_object() => {
                let (code, message, data) = parse_error_body(&v);
                // A server may quote the Authorization header back; never show it.
                let token = self.config.token.as_ref().map(Token::expose).unwrap_or("");
                let (code, message, data) = (
                    code.map(|c| scrub(&c, token)),
                    message.map(|m| scrub(&m, token)),
                    data.map(|d| map_strings(&d, &|s| scrub(s, token))),
                );
                ApiError::Status {
                    status,
                    code,
                    message,
                    data,
                }
            }
            _ if (200..300).contains(&status) && bytes.is_empty() => return Ok(Value::Null),
            _ => ApiError::NotJson {
                host: self.host.clone(),
                status,
                what: describe_body(&bytes),
            },
        };
        Err((err, retry_after))
    }

    /// The body, read chunk by chunk and counted: at most [`MAX_ANSWER_BYTES`].
    async fn read_bounded(
        &self,
        mut resp: reqwest::Response,
        timeout: Duration,
    ) -> Result<Vec<u8>, ApiError> {
        let too_large = || ApiError::TooLarge {
            host: self.host.clone(),
            limit: MAX_ANSWER_BYTES,
        };
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport(e, timeout))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport(&self, e: reqwest::Error, after: Duration) -> ApiError {
        let host = self.host.clone();
        if e.is_redirect() {
            return ApiError::RedirectLoop {
                host,
                reason: strip_url(&innermost(&e)),
            };
        }
        if e.is_connect() {
            // Refused, unresolvable, TLS handshake failed, or timed out connecting:
            // nothing reached the server.
            return ApiError::Connect {
                host,
                reason: plain_connect_reason(&strip_url(&innermost(&e)), e.is_timeout()),
            };
        }
        if e.is_timeout() {
            return ApiError::Timeout { host, after };
        }
        // The server was reached but the exchange broke (cut, reset, not HTTP).
        ApiError::Broken {
            host,
            reason: strip_url(&innermost(&e)),
        }
    }
}

/// The innermost cause: "connection refused" beats "error sending request".
pub(super) fn innermost(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    reason
}

/// Plain words for the TLS stack's jargon where we can tell what happened.
pub(super) fn plain_connect_reason(reason: &str, timed_out: bool) -> String {
    let lower = reason.to_ascii_lowercase();
    if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
        // rustls reading a plain-HTTP answer as a TLS record.
        "the server does not speak TLS on this port: try http://".into()
    } else if lower.contains("certificate") || lower.contains("unknownissuer") {
        format!("the server's TLS certificate is not trusted ({reason})")
    } else if timed_out {
        format!("timed out connecting ({reason})")
    } else {
        reason.to_owned()
    }
}

/// `Retry-After` as seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past is 0.
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = when.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// `base × 2^attempt`, saturating: a library caller may configure many retries.
pub(super) fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(2u32.saturating_pow(attempt))
}

/// Error texts from the HTTP stack may quote the URL; keep just the words.
pub(super) fn strip_url(reason: &str) -> String {
    reason
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "an HTML page", "an empty body" or "17 bytes of text" — never the body itself.
pub(super) fn describe_body(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if bytes.is_empty() {
        "an empty body".into()
    } else if text.contains("<html") || text.contains("<!doctype") {
        "an HTML page".into()
    } else {
        format!("{} bytes of non-JSON data", bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_never_overflows() {
        let base = Duration::from_millis(300);
        assert_eq!(backoff_delay(base, 0), base);
        assert_eq!(backoff_delay(base, 1), Duration::from_millis(600));
        assert_eq!(backoff_delay(base, 2), Duration::from_millis(1200));
        assert!(backoff_delay(base, 40) >= backoff_delay(base, 31));
        assert_eq!(backoff_delay(Duration::MAX, 3), Duration::MAX);
    }
}
