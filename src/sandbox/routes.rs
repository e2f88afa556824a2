//! The Verifik-compatible endpoints under `/v2/face-recognition`.

use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Method, Uri};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use image::DynamicImage;
use serde_json::{json, Value};

use super::engine::{AnalysisError, Engine, FaceBox};
use super::http::{authenticate, blocking, drain_unread, log_requests, JsonBody};
use super::reply::{Failure, Reply};
use super::state::AppState;
use super::store::{
    CollectionRow, FaceInput, InTransaction, ListQuery, PersonFields, PersonRow, Store, StoreError,
};
use super::validate as v;
use crate::vocabulary::{
    SearchMode, API_PREFIX, COLLECTIONS, MAX_PAGE_LIMIT, MAX_PERSON_IMAGES, PERSONS,
    PERSONS_SEARCH_LIVE_FACE, SEARCH_LIVE_FACE, THRESHOLD_MAX, THRESHOLD_MIN,
};

/// Most persons a search answers.
pub const MAX_RESULTS: usize = 10;
/// Longest side of a stored thumbnail.
pub const THUMBNAIL_SIDE: u32 = 96;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(SEARCH_LIVE_FACE, post(search_live_face))
        .route(PERSONS, get(list_persons).post(create_person))
        .route(PERSONS_SEARCH_LIVE_FACE, post(create_person_live))
        .route(
            &format!("{PERSONS}/{{id}}"),
            get(get_person).put(update_person).delete(delete_person),
        )
        .route(COLLECTIONS, get(list_collections).post(create_collection))
        .route(
            &format!("{COLLECTIONS}/{{id}}"),
            get(get_collection)
                .put(update_collection)
                .delete(delete_collection),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .method_not_allowed_fallback(|| async { Failure::method_not_allowed() });
    Router::new()
        .nest(API_PREFIX, api)
        .fallback(|method: Method, uri: Uri| async move {
            Failure::not_found_route(method.as_str(), uri.path())
        })
        .layer(middleware::from_fn_with_state(state.clone(), log_requests))
        // Outermost: whatever answered early, the unread body is drained first.
        .layer(middleware::from_fn(drain_unread))
        .with_state(state)
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        match e {
            StoreError::EngineMismatch { stored } => Failure::engine_mismatch(&stored),
            StoreError::DuplicatePerson(existing) => {
                Failure::person_already_set(person_json(&existing))
            }
            StoreError::DuplicateFace { person, score } => {
                Failure::duplicated_person(&person, score)
            }
            e @ (StoreError::Gone(_) | StoreError::ReadOnly(_) | StoreError::Full(_)) => {
                eprintln!("sandbox: {e}");
                Failure::store_unavailable(e.to_string())
            }
            other => {
                tracing::error!("sandbox: {other}");
                Failure::internal()
            }
        }
    }
}

fn path_id(p: Result<Path<String>, PathRejection>) -> Result<String, Failure> {
    p.map(|Path(id)| id)
        .map_err(|_| Failure::missing("\"id\" must be a valid id"))
}

// ---- JSON shapes -------------------------------------------------------------

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn collection_json(c: &CollectionRow) -> Value {
    json!({
        "_id": c.id, "name": c.name, "description": c.description.clone().unwrap_or_default(),
        "code": c.code, "client": "sandbox", "deleted": false,
        "createdAt": c.created_at, "updatedAt": c.updated_at, "__v": 0,
    })
}

fn collection_refs(p: &PersonRow) -> Value {
    p.collections
        .iter()
        .map(|c| json!({"_id": c.id, "code": c.code, "name": c.name}))
        .collect()
}

fn thumbnails(p: &PersonRow) -> Value {
    p.thumbnails
        .iter()
        .map(|t| json!({"id": t.id, "thumbnail": b64(&t.jpeg)}))
        .collect()
}

