//! Collections: the record and the body of create and update.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vocabulary::{id_string, object_id};

/// A collection of persons (the face-engine's gallery scope).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The face-engine id (a UUID); some docs say to send this as `collection_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

impl Collection {
    pub fn from_value(v: &Value) -> Option<Collection> {
        let o = v.as_object()?;
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(Collection {
            id: object_id(o)?,
            name: text("name").unwrap_or_default(),
            description: text("description").filter(|s| !s.is_empty()),
            code: o.get("code").and_then(id_string),
            created_at: text("createdAt"),
            updated_at: text("updatedAt"),
        })
    }
}

/// Body of `POST /collections` and `PUT /collections/{id}` (`name` is required on both).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CollectionInput {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
