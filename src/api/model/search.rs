//! The live search: what it sends (`SearchParams`) and what it answers
//! (`SearchOutcome`, its `Match`es and the optional `FaceBox`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::persons::Person;
use crate::api::scores;
use crate::vocabulary::{number, object_id, validate_threshold, Os, SearchMode};

/// Everything a live search sends except the image itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchParams {
    pub os: Os,
    /// 0.5–1.0; liveness passes only strictly above it.
    pub liveness_min_score: f64,
    /// 0.5–1.0; a hit is a match at or above it.
    pub min_score: f64,
    pub search_mode: SearchMode,
    /// Limits the search to one collection (its `code` or `_id`, see verifik-api.md §1.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_id: Option<String>,
}

impl Default for SearchParams {
    fn default() -> Self {
        SearchParams {
            os: Os::Desktop,
            liveness_min_score: 0.65,
            min_score: 0.75,
            search_mode: SearchMode::Fast,
            collection_id: None,
        }
    }
}

impl SearchParams {
    /// Validates both thresholds and the collection id.
    ///
    /// # Errors
    /// Plain words naming the first bad field: a threshold outside 0.5–1.0 or not a
    /// number, a blank `collection_id`.
    pub fn validate(&self) -> Result<(), String> {
        validate_threshold("liveness_min_score", self.liveness_min_score)?;
        validate_threshold("min_score", self.min_score)?;
        if let Some(c) = &self.collection_id {
            if c.trim().is_empty() {
                return Err("collection_id must not be empty when given".into());
            }
        }
        Ok(())
    }
}

/// The result of `POST /search-live-face`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchOutcome {
    /// 0–1 (converted when the whole answer was on 0–100, see `percent_scale`).
    pub liveness_score: Option<f64>,
    /// Matches at or above the request's `min_score`, best first.
    pub persons: Vec<Match>,
    /// Hits the server sent below the request's `min_score`: shown flagged, never as
    /// matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub below_min_score: Vec<Match>,
    /// The server's scores were on 0–100 and were divided by 100 (see `api::scores`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub percent_scale: bool,
    /// The face the server searched with. Only the sandbox sends it (Verifik does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<FaceBox>,
}

/// A face's box in pixels of the image the server received, i.e. the upload (a sandbox
/// extension): `x`, `y` the top-left corner, `width` and `height`, all in upload pixels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl FaceBox {
    /// `{x, y, width, height}` as numbers or numeric strings; anything else (missing
    /// fields, non-finite values, an empty box) is no box.
    pub fn from_value(v: &Value) -> Option<FaceBox> {
        let o = v.as_object()?;
        let field = |k: &str| o.get(k).and_then(number).filter(|x| x.is_finite());
        let b = FaceBox {
            x: field("x")?,
            y: field("y")?,
            width: field("width")?,
            height: field("height")?,
        };
        (b.width > 0.0 && b.height > 0.0).then_some(b)
    }
}

/// One search hit. Servers send either `{id, score}` or a full person record with a
/// score; `person` is filled in the second case (or later, by a separate lookup).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Match {
    pub id: String,
    /// 0–1 once decoded by [`SearchOutcome::from_data`] (raw from [`Match::from_value`]).
    pub score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
}

impl Match {
    /// The person's name, when the record came with the hit or was looked up.
    pub fn name(&self) -> Option<&str> {
        self.person.as_ref().and_then(|p| p.name.as_deref())
    }
}

