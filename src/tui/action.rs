//! Everything the app reacts to, as one enum: terminal input and finished background work.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::api::model::{Collection, Page, Person, SearchOutcome};
use crate::api::ApiError;
use crate::history::ProbeStamp;

use super::fsview::Entry;

/// The five panes, in focus order; `1`–`5` jump to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pane {
    Browser,
    Form,
    Collections,
    Results,
    History,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Browser,
        Pane::Form,
        Pane::Collections,
        Pane::Results,
        Pane::History,
    ];

    pub fn number(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0) + 1
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Browser => "Files",
            Pane::Form => "Search",
            Pane::Collections => "Collections",
            Pane::Results => "Results",
            Pane::History => "History",
        }
    }
}

/// A prepared probe, as the form shows it and a search sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeInfo {
    pub stamp: ProbeStamp,
    pub original: (u32, u32),
    pub sent: (u32, u32),
    pub jpeg_bytes: usize,
    /// The upload, shared with the search task without copying.
    pub base64: Arc<str>,
    /// A small half-block rendering of the probe, made off the render path.
    pub preview: Option<Preview>,
}

pub use super::probe_preview::Preview;

/// A labelled set read and ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalReady {
    /// Probes in the set.
    pub probes: usize,
    /// Searches to send (the rest are resumed from the journal or unreadable).
    pub to_send: usize,
    /// Probes already searched with these parameters (from the journal).
    pub resumed: usize,
    /// Unreadable images: never sent.
    pub skipped: usize,
}

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): for the focused text field, never
    /// keys.
    Paste(String),
    /// The terminal's new size, in cells.
    Resize {
        width: u16,
        height: u16,
    },
    /// Animation and elapsed-time clock; only sent while something runs.
    Tick,
    DirLoaded {
        seq: u64,
        dir: PathBuf,
        result: Result<Vec<Entry>, String>,
    },
    ProbeReady {
        seq: u64,
        path: PathBuf,
        result: Result<ProbeInfo, String>,
    },
    CollectionsLoaded(Result<Vec<Collection>, String>),
    SearchDone {
        id: u64,
        elapsed_ms: u64,
        result: Result<SearchOutcome, ApiError>,
    },
    /// A run's curl command, or why it could not be made.
    CurlReady(Result<String, String>),
    /// The files an export wrote, or why it failed (plain words).
    Exported(Result<Vec<PathBuf>, String>),
    /// The config file's profiles as they are now, or why they could not be read.
    ProfilesListed(Result<Vec<String>, String>),
    /// A connection `Effect::Connect { seq, to }` asked for, or why it failed.
    Connected {
        seq: u64,
        to: crate::tui::reconnect::ConnectTo,
        result: Result<Box<crate::tui::reconnect::Connected>, String>,
    },
    /// The client is about to retry search `id` (it failed in a way that is safe to
    /// repeat); the status shows it with the time budget left.
    SearchRetrying {
        id: u64,
        notice: crate::api::client::RetryNotice,
    },
    PersonLoaded {
        id: String,
        result: Result<Person, String>,
    },
    /// A page of the persons list; `seq` drops answers to superseded requests.
    PersonsLoaded {
        seq: u64,
        result: Result<Page<Person>, ApiError>,
    },
    PersonDeleted {
        id: String,
        /// The collection it was detached from; `None`: deleted everywhere.
        collection: Option<String>,
        result: Result<(), ApiError>,
    },
    /// The answer to an enrol or edit form.
    PersonSaved(Result<Person, ApiError>),
    /// The answer to the new-collection form.
    CollectionCreated(Result<Collection, ApiError>),
    /// The answer to a rename/describe of collection `id`.
    CollectionUpdated {
        id: String,
        result: Result<Collection, ApiError>,
    },
    CollectionDeleted {
        id: String,
        result: Result<(), ApiError>,
    },
    /// A background step failed in a way the user should see (e.g. history not saved).
    Warning(String),
    /// A picture finished decoding off the render path.
    Preview(crate::preview::PreviewDone),
    /// SIGINT/SIGQUIT/SIGTERM/SIGHUP: leave now, restoring the terminal.
    Terminate,
    /// The history file's answer to `Effect::SaveLabel` for run `run`.
    LabelSaved {
        run: u64,
        result: Result<crate::history::Labelled, String>,
    },
    /// The history file's runs for evaluation `seq` (`Effect::ReadHistoryForEval`).
    HistoryForEval {
        seq: u64,
        result: Result<Vec<crate::history::Run>, String>,
    },
    /// A set for the Evaluate screen was read and its names resolved (or why not).
    EvalPrepared {
        seq: u64,
        result: Result<EvalReady, String>,
    },
    /// `done` of the `total` searches of evaluation `seq` have finished.
    EvalProgress {
        seq: u64,
        done: usize,
        total: usize,
    },
    /// Evaluation `seq` finished or was stopped (`evaluation.complete` says which), with
    /// a warning when some searches failed or the journal could not be written.
    EvalDone {
        seq: u64,
        evaluation: Box<crate::eval::report::Evaluation>,
        warning: Option<String>,
    },
    /// Something was written to the log file while the dashboard ran (`lines` so far).
    Logged {
        lines: usize,
        path: PathBuf,
    },
    /// The face models' install `seq` has `done` of `total` bytes, `elapsed` after it
    /// started (a few a second at most).
    ModelsProgress {
        seq: u64,
        done: u64,
        total: u64,
        elapsed: std::time::Duration,
    },
    /// The face models' install `seq` finished: all four verified, or why not.
    ModelsInstalled {
        seq: u64,
        result: Result<(), String>,
    },
    /// The face-engine sandbox is ready (its connection waits for `Effect::AdoptEngine`),
    /// or why it could not start.
    EngineSwitched(Result<SwitchedEngine, String>),
}

/// The embedded sandbox the dashboard is switching to, as the app shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchedEngine {
    /// `SANDBOX · face models`.
    pub label: String,
    /// See `Connection::backend_key`.
    pub backend_key: String,
    /// The real-photo demo's probes, when they are there.
    pub probes_dir: Option<PathBuf>,
    /// One line for the status bar (what happened, where the probes are).
    pub note: String,
}
