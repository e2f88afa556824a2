//! The app state and `update`: pure and synchronous. It changes state and returns the
//! effects the event loop should run; it never does I/O itself.
//!
//! This file holds the `App` and `update`; the key dispatch is in `keys`, the smaller
//! states in `state`, and each area's handlers live beside it:
//! `browser` (files), `search` (form, probe, search), `persons` (the list) and `editor/`
//! (the edit-form popup, one file per form, and pane 3's writes).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tui_input::Input;

use crate::api::model::{Person, SearchParams};
use crate::history::{Run, RunMatch};

use crate::tui::action::{Action, Pane};
use crate::tui::effect::Effect;
use crate::tui::keymap::Ctx;
use crate::tui::theme::Theme;

mod browser;
mod collections;
mod editor;
mod evaluate;
mod evaluate_flow;
mod export;
mod keys;
mod label;
mod models;
mod paste;
mod persons;
mod profiles;
mod search;
mod state;
mod words;

pub use browser::{contains_ignore_case, Browser};
pub use collections::Collections;
pub use editor::{CollectionDelete, Editor, EditorKind};
pub use evaluate::{EvalPhase, EvalScreen, EvalSource};
pub use label::{options_for, LabelChoice, LabelOption};
pub use models::{ModelsInstall, ModelsPhase};
pub use persons::{PersonList, PERSONS_PAGE};
pub use search::{fmt_threshold, Field, Form};
pub use state::{
    collection_key, collection_label, EvalError, InFlight, Loading, Popup, ProbeState, ResultsView,
};
pub use words::{error_words, file_name, person_label};

/// At most this many person records are fetched for one result list.
const MAX_PERSON_FETCHES: usize = 200;

/// Everything the dashboard shows.
pub struct App {
    pub focus: Pane,
    pub browser: Browser,
    pub form: Form,
    pub probe: ProbeState,
    probe_seq: u64,
    pub collections: Collections,
    pub results: ResultsView,
    pub results_selected: usize,
    pub runs: Vec<Run>,
    pub history_selected: usize,
    pub marked: Option<u64>,
    pub persons: HashMap<String, Person>,
    pub person_list: PersonList,
    /// The open edit form (person or collection), shown by `Popup::Editor`.
    pub editor: Option<Editor>,
    /// The open label choice, shown by `Popup::Label`.
    pub label: Option<LabelChoice>,
    /// The Evaluate screen (`Popup::Evaluate`), kept when closed.
    pub evaluate: Option<EvalScreen>,
    eval_seq: u64,
    pub in_flight: Option<InFlight>,
    /// Runs with a smaller id predate a change to the gallery made here (enrol, edit,
    /// delete), so their matches are stale and never re-filtered.
    refilter_floor: u64,
    /// The first run id of this dashboard session: older runs are re-filtered only
    /// within `refilter` (`refilter_max_age`).
    session_floor: u64,
    /// Which stored runs may answer a query locally.
    pub refilter: crate::config::Refilter,
    /// The back end searches go to, exactly (see `Run::backend_key`).
    pub backend_key: String,
    /// The config profile in use, shown in the status bar and kept with every run.
    pub profile: Option<String>,
    /// Requests sent to a billed API with the current profile (`None` for the sandbox,
    /// which is free); a profile switch starts a new count.
    pub billed_requests: Option<crate::api::client::RequestCounter>,
    /// Evaluation probes answered from a journal this session (requests not sent again).
    pub eval_saved: usize,
    /// Runs from this id on count as "saved" in the status bar (the current profile's).
    counter_floor: u64,
    /// The configured profiles the picker offers (`sandbox` is added to them).
    pub profiles: Vec<String>,
    /// The profile a switch is connecting to.
    pub connecting: Option<String>,
    connect_seq: u64,
    /// Run `R` asked for, waiting for its probe to be prepared.
    pending_rerun: Option<(SearchParams, bool)>,
    next_search_id: u64,
    pub popup: Option<Popup>,
    pub theme: Theme,
    /// Every theme `T` cycles through, with the problem loading it, if any.
    pub themes: Vec<(Theme, Option<String>)>,
    pub backend_label: String,
    pub token_masked: Option<String>,
    pub last_error: Option<String>,
    pub notice: Option<String>,
    pub now: Instant,
    pub spinner: usize,
    /// The zone times are shown in (each time with the offset in effect at that time).
    pub tz: crate::tui::clock::Zone,
    /// The terminal's size in cells (width, height), as the last resize reported it.
    pub screen: (u16, u16),
    /// Wall clock for run times; tests pin it.
    pub clock: fn() -> DateTime<Utc>,
    /// Hands out run ids (shared with other dashboards on the same history file).
    pub run_ids: crate::history::RunIds,
    pub quit: bool,
    /// Decoded pictures (probe, match thumbnails) for the terminal's graphics protocol.
    pub preview: crate::preview::PreviewCache,
    /// How images are drawn, as the help overlay shows it ("halfblocks (…)", "off").
    pub images: String,
    /// The face models' install offer (embedded sandbox on the pixel engine only).
    pub models: Option<ModelsInstall>,
}

