//! The Evaluate screen (`E`): a labelled set (the folder highlighted in the file browser)
//! searched once per probe by the runner, or the labelled runs of the history evaluated
//! here with no request; then the measures at two cursors (`min_score`,
//! `liveness_min_score`) the keys move, the errors at the cursors, and a key that copies
//! the cursors' thresholds into the search form. The runner does the I/O
//! (`Effect::PrepareEval` / `RunEval` / `StopEval`); everything here is pure.

use std::path::PathBuf;
use std::time::Instant;

use crate::api::scores::reaches_min_score;
use crate::eval::measures::{
    liveness_point, match_point, threshold, LivenessPoint, MatchPoint, ProbeResult, FIRST_STEP,
    LAST_STEP,
};
use crate::eval::report::{Evaluation, Measures};
use crate::eval::set::Kind;
use crate::tui::action::EvalReady;

use super::state::EvalError;

/// What is evaluated.
#[derive(Clone, Debug, PartialEq)]
pub enum EvalSource {
    /// A labelled set: a folder (or CSV manifest) searched once per probe.
    Set(PathBuf),
    /// The labelled runs of the history: no request.
    History,
}

/// Where an evaluation is.
#[derive(Clone, Debug, PartialEq)]
pub enum EvalPhase {
    /// The runner reads the set and resolves its names.
    Preparing,
    /// A billed back end: "N requests (N credits) will be sent — continue?".
    Confirm(EvalReady),
    /// Searching: `done` of `total` searches finished.
    Running {
        done: usize,
        total: usize,
        started: Instant,
    },
    /// Esc was pressed: the searches in flight finish, no new one starts.
    Stopping { done: usize, total: usize },
    /// The measures are shown.
    Ready,
    /// Plain words: why there is nothing to show.
    Failed(String),
}

/// The Evaluate screen's state.
#[derive(Clone, Debug)]
pub struct EvalScreen {
    pub source: EvalSource,
    /// Drops answers of a replaced evaluation.
    pub seq: u64,
    pub phase: EvalPhase,
    pub evaluation: Option<Evaluation>,
    pub measures: Option<Measures>,
    /// The evaluation's results, as the measures read them.
    pub results: Vec<ProbeResult>,
    /// The `min_score` cursor, in hundredths (50–100).
    pub min_step: u32,
    /// The `liveness_min_score` cursor, in hundredths (50–100).
    pub live_step: u32,
    /// The highlighted error at the cursors.
    pub selected: usize,
    /// Plain words shown under the heading (runs left out, resumed probes…).
    pub notes: Vec<String>,
}

/// A threshold in 0–1 as a grid step, rounded up to the grid (0.805 → 81).
fn step_of(t: f64) -> u32 {
    ((t * 100.0 - 1e-6).ceil() as u32).clamp(FIRST_STEP, LAST_STEP)
}

impl EvalScreen {
    pub(super) fn new(
        source: EvalSource,
        seq: u64,
        phase: EvalPhase,
        current: (f64, f64),
    ) -> EvalScreen {
        EvalScreen {
            source,
            seq,
            phase,
            evaluation: None,
            measures: None,
            results: Vec::new(),
            min_step: step_of(current.0),
            live_step: step_of(current.1),
            selected: 0,
            notes: Vec::new(),
        }
    }

    /// Shows a finished evaluation, the cursors on its configured thresholds (never
    /// below what the searches observed).
    pub fn show(&mut self, evaluation: Evaluation) {
        self.results = evaluation.results();
        self.measures = Some(evaluation.measures());
        self.min_step = step_of(evaluation.current.0);
        self.live_step = step_of(evaluation.current.1);
        self.evaluation = Some(evaluation);
        self.phase = EvalPhase::Ready;
        self.selected = 0;
        self.clamp_cursors();
    }

    /// The lowest steps the evaluation measures: its searches' floors.
    pub fn floors(&self) -> (u32, u32) {
        self.evaluation
            .as_ref()
            .map_or((FIRST_STEP, FIRST_STEP), |e| {
                (
                    step_of(e.params.min_score),
                    step_of(e.params.liveness_min_score),
                )
            })
    }

    fn clamp_cursors(&mut self) {
        let (fm, fl) = self.floors();
        self.min_step = self.min_step.clamp(fm, LAST_STEP);
        self.live_step = self.live_step.clamp(fl, LAST_STEP);
    }

    pub fn min_score(&self) -> f64 {
        threshold(self.min_step)
    }

    pub fn liveness_min_score(&self) -> f64 {
        threshold(self.live_step)
    }

    /// The measures at the cursors (`None` until there is an evaluation).
    pub fn at_cursor(&self) -> Option<(MatchPoint, LivenessPoint)> {
        self.evaluation.as_ref()?;
        Some((
            match_point(&self.results, self.min_score()),
            liveness_point(&self.results, self.liveness_min_score()),
        ))
    }

    /// Every probe the cursors decide wrongly, identification errors first.
    pub fn errors(&self) -> Vec<EvalError> {
        let Some(e) = &self.evaluation else {
            return Vec::new();
        };
        let (t, l) = (self.min_score(), self.liveness_min_score());
        let mut ident = Vec::new();
        let mut live = Vec::new();
        for p in &e.probes {
            let Some(r) = &p.result else { continue };
            let top = r.top().filter(|c| reaches_min_score(c.score, t));
            let failed_floor = r.liveness_passed_floor == Some(false);
            let got_of = || match top {
                Some(c) => c.id.clone(),
                None if failed_floor => "failed liveness".into(),
                None => format!("none ≥ {t:.2}"),
            };
            if r.error.is_none() {
                match r.kind {
                    Kind::Mated if !(r.top_is_mate() && top.is_some()) => ident.push(EvalError {
                        probe: p.path.clone(),
                        measure: "fnir",
                        expected: r.expected.clone().unwrap_or_else(|| "?".into()),
                        got: got_of(),
                        candidate: top.map(|c| c.id.clone()),
                        // Nobody reached the cursor: the mate's score shows how far off.
                        score: top.map(|c| c.score).or_else(|| r.mate_score()),
                    }),
                    Kind::Nonmated if top.is_some() => ident.push(EvalError {
                        probe: p.path.clone(),
                        measure: "fpir",
                        expected: "not enrolled".into(),
                        got: got_of(),
                        candidate: top.map(|c| c.id.clone()),
                        score: top.map(|c| c.score),
                    }),
                    _ => {}
                }
            }
            match (r.kind, r.passes_liveness(l)) {
                (Kind::Attack, Some(true)) => live.push(EvalError {
                    probe: p.path.clone(),
                    measure: "apcer",
                    expected: "attack".into(),
                    got: "passed liveness".into(),
                    candidate: top.map(|c| c.id.clone()),
                    score: r.liveness_score,
                }),
                (Kind::Mated | Kind::Nonmated, Some(false)) => live.push(EvalError {
                    probe: p.path.clone(),
                    measure: "bpcer",
                    expected: r.expected.clone().unwrap_or_else(|| "not enrolled".into()),
                    got: "failed liveness".into(),
                    candidate: None,
                    score: r.liveness_score,
                }),
                _ => {}
            }
        }
        ident.extend(live);
        ident
    }

    pub fn is_running(&self) -> bool {
        matches!(
            self.phase,
            EvalPhase::Preparing | EvalPhase::Running { .. } | EvalPhase::Stopping { .. }
        )
    }
}
