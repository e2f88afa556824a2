//! Persons: the record as the server sends it, its thumbnails and collections, the
//! list query and page, and the bodies of create, create-with-liveness and update.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vocabulary::{id_string, object_id, strip_data_url, DateOfBirth, SearchMode};

/// A face thumbnail: decoded bytes, or the reason they are unavailable.
#[derive(Clone, Debug, PartialEq)]
pub struct Thumbnail {
    pub id: Option<String>,
    pub image: Result<Vec<u8>, String>,
}

impl Default for Thumbnail {
    fn default() -> Self {
        Thumbnail {
            id: None,
            image: Err("no thumbnail".into()),
        }
    }
}

impl Thumbnail {
    pub fn from_value(v: &Value) -> Thumbnail {
        let (id, data) = match v {
            Value::Object(o) => (
                o.get("id").and_then(id_string),
                o.get("thumbnail").or_else(|| o.get("image")),
            ),
            Value::String(_) => (None, Some(v)),
            _ => (None, None),
        };
        let image = match data.and_then(Value::as_str) {
            None => Err("no thumbnail data".to_string()),
            Some(s) => decode_base64_image(s),
        };
        Thumbnail { id, image }
    }
}

/// Decodes base64 (raw or as a data URL), rejecting empty payloads.
pub fn decode_base64_image(s: &str) -> Result<Vec<u8>, String> {
    let raw = strip_data_url(s.trim());
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(raw))
        .map_err(|_| "thumbnail is not valid base64".to_string())?;
    if bytes.is_empty() {
        return Err("thumbnail is empty".into());
    }
    Ok(bytes)
}

/// A collection as a person refers to it: an id, or a populated `{_id, code, name}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl CollectionRef {
    pub fn from_value(v: &Value) -> Option<CollectionRef> {
        match v {
            Value::Object(o) => Some(CollectionRef {
                id: object_id(o)?,
                code: o.get("code").and_then(id_string),
                name: o.get("name").and_then(Value::as_str).map(str::to_owned),
            }),
            other => Some(CollectionRef {
                id: id_string(other)?,
                code: None,
                name: None,
            }),
        }
    }

    /// The best label for a person: the name when populated, else the id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// A person record, as any documented shape gives it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<DateOfBirth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<CollectionRef>,
    #[serde(skip)]
    pub thumbnails: Vec<Thumbnail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Fields this client does not know, kept verbatim for the detail view.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

const PERSON_FIELDS: &[&str] = &[
    "id",
    "_id",
    "name",
    "gender",
    "date_of_birth",
    "nationality",
    "notes",
    "status",
    "collections",
    "thumbnails",
    "createdAt",
    "create_date",
    "updatedAt",
    "modified_date",
    "score",
    // large or internal: never useful to show raw
    "images",
    "faceEncodings",
];

impl Person {
    pub fn from_value(v: &Value) -> Option<Person> {
        let o = v.as_object()?;
        let id = object_id(o)?;
        let text = |k: &str| {
            o.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let born = o.get("date_of_birth").filter(|v| !v.is_null());
        let date_of_birth = born.and_then(DateOfBirth::from_value);
        let mut extra: BTreeMap<String, Value> = o
            .iter()
            .filter(|(k, _)| !PERSON_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // Shown raw rather than cut to a date it is not (e.g. a year of 1990.7).
        if let (Some(raw), None) = (born, date_of_birth) {
            extra.insert("date_of_birth (unreadable)".into(), raw.clone());
        }
        Some(Person {
            id,
            name: text("name"),
            gender: text("gender"),
            date_of_birth,
            nationality: text("nationality"),
            notes: text("notes"),
            status: text("status"),
            collections: o
                .get("collections")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(CollectionRef::from_value).collect())
                .unwrap_or_default(),
            thumbnails: o
                .get("thumbnails")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(Thumbnail::from_value).collect())
                .unwrap_or_default(),
            created_at: text("createdAt").or_else(|| text("create_date")),
            updated_at: text("updatedAt").or_else(|| text("modified_date")),
            extra,
        })
    }
}

/// The `pagination` block of a list, when the server sends one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    /// 1-based.
    pub page: u64,
    /// Items per page.
    pub limit: u64,
    /// Items in the whole list, when sent.
    pub total: Option<u64>,
    /// Pages in the whole list, when sent.
    pub pages: Option<u64>,
}

/// One page of a list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `None` when the server sent no pagination block.
    pub pagination: Option<Pagination>,
}

/// Query of `GET /persons`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonQuery {
    /// 1-based page number.
    pub page: u64,
    /// Persons per page, 1–100.
    pub limit: u64,
    /// Only members of this collection (id or code).
    pub collection: Option<String>,
    /// Only persons with this status: `active`, `inactive` or `pending`.
    pub status: Option<String>,
}

/// "no persons on page 4 (there are 2 pages)" when `page` lies past the last page;
/// `None` on a real page or when the number of pages is unknown. The CLI and the
/// dashboard's persons list say it alike (`page` is 1-based).
pub fn past_last_page(page: u64, pages: Option<u64>) -> Option<String> {
    let pages = pages.filter(|n| page > *n)?;
    Some(format!(
        "no persons on page {page} (there {})",
        if pages == 1 {
            "is 1 page".to_string()
        } else {
            format!("are {pages} pages")
        }
    ))
}

