//! The Verifik-compatible endpoints under `/v2/face-recognition`: the router, and how
//! the store's failures become the documented answers. The handlers live one file per
//! resource; the JSON shapes and the intake of images and ids are shared by them.

mod collections;
mod intake;
mod persons;
mod search;
mod shapes;

use axum::http::{Method, Uri};
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use super::http::{authenticate, drain_unread, log_requests};
use super::reply::Failure;
use super::state::AppState;
use super::store::StoreError;
use crate::vocabulary::{
    API_PREFIX, COLLECTIONS, PERSONS, PERSONS_SEARCH_LIVE_FACE, SEARCH_LIVE_FACE,
};
use collections::{
    create_collection, delete_collection, get_collection, list_collections, update_collection,
};
use persons::{
    create_person, create_person_live, delete_person, get_person, list_persons, update_person,
};
use search::search_live_face;
use shapes::person_json;

pub use intake::thumbnail;

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
