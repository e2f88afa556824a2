//! The Evaluate screen (`E`): a labelled set (the folder highlighted in the file browser)
//! searched once per probe by the runner, or the labelled runs of the history evaluated
//! here with no request; then the measures at two cursors (`min_score`,
//! `liveness_min_score`) the keys move, the errors at the cursors, and a key that copies
//! the cursors' thresholds into the search form. The runner does the I/O
//! (`Effect::PrepareEval` / `RunEval` / `StopEval`); everything here is pure.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tui_input::Input;

use crate::api::scores::reaches_min_score;
use crate::eval::from_history::{self, Selection};
use crate::eval::measures::{
    liveness_point, match_point, threshold, LivenessPoint, MatchPoint, ProbeResult, FIRST_STEP,
    LAST_STEP,
};
use crate::eval::report::{Evaluation, Measures};
use crate::eval::set::Kind;
use crate::tui::action::EvalReady;
use crate::tui::effect::{Effect, EvalRequest};
use crate::tui::keymap::Command;

use super::search::fmt_threshold;
use super::state::{EvalError, Popup};
use super::App;

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
    fn new(source: EvalSource, seq: u64, phase: EvalPhase, current: (f64, f64)) -> EvalScreen {
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

impl App {
    /// The form's thresholds (the defaults when the form holds an invalid value).
    fn form_thresholds(&self) -> (f64, f64) {
        let d = crate::api::model::SearchParams::default();
        let p = self.form.params().ok();
        (
            p.as_ref().map_or(d.min_score, |p| p.min_score),
            p.as_ref()
                .map_or(d.liveness_min_score, |p| p.liveness_min_score),
        )
    }

    /// Global `E`: the Evaluate screen as it was left, else the labelled history runs.
    pub(super) fn open_evaluate(&mut self) -> Vec<Effect> {
        if self.evaluate.is_none() {
            self.evaluate_history();
        }
        self.popup = Some(Popup::Evaluate);
        Vec::new()
    }

    /// `H` in the screen: the labelled runs of the history, evaluated with no request.
    pub(super) fn evaluate_history(&mut self) {
        if self.evaluate.as_ref().is_some_and(EvalScreen::is_running) {
            self.notice = Some("an evaluation is running: Esc stops it first".into());
            return;
        }
        self.eval_seq += 1;
        let current = self.form_thresholds();
        let mut screen = EvalScreen::new(
            EvalSource::History,
            self.eval_seq,
            EvalPhase::Preparing,
            current,
        );
        match from_history::evaluate(
            &self.runs,
            Path::new("the history"),
            &Selection::default(),
            current,
        ) {
            Ok(done) => {
                screen.notes = done.left_out;
                screen.show(done.evaluation);
            }
            Err(e) => screen.phase = EvalPhase::Failed(e),
        }
        self.evaluate = Some(screen);
        self.popup = Some(Popup::Evaluate);
    }

    /// `E` on a folder of the file browser: evaluate it as a labelled set.
    pub(super) fn evaluate_set(&mut self, set: PathBuf) -> Vec<Effect> {
        if self.evaluate.as_ref().is_some_and(EvalScreen::is_running) {
            self.popup = Some(Popup::Evaluate);
            self.notice = Some("an evaluation is running: Esc stops it first".into());
            return Vec::new();
        }
        let params = match self.form.params() {
            Ok(p) => p,
            Err(e) => {
                self.last_error = Some(format!("fix the search form first: {e}"));
                return Vec::new();
            }
        };
        self.eval_seq += 1;
        let seq = self.eval_seq;
        let current = (params.min_score, params.liveness_min_score);
        self.evaluate = Some(EvalScreen::new(
            EvalSource::Set(set.clone()),
            seq,
            EvalPhase::Preparing,
            current,
        ));
        self.popup = Some(Popup::Evaluate);
        vec![Effect::PrepareEval {
            seq,
            request: EvalRequest {
                set,
                params,
                backend_key: self.backend_key.clone(),
                backend_label: self.backend_label.clone(),
            },
        }]
    }

    fn eval_screen(&mut self, seq: u64) -> Option<&mut EvalScreen> {
        self.evaluate.as_mut().filter(|s| s.seq == seq)
    }

    pub(super) fn on_eval_prepared(
        &mut self,
        seq: u64,
        result: Result<EvalReady, String>,
    ) -> Vec<Effect> {
        let billed = self.billed_requests.is_some();
        let now = self.now;
        let Some(screen) = self.eval_screen(seq) else {
            return vec![Effect::StopEval { seq }];
        };
        match result {
            Err(e) => {
                screen.phase = EvalPhase::Failed(e);
                Vec::new()
            }
            Ok(ready) => {
                screen.notes = ready_notes(&ready);
                if billed && ready.to_send > 0 {
                    screen.phase = EvalPhase::Confirm(ready);
                    return Vec::new();
                }
                screen.phase = EvalPhase::Running {
                    done: 0,
                    total: ready.to_send,
                    started: now,
                };
                vec![Effect::RunEval { seq }]
            }
        }
    }

    pub(super) fn on_eval_progress(&mut self, seq: u64, done: usize, total: usize) {
        if let Some(screen) = self.eval_screen(seq) {
            match &mut screen.phase {
                EvalPhase::Running {
                    done: d, total: t, ..
                }
                | EvalPhase::Stopping { done: d, total: t } => {
                    *d = done;
                    *t = total;
                }
                _ => {}
            }
        }
    }

    pub(super) fn on_eval_done(
        &mut self,
        seq: u64,
        evaluation: Evaluation,
        warning: Option<String>,
    ) {
        let Some(screen) = self.eval_screen(seq) else {
            return;
        };
        let complete = evaluation.complete;
        let searched = evaluation.results().len();
        screen.show(evaluation);
        if !complete {
            screen.notes.push(format!(
                "stopped: the figures cover the {searched} probes searched so far (E on the folder resumes)"
            ));
        }
        if let Some(w) = warning {
            self.last_error = Some(w);
        } else {
            self.notice = Some(if complete {
                "evaluation done".into()
            } else {
                "evaluation stopped; what was done is kept".into()
            });
        }
    }

    pub(super) fn on_evaluate_command(&mut self, cmd: Command) -> Vec<Effect> {
        let Some(screen) = self.evaluate.as_mut() else {
            self.popup = None;
            return Vec::new();
        };
        let seq = screen.seq;
        if let EvalPhase::Confirm(ready) = &screen.phase {
            match cmd {
                Command::Yes => {
                    screen.phase = EvalPhase::Running {
                        done: 0,
                        total: ready.to_send,
                        started: self.now,
                    };
                    return vec![Effect::RunEval { seq }];
                }
                Command::No | Command::Cancel => {
                    screen.phase = EvalPhase::Failed("not evaluated: no request was sent".into());
                    return vec![Effect::StopEval { seq }];
                }
                _ => return Vec::new(),
            }
        }
        let (fm, fl) = screen.floors();
        match cmd {
            Command::Cancel => match screen.phase {
                EvalPhase::Running { done, total, .. } => {
                    screen.phase = EvalPhase::Stopping { done, total };
                    self.notice = Some("stopping: the searches in flight finish".into());
                    return vec![Effect::StopEval { seq }];
                }
                EvalPhase::Preparing if matches!(screen.source, EvalSource::Set(_)) => {
                    screen.phase = EvalPhase::Failed("stopped before any request".into());
                    return vec![Effect::StopEval { seq }];
                }
                _ => self.popup = None,
            },
            Command::Left => screen.min_step = screen.min_step.saturating_sub(1).max(fm),
            Command::Right => screen.min_step = (screen.min_step + 1).min(LAST_STEP),
            Command::LivenessDown => screen.live_step = screen.live_step.saturating_sub(1).max(fl),
            Command::LivenessUp => screen.live_step = (screen.live_step + 1).min(LAST_STEP),
            Command::Up => screen.selected = screen.selected.saturating_sub(1),
            Command::Down => screen.selected += 1,
            Command::Enter => return self.open_eval_error(),
            Command::CopyToForm if screen.evaluation.is_some() => {
                let (t, l) = (screen.min_score(), screen.liveness_min_score());
                self.form.min_score = Input::new(fmt_threshold(t));
                self.form.liveness = Input::new(fmt_threshold(l));
                self.notice = Some(format!(
                    "search form: min_score {t:.2}, liveness_min_score {l:.2}"
                ));
            }
            Command::EvalHistory => self.evaluate_history(),
            _ => {}
        }
        if let Some(s) = self.evaluate.as_mut() {
            let n = s.errors().len();
            s.selected = s.selected.min(n.saturating_sub(1));
        }
        Vec::new()
    }

    /// `Enter` on an error: the probe beside the person the search put on top (or the
    /// expected mate when nobody reached the cursor).
    fn open_eval_error(&mut self) -> Vec<Effect> {
        let Some(screen) = &self.evaluate else {
            return Vec::new();
        };
        let Some(err) = screen.errors().into_iter().nth(screen.selected) else {
            return Vec::new();
        };
        let person = err.candidate.clone().or_else(|| {
            (err.measure == "fnir" || err.measure == "bpcer")
                .then(|| err.expected.clone())
                .filter(|e| e != "not enrolled" && e != "?")
        });
        self.popup = Some(Popup::EvalPair {
            error: Box::new(err),
            person: person.clone(),
        });
        match person {
            Some(id) if !self.persons.contains_key(&id) => vec![Effect::FetchPerson { id }],
            _ => Vec::new(),
        }
    }
}

fn ready_notes(r: &EvalReady) -> Vec<String> {
    let mut notes = Vec::new();
    if r.resumed > 0 {
        notes.push(format!(
            "{} of {} probes resumed from the journal (searched before with these parameters)",
            r.resumed, r.probes
        ));
    }
    if r.skipped > 0 {
        notes.push(format!(
            "{} unreadable images skipped, never sent",
            r.skipped
        ));
    }
    notes
}
