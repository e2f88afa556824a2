//! Reading a 2xx answer: the envelope's `data`, one person or collection, a list and
//! its pagination.

use serde_json::Value;

use crate::api::error::ApiError;
use crate::api::model::*;

/// `data` of an envelope; an envelope without `data` is taken as the payload itself.
pub(super) fn data_of(body: &Value) -> Result<&Value, ApiError> {
    match body.get("data") {
        Some(d) => Ok(d),
        None if body.is_object() || body.is_array() => Ok(body),
        None => Err(ApiError::Decode("the answer is not a JSON object".into())),
    }
}

pub(super) fn person_of(body: &Value) -> Result<Person, ApiError> {
    Person::from_value(data_of(body)?)
        .ok_or_else(|| ApiError::Decode("no person record with an id".into()))
}

pub(super) fn collection_of(body: &Value) -> Result<Collection, ApiError> {
    Collection::from_value(data_of(body)?)
        .ok_or_else(|| ApiError::Decode("no collection record with an id".into()))
}

/// The items and pagination of a list answer: `data: […]`, `data: {docs: […], …}`,
/// with `pagination` at the top level or inside `data`.
pub(super) fn list_of(body: &Value) -> Result<(&[Value], Option<Pagination>), ApiError> {
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
pub(super) fn count_field(name: &str, v: &Value, max: u64) -> Result<u64, ApiError> {
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
pub(super) fn pagination_of(v: &Value) -> Result<Option<Pagination>, ApiError> {
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
