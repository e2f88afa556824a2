//! The Evaluate screen's flow: opening it, a labelled set run by the runner or the
//! history read again and evaluated here, the answers as they come, and its keys.

use std::path::{Path, PathBuf};

use tui_input::Input;

use crate::eval::from_history::{self, Selection};
use crate::eval::measures::LAST_STEP;
use crate::eval::report::Evaluation;
use crate::tui::action::EvalReady;
use crate::tui::effect::{Effect, EvalRequest};
use crate::tui::keymap::Command;

use super::evaluate::{EvalPhase, EvalScreen, EvalSource};
use super::search::fmt_threshold;
use super::state::Popup;
use super::App;

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
        let fx = if self.evaluate.is_none() {
            self.evaluate_history()
        } else {
            Vec::new()
        };
        self.popup = Some(Popup::Evaluate);
        fx
    }

    /// `H` in the screen: the labelled runs of the history, evaluated with no request.
    /// The file is read again first (by the runner): labels made meanwhile by
    /// `liveface history label` or another dashboard count too.
    pub(super) fn evaluate_history(&mut self) -> Vec<Effect> {
        if self.evaluate.as_ref().is_some_and(EvalScreen::is_running) {
            self.notice = Some("an evaluation is running: Esc stops it first".into());
            return Vec::new();
        }
        self.eval_seq += 1;
        let current = self.form_thresholds();
        self.evaluate = Some(EvalScreen::new(
            EvalSource::History,
            self.eval_seq,
            EvalPhase::Preparing,
            current,
        ));
        self.popup = Some(Popup::Evaluate);
        vec![Effect::ReadHistoryForEval { seq: self.eval_seq }]
    }

    /// The history as the file holds it, for evaluation `seq`: labels made elsewhere are
    /// taken into this session's runs, then the runs of the back end in use are evaluated.
    pub(super) fn on_history_for_eval(
        &mut self,
        seq: u64,
        result: Result<Vec<crate::history::Run>, String>,
    ) {
        let current = self.form_thresholds();
        let selection = Selection {
            backend_key: Some(self.backend_key.clone()),
            ..Selection::default()
        };
        let Some(screen) = self.evaluate.as_mut().filter(|s| s.seq == seq) else {
            return; // a newer evaluation replaced this one
        };
        let runs = match result {
            Ok(runs) => runs,
            Err(e) => {
                screen.phase = EvalPhase::Failed(e);
                return;
            }
        };
        for stored in &runs {
            if let Some(mine) = self.runs.iter_mut().find(|r| r.id == stored.id) {
                mine.truth = stored.truth.clone();
            }
        }
        match from_history::evaluate(&runs, Path::new("the history"), &selection, current) {
            Ok(done) => {
                screen.notes = done.left_out;
                screen.show(done.evaluation);
            }
            Err(e) => screen.phase = EvalPhase::Failed(e),
        }
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
        if let Ok(ready) = &result {
            if self.evaluate.as_ref().is_some_and(|s| s.seq == seq) {
                // Probes answered from the journal: requests this session did not pay for.
                self.eval_saved += ready.resumed;
            }
        }
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

    /// The people an evaluation names (mates and top candidates) whose records this
    /// session has not fetched: the errors list shows names, not ids.
    pub(super) fn fetch_eval_names(&self, seq: u64) -> Vec<Effect> {
        let Some(evaluation) = self
            .evaluate
            .as_ref()
            .filter(|s| s.seq == seq)
            .and_then(|s| s.evaluation.as_ref())
        else {
            return Vec::new();
        };
        let named = evaluation
            .probes
            .iter()
            .filter_map(|p| p.result.as_ref())
            .flat_map(|r| r.expected.iter().chain(r.top().map(|c| &c.id)));
        self.fetch_missing_persons(named)
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
            Command::EvalHistory => return self.evaluate_history(),
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
        let fx = self.fetch_missing_persons(&person);
        self.popup = Some(Popup::EvalPair {
            error: Box::new(err),
            person,
        });
        fx
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
