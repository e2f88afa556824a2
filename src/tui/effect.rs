//! Work `update` asks the event loop to do; the loop runs it off the render path and
//! reports back with an `Action`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::api::model::{
    CollectionInput, NewLivePerson, NewPerson, PersonQuery, PersonUpdate, SearchParams,
};
use crate::history::Run;

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// List a directory on a blocking thread.
    ReadDir {
        seq: u64,
        dir: PathBuf,
    },
    /// Decode, orient, downscale and encode an image on a blocking thread.
    PrepareProbe {
        seq: u64,
        path: PathBuf,
    },
    LoadCollections,
    /// Run a search in a task that `CancelSearch` can abort.
    Search {
        id: u64,
        image: Arc<str>,
        params: SearchParams,
    },
    CancelSearch {
        id: u64,
    },
    FetchPerson {
        id: String,
    },
    /// One page of `GET /persons`.
    ListPersons {
        seq: u64,
        query: PersonQuery,
    },
    /// `DELETE /persons/{id}`: from every collection, or detached from one.
    DeletePerson {
        id: String,
        collection: Option<String>,
    },
    /// Prepare `images` (1–3 files) on a blocking thread, then create or update.
    SavePerson {
        request: PersonSave,
        images: Vec<PathBuf>,
    },
    /// `POST /collections`.
    CreateCollection {
        input: CollectionInput,
    },
    /// `PUT /collections/{id}`: the name (always sent, the API requires it) and description.
    UpdateCollection {
        id: String,
        input: CollectionInput,
    },
    /// `DELETE /collections/{id}`: the persons stay enrolled, only unlinked from it.
    DeleteCollection {
        id: String,
    },
    SaveRun(Box<Run>),
    /// Write the run's request body beside the history and build its curl command.
    CurlOf(Box<Run>),
    /// Label run `run` in the history file (under its lock); answered by
    /// `Action::LabelSaved`.
    SaveLabel {
        run: u64,
        spec: crate::history::LabelSpec,
    },
    /// Read the history file as it is now (labels made by `liveface history label` or
    /// another dashboard included), for evaluation `seq` (`Action::HistoryForEval`).
    ReadHistoryForEval {
        seq: u64,
    },
    /// Read a labelled set, resolve its names, open its journal (`Action::EvalPrepared`).
    PrepareEval {
        seq: u64,
        request: EvalRequest,
    },
    /// Search the prepared set `seq` (`Action::EvalProgress`, then `Action::EvalDone`).
    RunEval {
        seq: u64,
    },
    /// Stop evaluation `seq`, keeping what is done (or forget it, if only prepared).
    StopEval {
        seq: u64,
    },
    /// Put text on the terminal's clipboard (OSC 52), between two frames.
    Clipboard(String),
    /// Write `runs` in each format to a new file `STEM.EXT` (`STEM-2.EXT` … when taken)
    /// in the directory liveface was started from; answered by `Action::Exported`.
    Export {
        runs: Vec<Run>,
        stem: String,
        formats: Vec<crate::history::export::Format>,
    },
    /// Read the config file's profile names again (for the picker); answered by
    /// `Action::ProfilesListed`.
    ListProfiles,
    /// Connect to another back end in the background (see `crate::tui::reconnect`);
    /// answered by `Action::Connected` with the same `seq`.
    Connect {
        seq: u64,
        to: crate::tui::reconnect::ConnectTo,
    },
    /// From now on send every request with this connection (the old one is dropped, an
    /// embedded sandbox of it stopped); searches still running are aborted.
    UseConnection(crate::tui::reconnect::ConnectionHandle),
    Quit,
    /// Install the face models into `dir` from `source` in a task that
    /// `CancelModelsInstall` aborts; progress comes back as `Action::ModelsProgress`.
    InstallModels {
        seq: u64,
        dir: PathBuf,
        source: crate::install::Source,
    },
    CancelModelsInstall,
    /// Start the embedded sandbox with the face engine (demo first), off the loop.
    SwitchToFaceEngine,
    /// Use the connection `SwitchToFaceEngine` prepared from now on; stop the old one.
    AdoptEngine,
}

/// Which person write a form sends; the runner fills in the prepared images.
#[derive(Clone, Debug, PartialEq)]
pub enum PersonSave {
    Create(NewPerson),
    /// `POST /persons/search-live-face`: liveness and duplicate check, then create.
    CreateLive(NewLivePerson),
    /// `PUT /persons/{id}` with only the changed fields (images replace all faces).
    Update {
        id: String,
        update: PersonUpdate,
    },
}

/// What `Effect::PrepareEval` asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalRequest {
    /// The set: a folder in the layout of `crate::eval::set`, or a CSV manifest.
    pub set: PathBuf,
    /// The form's search (`os`, `search_mode`, collection; the thresholds become the
    /// floor) and its thresholds, which the screen's cursors start on.
    pub params: SearchParams,
    /// Exactly which back end (part of the journal's identity).
    pub backend_key: String,
    /// `SANDBOX · …` or the API host, for the screen.
    pub backend_label: String,
}