/// What the app needs to start.
pub struct AppInit {
    pub start_dir: PathBuf,
    pub defaults: SearchParams,
    pub theme: Theme,
    pub themes: Vec<(Theme, Option<String>)>,
    pub backend_label: String,
    /// Base URL and token fingerprint, or the embedded sandbox and its engine.
    pub backend_key: String,
    pub profile: Option<String>,
    pub refilter: crate::config::Refilter,
    pub token_masked: Option<String>,
    pub runs: Vec<Run>,
    pub warnings: Vec<String>,
    pub tz: crate::tui::clock::Zone,
}

impl App {
    /// Creates the app and the effects that load its first data.
    pub fn new(init: AppInit, initial_image: Option<PathBuf>) -> (App, Vec<Effect>) {
        let history_selected = init.runs.len().saturating_sub(1);
        let session_floor = crate::history::next_id(&init.runs);
        let mut app = App {
            focus: Pane::Browser,
            browser: Browser::new(init.start_dir.clone()),
            form: Form::new(&init.defaults),
            probe: ProbeState::None,
            probe_seq: 0,
            collections: Collections {
                load: Loading::Idle,
                filter: Input::default(),
                filtering: false,
                selected: 0,
                delete: None,
                reselect: None,
            },
            results: ResultsView::Empty,
            results_selected: 0,
            runs: init.runs,
            history_selected,
            marked: None,
            persons: HashMap::new(),
            person_list: PersonList {
                page: 1,
                ..PersonList::default()
            },
            editor: None,
            label: None,
            evaluate: None,
            eval_seq: 0,
            refilter_floor: 0,
            session_floor,
            refilter: init.refilter,
            backend_key: init.backend_key,
            profile: init.profile,
            billed_requests: None,
            eval_saved: 0,
            counter_floor: session_floor,
            profiles: Vec::new(),
            connecting: None,
            connect_seq: 0,
            in_flight: None,
            pending_rerun: None,
            next_search_id: 1,
            popup: None,
            theme: init.theme,
            themes: init.themes,
            backend_label: init.backend_label,
            token_masked: init.token_masked,
            last_error: init.warnings.last().cloned(),
            notice: None,
            now: Instant::now(),
            spinner: 0,
            tz: init.tz,
            screen: (80, 24),
            clock: Utc::now,
            run_ids: crate::history::RunIds::local(),
            quit: false,
            preview: crate::preview::PreviewCache::new(None),
            images: "off".into(),
            models: None,
        };
        let mut fx = vec![app.open_dir(init.start_dir, None), app.load_collections()];
        if let Some(img) = initial_image {
            fx.push(app.pick_probe(img));
        }
        (app, fx)
    }

    pub fn run(&self, id: u64) -> Option<&Run> {
        self.runs.iter().find(|r| r.id == id)
    }

    /// `y` on a run: its curl command, made where the run's back end can be reached — a
    /// cloud run by its base URL, a sandbox run only by this session's embedded sandbox
    /// (never sent to another back end by mistake).
    fn curl_of(&mut self, run: Run) -> Vec<Effect> {
        use crate::connect::EMBEDDED_KEY_PREFIX;
        let key = run.backend_key.as_deref();
        let reachable = match key {
            None => Err("it predates back-end records in the history"),
            Some(k)
                if k.starts_with(EMBEDDED_KEY_PREFIX)
                    && !self.backend_key.starts_with(EMBEDDED_KEY_PREFIX) =>
            {
                Err("it went to the embedded sandbox, which this session does not run")
            }
            Some(_) => Ok(()),
        };
        match reachable {
            Ok(()) => {
                self.notice = Some(format!("writing run #{}'s request …", run.id));
                vec![Effect::CurlOf(Box::new(run))]
            }
            Err(why) => {
                self.last_error = Some(format!("no curl command for run #{}: {why}", run.id));
                Vec::new()
            }
        }
    }

