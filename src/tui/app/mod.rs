//! The app state and `update`: pure and synchronous. It changes state and returns the
//! effects the event loop should run; it never does I/O itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use crate::api::model::{
    parse_threshold, Collection, Os, Person, SearchMode, SearchOutcome, SearchParams,
};
use crate::api::{ApiError, ErrorKind};
use crate::history::{self, Outcome, ProbeStamp, Run, RunMatch};

use crate::tui::action::{Action, Pane, ProbeInfo};
use crate::tui::effect::Effect;
use crate::tui::fsview::{Entry, EntryKind};
use crate::tui::keymap::{self, Command, Ctx};
use crate::tui::theme::Theme;

mod collection_editor;
mod editor;
mod persons;

pub use collection_editor::CollectionDelete;
pub use editor::{Editor, EditorKind};
pub use persons::{PersonList, PERSONS_PAGE};

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

/// The file browser's state. `visible` indexes `entries` after the hidden and text
/// filters, so a 100k-entry directory is filtered once per keystroke, never per frame.
#[derive(Debug)]
pub struct Browser {
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
    pub visible: Vec<usize>,
    pub selected: usize,
    pub show_hidden: bool,
    pub filter: Input,
    pub filtering: bool,
    pub loading: bool,
    pub message: Option<String>,
    pub seq: u64,
    /// The entry to select once the listing arrives (the dir we came up from).
    reselect: Option<String>,
    /// Images marked (`m`) as faces to enrol, in marking order.
    pub marked: Vec<PathBuf>,
}

impl Browser {
    fn new(dir: PathBuf) -> Browser {
        Browser {
            dir,
            entries: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            show_hidden: false,
            filter: Input::default(),
            filtering: false,
            loading: false,
            message: None,
            seq: 0,
            reselect: None,
            marked: Vec::new(),
        }
    }

    pub fn refresh_visible(&mut self) {
        let needle = self.filter.value().to_lowercase();
        self.visible = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| self.show_hidden || !e.is_hidden())
            .filter(|(_, e)| contains_ignore_case(&e.name, &needle))
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn current(&self) -> Option<&Entry> {
        self.visible.get(self.selected).map(|i| &self.entries[*i])
    }
}

