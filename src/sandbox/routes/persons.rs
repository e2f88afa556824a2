//! The persons endpoints: create (with or without liveness), list, get, update, delete.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{json, Value};

use crate::sandbox::http::{blocking, JsonBody};
use crate::sandbox::reply::{Failure, Reply};
use crate::sandbox::state::AppState;
use crate::sandbox::store::{InTransaction, ListQuery, PersonFields, PersonRow, Store, StoreError};
use crate::sandbox::validate as v;
use crate::vocabulary::{
    SearchMode, MAX_PAGE_LIMIT, MAX_PERSON_IMAGES, THRESHOLD_MAX, THRESHOLD_MIN,
};

use super::intake::{analyse_all, engine_for, path_id, resolve_collections, round4, search_mode};
use super::shapes::person_json;

/// The optional person fields shared by create and update.
pub(super) fn person_fields(b: &v::Body) -> Result<PersonFields, Failure> {
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
pub(super) fn check_not_duplicate(
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
pub(super) fn no_namesake(
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

pub(super) async fn create_person(State(s): State<AppState>, JsonBody(body): JsonBody) -> Response {
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

pub(super) async fn create_person_live(
    State(s): State<AppState>,
    JsonBody(body): JsonBody,
) -> Response {
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

pub(super) async fn list_persons(
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

pub(super) async fn get_person(
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

pub(super) async fn update_person(
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

pub(super) async fn delete_person(
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
