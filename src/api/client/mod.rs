//! The typed client: one async method per endpoint, retries and timeouts built in.
//!
//! # Errors of a sent call
//! Every endpoint method first checks its input and refuses with
//! [`ApiError::InvalidInput`] before sending anything (each method says what it
//! checks). Once sent, a call fails with: [`ApiError::Status`] (the server answered an
//! error status; `kind()` tells auth, liveness and other refusals apart),
//! [`ApiError::NotJson`] or [`ApiError::Decode`] (an answer that is not the documented
//! JSON), [`ApiError::Timeout`] (no complete answer within [`ClientConfig::timeout`]),
//! [`ApiError::Connect`] (never reached the server), [`ApiError::Broken`] (cut after
//! sending), [`ApiError::RedirectLoop`], [`ApiError::TooLarge`] (over
//! [`MAX_ANSWER_BYTES`]) or [`ApiError::WaitTooLong`] (a `Retry-After` past the budget).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;

use super::error::ApiError;
use super::model::*;

mod answers;
mod checks;
mod token;
mod transport;

use answers::{collection_of, data_of, list_of, person_of};
use checks::{check_collection_name, check_images, path_id, raw_images};
pub use token::Token;

/// How to reach the API.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Scheme, host and optional port, e.g. `https://api.verifik.co` (no trailing path).
    pub base_url: String,
    /// Sent as `Authorization: Bearer …`; `None` sends no header.
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
    /// A config with the defaults: a 30 s budget per call, 2 retries, 300 ms first backoff.
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
    COLLECTIONS, MAX_PAGE_LIMIT, PERSONS, PERSONS_SEARCH_LIVE_FACE, SEARCH_LIVE_FACE,
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

/// The Verifik client. Cheap to clone: clones share the connection pool and the
/// request counter.
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
    /// A client for `config.base_url`.
    ///
    /// # Errors
    /// [`ApiError::InvalidInput`] when the base URL is not `http(s)://host[:port]`, or
    /// the HTTP client cannot be built. Nothing is sent.
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

    /// The base URL without a trailing `/` (`https://api.verifik.co`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The config the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    // ---- search ------------------------------------------------------------

    /// `POST /search-live-face`: liveness on the probe, then a 1:N search.
    /// `image` is base64 (a `data:` URL prefix is stripped). Scores in the outcome are
    /// on 0–1 (an answer on 0–100 is converted, see [`SearchOutcome::from_data`]).
    ///
    /// # Errors
    /// Refused before sending: a threshold outside 0.5–1.0 or not a number, a blank
    /// `collection_id`, an empty image. A server refusal for liveness is an
    /// [`ApiError::Status`] whose `kind()` is `Liveness`; a `data` that is not a search
    /// answer is [`ApiError::Decode`].
    /// Any error of a sent call (see the module docs).
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

    /// `GET /persons`: one page of persons. `query.page` is 1-based; `query.limit` is
    /// 1–100. Records the client cannot read (no id) are left out of the page.
    ///
    /// # Errors
    /// Refused before sending: `limit` 0 or over 100, `page` 0.
    /// Any error of a sent call (see the module docs).
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

    /// `GET /persons/{id}`.
    ///
    /// # Errors
    /// Refused before sending: an id that is empty, over 128 characters, or has
    /// characters other than letters, digits, `-` and `_`. An unknown id is a 404
    /// [`ApiError::Status`].
    /// Any error of a sent call (see the module docs).
    pub async fn get_person(&self, id: &str) -> Result<Person, ApiError> {
        let path = format!("{PERSONS}/{}", path_id(id)?);
        let body = self.call::<()>(Method::GET, &path, &[], None).await?;
        person_of(&body)
    }

    /// `POST /persons`: enrols a person with 1–3 images (base64; `data:` prefixes are
    /// stripped).
    ///
    /// # Errors
    /// Refused before sending: no image or more than 3, an empty image, a blank name.
    /// The same name and date of birth in the collection is a 412 `person_already_set`
    /// [`ApiError::Status`] carrying the existing person in its `data`.
    /// Any error of a sent call (see the module docs).
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
    ///
    /// # Errors
    /// Refused before sending: no image or more than 3, an empty image, a threshold
    /// outside 0.5–1.0. A failed liveness or a duplicate face is a 409
    /// [`ApiError::Status`] (`liveness_failed`, `duplicated_person`).
    /// Any error of a sent call (see the module docs).
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
    ///
    /// # Errors
    /// Refused before sending: a bad id (as [`Client::get_person`]), an update with no
    /// field set, an image list with no image, more than 3 or an empty one.
    /// Any error of a sent call (see the module docs).
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
    ///
    /// # Errors
    /// Refused before sending: a bad id (as [`Client::get_person`]).
    /// Any error of a sent call (see the module docs).
    pub async fn delete_person(&self, id: &str, collection: Option<&str>) -> Result<(), ApiError> {
        let path = format!("{PERSONS}/{}", path_id(id)?);
        let q: Vec<(&str, String)> = collection
            .map(|c| vec![("collection", c.to_owned())])
            .unwrap_or_default();
        self.call::<()>(Method::DELETE, &path, &q, None).await?;
        Ok(())
    }

    // ---- collections -------------------------------------------------------

    /// `GET /collections`: every collection (the API does not paginate them).
    ///
    /// # Errors
    /// Any error of a sent call (see the module docs).
    pub async fn list_collections(&self) -> Result<Vec<Collection>, ApiError> {
        let body = self.call::<()>(Method::GET, COLLECTIONS, &[], None).await?;
        let (items, _) = list_of(&body)?;
        Ok(items.iter().filter_map(Collection::from_value).collect())
    }

    /// `GET /collections/{id}`.
    ///
    /// # Errors
    /// Refused before sending: a bad id (as [`Client::get_person`]). An unknown id is a
    /// 404 [`ApiError::Status`] (`invalid_collection`).
    /// Any error of a sent call (see the module docs).
    pub async fn get_collection(&self, id: &str) -> Result<Collection, ApiError> {
        let path = format!("{COLLECTIONS}/{}", path_id(id)?);
        let body = self.call::<()>(Method::GET, &path, &[], None).await?;
        collection_of(&body)
    }

    /// `POST /collections`.
    ///
    /// # Errors
    /// Refused before sending: a blank name.
    /// Any error of a sent call (see the module docs).
    pub async fn create_collection(&self, input: &CollectionInput) -> Result<Collection, ApiError> {
        check_collection_name(input)?;
        let body = self
            .call(Method::POST, COLLECTIONS, &[], Some(input))
            .await?;
        collection_of(&body)
    }

    /// `PUT /collections/{id}`: the name is required on every update, as documented.
    ///
    /// # Errors
    /// Refused before sending: a bad id (as [`Client::get_person`]), a blank name.
    /// Any error of a sent call (see the module docs).
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

    /// `DELETE /collections/{id}`: a hard delete (verifik-api.md §5.2).
    ///
    /// # Errors
    /// Refused before sending: a bad id (as [`Client::get_person`]).
    /// Any error of a sent call (see the module docs).
    pub async fn delete_collection(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("{COLLECTIONS}/{}", path_id(id)?);
        self.call::<()>(Method::DELETE, &path, &[], None).await?;
        Ok(())
    }
}