/// Case-insensitive substring test; `needle` is already lower case. ASCII needles (the
/// usual case) are matched without allocating, which keeps filtering 100k names fast.
pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.is_ascii() {
        let n = needle.as_bytes();
        return hay
            .as_bytes()
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle)
}

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
    fn new(p: &SearchParams) -> Form {
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

    fn input_mut(&mut self) -> Option<&mut Input> {
        match self.field() {
            Field::Liveness => Some(&mut self.liveness),
            Field::MinScore => Some(&mut self.min_score),
            Field::Collection => Some(&mut self.collection),
            _ => None,
        }
    }

    fn cycle(&mut self, forward: bool) {
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
    pub params: SearchParams,
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
    /// Offset of the local time zone, for times shown in lists.
    pub tz: FixedOffset,
    /// Wall clock for run times; tests pin it.
    pub clock: fn() -> DateTime<Utc>,
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
    pub token_masked: Option<String>,
    pub runs: Vec<Run>,
    pub warnings: Vec<String>,
    pub tz: FixedOffset,
}

impl App {
    /// Creates the app and the effects that load its first data.
    pub fn new(init: AppInit, initial_image: Option<PathBuf>) -> (App, Vec<Effect>) {
        let history_selected = init.runs.len().saturating_sub(1);
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
            clock: Utc::now,
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
            Action::Resize => Vec::new(),
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
            }
            _ => {}
        }
        Vec::new()
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
                    let from = dir.file_name().map(|n| n.to_string_lossy().into_owned());
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
            _ => {}
        }
        Vec::new()
    }

    // ---- browser ---------------------------------------------------------------

    fn open_dir(&mut self, dir: PathBuf, reselect: Option<String>) -> Effect {
        self.browser.seq += 1;
        self.browser.loading = true;
        self.browser.reselect = reselect;
        Effect::ReadDir {
            seq: self.browser.seq,
            dir,
        }
    }

    fn browser_enter(&mut self) -> Vec<Effect> {
        let Some(entry) = self.browser.current().cloned() else {
            return Vec::new();
        };
        let path = self.browser.dir.join(&entry.name);
        match entry.kind {
            EntryKind::Dir => vec![self.open_dir(path, None)],
            EntryKind::BrokenLink => {
                self.browser.message = Some(format!(
                    "{}: {}",
                    entry.name,
                    entry.problem.as_deref().unwrap_or("unusable")
                ));
                Vec::new()
            }
            EntryKind::File if entry.is_image() => vec![self.pick_probe(path)],
            EntryKind::File => {
                self.browser.message = Some(format!(
                    "{} is not an image (jpg, jpeg, png, webp, bmp)",
                    entry.name
                ));
                Vec::new()
            }
        }
    }

    /// `m`: marks the image under the cursor as a face to enrol, or unmarks it.
    fn mark_image(&mut self) {
        let Some(entry) = self.browser.current() else {
            return;
        };
        if !entry.is_image() {
            self.notice = Some(format!(
                "{} is not an image: only images can be faces",
                entry.name
            ));
            return;
        }
        let path = self.browser.dir.join(&entry.name);
        let marked = &mut self.browser.marked;
        if let Some(i) = marked.iter().position(|p| *p == path) {
            marked.remove(i);
        } else if marked.len() >= crate::probe::MAX_FACES {
            self.notice = Some(format!(
                "at most {} faces: unmark one first",
                crate::probe::MAX_FACES
            ));
            return;
        } else {
            marked.push(path);
        }
        self.notice = Some(format!(
            "{} face image{} marked for enrolment (P, then a)",
            marked.len(),
            if marked.len() == 1 { "" } else { "s" }
        ));
    }

    fn on_dir_loaded(&mut self, seq: u64, dir: PathBuf, result: Result<Vec<Entry>, String>) {
        if seq != self.browser.seq {
            return; // a newer listing was asked for
        }
        self.browser.loading = false;
        match result {
            Ok(entries) => {
                self.browser.dir = dir;
                self.browser.entries = entries;
                self.browser.filter = Input::default();
                self.browser.filtering = false;
                self.browser.message = None;
                self.browser.selected = 0;
                self.browser.refresh_visible();
                if let Some(name) = self.browser.reselect.take() {
                    if let Some(pos) = self
                        .browser
                        .visible
                        .iter()
                        .position(|i| self.browser.entries[*i].name == name)
                    {
                        self.browser.selected = pos;
                    }
                }
            }
            // Stay where we are and say why.
            Err(e) => self.browser.message = Some(e),
        }
    }

    // ---- probe -----------------------------------------------------------------

    fn pick_probe(&mut self, path: PathBuf) -> Effect {
        self.probe_seq += 1;
        self.probe = ProbeState::Loading(path.clone());
        Effect::PrepareProbe {
            seq: self.probe_seq,
            path,
        }
    }

    fn on_probe_ready(
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

    // ---- collections -------------------------------------------------------------

    fn load_collections(&mut self) -> Effect {
        self.collections.load = Loading::Loading;
        Effect::LoadCollections
    }

    // ---- search ----------------------------------------------------------------

    /// F5: validate, re-filter locally when a stored run allows it (unless `force`),
    /// else send a request.
    fn start_search(&mut self, force: bool) -> Vec<Effect> {
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
        if !force {
            let fresh = self
                .runs
                .iter()
                .position(|r| r.id >= self.refilter_floor)
                .map_or(&[][..], |i| &self.runs[i..]);
            if let Some((source, matches)) = history::find_refilter(fresh, &info.stamp, &params) {
                let run = Run {
                    id: history::next_id(&self.runs),
                    time: (self.clock)(),
                    probe: info.stamp.clone(),
                    params,
                    backend: source.backend.clone(),
                    liveness_score: source.liveness_score,
                    matches,
                    elapsed_ms: 0,
                    outcome: Outcome::Ok,
                    refiltered_from: Some(source.id),
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
            params: params.clone(),
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

    fn cancel_search(&mut self) -> Vec<Effect> {
        match self.in_flight.take() {
            Some(f) => {
                self.notice = Some("search cancelled".into());
                vec![Effect::CancelSearch { id: f.id }]
            }
            None => Vec::new(),
        }
    }

    fn on_search_done(
        &mut self,
        id: u64,
        elapsed_ms: u64,
        result: Result<SearchOutcome, ApiError>,
    ) -> Vec<Effect> {
        let Some(flight) = self.in_flight.take_if(|f| f.id == id) else {
            return Vec::new(); // cancelled or stale
        };
        let (outcome, liveness, matches) = match result {
            Ok(out) => {
                for m in &out.persons {
                    if let Some(p) = &m.person {
                        self.persons.insert(m.id.clone(), p.clone());
                    }
                }
                let mut matches: Vec<RunMatch> = out
                    .persons
                    .iter()
                    .map(|m| RunMatch {
                        id: m.id.clone(),
                        score: m.score,
                        name: m.name().map(str::to_owned),
                    })
                    .collect();
                matches.sort_by(|a, b| b.score.total_cmp(&a.score));
                (Outcome::Ok, out.liveness_score, matches)
            }
            Err(e) if e.is_liveness_failure() => {
                let s = e.liveness_score();
                (Outcome::LivenessFailed { score: s }, s, Vec::new())
            }
            Err(e) => {
                self.last_error = Some(error_words(&e));
                (
                    Outcome::Error {
                        message: error_words(&e),
                    },
                    None,
                    Vec::new(),
                )
            }
        };
        let run = Run {
            id: history::next_id(&self.runs),
            time: (self.clock)(),
            probe: flight.probe,
            params: flight.params,
            backend: self.backend_label.clone(),
            liveness_score: liveness,
            matches,
            elapsed_ms,
            outcome,
            refiltered_from: None,
        };
        self.record_run(run)
    }

    /// Adds a run to history, shows it, saves it and fetches missing names.
    fn record_run(&mut self, run: Run) -> Vec<Effect> {
        let mut fx: Vec<Effect> = run
            .matches
            .iter()
            .filter(|m| m.name.is_none() && !self.persons.contains_key(&m.id))
            .take(MAX_PERSON_FETCHES)
            .map(|m| Effect::FetchPerson { id: m.id.clone() })
            .collect();
        self.results = ResultsView::Run(run.id);
        self.results_selected = 0;
        self.notice = None;
        self.runs.push(run.clone());
        self.history_selected = self.runs.len() - 1;
        fx.insert(0, Effect::SaveRun(Box::new(run)));
        fx
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
