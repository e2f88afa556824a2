//! The typed client: one async method per endpoint, retries and timeouts built in.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::error::{map_strings, parse_error_body, scrub, ApiError};
use super::model::*;

/// The bearer token. Debug and Display never show it; `masked` shows the last 4 chars.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token from user input; blank input gives `None`. Use [`Token::parse`] for input
    /// that may hold characters a header cannot carry.
    pub fn new(s: impl Into<String>) -> Option<Token> {
        let s = s.into().trim().to_owned();
        (!s.is_empty()).then_some(Token(s))
    }

    /// A token that can be sent as `Authorization: Bearer …`: one line of printable
    /// ASCII (surrounding blanks are trimmed); blank input gives `Ok(None)`.
    ///
    /// # Errors
    /// Names the problem and its position (never the token): a line break, another
    /// control character, a space or a non-ASCII character inside it.
    pub fn parse(s: &str) -> Result<Option<Token>, String> {
        let t = s.trim();
        if let Some((i, c)) = t.char_indices().find(|(_, c)| !c.is_ascii_graphic()) {
            let what = match c {
                '\n' | '\r' => "a line break",
                c if c.is_control() => "a control character",
                ' ' | '\t' => "a space",
                _ => "a non-ASCII character",
            };
            let pos = t[..i].chars().count() + 1;
            return Err(format!(
                "the token contains {what} (at character {pos}): a token is one line of \
                 printable ASCII; copy it again without the extra characters"
            ));
        }
        Ok(Token::new(t))
    }

    /// A short, stable fingerprint (12 hex digits of a SHA-256) that tells two tokens
    /// apart in history without storing or revealing either.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("liveface-token:{}", self.0).as_bytes());
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `••••` plus the last four characters (fewer for very short tokens).
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let shown = if chars.len() >= 12 { 4 } else { 0 };
        let tail: String = chars[chars.len() - shown..].iter().collect();
        format!("••••{tail}")
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.masked())
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// How to reach the API.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Scheme, host and optional port, e.g. `https://api.verifik.co` (no trailing path).
    pub base_url: String,
    pub token: Option<Token>,
    /// The whole time budget of one call: every attempt, every wait between attempts.
    /// An idempotent call gives each attempt an equal share, so a stalled attempt leaves
    /// time to retry; a POST gives its first attempt all of it (it is not retried after
    /// a timeout).
    pub timeout: Duration,
    /// Extra attempts after a retryable failure, within the budget. GET, PUT and DELETE:
    /// 5xx, 429, timeouts, connection errors. POST (billed, or creating): only when the
    /// request never reached the server, or on 429/503.
    pub retries: u32,
    /// Delay before the first retry; doubled for each further one. A `Retry-After` from
    /// the server replaces it.
    pub backoff: Duration,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, token: Option<Token>) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            token,
            timeout: Duration::from_secs(30),
            retries: 2,
            backoff: Duration::from_millis(300),
        }
    }
}

pub use crate::vocabulary::API_PREFIX;
use crate::vocabulary::{
    COLLECTIONS, MAX_PAGE_LIMIT, MAX_PERSON_IMAGES, PERSONS, PERSONS_SEARCH_LIVE_FACE,
    SEARCH_LIVE_FACE,
};

/// The most of an answer the client reads, in bytes (32 MB): a search answer with 100
/// full records and thumbnails is well under 5 MB.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// A retry about to happen, for a caller that shows progress (the dashboard's status).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryNotice {
    /// The attempt about to start (2 for the first retry) and the most there can be.
    pub attempt: u32,
    pub max_attempts: u32,
    /// How long the client waits before it, and why (plain words of the failure).
    pub wait: Duration,
    pub reason: String,
    /// What is left of the call's time budget once the wait is over.
    pub budget_left: Duration,
}

/// Counts the HTTP requests a client (and every clone of it) has sent, retries included:
/// what a session cost on a billed API.
pub type RequestCounter = Arc<std::sync::atomic::AtomicU64>;

/// Receives [`RetryNotice`]s; see [`Client::observed`].
pub type RetryObserver = Arc<dyn Fn(RetryNotice) + Send + Sync>;

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    base: String,
    host: String,
    observer: Option<RetryObserver>,
    sent: RequestCounter,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

/// The exact JSON body [`Client::search_live_face`] sends for `image` (raw base64) and
/// `params`: for reproducing a request elsewhere (`liveface history curl`).
pub fn search_body(image: &str, params: &SearchParams) -> Vec<u8> {
    // A struct of plain fields and enums: serialising it cannot fail.
    serde_json::to_vec(&SearchBody::new(strip_data_url(image.trim()), params)).unwrap_or_default()
}