fn insert_some(o: &mut serde_json::Map<String, Value>, key: &str, v: &Option<String>) {
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
fn hit_json(p: &PersonRow, score: f64) -> Value {
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

// ---- images and engines ------------------------------------------------------

/// Base64 (raw or data URL) → upright pixels, or 412 `only_images_in_base64`.
pub fn decode_image(text: &str) -> Result<DynamicImage, Failure> {
    let raw = crate::vocabulary::strip_data_url(text.trim());
    if raw.len() < 100 {
        return Err(Failure::only_images());
    }
    let compact: String;
    let raw = if raw.bytes().any(|b| b.is_ascii_whitespace()) {
        compact = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        compact.as_str()
    } else {
        raw
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(raw))
        .map_err(|_| Failure::only_images())?;
    crate::imageio::decode_oriented(&bytes).map_err(|_| Failure::only_images())
}

/// A small JPEG of the enrolled image.
pub fn thumbnail(img: &DynamicImage) -> Vec<u8> {
    let small = img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    super::synth::jpeg(&small, 80)
}

fn analysis_failure(e: AnalysisError) -> Failure {
    Failure::unusable_image(match e {
        AnalysisError::NoFace => "no_face_detected: no face was found in the image".into(),
        AnalysisError::MultipleFaces => {
            "multiple_faces_detected: the image has more than one face".into()
        }
        AnalysisError::Invalid(why) => format!("image is invalid for checking liveness: {why}"),
    })
}

/// The ready engine, and a store that holds only its vectors.
fn engine_for(state: &AppState) -> Result<Arc<dyn Engine>, Failure> {
    let engine = state.engine.get()?;
    state.store.check_engine(engine.id())?;
    Ok(engine)
}

struct Analysed {
    faces: Vec<FaceInput>,
    liveness: Vec<f64>,
}

fn analyse_all(
    engine: &dyn Engine,
    images: &[String],
    mode: SearchMode,
) -> Result<Analysed, Failure> {
    let decoded = images
        .iter()
        .map(|i| decode_image(i))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Analysed {
        faces: Vec::new(),
        liveness: Vec::new(),
    };
    for img in &decoded {
        let a = engine.analyze(img, mode).map_err(analysis_failure)?;
        out.liveness.push(a.liveness_score);
        out.faces.push(FaceInput {
            thumbnail: thumbnail(img),
            vector: a.vector,
        });
    }
    Ok(out)
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn search_mode(s: &str) -> SearchMode {
    SearchMode::parse(s).unwrap_or_default()
}

fn resolve_collections(store: &Store, keys: &[String]) -> Result<Vec<String>, Failure> {
    let mut ids: Vec<String> = Vec::new();
    for k in keys {
        let c = store
            .find_collection(k)?
            .ok_or_else(Failure::invalid_collection)?;
        if !ids.contains(&c.id) {
            ids.push(c.id);
        }
    }
    Ok(ids)
}

// ---- search --------------------------------------------------------------------

async fn search_live_face(State(s): State<AppState>, JsonBody(body): JsonBody) -> Response {
    blocking(move || {
        let b = v::object(body)?;
        // Tolerance: the older GitBook example sends `images: [..]`.
        let image = match (b.get("image"), b.get("images")) {
            (None, Some(Value::Array(a))) if !a.is_empty() => a[0]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| Failure::missing("\"images[0]\" must be a string"))?,
            _ => v::string(&b, "image")?.to_owned(),
        };
        v::one_of(&b, "os", &["ANDROID", "IOS", "DESKTOP"])?;
        let liveness_min = v::number(&b, "liveness_min_score", THRESHOLD_MIN, THRESHOLD_MAX)?;
        let min_score = v::number(&b, "min_score", THRESHOLD_MIN, THRESHOLD_MAX)?;
        let mode = search_mode(v::one_of(&b, "search_mode", &["FAST", "ACCURATE"])?);
        let collection = match v::optional_string(&b, "collection_id")? {
            Some(key) => Some(
                s.store
                    .find_collection(key)?
                    .ok_or_else(Failure::invalid_collection)?,
            ),
            None => None,
        };
        let engine = engine_for(&s)?;
        let img = decode_image(&image)?;
        let analysis = engine.analyze(&img, mode).map_err(analysis_failure)?;
        let liveness = round4(analysis.liveness_score);
        // Passes only when strictly above the threshold, as documented.
        if liveness <= liveness_min {
            return Err(Failure::liveness_failed(liveness, liveness_min));
        }
        let hits = s.store.search(
            &analysis.vector,
            mode,
            MAX_RESULTS,
            collection.as_ref().map(|c| c.id.as_str()),
        )?;
        let scored: Vec<(String, f64)> = hits
            .iter()
            .map(|h| (h.person.to_string(), round4(engine.score(h.cosine))))
            .filter(|(_, score)| *score >= min_score)
            .collect();
        let ids: Vec<&str> = scored.iter().map(|(id, _)| id.as_str()).collect();
        let records = s.store.persons(&ids)?;
        let persons: Vec<Value> = scored
            .iter()
            .filter_map(|(id, score)| {
                records
                    .iter()
                    .find(|p| &p.id == id)
                    .map(|p| hit_json(p, *score))
            })
            .collect();
        let mut data = json!({"persons": persons, "liveness_score": liveness});
        // A sandbox extension (Verifik sends no box): only when the engine found a face.
        if let Some(face) = &analysis.face {
            data["face"] = face_json(face);
        }
        Ok(Reply::Enveloped(data))
    })
    .await
}

/// The face a search used, in pixels of the upright image it received.
fn face_json(face: &FaceBox) -> Value {
    let px = |v: f32| (f64::from(v) * 10.0).round() / 10.0;
    json!({
        "x": px(face.x),
        "y": px(face.y),
        "width": px(face.width),
        "height": px(face.height),
        "confidence": round4(f64::from(face.confidence)),
    })
}

// ---- persons -------------------------------------------------------------------

/// The optional person fields shared by create and update.
fn person_fields(b: &v::Body) -> Result<PersonFields, Failure> {
    Ok(PersonFields {
        gender: v::optional_one_of(b, "gender", &["M", "F"])?.map(str::to_owned),
        date_of_birth: v::optional_date(b, "date_of_birth")?,
        nationality: v::optional_text(b, "nationality", 100)?.map(str::to_owned),
        notes: v::optional_text(b, "notes", 2000)?.map(str::to_owned),
        ..PersonFields::default()
    })
}

/// The early duplicate check: refuses before the images are analysed. The binding
/// one is [`no_namesake`], inside the write's transaction.
fn check_not_duplicate(
    store: &Store,
    name: &str,
    dob: Option<&str>,
    collections: &[String],
    except: Option<&str>,
) -> Result<(), Failure> {
    if let Some(dob) = dob {
        if let Some(existing) = store.find_duplicate(name, dob, collections, except)? {
            return Err(Failure::person_already_set(person_json(&existing)));
        }
    }
    Ok(())
}

/// No other person with this name and date of birth in a shared collection, checked
/// inside the write's transaction: two concurrent creates cannot both pass.
fn no_namesake(
    t: &InTransaction,
    name: &str,
    dob: Option<&str>,
    collections: &[String],
    except: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(dob) = dob {
        if let Some(existing) = t.find_duplicate(name, dob, collections, except)? {
            return Err(StoreError::DuplicatePerson(Box::new(existing)));
        }
    }
    Ok(())
}

async fn create_person(State(s): State<AppState>, JsonBody(body): JsonBody) -> Response {
    blocking(move || {
        let b = v::object(body)?;
        let name = v::person_name(v::string(&b, "name")?, "name")?;
        let images = v::strings(&b, "images", MAX_PERSON_IMAGES)?;
        let fields = person_fields(&b)?;
        let collections = v::optional_strings(&b, "collections", 100)?.unwrap_or_default();
        let collections = resolve_collections(&s.store, &collections)?;
        check_not_duplicate(
            &s.store,
            &name,
            fields.date_of_birth.as_deref(),
            &collections,
            None,
        )?;
        let engine = engine_for(&s)?;
        let analysed = analyse_all(engine.as_ref(), &images, SearchMode::Accurate)?;
        let dob = fields.date_of_birth.clone();
        let namesake =
            |t: &InTransaction| no_namesake(t, &name, dob.as_deref(), &collections, None);
        let fields = PersonFields {
            name: Some(name.clone()),
            collections: Some(collections.clone()),
            faces: Some(analysed.faces),
            ..fields
        };
        let person = s
            .store
            .create_person_checked(fields, engine.id(), &namesake)?;
        Ok(Reply::Enveloped(person_json(&person)))
    })
    .await
}

async fn create_person_live(State(s): State<AppState>, JsonBody(body): JsonBody) -> Response {
    blocking(move || {
        let b = v::object(body)?;
        let name = v::person_name(v::string(&b, "name")?, "name")?;
        let images = v::strings(&b, "images", MAX_PERSON_IMAGES)?;
        let gender = v::one_of(&b, "gender", &["M", "F"])?;
        let dob = v::date(&b, "date_of_birth")?;
        let nationality = v::optional_text(&b, "nationality", 100)?.map(str::to_owned);
        let collection_key = v::string(&b, "collection_id")?;
        let liveness_min = v::number(&b, "liveness_min_score", THRESHOLD_MIN, THRESHOLD_MAX)?;
        let min_score = v::number(&b, "min_score", THRESHOLD_MIN, THRESHOLD_MAX)?;
        let mode = search_mode(v::one_of(&b, "search_mode", &["FAST", "ACCURATE"])?);
        let notes = v::optional_text(&b, "notes", 2000)?.map(str::to_owned);
        let collection = s
            .store
            .find_collection(collection_key)?
            .ok_or_else(Failure::invalid_collection)?;
        let engine = engine_for(&s)?;
        let analysed = analyse_all(engine.as_ref(), &images, mode)?;
        let liveness = round4(
            analysed
                .liveness
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min),
        );
        if liveness <= liveness_min {
            return Err(Failure::liveness_failed(liveness, liveness_min));
        }
        let collections = vec![collection.id.clone()];
        let vectors: Vec<Vec<f32>> = analysed.faces.iter().map(|f| f.vector.clone()).collect();
        // Both duplicate checks run inside the write's transaction: two concurrent
        // creates of one person cannot both pass them.
        let duplicates = |t: &InTransaction| {
            // Any enrolled face in the collection at or above min_score.
            for vector in &vectors {
                if let Some(hit) = t.search(vector, mode, 1, Some(&collection.id))?.first() {
                    let score = round4(engine.score(hit.cosine));
                    if score >= min_score {
                        return Err(StoreError::DuplicateFace {
                            person: hit.person.to_string(),
                            score,
                        });
                    }
                }
            }
            no_namesake(t, &name, Some(&dob), &collections, None)
        };
        let fields = PersonFields {
            name: Some(name.clone()),
            gender: Some(gender.to_owned()),
            date_of_birth: Some(dob.clone()),
            nationality,
            notes,
            collections: Some(collections.clone()),
            faces: Some(analysed.faces),
        };
        let person = s
            .store
            .create_person_checked(fields, engine.id(), &duplicates)?;
        Ok(Reply::Enveloped(person_json(&person)))
    })
    .await
}

async fn list_persons(
    State(s): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    blocking(move || {
        let Query(pairs) = query.map_err(|_| Failure::invalid_query("Invalid query parameters"))?;
        let get = |k: &str| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_owned())
        };
        let int = |k: &str, default: u64, max: u64| -> Result<u64, Failure> {
            match get(k) {
                None => Ok(default),
                Some(t) => {
                    let n: u64 = t.parse().map_err(|_| {
                        Failure::invalid_query(format!("\"{k}\" must be a positive integer"))
                    })?;
                    if n == 0 {
                        return Err(Failure::invalid_query(format!(
                            "\"{k}\" must be greater than or equal to 1"
                        )));
                    }
                    if n > max {
                        return Err(Failure::invalid_query(format!(
                            "\"{k}\" must be less than or equal to {max}"
                        )));
                    }
                    Ok(n)
                }
            }
        };
        let page = int("page", 1, 1_000_000)?;
        let limit = int("limit", 10, MAX_PAGE_LIMIT)?;
        let status = get("status").filter(|s| !s.is_empty());
        if let Some(st) = &status {
            if !["active", "inactive", "pending"].contains(&st.as_str()) {
                return Err(Failure::invalid_query(
                    "\"status\" must be one of [active, inactive, pending]",
                ));
            }
        }
        let collection = match get("collection").filter(|c| !c.is_empty()) {
            Some(key) => Some(
                s.store
                    .find_collection(&key)?
                    .ok_or_else(Failure::invalid_collection)?,
            ),
            None => None,
        };
        let (persons, total) = s.store.list_persons(&ListQuery {
            page,
            limit,
            collection: collection.as_ref().map(|c| c.id.as_str()),
            status: status.as_deref(),
        })?;
        let data: Vec<Value> = persons.iter().map(person_json).collect();
        let pagination =
            json!({"page": page, "limit": limit, "total": total, "pages": total.div_ceil(limit)});
        Ok(Reply::Paginated(Value::Array(data), pagination))
    })
    .await
}

