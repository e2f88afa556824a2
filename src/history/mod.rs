//! The search history: every run of this and earlier sessions, as append-only JSON lines.
//!
//! A run keeps only what is needed to show, compare and re-filter it: the parameters,
//! the probe's path and file stamp, `{id, score, name}` per match and, when the server
//! sent one, the face box as fractions of the probe. Never the token, never image bytes
//! or thumbnails.
//!
//! - [`run`]: what one run records;
//! - [`record`]: a finished search as a run (the dashboard's and `liveface search`'s);
//! - [`store`]: the JSON-lines file, its lock and run ids;
//! - [`compare`]: the threshold sweep of one run and the comparison of two;
//! - [`refilter`]: when a stored run may answer a new query without a request;
//! - [`label`]: the truth of a run's probe, as the user says it (for `eval --history`);
//! - [`export`]: the export formats (JSON, CSV) and new export files.

mod compare;
pub mod export;
mod label;
mod record;
mod refilter;
mod run;
mod store;

pub use compare::{compare, sweep, sweep_steps, CompareRow, SweepPoint};
pub use label::{LabelSpec, Labelled};
pub use record::{run_of_search, SearchMade};
pub use refilter::{age_words, find_refilter, refilter, RefilterScope};
pub use run::{ProbeStamp, Run, RunMatch, RunOutcome, Truth};
pub use store::{next_id, HistoryStore, Loaded, RunIds};

/// Runs and stamps the unit tests of every part build on.
#[cfg(test)]
mod testdata {
    use chrono::DateTime;

    use super::*;
    use crate::api::model::SearchParams;
    use crate::face_region::FaceRegion;

    pub const KEY: &str = "https://api.example#0123456789ab";

    pub fn stamp() -> ProbeStamp {
        ProbeStamp {
            path: "/p/a.jpg".into(),
            size: 10,
            mtime_ms: Some(5),
        }
    }

    pub fn run(id: u64, min: f64, scores: &[(&str, f64)]) -> Run {
        Run {
            id,
            time: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            probe: stamp(),
            params: SearchParams {
                min_score: min,
                ..SearchParams::default()
            },
            backend: "SANDBOX".into(),
            profile: None,
            backend_key: Some(KEY.into()),
            liveness_score: Some(0.9),
            matches: scores
                .iter()
                .map(|(id, s)| RunMatch {
                    id: id.to_string(),
                    score: *s,
                    name: None,
                })
                .collect(),
            flagged: Vec::new(),
            percent_scale: false,
            elapsed_ms: 12,
            outcome: RunOutcome::Ok,
            refiltered_from: None,
            face: None,
            truth: None,
        }
    }

    pub fn region() -> FaceRegion {
        FaceRegion {
            x: 0.3125,
            y: 0.1,
            width: 0.375,
            height: 0.45,
        }
    }
}