#[derive(Serialize)]
struct SearchBody<'a> {
    image: &'a str,
    os: Os,
    liveness_min_score: f64,
    min_score: f64,
    search_mode: SearchMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    collection_id: Option<&'a str>,
}

impl<'a> SearchBody<'a> {
    fn new(image: &'a str, params: &'a SearchParams) -> SearchBody<'a> {
        SearchBody {
            image,
            os: params.os,
            liveness_min_score: params.liveness_min_score,
            min_score: params.min_score,
            search_mode: params.search_mode,
            collection_id: params.collection_id.as_deref().map(str::trim),
        }
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let url = reqwest::Url::parse(config.base_url.trim()).map_err(|e| {
            ApiError::InvalidInput(format!("bad base URL {:?}: {e}", config.base_url))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ApiError::InvalidInput(format!(
                "bad base URL {:?}: use http(s)://host[:port]",
                config.base_url
            )));
        }
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let base = url.as_str().trim_end_matches('/').to_owned();
        // No client-wide timeout: each attempt gets what is left of the call's budget.
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("liveface/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::InvalidInput(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            config,
            base,
            host,
            observer: None,
            sent: RequestCounter::default(),
        })
    }

    /// A copy of this client (same connection pool) that tells `observer` before each
    /// retry.
    pub fn observed(&self, observer: RetryObserver) -> Client {
        Client {
            observer: Some(observer),
            ..self.clone()
        }
    }

    /// How many HTTP requests this client and its clones have sent (each retry is one).
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The shared counter behind [`Client::requests_sent`], for a status bar.
    pub fn request_counter(&self) -> RequestCounter {
        self.sent.clone()
    }

    /// `host[:port]` requests go to, for status bars and messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    // ---- search ------------------------------------------------------------

    /// `POST /search-live-face`: liveness on the probe, then a 1:N search.
    /// `image` is base64 (a `data:` URL prefix is stripped).
    pub async fn search_live_face(
        &self,
        image: &str,
        params: &SearchParams,
    ) -> Result<SearchOutcome, ApiError> {
        params.validate().map_err(ApiError::InvalidInput)?;
        let image = strip_data_url(image.trim());
        if image.is_empty() {
            return Err(ApiError::InvalidInput("the probe image is empty".into()));
        }
        let body = SearchBody::new(image, params);
        let data = self
            .call(Method::POST, SEARCH_LIVE_FACE, &[], Some(&body))
            .await?;
        SearchOutcome::from_data(data_of(&data)?, params).map_err(ApiError::Decode)
    }

    // ---- persons -----------------------------------------------------------

    pub async fn list_persons(&self, query: &PersonQuery) -> Result<Page<Person>, ApiError> {
        if query.limit == 0 || query.limit > MAX_PAGE_LIMIT {
            return Err(ApiError::InvalidInput(format!(
                "limit must be between 1 and {MAX_PAGE_LIMIT}"
            )));
        }
        if query.page == 0 {
            return Err(ApiError::InvalidInput("page starts at 1".into()));
        }
        let mut q = vec![
            ("page", query.page.to_string()),
            ("limit", query.limit.to_string()),
        ];
        if let Some(c) = &query.collection {
            q.push(("collection", c.clone()));
        }
        if let Some(s) = &query.status {
            q.push(("status", s.clone()));
        }
        let body = self.call::<()>(Method::GET, PERSONS, &q, None).await?;
        let (items, pagination) = list_of(&body)?;
        Ok(Page {
            items: items.iter().filter_map(Person::from_value).collect(),
            pagination,
        })
    }

    pub async fn get_person(&self, id: &str) -> Result<Person, ApiError> {
        let path = format!("{PERSONS}/{}", path_id(id)?);
        let body = self.call::<()>(Method::GET, &path, &[], None).await?;
        person_of(&body)
    }

    pub async fn create_person(&self, person: &NewPerson) -> Result<Person, ApiError> {
        check_images(&person.images)?;
        if person.name.trim().is_empty() {
            return Err(ApiError::InvalidInput("a person needs a name".into()));
        }
        let person = NewPerson {
            images: raw_images(&person.images),
            ..person.clone()
        };
        let body = self.call(Method::POST, PERSONS, &[], Some(&person)).await?;
        person_of(&body)
    }

    /// `POST /persons/search-live-face`: create with liveness and a duplicate check.
    pub async fn create_person_live(&self, person: &NewLivePerson) -> Result<Person, ApiError> {
        check_images(&person.images)?;
        validate_threshold("liveness_min_score", person.liveness_min_score)
            .and_then(|_| validate_threshold("min_score", person.min_score))
            .map_err(ApiError::InvalidInput)?;
        let person = NewLivePerson {
            images: raw_images(&person.images),
            ..person.clone()
        };
        let body = self
            .call(Method::POST, PERSONS_SEARCH_LIVE_FACE, &[], Some(&person))
            .await?;
        person_of(&body)
    }

    /// `PUT /persons/{id}`: sends only the fields that are set.
    pub async fn update_person(&self, id: &str, update: &PersonUpdate) -> Result<Person, ApiError> {
        let path = format!("{PERSONS}/{}", path_id(id)?);
        if update.is_empty() {
            return Err(ApiError::InvalidInput("nothing to update".into()));
        }
        if let Some(images) = &update.images {
            check_images(images)?;
        }
        let update = PersonUpdate {
            images: update.images.as_deref().map(raw_images),
            ..update.clone()
        };
        let body = self.call(Method::PUT, &path, &[], Some(&update)).await?;
        person_of(&body)
    }

    /// `DELETE /persons/{id}`; with `collection`, only detaches from that collection.
    pub async fn delete_person(&self, id: &str, collection: Option<&str>) -> Result<(), ApiError> {
        let path = format!("{PERSONS}/{}", path_id(id)?);
        let q: Vec<(&str, String)> = collection
            .map(|c| vec![("collection", c.to_owned())])
            .unwrap_or_default();
        self.call::<()>(Method::DELETE, &path, &q, None).await?;
        Ok(())
    }

    // ---- collections -------------------------------------------------------

    pub async fn list_collections(&self) -> Result<Vec<Collection>, ApiError> {
        let body = self.call::<()>(Method::GET, COLLECTIONS, &[], None).await?;
        let (items, _) = list_of(&body)?;
        Ok(items.iter().filter_map(Collection::from_value).collect())
    }

    pub async fn get_collection(&self, id: &str) -> Result<Collection, ApiError> {
        let path = format!("{COLLECTIONS}/{}", path_id(id)?);
        let body = self.call::<()>(Method::GET, &path, &[], None).await?;
        collection_of(&body)
    }

    pub async fn create_collection(&self, input: &CollectionInput) -> Result<Collection, ApiError> {
        check_collection_name(input)?;
        let body = self
            .call(Method::POST, COLLECTIONS, &[], Some(input))
            .await?;
        collection_of(&body)
    }

    pub async fn update_collection(
        &self,
        id: &str,
        input: &CollectionInput,
    ) -> Result<Collection, ApiError> {
        let path = format!("{COLLECTIONS}/{}", path_id(id)?);
        check_collection_name(input)?;
        let body = self.call(Method::PUT, &path, &[], Some(input)).await?;
        collection_of(&body)
    }

    pub async fn delete_collection(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("{COLLECTIONS}/{}", path_id(id)?);
        self.call::<()>(Method::DELETE, &path, &[], None).await?;
        Ok(())
    }

    // ---- transport ---------------------------------------------------------

    /// Sends one call with retries within the time budget; returns the parsed JSON
    /// envelope of a 2xx answer.
    async fn call<B: Serialize + ?Sized>(
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
fn innermost(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    reason
}

/// Plain words for the TLS stack's jargon where we can tell what happened.
fn plain_connect_reason(reason: &str, timed_out: bool) -> String {
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
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
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
fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(2u32.saturating_pow(attempt))
}

/// Error texts from the HTTP stack may quote the URL; keep just the words.
fn strip_url(reason: &str) -> String {
    reason
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "an HTML page", "an empty body" or "17 bytes of text" — never the body itself.
fn describe_body(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if bytes.is_empty() {
        "an empty body".into()
    } else if text.contains("<html") || text.contains("<!doctype") {
        "an HTML page".into()
    } else {
        format!("{} bytes of non-JSON data", bytes.len())
    }
}

/// An id safe to put in a path: non-empty, no slashes or spaces.
fn path_id(id: &str) -> Result<String, ApiError> {
    let id = id.trim();
    if id.is_empty()
        || id.len() > 128
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::InvalidInput(format!(
            "{id:?} is not a valid id (letters, digits, '-' and '_' only)"
        )));
    }
    Ok(id.to_owned())
}

