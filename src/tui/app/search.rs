//! The search form, the probe it sends, and the search itself: start, cancel, answer,
//! and local re-filtering from stored runs.

use std::path::PathBuf;
use std::time::Instant;

use tui_input::Input;

use crate::api::model::{parse_threshold, Os, SearchMode, SearchOutcome, SearchParams};
use crate::api::ApiError;
use crate::config::Refilter;
use crate::history::{self, Run, RunOutcome};
use crate::tui::action::ProbeInfo;
use crate::tui::effect::Effect;

use super::{error_words, App, InFlight, ProbeState, ResultsView, MAX_PERSON_FETCHES};

/// The parameter form's fields, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Os,
    Liveness,
    MinScore,
    Mode,
    Collection,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Os,
        Field::Liveness,
        Field::MinScore,
        Field::Mode,
        Field::Collection,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Os => "os",
            Field::Liveness => "liveness_min_score",
            Field::MinScore => "min_score",
            Field::Mode => "search_mode",
            Field::Collection => "collection",
        }
    }

    pub fn is_text(self) -> bool {
        matches!(self, Field::Liveness | Field::MinScore | Field::Collection)
    }
}

#[derive(Debug)]
pub struct Form {
    pub os: Os,
    pub liveness: Input,
    pub min_score: Input,
    pub mode: SearchMode,
    /// The collection id sent; empty means all collections.
    pub collection: Input,
    pub field: usize,
    pub editing: bool,
}

impl Form {
    pub(super) fn new(p: &SearchParams) -> Form {
        let mut f = Form {
            os: p.os,
            liveness: Input::default(),
            min_score: Input::default(),
            mode: p.search_mode,
            collection: Input::default(),
            field: 0,
            editing: false,
        };
        f.set(p);
        f
    }

    pub fn set(&mut self, p: &SearchParams) {
        self.os = p.os;
        self.mode = p.search_mode;
        self.liveness = Input::new(fmt_threshold(p.liveness_min_score));
        self.min_score = Input::new(fmt_threshold(p.min_score));
        self.collection = Input::new(p.collection_id.clone().unwrap_or_default());
    }

    pub fn field(&self) -> Field {
        Field::ALL[self.field]
    }

    pub fn liveness_error(&self) -> Option<String> {
        parse_threshold("liveness_min_score", self.liveness.value()).err()
    }

    pub fn min_score_error(&self) -> Option<String> {
        parse_threshold("min_score", self.min_score.value()).err()
    }

    /// The parameters, or the first validation error in plain words.
    pub fn params(&self) -> Result<SearchParams, String> {
        let liveness = parse_threshold("liveness_min_score", self.liveness.value())?;
        let min_score = parse_threshold("min_score", self.min_score.value())?;
        let c = self.collection.value().trim();
        Ok(SearchParams {
            os: self.os,
            liveness_min_score: liveness,
            min_score,
            search_mode: self.mode,
            collection_id: (!c.is_empty()).then(|| c.to_string()),
        })
    }

    pub(super) fn input_mut(&mut self) -> Option<&mut Input> {
        match self.field() {
            Field::Liveness => Some(&mut self.liveness),
            Field::MinScore => Some(&mut self.min_score),
            Field::Collection => Some(&mut self.collection),
            _ => None,
        }
    }

    pub(super) fn cycle(&mut self, forward: bool) {
        match self.field() {
            Field::Os => self.os = cycle(&Os::ALL, self.os, forward),
            Field::Mode => self.mode = cycle(&SearchMode::ALL, self.mode, forward),
            _ => {}
        }
    }
}

fn cycle<T: Copy + PartialEq>(all: &[T], cur: T, forward: bool) -> T {
    let i = all.iter().position(|x| *x == cur).unwrap_or(0);
    let n = all.len();
    all[if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }]
}

