//! The collections endpoints: list, create, get, update, delete.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;

use crate::sandbox::http::{blocking, JsonBody};
use crate::sandbox::reply::{Failure, Reply};
use crate::sandbox::state::AppState;
use crate::sandbox::store::CollectionRow;
use crate::sandbox::validate as v;

use super::intake::path_id;
use super::shapes::collection_json;

pub(super) async fn list_collections(State(s): State<AppState>) -> Response {
    blocking(move || {
        let all = s.store.list_collections()?;
        Ok(Reply::Plain(all.iter().map(collection_json).collect()))
    })
    .await
}

/// `name` (required on create and on every update, as documented) and `description`.
pub(super) fn collection_fields(b: &v::Body) -> Result<(&str, Option<&str>), Failure> {
    let name = v::optional_text(b, "name", 200)?
        .ok_or_else(|| Failure::missing("\"name\" is required"))?;
    Ok((name, v::optional_text(b, "description", 2000)?))
}

/// The collection a path id named, or the documented 404 when there is none.
pub(super) fn collection_reply(found: Option<CollectionRow>) -> Result<Reply, Failure> {
    let c = found.ok_or_else(Failure::invalid_collection)?;
    Ok(Reply::Plain(collection_json(&c)))
}

pub(super) async fn create_collection(
    State(s): State<AppState>,
    JsonBody(body): JsonBody,
) -> Response {
    blocking(move || {
        let b = v::object(body)?;
        let (name, description) = collection_fields(&b)?;
        let c = s.store.create_collection(name.trim(), description)?;
        Ok(Reply::Plain(collection_json(&c)))
    })
    .await
}

pub(super) async fn get_collection(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        collection_reply(s.store.find_collection(&id)?)
    })
    .await
}

pub(super) async fn update_collection(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        let b = v::object(body)?;
        let (name, description) = collection_fields(&b)?;
        let people = match b.get("people").filter(|p| !p.is_null()) {
            None => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|p| match p {
                        Value::String(id) => Some(id.clone()),
                        Value::Object(o) => crate::vocabulary::object_id(o),
                        _ => None,
                    })
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(|| {
                        Failure::missing("\"people\" items must be person objects with an _id")
                    })?,
            ),
            Some(_) => return Err(Failure::missing("\"people\" must be an array")),
        };
        collection_reply(s.store.update_collection(
            &id,
            name.trim(),
            description,
            people.as_deref(),
        )?)
    })
    .await
}

pub(super) async fn delete_collection(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        collection_reply(s.store.delete_collection(&id)?)
    })
    .await
}