async fn get_person(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        let p = s.store.person(&id)?.ok_or_else(Failure::person_not_found)?;
        Ok(Reply::Enveloped(person_json(&p)))
    })
    .await
}

async fn update_person(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        let b = v::object(body)?;
        const KNOWN: [&str; 7] = [
            "name",
            "images",
            "gender",
            "date_of_birth",
            "nationality",
            "collections",
            "notes",
        ];
        if !KNOWN
            .iter()
            .any(|k| b.get(*k).is_some_and(|v| !v.is_null()))
        {
            return Err(Failure::missing("\"value\" must have at least 1 key"));
        }
        let name = match v::optional_string(&b, "name")? {
            Some(n) => Some(v::person_name(n, "name")?),
            None => None,
        };
        let images = v::optional_strings(&b, "images", MAX_PERSON_IMAGES)?;
        if images.as_ref().is_some_and(Vec::is_empty) {
            return Err(Failure::missing("\"images\" must contain at least 1 items"));
        }
        let mut fields = person_fields(&b)?;
        let collections = match v::optional_strings(&b, "collections", 100)? {
            Some(keys) => Some(resolve_collections(&s.store, &keys)?),
            None => None,
        };
        let current = s.store.person(&id)?.ok_or_else(Failure::person_not_found)?;
        let final_name = name.clone().unwrap_or(current.name.clone());
        let final_dob = fields
            .date_of_birth
            .clone()
            .or(current.date_of_birth.clone());
        let final_collections = collections
            .clone()
            .unwrap_or_else(|| current.collections.iter().map(|c| c.id.clone()).collect());
        check_not_duplicate(
            &s.store,
            &final_name,
            final_dob.as_deref(),
            &final_collections,
            Some(&id),
        )?;
        let engine_id = match &images {
            Some(images) => {
                let engine = engine_for(&s)?;
                fields.faces =
                    Some(analyse_all(engine.as_ref(), images, SearchMode::Accurate)?.faces);
                engine.id()
            }
            None => "",
        };
        // Checked again inside the transaction, against the person as it is then.
        let namesake = |current: &PersonRow, t: &InTransaction| {
            let final_name = name.as_deref().unwrap_or(&current.name);
            let final_dob = fields
                .date_of_birth
                .as_deref()
                .or(current.date_of_birth.as_deref());
            let final_collections = collections
                .clone()
                .unwrap_or_else(|| current.collections.iter().map(|c| c.id.clone()).collect());
            no_namesake(t, final_name, final_dob, &final_collections, Some(&id))
        };
        let update = PersonFields {
            name: name.clone(),
            collections: collections.clone(),
            ..fields.clone()
        };
        let p = s
            .store
            .update_person_checked(&id, update, engine_id, &namesake)?
            .ok_or_else(Failure::person_not_found)?;
        Ok(Reply::Enveloped(person_json(&p)))
    })
    .await
}

