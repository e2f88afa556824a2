//! The app state and `update`: pure and synchronous. It changes state and returns the
//! effects the event loop should run; it never does I/O itself.
//!
//! This file holds the state and the key dispatch; each area's handlers live beside it:
//! `browser` (files), `search` (form, probe, search), `persons` (the list) and `editor/`
//! (the edit-form popup, one file per form, and pane 3's writes).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use crate::api::model::{Collection, Person, SearchParams};
use crate::api::{ApiError, ErrorKind};
use crate::history::{ProbeStamp, Run, RunMatch};

use crate::tui::action::{Action, Pane, ProbeInfo};
use crate::tui::effect::Effect;
use crate::tui::keymap::{self, Command, Ctx};
use crate::tui::theme::Theme;

mod browser;
mod editor;
mod paste;
mod persons;
mod search;

pub use browser::{contains_ignore_case, Browser};
pub use editor::{CollectionDelete, Editor, EditorKind};
pub use persons::{PersonList, PERSONS_PAGE};
pub use search::{fmt_threshold, Field, Form};

/// How many rows PageUp/PageDown move.
const PAGE: usize = 10;
/// At most this many person records are fetched for one result list.
const MAX_PERSON_FETCHES: usize = 200;

/// Something that loads in the background.
#[derive(Clone, Debug, PartialEq)]
pub enum Loading<T> {
    Idle,
    Loading,
    Loaded(T),
    Failed(String),
}

#[derive(Debug)]
pub struct Collections {
    pub load: Loading<Vec<Collection>>,
    pub filter: Input,
    pub filtering: bool,
    /// Index into `visible()`; 0 is "all collections".
    pub selected: usize,
    /// The delete question of pane 3 (`Popup::ConfirmDeleteCollection`) and its request.
    pub delete: Option<CollectionDelete>,
    /// The collection (by id) to put the cursor on when the list next loads.
    pub reselect: Option<String>,
}

impl Collections {
    /// `None` first ("all collections"), then the collections matching the filter.
    pub fn visible(&self) -> Vec<Option<&Collection>> {
        let needle = self.filter.value().to_lowercase();
        let mut out = vec![None];
        if let Loading::Loaded(list) = &self.load {
            out.extend(
                list.iter()
                    .filter(|c| {
                        needle.is_empty()
                            || c.name.to_lowercase().contains(&needle)
                            || c.id.to_lowercase().contains(&needle)
                    })
                    .map(Some),
            );
        }
        out
    }
}

/// The id a collection is searched by: its face-engine code when it has one.
pub fn collection_key(c: &Collection) -> &str {
    c.code.as_deref().unwrap_or(&c.id)
}

/// A collection's name, else its id.
pub fn collection_label(c: &Collection) -> &str {
    if c.name.is_empty() {
        &c.id
    } else {
        &c.name
    }
}

/// The probe picked for the next search.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeState {
    None,
    Loading(PathBuf),
    Ready(ProbeInfo),
    Failed(PathBuf, String),
}

/// What the results pane shows.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultsView {
    Empty,
    /// A finished run from history, by id.
    Run(u64),
    /// Plain words for a failure that is not a run (e.g. form invalid, no probe).
    Message(String),
}

#[derive(Debug)]
pub struct InFlight {
    pub id: u64,
    pub started: Instant,
    pub probe: ProbeStamp,
    /// Pixel size of the upload: the server's face box is in these pixels.
    pub sent: (u32, u32),
    pub params: SearchParams,
    /// The client's latest retry of this search, if it retried.
    pub retry: Option<crate::api::client::RetryNotice>,
    /// When that notice arrived, to count its budget down.
    pub retry_at: Option<Instant>,
}