impl SearchOutcome {
    /// Decodes `data` of a search-live-face answer (`{persons, liveness_score}`, or a
    /// bare array of hits as search-active-user answers) for the request `params`:
    /// scores are validated and put on 0–1 by [`scores::judge_scale`], and hits below
    /// `params.min_score` go to `below_min_score`.
    ///
    /// # Errors
    /// Plain words naming the field when the shape is not a search answer or a score is
    /// not a number on a scale the answer can be read on.
    pub fn from_data(data: &Value, params: &SearchParams) -> Result<SearchOutcome, String> {
        let (persons, liveness) = match data {
            Value::Object(o) => (
                o.get("persons")
                    .or_else(|| o.get("matches"))
                    .or_else(|| o.get("results")),
                o.get("liveness_score").or_else(|| o.get("livenessScore")),
            ),
            Value::Array(_) => (Some(data), None),
            _ => return Err("the answer's `data` is not an object".into()),
        };
        let items: &[Value] = match persons {
            Some(Value::Array(a)) => a,
            Some(Value::Null) | None => &[],
            Some(_) => return Err("`persons` is not a list".into()),
        };
        let mut scored = Vec::new();
        let liveness = match liveness.filter(|v| !v.is_null()) {
            Some(v) => {
                let x = scores::raw_score(v)
                    .ok_or_else(|| format!("liveness_score is {v}, not a number"))?;
                scored.push(scores::Scored {
                    field: "liveness_score".into(),
                    value: x,
                    is_match: false,
                });
                Some(x)
            }
            None => None,
        };
        let mut hits = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let hit = Match::from_value(item).map_err(|e| format!("persons[{i}]{e}"))?;
            scored.push(scores::Scored {
                field: format!("persons[{i}].score"),
                value: hit.score,
                is_match: true,
            });
            hits.push(hit);
        }
        let scale = scores::judge_scale(&scored, params.liveness_min_score, params.min_score)?;
        let unit = |x: f64| match scale {
            scores::Scale::Unit => x,
            scores::Scale::Percent => x / 100.0,
        };
        for h in &mut hits {
            h.score = unit(h.score);
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        let (persons, below_min_score): (Vec<Match>, Vec<Match>) = hits
            .into_iter()
            .partition(|m| scores::reaches_min_score(m.score, params.min_score));
        // Optional and unofficial: a bad box is dropped, never a failed search.
        let face = match data {
            Value::Object(o) => o.get("face").and_then(FaceBox::from_value),
            _ => None,
        };
        Ok(SearchOutcome {
            liveness_score: liveness.map(unit),
            persons,
            below_min_score,
            percent_scale: scale == scores::Scale::Percent,
            face,
        })
    }

    /// True when the server answered a search although the liveness score it sent does
    /// not pass the request's threshold (by [`scores::liveness_passed`]).
    pub fn liveness_contradicts(&self, params: &SearchParams) -> bool {
        self.liveness_score
            .is_some_and(|s| !scores::liveness_passed(s, params.liveness_min_score))
    }
}

impl Match {
    /// One hit as the server wrote it: `score` is the raw number (the scale is judged
    /// for the whole answer by [`SearchOutcome::from_data`]).
    ///
    /// # Errors
    /// The tail of a message naming the field (`.id is missing`, `.score is "high", …`).
    pub fn from_value(v: &Value) -> Result<Match, String> {
        let o = v.as_object().ok_or(" is not an object")?;
        let id = object_id(o).ok_or(".id is missing")?;
        let raw = o.get("score").or_else(|| o.get("similarity"));
        let score = raw.and_then(scores::raw_score).ok_or_else(|| match raw {
            Some(v) => format!(".score is {v}, not a number"),
            None => ".score is missing".into(),
        })?;
        // Anything beyond {id, score} means the server sent the record itself.
        let has_record = o
            .keys()
            .any(|k| !matches!(k.as_str(), "id" | "_id" | "score" | "similarity"));
        let person = if has_record {
            Person::from_value(v)
        } else {
            None
        };
        Ok(Match { id, score, person })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn search_params_name_the_first_bad_field() {
        let mut p = SearchParams::default();
        assert_eq!(p.validate(), Ok(()));
        p.min_score = 1.5;
        assert!(p.validate().unwrap_err().starts_with("min_score"));
        p.liveness_min_score = 0.1;
        assert!(p.validate().unwrap_err().starts_with("liveness_min_score"));
        let blank = SearchParams {
            collection_id: Some("  ".into()),
            ..SearchParams::default()
        };
        assert!(blank.validate().unwrap_err().contains("collection_id"));
    }

    #[test]
    fn a_match_keeps_the_record_only_when_one_was_sent() {
        let bare = Match::from_value(&json!({"id": "p1", "score": 0.9})).unwrap();
        assert_eq!(bare.person, None);
        let full =
            Match::from_value(&json!({"_id": "p2", "score": "0.91", "name": "Ana"})).unwrap();
        assert_eq!(full.id, "p2");
        assert_eq!(full.score, 0.91);
        assert_eq!(full.name(), Some("Ana"));
        let e = Match::from_value(&json!({"id": "p3"})).unwrap_err();
        assert!(e.contains("score is missing"), "{e}");
    }

    fn decode(v: &Value) -> Result<SearchOutcome, String> {
        SearchOutcome::from_data(v, &SearchParams::default())
    }

    #[test]
    fn search_outcome_sorts_hits_and_reads_both_shapes() {
        let o = decode(&json!({
            "persons": [{"id": "a", "score": 0.7}, {"id": "b", "score": 0.95}],
            "liveness_score": "0.9"
        }))
        .unwrap();
        assert_eq!(o.liveness_score, Some(0.9));
        let ids: Vec<&str> = o.persons.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["b"]);
        // Below min_score (0.75): kept apart, flagged, never a match.
        let below: Vec<&str> = o.below_min_score.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(below, ["a"]);
        assert!(!o.percent_scale);
        let arr = decode(&json!([{"id": "c", "score": 0.8}])).unwrap();
        assert_eq!(arr.persons.len(), 1);
        assert_eq!(arr.liveness_score, None);
        assert_eq!(
            decode(&json!({"liveness_score": 0.9})).unwrap().persons,
            vec![]
        );
        assert!(decode(&json!({"persons": "nope"})).is_err());
        assert!(decode(&json!("nope")).is_err());
    }