async fn delete_person(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        let Query(pairs) = query.map_err(|_| Failure::invalid_query("Invalid query parameters"))?;
        let collection = pairs
            .iter()
            .find(|(k, _)| k == "collection")
            .map(|(_, v)| v.trim().to_owned());
        if s.store.person(&id)?.is_none() {
            return Err(Failure::person_not_found());
        }
        match collection.filter(|c| !c.is_empty()) {
            Some(key) => {
                let c = s
                    .store
                    .find_collection(&key)?
                    .ok_or_else(Failure::invalid_collection)?;
                s.store.detach_person(&id, &c.id)?;
            }
            None => {
                if !s.store.delete_person(&id)? {
                    return Err(Failure::person_not_found());
                }
            }
        }
        Ok(Reply::Enveloped(json!({"_id": id})))
    })
    .await
}

// ---- collections ---------------------------------------------------------------

async fn list_collections(State(s): State<AppState>) -> Response {
    blocking(move || {
        let all = s.store.list_collections()?;
        Ok(Reply::Plain(all.iter().map(collection_json).collect()))
    })
    .await
}

/// `name` (required on create and on every update, as documented) and `description`.
fn collection_fields(b: &v::Body) -> Result<(&str, Option<&str>), Failure> {
    let name = v::optional_text(b, "name", 200)?
        .ok_or_else(|| Failure::missing("\"name\" is required"))?;
    Ok((name, v::optional_text(b, "description", 2000)?))
}

