//! The JSON shapes the sandbox answers with: persons, collections, search hits and the
//! face a search used.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::sandbox::engine::DetectedFace;
use crate::sandbox::store::{CollectionRow, PersonRow};

use super::intake::round4;

pub(super) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn collection_json(c: &CollectionRow) -> Value {
    json!({
        "_id": c.id, "name": c.name, "description": c.description.clone().unwrap_or_default(),
        "code": c.code, "client": "sandbox", "deleted": false,
        "createdAt": c.created_at, "updatedAt": c.updated_at, "__v": 0,
    })
}

pub(super) fn collection_refs(p: &PersonRow) -> Value {
    p.collections
        .iter()
        .map(|c| json!({"_id": c.id, "code": c.code, "name": c.name}))
        .collect()
}

pub(super) fn thumbnails(p: &PersonRow) -> Value {
    p.thumbnails
        .iter()
        .map(|t| json!({"id": t.id, "thumbnail": b64(&t.jpeg)}))
        .collect()
}

pub(super) fn insert_some(o: &mut serde_json::Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        o.insert(key.into(), Value::String(v.clone()));
    }
}

/// The person record of the persons endpoints (`_id`, `createdAt`).
pub fn person_json(p: &PersonRow) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("_id".into(), json!(p.id));
    o.insert("name".into(), json!(p.name));
    insert_some(&mut o, "gender", &p.gender);
    insert_some(&mut o, "date_of_birth", &p.date_of_birth);
    insert_some(&mut o, "nationality", &p.nationality);
    insert_some(&mut o, "notes", &p.notes);
    o.insert("status".into(), json!(p.status));
    o.insert("collections".into(), collection_refs(p));
    o.insert("thumbnails".into(), thumbnails(p));
    o.insert("client".into(), json!("sandbox"));
    o.insert("deleted".into(), json!(false));
    o.insert("createdAt".into(), json!(p.created_at));
    o.insert("updatedAt".into(), json!(p.updated_at));
    o.insert("__v".into(), json!(0));
    Value::Object(o)
}

/// A search hit in the fuller GitBook shape (`id`, `score`, `create_date`).
pub(super) fn hit_json(p: &PersonRow, score: f64) -> Value {
    let plain = |t: &str| t.trim_end_matches('Z').to_owned();
    json!({
        "id": p.id, "name": p.name, "score": score,
        "gender": p.gender.clone().unwrap_or_default(),
        "date_of_birth": p.date_of_birth.clone().unwrap_or_default(),
        "nationality": p.nationality.clone().unwrap_or_default(),
        "notes": p.notes.clone().unwrap_or_default(),
        "collections": collection_refs(p),
        "thumbnails": thumbnails(p),
        "create_date": plain(&p.created_at),
        "modified_date": plain(&p.updated_at),
    })
}

/// The face a search used, in pixels of the upright image it received.
pub(super) fn face_json(face: &DetectedFace) -> Value {
    let px = |v: f32| (f64::from(v) * 10.0).round() / 10.0;
    json!({
        "x": px(face.x),
        "y": px(face.y),
        "width": px(face.width),
        "height": px(face.height),
        "confidence": round4(f64::from(face.confidence)),
    })
}