    /// Searches of this session answered by re-filtering a stored run: requests (and
    /// credits) saved.
    pub fn requests_saved(&self) -> usize {
        self.runs
            .iter()
            .filter(|r| r.id >= self.counter_floor && r.refiltered_from.is_some())
            .count()
            + self.eval_saved
    }

    /// The run the results pane shows.
    pub fn shown_run(&self) -> Option<&Run> {
        match self.results {
            ResultsView::Run(id) => self.run(id),
            _ => None,
        }
    }

    pub fn selected_run(&self) -> Option<&Run> {
        self.runs.get(self.history_selected)
    }

    /// A match's name: from the run, else from a fetched person record.
    pub fn match_name<'a>(&'a self, m: &'a RunMatch) -> Option<&'a str> {
        m.name
            .as_deref()
            .or_else(|| self.persons.get(&m.id).and_then(|p| p.name.as_deref()))
    }

    /// True while a text input has the keys.
    pub fn in_text_input(&self) -> bool {
        match self.focus {
            Pane::Browser => self.browser.filtering,
            Pane::Form => self.form.editing,
            Pane::Collections => self.collections.filtering,
            _ => false,
        }
    }

    /// The keymap contexts that apply now, most specific first.
    pub fn contexts(&self) -> Vec<Ctx> {
        match &self.popup {
            Some(Popup::ConfirmQuit) => vec![Ctx::Confirm],
            Some(Popup::Persons) if self.person_list.filtering => vec![Ctx::Input],
            Some(Popup::Persons) => vec![Ctx::Persons],
            Some(Popup::ConfirmDelete { .. } | Popup::ConfirmDeleteCollection) => {
                vec![Ctx::ConfirmDelete]
            }
            Some(Popup::Editor) if self.editor_typing() => vec![Ctx::Input],
            Some(Popup::Editor) => vec![Ctx::Editor],
            Some(Popup::ConfirmReplaceFaces) => vec![Ctx::Confirm],
            Some(Popup::Label) if self.label_typing() => vec![Ctx::Input],
            Some(Popup::Label) => vec![Ctx::Label],
            Some(Popup::Evaluate)
                if self
                    .evaluate
                    .as_ref()
                    .is_some_and(|e| matches!(e.phase, EvalPhase::Confirm(_))) =>
            {
                vec![Ctx::Confirm]
            }
            Some(Popup::Evaluate) => vec![Ctx::Evaluate],
            Some(Popup::Profiles { .. }) => vec![Ctx::Picker],
            Some(_) => vec![Ctx::Popup],
            None if self.in_text_input() => vec![Ctx::Input],
            None => vec![Ctx::of(self.focus), Ctx::Global],
        }
    }

    /// True while something animates (spinner, elapsed time).
    pub fn is_busy(&self) -> bool {
        self.in_flight.is_some()
            || self.collections.load == Loading::Loading
            || self.browser.loading
            || self.person_list.loading
            || !self.person_list.deleting.is_empty()
            || self.editor.as_ref().is_some_and(|e| e.saving)
            || self.collections.delete.as_ref().is_some_and(|d| d.sending)
            || matches!(self.probe, ProbeState::Loading(_))
            || self.models.as_ref().is_some_and(ModelsInstall::is_busy)
            || self.evaluate.as_ref().is_some_and(EvalScreen::is_running)
    }