pub fn fmt_threshold(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

impl App {
    pub(super) fn pick_probe(&mut self, path: PathBuf) -> Effect {
        self.probe_seq += 1;
        self.probe = ProbeState::Loading(path.clone());
        Effect::PrepareProbe {
            seq: self.probe_seq,
            path,
        }
    }

    pub(super) fn on_probe_ready(
        &mut self,
        seq: u64,
        path: PathBuf,
        result: Result<ProbeInfo, String>,
    ) -> Vec<Effect> {
        if seq != self.probe_seq {
            return Vec::new();
        }
        match result {
            Ok(info) => {
                self.probe = ProbeState::Ready(info);
                match self.pending_rerun.take() {
                    Some((params, force)) => {
                        self.form.set(&params);
                        self.start_search(force)
                    }
                    None => Vec::new(),
                }
            }
            Err(e) => {
                self.pending_rerun = None;
                self.last_error = Some(e.clone());
                self.probe = ProbeState::Failed(path, e);
                Vec::new()
            }
        }
    }

    /// F5: validate, re-filter locally when a stored run allows it (unless `force`),
    /// else send a request.
    pub(super) fn start_search(&mut self, force: bool) -> Vec<Effect> {
        if self.in_flight.is_some() {
            self.notice = Some("a search is already running (Esc cancels it)".into());
            return Vec::new();
        }
        let params = match self.form.params() {
            Ok(p) => p,
            Err(e) => {
                self.results = ResultsView::Message(format!("not searching: {e}"));
                return Vec::new();
            }
        };
        let info = match &self.probe {
            ProbeState::Ready(info) => info.clone(),
            ProbeState::Loading(_) => {
                self.pending_rerun = Some((params, force));
                self.notice =
                    Some("the probe is still being prepared; searching when ready".into());
                return Vec::new();
            }
            ProbeState::Failed(_, e) => {
                self.results = ResultsView::Message(format!("not searching: {e}"));
                return Vec::new();
            }
            ProbeState::None => {
                self.results = ResultsView::Message(
                    "not searching: pick a probe image in the file browser first (Enter on an image)"
                        .into(),
                );
                return Vec::new();
            }
        };
        let max_age = match self.refilter {
            Refilter::Never => None,
            Refilter::Session => Some(None),
            Refilter::MaxAge(d) => Some(chrono::Duration::from_std(d).ok()),
        };
        if let (false, Some(max_age)) = (force, max_age) {
            let scope = history::RefilterScope {
                backend_key: &self.backend_key,
                profile: self.profile.as_deref(),
                fresh_from_id: self.session_floor.max(self.refilter_floor),
                max_age,
                stale_before_id: self.refilter_floor,
                now: (self.clock)(),
            };
            if let Some((source, matches)) =
                history::find_refilter(&self.runs, &scope, &info.stamp, &params)
            {
                let run = Run {
                    id: self.run_ids.next(&self.runs),
                    time: (self.clock)(),
                    probe: info.stamp.clone(),
                    backend: source.backend.clone(),
                    profile: source.profile.clone(),
                    backend_key: source.backend_key.clone(),
                    liveness_score: source.liveness_score,
                    // The source's flagged hits below the new min_score stay flagged.
                    flagged: source.flagged.clone(),
                    percent_scale: source.percent_scale,
                    params,
                    matches,
                    elapsed_ms: 0,
                    outcome: RunOutcome::Ok,
                    refiltered_from: Some(source.id),
                    // Same file, so the same face: the box stays valid.
                    face: source.face,
                    // Same file, so the same truth.
                    truth: source.truth.clone(),
                };
                return self.record_run(run);
            }
        }
        let id = self.next_search_id;
        self.next_search_id += 1;
        self.now = Instant::now();
        self.in_flight = Some(InFlight {
            id,
            started: self.now,
            probe: info.stamp.clone(),
            sent: info.sent,
            params: params.clone(),
            retry: None,
            retry_at: None,
        });
        self.last_error = None;
        vec![Effect::Search {
            id,
            image: info.base64.clone(),
            params,
        }]
    }

    /// The gallery changed (a person or collection was written): earlier results are
    /// stale, so the next search sends a real request.
    pub(super) fn gallery_changed(&mut self) {
        self.refilter_floor = history::next_id(&self.runs);
    }

    pub(super) fn cancel_search(&mut self) -> Vec<Effect> {
        match self.in_flight.take() {
            Some(f) => {
                self.notice = Some("search cancelled".into());
                vec![Effect::CancelSearch { id: f.id }]
            }
            None => Vec::new(),
        }
    }

    pub(super) fn on_search_done(
        &mut self,
        id: u64,
        elapsed_ms: u64,
        result: Result<SearchOutcome, ApiError>,
    ) -> Vec<Effect> {
        let Some(flight) = self.in_flight.take_if(|f| f.id == id) else {
            return Vec::new(); // cancelled or stale
        };
        match &result {
            Ok(out) => {
                for m in &out.persons {
                    if let Some(p) = &m.person {
                        self.persons.insert(m.id.clone(), p.clone());
                    }
                }
            }
            Err(e) if !e.is_liveness_failure() => self.last_error = Some(error_words(e)),
            Err(_) => {}
        }
        let made = history::SearchMade {
            probe: flight.probe,
            params: flight.params,
            sent: flight.sent,
            backend: self.backend_label.clone(),
            profile: self.profile.clone(),
            backend_key: self.backend_key.clone(),
            elapsed_ms,
        };
        let id = self.run_ids.next(&self.runs);
        let run = history::run_of_search(id, (self.clock)(), made, &result, error_words);
        let percent_scale = run.percent_scale;
        let fx = self.record_run(run);
        if percent_scale {
            self.notice = Some("the server sent scores on 0–100; shown divided by 100".into());
        }
        fx
    }

    /// Fetches for the people among `ids` whose records this session does not hold: each
    /// once, in the order given, at most [`MAX_PERSON_FETCHES`].
    pub(super) fn fetch_missing_persons<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a String>,
    ) -> Vec<Effect> {
        let mut asked = std::collections::HashSet::new();
        ids.into_iter()
            .filter(|id| !self.persons.contains_key(*id) && asked.insert(*id))
            .take(MAX_PERSON_FETCHES)
            .map(|id| Effect::FetchPerson { id: id.clone() })
            .collect()
    }

    /// Adds a run to history, shows it, saves it and fetches missing names.
    pub(super) fn record_run(&mut self, run: Run) -> Vec<Effect> {
        let unnamed = run.matches.iter().filter(|m| m.name.is_none());
        let mut fx = self.fetch_missing_persons(unnamed.map(|m| &m.id));
        self.results = ResultsView::Run(run.id);
        self.results_selected = 0;
        self.notice = None;
        self.runs.push(run.clone());
        self.history_selected = self.runs.len() - 1;
        fx.insert(0, Effect::SaveRun(Box::new(run)));
        fx
    }
}
