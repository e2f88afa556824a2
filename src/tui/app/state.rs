//! The smaller states the `App` holds: something loading, the probe, which results are
//! shown, the search in flight, the open popup; and how a collection is named.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::api::model::{Collection, SearchParams};
use crate::history::ProbeStamp;
use crate::tui::action::ProbeInfo;

/// Something that loads in the background.
#[derive(Clone, Debug, PartialEq)]
pub enum Loading<T> {
    Idle,
    Loading,
    Loaded(T),
    Failed(String),
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
    /// The label choice of a run; its state is `App::label`.
    Label,
    /// The Evaluate screen; its state is `App::evaluate`.
    Evaluate,
    /// An error of the Evaluate screen: the probe beside the person the search gave
    /// (or the expected mate); Esc returns to the screen.
    EvalPair {
        error: Box<EvalError>,
        person: Option<String>,
    },
    /// A run's request as a curl command, to select by hand where OSC 52 does not work.
    Curl {
        command: String,
    },
}

/// One error at the cursors: a probe the thresholds decide wrongly.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub probe: PathBuf,
    /// What the measure counts: `fnir` (a mate missed or topped by someone else), `fpir`
    /// (a stranger matched), `apcer` (an attack passed), `bpcer` (a live probe failed).
    pub measure: &'static str,
    /// The truth: the mate's id, `not enrolled` or `attack`.
    pub expected: String,
    /// What the search gave at the cursor: a person id, `no match`, `passed liveness`…
    pub got: String,
    /// The person the search put on top (≥ the cursor), for the side-by-side view.
    pub candidate: Option<String>,
    /// The top score (identification) or the liveness score.
    pub score: Option<f64>,
}