fn check_images(images: &[String]) -> Result<(), ApiError> {
    if images.is_empty() || images.len() > MAX_PERSON_IMAGES {
        return Err(ApiError::InvalidInput(format!(
            "give between 1 and {MAX_PERSON_IMAGES} images"
        )));
    }
    if images.iter().any(|i| strip_data_url(i.trim()).is_empty()) {
        return Err(ApiError::InvalidInput("an image is empty".into()));
    }
    Ok(())
}

/// The API wants raw base64: drop `data:` URL prefixes and surrounding whitespace.
fn raw_images(images: &[String]) -> Vec<String> {
    images
        .iter()
        .map(|i| strip_data_url(i.trim()).to_owned())
        .collect()
}

fn check_collection_name(input: &CollectionInput) -> Result<(), ApiError> {
    if input.name.trim().is_empty() {
        return Err(ApiError::InvalidInput("a collection needs a name".into()));
    }
    Ok(())
}

/// `data` of an envelope; an envelope without `data` is taken as the payload itself.
fn data_of(body: &Value) -> Result<&Value, ApiError> {
    match body.get("data") {
        Some(d) => Ok(d),
        None if body.is_object() || body.is_array() => Ok(body),
        None => Err(ApiError::Decode("the answer is not a JSON object".into())),
    }
}

