//! `POST /search-live-face`: liveness on the probe, then the 1:N search.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use crate::sandbox::http::{blocking, JsonBody};
use crate::sandbox::reply::{Failure, Reply};
use crate::sandbox::state::AppState;
use crate::sandbox::validate as v;
use crate::vocabulary::{THRESHOLD_MAX, THRESHOLD_MIN};

use super::intake::{analysis_failure, decode_image, engine_for, round4, search_mode};
use super::shapes::{face_json, hit_json};

/// Most persons a search answers.
pub const MAX_RESULTS: usize = 10;

pub(super) async fn search_live_face(
    State(s): State<AppState>,
    JsonBody(body): JsonBody,
) -> Response {
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