/// The collection a path id named, or the documented 404 when there is none.
fn collection_reply(found: Option<CollectionRow>) -> Result<Reply, Failure> {
    let c = found.ok_or_else(Failure::invalid_collection)?;
    Ok(Reply::Plain(collection_json(&c)))
}

async fn create_collection(State(s): State<AppState>, JsonBody(body): JsonBody) -> Response {
    blocking(move || {
        let b = v::object(body)?;
        let (name, description) = collection_fields(&b)?;
        let c = s.store.create_collection(name.trim(), description)?;
        Ok(Reply::Plain(collection_json(&c)))
    })
    .await
}

async fn get_collection(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        collection_reply(s.store.find_collection(&id)?)
    })
    .await
}

async fn update_collection(
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

async fn delete_collection(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    blocking(move || {
        let id = path_id(id)?;
        collection_reply(s.store.delete_collection(&id)?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_problems_are_503_with_their_reason_not_500() {
        for (e, reason) in [
            (StoreError::ReadOnly("x".into()), "store_read_only: x"),
            (StoreError::Gone("y".into()), "store_unavailable: y"),
            (StoreError::Full("z".into()), "store_full: z"),
        ] {
            let f = Failure::from(e);
            assert_eq!(f.status.as_u16(), 503);
            assert_eq!(f.body["message"], reason);
        }
        let f = Failure::from(StoreError::Other("bug".into()));
        assert_eq!(
            f.status.as_u16(),
            500,
            "anything else stays an internal error"
        );
    }
}