    // ---- update --------------------------------------------------------------

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let (notice, error) = (self.notice.clone(), self.last_error.clone());
        let fx = self.apply(action);
        // The status bar shows one message: the newest, whether a notice or an error.
        if self.notice.is_some() && self.notice != notice {
            self.last_error = None;
        } else if self.last_error.is_some() && self.last_error != error {
            self.notice = None;
        }
        fx
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Key(key) => self.on_key(key),
            Action::Paste(text) => {
                self.on_paste(text);
                Vec::new()
            }
            Action::Resize { width, height } => {
                self.screen = (width, height);
                Vec::new()
            }
            Action::Tick => {
                self.now = Instant::now();
                self.spinner = self.spinner.wrapping_add(1);
                Vec::new()
            }
            Action::DirLoaded { seq, dir, result } => {
                self.on_dir_loaded(seq, dir, result);
                Vec::new()
            }
            Action::ProbeReady { seq, path, result } => self.on_probe_ready(seq, path, result),
            Action::CollectionsLoaded(result) => {
                self.collections.load = match result {
                    Ok(list) => Loading::Loaded(list),
                    Err(e) => Loading::Failed(e),
                };
                self.collections.selected = 0;
                self.reselect_collection();
                Vec::new()
            }
            Action::SearchDone {
                id,
                elapsed_ms,
                result,
            } => self.on_search_done(id, elapsed_ms, result),
            Action::CurlReady(Ok(command)) => {
                self.notice = Some(
                    "curl command copied (OSC 52, where the terminal allows it); Esc closes".into(),
                );
                self.popup = Some(Popup::Curl {
                    command: command.clone(),
                });
                vec![Effect::Clipboard(command)]
            }
            Action::CurlReady(Err(e)) => {
                self.last_error = Some(e);
                Vec::new()
            }
            Action::Connected { seq, to, result } => self.on_connected(seq, to, result),
            Action::ProfilesListed(result) => {
                self.on_profiles_listed(result);
                Vec::new()
            }
            Action::Exported(result) => {
                self.on_exported(result);
                Vec::new()
            }
            Action::SearchRetrying { id, notice } => {
                if let Some(f) = self.in_flight.as_mut().filter(|f| f.id == id) {
                    f.retry = Some(notice);
                    f.retry_at = Some(self.now);
                }
                Vec::new()
            }
            Action::PersonLoaded { id, result } => {
                match result {
                    Ok(p) => {
                        self.persons.insert(id, p);
                    }
                    Err(e) => self.last_error = Some(format!("person {id}: {e}")),
                }
                Vec::new()
            }
            Action::PersonsLoaded { seq, result } => {
                self.on_persons_loaded(seq, result);
                Vec::new()
            }
            Action::PersonDeleted {
                id,
                collection,
                result,
            } => {
                self.on_person_deleted(id, collection, result);
                Vec::new()
            }
            Action::PersonSaved(result) => {
                self.on_person_saved(result);
                Vec::new()
            }
            Action::CollectionCreated(result) => self.on_collection_created(result),
            Action::CollectionUpdated { id, result } => self.on_collection_updated(id, result),
            Action::CollectionDeleted { id, result } => self.on_collection_deleted(id, result),
            Action::Warning(w) => {
                self.last_error = Some(w);
                Vec::new()
            }
            Action::Preview(done) => {
                self.preview.complete(done);
                Vec::new()
            }
            Action::Terminate => self.quit_now(),
            Action::EvalPrepared { seq, result } => self.on_eval_prepared(seq, result),
            Action::EvalProgress { seq, done, total } => {
                self.on_eval_progress(seq, done, total);
                Vec::new()
            }
            Action::EvalDone {
                seq,
                evaluation,
                warning,
            } => {
                self.on_eval_done(seq, *evaluation, warning);
                self.fetch_eval_names(seq)
            }
            Action::HistoryForEval { seq, result } => {
                self.on_history_for_eval(seq, result);
                self.fetch_eval_names(seq)
            }
            Action::LabelSaved { run, result } => {
                self.on_label_saved(run, result);
                Vec::new()
            }
            Action::Logged { lines, path } => {
                let what = if lines == 1 { "a problem" } else { "problems" };
                self.last_error = Some(format!(
                    "{what} logged to {} (shown again on exit)",
                    path.display()
                ));
                Vec::new()
            }
            a @ (Action::ModelsProgress { .. }
            | Action::ModelsInstalled { .. }
            | Action::EngineSwitched(_)) => self.on_models_action(a),
        }
    }

    fn quit_now(&mut self) -> Vec<Effect> {
        self.quit = true;
        let mut fx = self.cancel_search();
        fx.push(Effect::Quit);
        fx
    }

    // ---- collections -------------------------------------------------------------

    fn load_collections(&mut self) -> Effect {
        self.collections.load = Loading::Loading;
        Effect::LoadCollections
    }
}
