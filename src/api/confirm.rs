//! Person creates that never repeat: after a create whose outcome is unknown (a timeout,
//! a broken answer, a 500), look the person up before saying anything.
//!
//! A create is not idempotent (`POST /persons` makes a new record each time), so the
//! client never retries it after the request may have reached the server. Instead it
//! lists the persons of the target collection and looks for the record the request
//! would have made: same stored name (digits stripped, blanks collapsed, as Verifik
//! stores names) and same date of birth, created no earlier than shortly before the
//! request.

use std::fmt;

use chrono::{DateTime, Duration as Span, Utc};

use super::client::Client;
use super::error::ApiError;
use super::model::{DateOfBirth, NewLivePerson, NewPerson, Person, PersonQuery};

/// Most persons the lookup reads (pages of 100) before it gives up as "unknown".
const LOOKUP_LIMIT: u64 = 2_000;

/// Clock skew allowed between this machine and the server when telling our new record
/// from one that existed before the request.
const SKEW_MINUTES: i64 = 10;

/// What the lookup after an uncertain create found.
#[derive(Clone, Debug, PartialEq)]
pub enum CreateCheck {
    /// The record the request made is there.
    Confirmed(Box<Person>),
    /// The collection was read in full and holds no such record.
    NotCreated,
    /// The lookup could not tell (it failed, or the collection is too large to read).
    Unknown(String),
}

impl fmt::Display for CreateCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateCheck::Confirmed(p) => write!(f, "created (confirmed): id {}", p.id),
            CreateCheck::NotCreated => {
                f.write_str("not created: no such person was stored; it is safe to try again")
            }
            CreateCheck::Unknown(why) => write!(
                f,
                "unknown: check before retrying (liveface persons list), {why}"
            ),
        }
    }
}

/// A create the client could not finish, and what the lookup then found.
#[derive(Clone, Debug, PartialEq)]
pub struct UncertainCreate {
    pub error: ApiError,
    pub check: CreateCheck,
}

impl fmt::Display for UncertainCreate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} — looked the person up: {}", self.error, self.check)
    }
}

/// How a create that may have been uncertain ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Created {
    /// The server answered with the new record.
    Answered(Person),
    /// No answer, but the lookup found the record: carries the error it replaced.
    Confirmed { person: Person, after: ApiError },
}

impl Created {
    pub fn person(&self) -> &Person {
        match self {
            Created::Answered(p) | Created::Confirmed { person: p, .. } => p,
        }
    }

    pub fn into_person(self) -> Person {
        match self {
            Created::Answered(p) | Created::Confirmed { person: p, .. } => p,
        }
    }

    /// For a confirmed create: one line saying what happened.
    pub fn note(&self) -> Option<String> {
        match self {
            Created::Answered(_) => None,
            Created::Confirmed { person, after } => Some(format!(
                "{after} — looked the person up: created (confirmed): id {}",
                person.id
            )),
        }
    }
}

/// Why a checked create failed: the server said no, or the outcome is uncertain.
#[derive(Clone, Debug, PartialEq)]
pub enum CreateError {
    /// An answer (or a local refusal) that says plainly nothing was created.
    Failed(ApiError),
    /// The request may have reached the server; the lookup says what it found.
    Uncertain(Box<UncertainCreate>),
}

impl fmt::Display for CreateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateError::Failed(e) => e.fmt(f),
            CreateError::Uncertain(u) => u.fmt(f),
        }
    }
}