impl InFlight {
    /// While the client retries, at `now`: (time until the retry starts, time left of
    /// the call's budget), both counting down from the latest notice.
    pub fn retry_countdown(&self, now: Instant) -> Option<(Duration, Duration)> {
        let notice = self.retry.as_ref()?;
        let since = now.saturating_duration_since(self.retry_at?);
        Some((
            notice.wait.saturating_sub(since),
            (notice.budget_left + notice.wait).saturating_sub(since),
        ))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    ConfirmQuit,
    Detail {
        person_id: String,
        scroll: usize,
    },
    Compare {
        a: u64,
        b: u64,
        scroll: usize,
    },
    Sweep {
        run: u64,
    },
    Preview,
    /// The persons list; its state is `App::person_list`.
    Persons,
    /// "Delete Ana Gómez from every collection? y/n", or detach from the listed one.
    ConfirmDelete {
        id: String,
        name: String,
        /// The collection the list shows (id or code) and its name: `c` detaches.
        collection: Option<(String, String)>,
    },
    /// The open edit form; its state is `App::editor`.
    Editor,
    /// "Delete collection Staff?"; its state is `App::collections.delete`.
    ConfirmDeleteCollection,
    /// "Replace Ana's faces? The old faces will be replaced." for the editor's save.
    ConfirmReplaceFaces,
    /// A run's request as a curl command, to select by hand where OSC 52 does not work.
    Curl {
        command: String,
    },
}

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
    /// Requests sent to a billed API this session (`None` for the sandbox, which is free).
    pub billed_requests: Option<crate::api::client::RequestCounter>,
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
            refilter_floor: 0,
            session_floor,
            refilter: init.refilter,
            backend_key: init.backend_key,
            profile: init.profile,
            billed_requests: None,
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
            .filter(|r| r.id >= self.session_floor && r.refiltered_from.is_some())
            .count()
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
            Action::Logged { lines, path } => {
                let what = if lines == 1 { "a problem" } else { "problems" };
                self.last_error = Some(format!(
                    "{what} logged to {} (shown again on exit)",
                    path.display()
                ));
                Vec::new()
            }
        }
    }

    fn quit_now(&mut self) -> Vec<Effect> {
        self.quit = true;
        let mut fx = self.cancel_search();
        fx.push(Effect::Quit);
        fx
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // No binding uses Alt. Terminals send Esc-then-key typed quickly (or over a slow
        // SSH link) as Alt+key, so treat it as exactly that: Esc, then the key.
        if key.modifiers.contains(KeyModifiers::ALT) {
            let mut fx = self.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            let mut plain = key;
            plain.modifiers.remove(KeyModifiers::ALT);
            fx.extend(self.on_key(plain));
            return fx;
        }
        let ctxs = self.contexts();
        match keymap::lookup(&key, &ctxs) {
            Some(cmd) => self.on_command(cmd),
            None if ctxs == [Ctx::Input] => {
                self.edit_input(key);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// A key that goes into the focused text input.
    fn edit_input(&mut self, key: KeyEvent) {
        let event = Event::Key(key);
        if self.popup == Some(Popup::Editor) {
            self.editor_key(key);
            return;
        }
        if self.popup == Some(Popup::Persons) {
            if self.person_list.filter.handle_event(&event).is_some() {
                self.person_list.selected = 0;
            }
            return;
        }
        match self.focus {
            Pane::Browser if self.browser.filter.handle_event(&event).is_some() => {
                self.browser.selected = 0;
                self.browser.refresh_visible();
            }
            Pane::Collections if self.collections.filter.handle_event(&event).is_some() => {
                self.collections.selected = 0;
            }
            Pane::Form => {
                if let Some(input) = self.form.input_mut() {
                    input.handle_event(&event);
                }
            }
            _ => {}
        }
    }

    pub fn on_command(&mut self, cmd: Command) -> Vec<Effect> {
        // Commands valid everywhere first.
        match cmd {
            Command::ForceQuit => return self.quit_now(),
            Command::Search => return self.start_search(false),
            Command::ForceSearch => return self.start_search(true),
            Command::Persons => return self.open_persons(),
            _ => {}
        }
        if let Some(popup) = self.popup.clone() {
            return self.on_popup_command(popup, cmd);
        }
        if self.in_text_input() {
            match cmd {
                Command::Done => self.leave_input(),
                Command::FocusNext | Command::FocusPrev => {
                    self.leave_input();
                    self.move_focus(cmd == Command::FocusNext);
                }
                _ => {}
            }
            return Vec::new();
        }
        match cmd {
            Command::FocusNext => self.move_focus(true),
            Command::FocusPrev => self.move_focus(false),
            Command::Focus(p) => self.focus = p,
            Command::Cancel => {
                if self.in_flight.is_some() {
                    return self.cancel_search();
                }
            }
            Command::Help => self.popup = Some(Popup::Help { scroll: 0 }),
            Command::CycleTheme => self.cycle_theme(),
            Command::Quit => {
                if self.in_flight.is_some() {
                    self.popup = Some(Popup::ConfirmQuit);
                } else {
                    return self.quit_now();
                }
            }
            Command::Up => self.move_selection(-1),
            Command::Down => self.move_selection(1),
            Command::PageUp => self.move_selection(-(PAGE as isize)),
            Command::PageDown => self.move_selection(PAGE as isize),
            Command::Top => self.move_selection(isize::MIN / 2),
            Command::Bottom => self.move_selection(isize::MAX / 2),
            _ => return self.on_pane_command(cmd),
        }
        Vec::new()
    }

    /// `T`: the next theme; a broken one falls back to the default and says why.
    fn cycle_theme(&mut self) {
        if self.themes.is_empty() {
            return;
        }
        let i = self
            .themes
            .iter()
            .position(|(t, _)| t.name == self.theme.name)
            .map_or(0, |i| (i + 1) % self.themes.len());
        let (theme, problem) = self.themes[i].clone();
        self.notice = Some(format!("theme: {}", theme.name));
        if problem.is_some() {
            self.last_error = problem;
        }
        self.theme = theme;
    }

    fn on_popup_command(&mut self, popup: Popup, cmd: Command) -> Vec<Effect> {
        match (popup, cmd) {
            (Popup::Persons, cmd) => return self.on_persons_command(cmd),
            (Popup::ConfirmDelete { id, .. }, Command::Yes) => {
                return self.delete_person(id, None).into_iter().collect();
            }
            (
                Popup::ConfirmDelete {
                    id,
                    collection: Some((c, _)),
                    ..
                },
                Command::Detach,
            ) => {
                return self.delete_person(id, Some(c)).into_iter().collect();
            }
            (Popup::ConfirmDelete { .. }, Command::No | Command::Cancel) => {
                self.popup = Some(Popup::Persons)
            }
            (Popup::Editor, cmd) => return self.on_editor_command(cmd),
            (Popup::ConfirmDeleteCollection, cmd) => return self.on_delete_collection_command(cmd),
            (Popup::ConfirmReplaceFaces, Command::Yes) => return self.on_confirm_replace(true),
            (Popup::ConfirmReplaceFaces, Command::No | Command::Cancel) => {
                return self.on_confirm_replace(false)
            }
            (Popup::Detail { person_id, .. }, Command::Edit) => {
                if let Some(p) = self.persons.get(&person_id).cloned() {
                    return self.open_edit_person(p);
                }
                self.notice = Some("the record is still loading".into());
            }
            (Popup::Detail { .. }, Command::Cancel) if self.editor.is_some() => {
                self.popup = Some(Popup::Editor);
            }
            (Popup::Detail { .. }, Command::Cancel) if self.person_list.reopen => {
                self.person_list.reopen = false;
                self.popup = Some(Popup::Persons);
            }
            (Popup::ConfirmQuit, Command::Yes) => return self.quit_now(),
            (Popup::ConfirmQuit, Command::No) => self.popup = None,
            (_, Command::Cancel) => self.popup = None,
            (p, Command::Up | Command::Down) => {
                let down = cmd == Command::Down;
                let step = |s: usize| {
                    if down {
                        s + 1
                    } else {
                        s.saturating_sub(1)
                    }
                };
                self.popup = Some(match p {
                    Popup::Help { scroll } => Popup::Help {
                        scroll: step(scroll),
                    },
                    Popup::Detail { person_id, scroll } => Popup::Detail {
                        person_id,
                        scroll: step(scroll),
                    },
                    Popup::Compare { a, b, scroll } => Popup::Compare {
                        a,
                        b,
                        scroll: step(scroll),
                    },
                    other => other,
                });
                // Scrolling stops where the content ends (`crate::tui::update` clamps it
                // after this), so ↑ answers at once.
            }
            _ => {}
        }
        Vec::new()
    }

    /// Keeps the open popup's scroll within `max`: how far its content scrolls at the
    /// current terminal size, which only the drawing code can measure, so the caller
    /// ([`crate::tui::update`]) asks it after each action.
    pub fn clamp_popup_scroll(&mut self, max: usize) {
        if let Some(
            Popup::Help { scroll } | Popup::Detail { scroll, .. } | Popup::Compare { scroll, .. },
        ) = &mut self.popup
        {
            *scroll = (*scroll).min(max);
        }
    }

    fn leave_input(&mut self) {
        self.browser.filtering = false;
        self.form.editing = false;
        self.collections.filtering = false;
    }

    fn move_focus(&mut self, forward: bool) {
        let i = self.focus.number() - 1;
        let n = Pane::ALL.len();
        self.focus = Pane::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    fn move_selection(&mut self, delta: isize) {
        let (sel, len) = match self.focus {
            Pane::Browser => (&mut self.browser.selected, self.browser.visible.len()),
            Pane::Form => (&mut self.form.field, Field::ALL.len()),
            Pane::Collections => {
                let len = self.collections.visible().len();
                (&mut self.collections.selected, len)
            }
            Pane::Results => {
                let len = self.shown_run().map_or(0, |r| r.matches.len());
                (&mut self.results_selected, len)
            }
            Pane::History => (&mut self.history_selected, self.runs.len()),
        };
        if len == 0 {
            *sel = 0;
            return;
        }
        let target = (*sel as isize).saturating_add(delta);
        *sel = target.clamp(0, len as isize - 1) as usize;
    }

    fn on_pane_command(&mut self, cmd: Command) -> Vec<Effect> {
        match (self.focus, cmd) {
            (Pane::Browser, Command::Enter) => return self.browser_enter(),
            (Pane::Browser, Command::Parent) => {
                let dir = self.browser.dir.clone();
                if let Some(parent) = dir.parent() {
                    let from = dir.file_name().map(|n| n.to_os_string());
                    return vec![self.open_dir(parent.to_path_buf(), from)];
                }
            }
            (Pane::Browser, Command::Filter) => self.browser.filtering = true,
            (Pane::Browser, Command::MarkImage) => self.mark_image(),
            (Pane::Browser, Command::ToggleHidden) => {
                self.browser.show_hidden = !self.browser.show_hidden;
                self.browser.refresh_visible();
            }
            (Pane::Form, Command::Left) => self.form.cycle(false),
            (Pane::Form, Command::Right | Command::Cycle) => {
                if self.form.field().is_text() {
                    self.form.editing = true;
                } else {
                    self.form.cycle(true);
                }
            }
            (Pane::Form, Command::Enter) => {
                if self.form.field().is_text() {
                    self.form.editing = true;
                } else {
                    self.form.cycle(true);
                }
            }
            (Pane::Form, Command::Preview) => match &self.probe {
                ProbeState::Ready(info) if info.preview.is_some() => {
                    self.popup = Some(Popup::Preview)
                }
                ProbeState::Ready(_) => self.notice = Some("no preview for this probe".into()),
                _ => self.notice = Some("pick a probe first (Enter on an image in 1)".into()),
            },
            (Pane::Collections, Command::Filter) => self.collections.filtering = true,
            (Pane::Collections, Command::Retry) => return vec![self.load_collections()],
            (Pane::Collections, Command::New | Command::Edit | Command::Delete) => {
                return self.on_collection_command(cmd)
            }
            (Pane::Collections, Command::Enter) => {
                let chosen = self
                    .collections
                    .visible()
                    .get(self.collections.selected)
                    .map(|c| c.map(|c| collection_key(c).to_string()));
                if let Some(id) = chosen {
                    self.form.collection = Input::new(id.unwrap_or_default());
                }
            }
            (Pane::Results, Command::Enter) => {
                if let Some(m) = self
                    .shown_run()
                    .and_then(|r| r.matches.get(self.results_selected))
                {
                    let id = m.id.clone();
                    self.popup = Some(Popup::Detail {
                        person_id: id.clone(),
                        scroll: 0,
                    });
                    if !self.persons.contains_key(&id) {
                        return vec![Effect::FetchPerson { id }];
                    }
                }
            }
            (Pane::History, Command::Enter) => {
                if let Some(run) = self.selected_run().cloned() {
                    self.form.set(&run.params);
                    self.results = ResultsView::Run(run.id);
                    self.results_selected = 0;
                    self.notice = Some(format!("run #{} loaded into the form", run.id));
                    return vec![self.pick_probe(run.probe.path.clone())];
                }
            }
            (Pane::History, Command::Rerun) => {
                if let Some(run) = self.selected_run().cloned() {
                    self.form.set(&run.params);
                    self.pending_rerun = Some((run.params.clone(), false));
                    return vec![self.pick_probe(run.probe.path.clone())];
                }
            }
            (Pane::History, Command::Mark) => {
                let Some(id) = self.selected_run().map(|r| r.id) else {
                    return Vec::new();
                };
                match self.marked.take() {
                    Some(a) if a != id => {
                        self.popup = Some(Popup::Compare {
                            a,
                            b: id,
                            scroll: 0,
                        })
                    }
                    Some(_) => {}
                    None => self.marked = Some(id),
                }
            }
            (Pane::History, Command::Sweep) => {
                if let Some(id) = self.selected_run().map(|r| r.id) {
                    self.popup = Some(Popup::Sweep { run: id });
                }
            }
            (Pane::History, Command::CopyCurl) => {
                if let Some(run) = self.selected_run().cloned() {
                    return self.curl_of(run);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    // ---- collections -------------------------------------------------------------

    fn load_collections(&mut self) -> Effect {
        self.collections.load = Loading::Loading;
        Effect::LoadCollections
    }
}

/// The words shown for a failed search: the client's plain explanation, with the
/// token advice where authentication failed.
pub fn error_words(e: &ApiError) -> String {
    let text = e.to_string();
    if e.kind() == ErrorKind::Auth && !text.contains("VERIFIK_TOKEN") {
        format!("{text} (set VERIFIK_TOKEN)")
    } else {
        text
    }
}

/// A person's name, else the id.
pub fn person_label(p: &Person) -> &str {
    p.name.as_deref().unwrap_or(&p.id)
}

/// The last path component, for compact lists.
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
