//! A finished search as a run: the one conversion the dashboard and `liveface search`
//! share, so a run reads the same whichever of them made it.

use chrono::{DateTime, Utc};

use super::run::{ProbeStamp, Run, RunMatch, RunOutcome};
use crate::api::model::{Match, SearchOutcome, SearchParams};
use crate::api::ApiError;
use crate::face_region::FaceRegion;

/// Everything about a search apart from its answer.
#[derive(Clone, Debug)]
pub struct SearchMade {
    pub probe: ProbeStamp,
    pub params: SearchParams,
    /// Pixel size of the upload (width, height): the server's face box is in these pixels.
    pub sent: (u32, u32),
    /// Where the request went, in words (`SANDBOX · …` or the API host).
    pub backend: String,
    pub profile: Option<String>,
    /// See [`Run::backend_key`].
    pub backend_key: String,
    pub elapsed_ms: u64,
}

/// Run `id` of a search that ended with `result` at `time`.
///
/// Matches are kept best first; hits the server sent below `min_score` are kept apart
/// as flagged; a liveness failure keeps its score; any other error keeps
/// `error_words(e)`, the caller's plain words for it.
pub fn run_of_search(
    id: u64,
    time: DateTime<Utc>,
    made: SearchMade,
    result: &Result<SearchOutcome, ApiError>,
    error_words: impl FnOnce(&ApiError) -> String,
) -> Run {
    let mut face = None;
    let mut flagged = Vec::new();
    let mut percent_scale = false;
    let (outcome, liveness_score, matches) = match result {
        Ok(out) => {
            let mut matches = run_matches(&out.persons);
            matches.sort_by(|a, b| b.score.total_cmp(&a.score));
            flagged = run_matches(&out.below_min_score);
            percent_scale = out.percent_scale;
            // The server's pixels are the upload's: fractions of its size fit any preview.
            face = out
                .face
                .and_then(|b| FaceRegion::from_pixels(&b, made.sent));
            (RunOutcome::Ok, out.liveness_score, matches)
        }
        Err(e) if e.is_liveness_failure() => {
            let score = e.liveness_score();
            (RunOutcome::LivenessFailed { score }, score, Vec::new())
        }
        Err(e) => (
            RunOutcome::Error {
                message: error_words(e),
            },
            None,
            Vec::new(),
        ),
    };
    Run {
        id,
        time,
        probe: made.probe,
        params: made.params,
        backend: made.backend,
        profile: made.profile,
        backend_key: Some(made.backend_key),
        liveness_score,
        matches,
        flagged,
        percent_scale,
        elapsed_ms: made.elapsed_ms,
        outcome,
        refiltered_from: None,
        face,
        truth: None,
    }
}

/// Hits as history keeps them: id, score and the name when the server sent one.
fn run_matches(hits: &[Match]) -> Vec<RunMatch> {
    hits.iter()
        .map(|m| RunMatch {
            id: m.id.clone(),
            score: m.score,
            name: m.name().map(str::to_owned),
        })
        .collect()
}