impl Default for PersonQuery {
    fn default() -> Self {
        PersonQuery {
            page: 1,
            limit: 20,
            collection: None,
            status: None,
        }
    }
}

/// A person's name as Verifik stores it: the documented create and update pages say
/// digits are stripped server-side (the sandbox does the same); spaces are then tidied.
pub fn name_as_stored(name: &str) -> String {
    let kept: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "'Agent 007' will be stored as 'Agent' (Verifik removes digits from names)", for a
/// name with digits; `None` when the name is stored as typed.
pub fn name_digits_warning(name: &str) -> Option<String> {
    let name = name.trim();
    if !name.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "'{name}' will be stored as '{}' (Verifik removes digits from names)",
        name_as_stored(name)
    ))
}

/// Body of `POST /persons`. `images` are raw base64.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NewPerson {
    pub name: String,
    pub images: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<DateOfBirth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Body of `POST /persons/search-live-face` (create with liveness and duplicate check).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewLivePerson {
    pub name: String,
    pub images: Vec<String>,
    pub gender: String,
    pub date_of_birth: DateOfBirth,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    pub collection_id: String,
    pub liveness_min_score: f64,
    pub min_score: f64,
    pub search_mode: SearchMode,
}

/// Body of `PUT /persons/{id}`: only the fields that are set are sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PersonUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<DateOfBirth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collections: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl PersonUpdate {
    pub fn is_empty(&self) -> bool {
        *self == PersonUpdate::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_past_the_end_says_how_many_there_are() {
        assert_eq!(
            past_last_page(4, Some(2)).as_deref(),
            Some("no persons on page 4 (there are 2 pages)")
        );
        assert_eq!(
            past_last_page(2, Some(1)).as_deref(),
            Some("no persons on page 2 (there is 1 page)")
        );
        assert_eq!(past_last_page(2, Some(2)), None);
        assert_eq!(past_last_page(9, None), None);
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn a_fractional_date_of_birth_is_kept_raw_not_cut() {
        let born = json!({"year": 1990.7, "month": 1, "day": 15});
        assert_eq!(DateOfBirth::from_value(&born), None);
        let p = Person::from_value(&json!({"id": "p1", "date_of_birth": born})).unwrap();
        assert_eq!(p.date_of_birth, None);
        assert_eq!(p.extra.get("date_of_birth (unreadable)"), Some(&born));
    }

    #[test]
    fn ids_come_as_strings_numbers_or_oid_objects() {
        assert_eq!(id_string(&json!("abc")), Some("abc".into()));
        assert_eq!(id_string(&json!(42)), Some("42".into()));
        assert_eq!(id_string(&json!({"$oid": "65b9"})), Some("65b9".into()));
        assert_eq!(id_string(&json!("")), None);
        assert_eq!(id_string(&json!(null)), None);
        let o = json!({"_id": {"$oid": "x1"}});
        assert_eq!(object_id(o.as_object().unwrap()), Some("x1".into()));
        let both = json!({"id": "a", "_id": "b"});
        assert_eq!(object_id(both.as_object().unwrap()), Some("a".into()));
    }

    #[test]
    fn a_thumbnail_that_is_not_base64_is_unavailable_not_fatal() {
        let bad = Thumbnail::from_value(&json!({"id": "t1", "thumbnail": "%%% not base64 %%%"}));
        assert_eq!(bad.id.as_deref(), Some("t1"));
        assert!(bad.image.unwrap_err().contains("base64"));
        let good = Thumbnail::from_value(&json!({"id": "t2", "thumbnail": "aGVsbG8="}));
        assert_eq!(good.image, Ok(b"hello".to_vec()));
        let unpadded = Thumbnail::from_value(&json!("data:image/jpeg;base64,aGVsbG8"));
        assert_eq!(unpadded.image, Ok(b"hello".to_vec()));
        assert!(Thumbnail::from_value(&json!({"id": "t3"})).image.is_err());
        assert!(Thumbnail::from_value(&json!({"thumbnail": ""}))
            .image
            .is_err());
    }

    #[test]
    fn person_keeps_unknown_fields_in_extra_but_not_images() {
        let p = Person::from_value(&json!({
            "_id": "p1", "name": "Ana", "environment": "not_set",
            "images": ["AAAA"], "faceEncodings": [[0.1]], "__v": 0
        }))
        .unwrap();
        assert_eq!(p.extra.get("environment"), Some(&json!("not_set")));
        assert!(p.extra.contains_key("__v"));
        assert!(!p.extra.contains_key("images"));
        assert!(!p.extra.contains_key("faceEncodings"));
        assert_eq!(Person::from_value(&json!({"name": "no id"})), None);
    }

    #[test]
    fn person_update_is_empty_only_without_fields() {
        assert!(PersonUpdate::default().is_empty());
        let u = PersonUpdate {
            notes: Some("x".into()),
            ..PersonUpdate::default()
        };
        assert!(!u.is_empty());
        assert_eq!(serde_json::to_value(&u).unwrap(), json!({"notes": "x"}));
    }
}