    #[test]
    fn a_liveness_at_the_threshold_contradicts_a_served_answer() {
        let p = SearchParams::default(); // liveness_min_score 0.65
        let at = SearchOutcome::from_data(&json!({"persons": [], "liveness_score": 0.65}), &p);
        assert!(at.unwrap().liveness_contradicts(&p));
        let above = SearchOutcome::from_data(&json!({"persons": [], "liveness_score": 0.66}), &p);
        assert!(!above.unwrap().liveness_contradicts(&p));
    }

    #[test]
    fn search_outcome_reads_the_sandbox_face_box() {
        let o = decode(&json!({
            "persons": [],
            "liveness_score": 0.9,
            "face": {"x": 12.5, "y": "40", "width": 100, "height": 120.0, "confidence": 0.93}
        }))
        .unwrap();
        assert_eq!(
            o.face,
            Some(FaceBox {
                x: 12.5,
                y: 40.0,
                width: 100.0,
                height: 120.0
            })
        );
        // Verifik sends none: nothing else changes.
        let plain = decode(&json!({"persons": [], "liveness_score": 0.9}));
        assert_eq!(plain.unwrap().face, None);
        assert_eq!(
            decode(&json!([{"id": "c", "score": 0.8}])).unwrap().face,
            None
        );
    }

    #[test]
    fn a_garbage_face_box_is_no_box_not_an_error() {
        for face in [
            json!(null),
            json!("12,40,100,120"),
            json!([12, 40, 100, 120]),
            json!({"x": 12, "y": 40, "width": 100}),
            json!({"x": "left", "y": 40, "width": 100, "height": 120}),
            json!({"x": 12, "y": 40, "width": 0, "height": 120}),
            json!({"x": 12, "y": 40, "width": 100, "height": -5}),
            json!({"x": 12, "y": 40, "width": "NaN", "height": 120}),
            json!({"x": 12, "y": 40, "width": "inf", "height": 120}),
        ] {
            let o = decode(&json!({
                "persons": [{"id": "a", "score": 0.9}],
                "liveness_score": 0.8,
                "face": face,
            }))
            .unwrap_or_else(|e| panic!("{face}: the search itself must still decode: {e}"));
            assert_eq!(o.face, None, "{face}");
            assert_eq!(o.persons.len(), 1, "{face}");
            assert_eq!(o.liveness_score, Some(0.8), "{face}");
        }
    }

    #[test]
    fn scores_outside_0_1_are_refused_or_converted_never_guessed() {
        let e = decode(&json!({"persons": [{"id": "a", "score": 1.7}], "liveness_score": 0.9}))
            .unwrap_err();
        assert!(e.contains("persons[0].score is 1.7"), "{e}");
        let e = decode(&json!({"persons": [{"id": "a", "score": 150}]})).unwrap_err();
        assert!(e.contains("persons[0].score is 150"), "{e}");
        let e = decode(&json!({"persons": [], "liveness_score": "1.5"})).unwrap_err();
        assert!(e.contains("liveness_score is 1.5"), "{e}");
        let e = decode(&json!({"persons": [{"id": "a", "score": "high"}]})).unwrap_err();
        assert!(
            e.contains("persons[0].score is \"high\", not a number"),
            "{e}"
        );
        let o = decode(&json!({
            "persons": [{"id": "a", "score": 87.5}, {"id": "b", "score": "91"}],
            "liveness_score": 92
        }))
        .unwrap();
        assert!(o.percent_scale);
        assert_eq!(o.liveness_score, Some(0.92));
        let scores: Vec<f64> = o.persons.iter().map(|m| m.score).collect();
        assert_eq!(scores, [0.91, 0.875]);
    }
}