/// A name as Verifik stores it: ASCII digits removed, blanks collapsed
/// (`verifik-api.md`: "numbers are stripped from names").
pub fn stored_name(name: &str) -> String {
    let kept: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Client {
    /// `POST /persons`, never sent twice: when the outcome is unknown the person is
    /// looked up (see the module docs).
    ///
    /// # Errors
    /// [`CreateError::Failed`] for local refusals and definite answers;
    /// [`CreateError::Uncertain`] when the lookup found nothing certain.
    pub async fn create_person_checked(&self, person: &NewPerson) -> Result<Created, CreateError> {
        let sent_at = Utc::now();
        match self.create_person(person).await {
            Ok(p) => Ok(Created::Answered(p)),
            Err(e) if e.outcome_unknown() => {
                let check = self
                    .find_created(
                        &person.name,
                        person.date_of_birth,
                        person.collections.first().map(String::as_str),
                        sent_at,
                    )
                    .await;
                settle(e, check)
            }
            Err(e) => Err(CreateError::Failed(e)),
        }
    }

    /// `POST /persons/search-live-face`, never sent twice (as
    /// [`Client::create_person_checked`]).
    ///
    /// # Errors
    /// As [`Client::create_person_checked`].
    pub async fn create_person_live_checked(
        &self,
        person: &NewLivePerson,
    ) -> Result<Created, CreateError> {
        let sent_at = Utc::now();
        match self.create_person_live(person).await {
            Ok(p) => Ok(Created::Answered(p)),
            Err(e) if e.outcome_unknown() => {
                let check = self
                    .find_created(
                        &person.name,
                        Some(person.date_of_birth),
                        Some(person.collection_id.as_str()),
                        sent_at,
                    )
                    .await;
                settle(e, check)
            }
            Err(e) => Err(CreateError::Failed(e)),
        }
    }

    /// Reads the collection (or every person, with none) for the record a create sent
    /// at `sent_at` would have made.
    pub async fn find_created(
        &self,
        name: &str,
        born: Option<DateOfBirth>,
        collection: Option<&str>,
        sent_at: DateTime<Utc>,
    ) -> CreateCheck {
        let want = stored_name(name);
        let not_before = sent_at - Span::minutes(SKEW_MINUTES);
        let mut query = PersonQuery {
            page: 1,
            limit: 100,
            collection: collection.map(str::to_owned),
            status: None,
        };
        let mut read = 0;
        loop {
            let page = match self.list_persons(&query).await {
                Ok(p) => p,
                Err(e) => return CreateCheck::Unknown(format!("the lookup failed: {e}")),
            };
            read += page.items.len() as u64;
            if let Some(p) = page.items.into_iter().find(|p| {
                p.name.as_deref().map(stored_name).as_deref() == Some(want.as_str())
                    && (born.is_none() || p.date_of_birth == born)
                    && created_since(p, not_before)
            }) {
                return CreateCheck::Confirmed(Box::new(p));
            }
            let more = match page.pagination.and_then(|p| p.pages) {
                Some(pages) => query.page < pages,
                None => read == query.page * query.limit,
            };
            if !more {
                return CreateCheck::NotCreated;
            }
            if read >= LOOKUP_LIMIT {
                return CreateCheck::Unknown(format!("more than {LOOKUP_LIMIT} persons to read"));
            }
            query.page += 1;
        }
    }
}

fn settle(error: ApiError, check: CreateCheck) -> Result<Created, CreateError> {
    match check {
        CreateCheck::Confirmed(person) => Ok(Created::Confirmed {
            person: *person,
            after: error,
        }),
        check => Err(CreateError::Uncertain(Box::new(UncertainCreate {
            error,
            check,
        }))),
    }
}

/// A record created at or after `not_before`; one without a readable date counts (the
/// name and date of birth already match, and a create with those would have been
/// refused had it existed before).
fn created_since(p: &Person, not_before: DateTime<Utc>) -> bool {
    let parsed = p.created_at.as_deref().and_then(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .or_else(|_| {
                // GitBook-era `create_date`: no zone, taken as UTC.
                chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
                    .map(|n| n.and_utc())
            })
            .ok()
    });
    parsed.is_none_or(|t| t >= not_before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_as_verifik_stores_them() {
        assert_eq!(stored_name("Agent 007"), "Agent");
        assert_eq!(stored_name("  Ana  María 2 "), "Ana María");
        assert_eq!(stored_name("R2D2"), "RD");
    }

    #[test]
    fn an_old_record_is_not_ours() {
        let sent = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let person = |t: Option<&str>| Person {
            id: "p".into(),
            created_at: t.map(str::to_owned),
            ..Person::default()
        };
        let not_before = sent - Span::minutes(SKEW_MINUTES);
        assert!(created_since(
            &person(Some("2026-11-30T12:00:03.120Z")),
            not_before
        ));
        assert!(created_since(
            &person(Some("2026-11-30T11:55:00")),
            not_before
        ));
        assert!(!created_since(
            &person(Some("2025-01-01T00:00:00Z")),
            not_before
        ));
        assert!(created_since(&person(None), not_before));
    }
}
