//! The typed client: one async method per endpoint, retries and timeouts built in.

use std::fmt;
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::error::{map_strings, parse_error_body, scrub, ApiError};
use super::model::*;

/// The bearer token. Debug and Display never show it; `masked` shows the last 4 chars.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token from user input; blank input gives `None`.
    pub fn new(s: impl Into<String>) -> Option<Token> {
        let s = s.into().trim().to_owned();
        (!s.is_empty()).then_some(Token(s))
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
    pub timeout: Duration,
    /// Extra attempts after a retryable failure (5xx, timeout, connection error).
    pub retries: u32,
    /// Delay before the first retry; doubled for each further one.
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

pub const API_PREFIX: &str = "/v2/face-recognition";

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    base: String,
    host: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
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
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("liveface/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::InvalidInput(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            config,
            base,
            host,
        })
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
        let body = SearchBody {
            image,
            os: params.os,
            liveness_min_score: params.liveness_min_score,
            min_score: params.min_score,
            search_mode: params.search_mode,
            collection_id: params.collection_id.as_deref().map(str::trim),
        };
        let data = self
            .call(Method::POST, "/search-live-face", &[], Some(&body))
            .await?;
        SearchOutcome::from_data(data_of(&data)?)
            .ok_or_else(|| ApiError::Decode("no `persons` list in the search answer".into()))
    }

    // ---- persons -----------------------------------------------------------

    pub async fn list_persons(&self, query: &PersonQuery) -> Result<Page<Person>, ApiError> {
        if query.limit == 0 || query.limit > 100 {
            return Err(ApiError::InvalidInput(
                "limit must be between 1 and 100".into(),
            ));
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
        let body = self.call::<()>(Method::GET, "/persons", &q, None).await?;
        let (items, pagination) = list_of(&body)?;
        Ok(Page {
            items: items.iter().filter_map(Person::from_value).collect(),
            pagination,
        })
    }

    pub async fn get_person(&self, id: &str) -> Result<Person, ApiError> {
        let path = format!("/persons/{}", path_id(id)?);
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
        let body = self
            .call(Method::POST, "/persons", &[], Some(&person))
            .await?;
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
            .call(
                Method::POST,
                "/persons/search-live-face",
                &[],
                Some(&person),
            )
            .await?;
        person_of(&body)
    }

    /// `PUT /persons/{id}`: sends only the fields that are set.
    pub async fn update_person(&self, id: &str, update: &PersonUpdate) -> Result<Person, ApiError> {
        let path = format!("/persons/{}", path_id(id)?);
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
        let path = format!("/persons/{}", path_id(id)?);
        let q: Vec<(&str, String)> = collection
            .map(|c| vec![("collection", c.to_owned())])
            .unwrap_or_default();
        self.call::<()>(Method::DELETE, &path, &q, None).await?;
        Ok(())
    }

    // ---- collections -------------------------------------------------------

    pub async fn list_collections(&self) -> Result<Vec<Collection>, ApiError> {
        let body = self
            .call::<()>(Method::GET, "/collections", &[], None)
            .await?;
        let (items, _) = list_of(&body)?;
        Ok(items.iter().filter_map(Collection::from_value).collect())
    }

    pub async fn get_collection(&self, id: &str) -> Result<Collection, ApiError> {
        let path = format!("/collections/{}", path_id(id)?);
        let body = self.call::<()>(Method::GET, &path, &[], None).await?;
        collection_of(&body)
    }

    pub async fn create_collection(&self, input: &CollectionInput) -> Result<Collection, ApiError> {
        check_collection_name(input)?;
        let body = self
            .call(Method::POST, "/collections", &[], Some(input))
            .await?;
        collection_of(&body)
    }

    pub async fn update_collection(
        &self,
        id: &str,
        input: &CollectionInput,
    ) -> Result<Collection, ApiError> {
        let path = format!("/collections/{}", path_id(id)?);
        check_collection_name(input)?;
        let body = self.call(Method::PUT, &path, &[], Some(input)).await?;
        collection_of(&body)
    }

    pub async fn delete_collection(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("/collections/{}", path_id(id)?);
        self.call::<()>(Method::DELETE, &path, &[], None).await?;
        Ok(())
    }

    // ---- transport ---------------------------------------------------------

    /// Sends one call with retries; returns the parsed JSON envelope of a 2xx answer.
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
        let mut attempt = 0;
        loop {
            let result = self
                .send_once(method.clone(), &url, query, payload.clone())
                .await;
            match result {
                Err(e) if e.is_retryable() && attempt < self.config.retries => {
                    tokio::time::sleep(backoff_delay(self.config.backoff, attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        payload: Option<Vec<u8>>,
    ) -> Result<Value, ApiError> {
        let url = if query.is_empty() {
            url.to_owned()
        } else {
            let qs: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{k}={}", percent_encode(v)))
                .collect();
            format!("{url}?{}", qs.join("&"))
        };
        let mut req = self
            .http
            .request(method, url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(t) = &self.config.token {
            req = req.bearer_auth(t.expose());
        }
        if let Some(p) = payload {
            req = req.body(p);
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        match json {
            Some(v) if (200..300).contains(&status) => Ok(v),
            Some(v) if v.is_object() => {
                let (code, message, data) = parse_error_body(&v);
                // A server may quote the Authorization header back; never show it.
                let token = self.config.token.as_ref().map(Token::expose).unwrap_or("");
                let (code, message, data) = (
                    code.map(|c| scrub(&c, token)),
                    message.map(|m| scrub(&m, token)),
                    data.map(|d| map_strings(&d, &|s| scrub(s, token))),
                );
                Err(ApiError::Status {
                    status,
                    code,
                    message,
                    data,
                })
            }
            _ if (200..300).contains(&status) && bytes.is_empty() => Ok(Value::Null),
            _ => Err(ApiError::NotJson {
                host: self.host.clone(),
                status,
                what: describe_body(&bytes),
            }),
        }
    }

    fn transport(&self, e: reqwest::Error) -> ApiError {
        if e.is_timeout() {
            ApiError::Timeout {
                host: self.host.clone(),
                after: self.config.timeout,
            }
        } else {
            // Walk to the innermost cause: "connection refused" beats "error sending request".
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                reason = s.to_string();
                source = s.source();
            }
            let reason = strip_url(&reason);
            // The server was reached but the exchange broke (cut, reset, not HTTP).
            let reason = if e.is_connect() {
                reason
            } else {
                format!("the connection broke before a complete answer ({reason})")
            };
            ApiError::Connect {
                host: self.host.clone(),
                reason,
            }
        }
    }
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

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
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
    if images.is_empty() || images.len() > 3 {
        return Err(ApiError::InvalidInput("give between 1 and 3 images".into()));
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
    let pagination = body
        .get("pagination")
        .or_else(|| data.get("pagination"))
        .and_then(pagination_of)
        .or_else(|| pagination_of(data))
        .or_else(|| {
            body.get("total")
                .and_then(|t| t.as_u64())
                .map(|total| Pagination {
                    page: 1,
                    limit: items.len() as u64,
                    total: Some(total),
                    pages: None,
                })
        });
    Ok((items, pagination))
}

fn pagination_of(v: &Value) -> Option<Pagination> {
    let o = v.as_object()?;
    let n = |k: &str| o.get(k).and_then(number).map(|x| x as u64);
    let page = n("page")?;
    Some(Pagination {
        page,
        limit: n("limit").unwrap_or(0),
        total: n("total").or_else(|| n("totalDocs")),
        pages: n("pages").or_else(|| n("totalPages")),
    })
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

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(percent_encode("a b&c/d"), "a%20b%26c%2Fd");
        assert_eq!(percent_encode("José"), "Jos%C3%A9");
        assert_eq!(percent_encode("A-z_0.9~"), "A-z_0.9~");
    }
}