fn person_of(body: &Value) -> Result<Person, ApiError> {
    Person::from_value(data_of(body)?)
        .ok_or_else(|| ApiError::Decode("no person record with an id".into()))
}

fn collection_of(body: &Value) -> Result<Collection, ApiError> {
    Collection::from_value(data_of(body)?)
        .ok_or_else(|| ApiError::Decode("no collection record with an id".into()))
}

/// The items and pagination of a list answer: `data: […]`, `data: {docs: […], …}`,
/// with `pagination` at the top level or inside `data`.
fn list_of(body: &Value) -> Result<(&[Value], Option<Pagination>), ApiError> {
    let data = data_of(body)?;
    let items = match data {
        Value::Array(a) => a.as_slice(),
        Value::Object(o) => o
            .get("docs")
            .or_else(|| o.get("items"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| ApiError::Decode("no list in the answer".into()))?,
        _ => return Err(ApiError::Decode("no list in the answer".into())),
    };
    let block = body
        .get("pagination")
        .or_else(|| data.get("pagination"))
        .filter(|p| p.is_object());
    let pagination = match block.map(pagination_of).transpose()?.flatten() {
        Some(p) => Some(p),
        None => pagination_of(data)?,
    };
    let pagination = match (pagination, body.get("total")) {
        (Some(p), _) => Some(p),
        (None, Some(t)) => Some(Pagination {
            page: 1,
            limit: items.len() as u64,
            total: Some(count_field("total", t, MAX_TOTAL)?),
            pages: None,
        }),
        (None, None) => None,
    };
    Ok((items, pagination))
}

/// Sanity bounds for numbers in pagination blocks: larger values are not page
/// counts but garbage, and would keep "next page" enabled forever.
const MAX_PAGE: u64 = 1_000_000_000;
const MAX_TOTAL: u64 = 1_000_000_000_000;

/// A count the server sent: a whole number in `0..=max`, or a decode error naming it.
fn count_field(name: &str, v: &Value, max: u64) -> Result<u64, ApiError> {
    integer(v)
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            ApiError::Decode(format!(
                "pagination `{name}` is {v}, not a whole number between 0 and {max}"
            ))
        })
}

/// The pagination block `v` holds, if it has a `page`; every number in it checked.
fn pagination_of(v: &Value) -> Result<Option<Pagination>, ApiError> {
    let Some(o) = v.as_object() else {
        return Ok(None);
    };
    let Some(page) = o.get("page") else {
        return Ok(None);
    };
    let field = |names: &[&str], max: u64| -> Result<Option<u64>, ApiError> {
        names
            .iter()
            .find_map(|n| o.get(*n).filter(|v| !v.is_null()).map(|v| (n, v)))
            .map(|(n, v)| count_field(n, v, max))
            .transpose()
    };
    Ok(Some(Pagination {
        page: count_field("page", page, MAX_PAGE)?,
        limit: field(&["limit"], MAX_PAGE)?.unwrap_or(0),
        total: field(&["total", "totalDocs"], MAX_TOTAL)?,
        pages: field(&["pages", "totalPages"], MAX_PAGE)?,
    }))
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

    #[test]
    fn ids_in_paths_are_checked() {
        assert_eq!(
            path_id(" 65b9592267cc4f096dbe743d ").unwrap(),
            "65b9592267cc4f096dbe743d"
        );
        assert!(path_id("8a6c3c1e-4f7e-4f3a-9d47-0d5cbe2b6b71").is_ok());
        for bad in ["", "a/b", "a b", "..", "x?y=1", &"a".repeat(129)] {
            assert!(path_id(bad).is_err(), "{bad}");
        }
    }
}
