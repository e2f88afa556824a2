//! Runs effects off the render path: blocking work on `spawn_blocking`, network calls in
//! tokio tasks. Every result comes back as an `Action` on the app's channel.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::AbortHandle;

use crate::api::confirm::CreateError;
use crate::api::curl::TokenRef;
use crate::api::model::Person;
use crate::api::{ApiError, Client};
use crate::history::HistoryStore;

use super::action::{Action, Preview, ProbeInfo};
use super::app::error_words;
use super::effect::{Effect, PersonSave};
use super::engine::{self, EngineSwitch, Handoff};
use super::fsview::read_dir_sorted;
use super::history_jobs::{curl_of, export_runs};
use super::reconnect::Reconnect;

/// Person lookups in flight at once, so a long result list doesn't flood the server.
const PERSON_FETCH_CONCURRENCY: usize = 4;

pub struct Runner {
    client: Client,
    tx: mpsc::UnboundedSender<Action>,
    max_side: u32,
    store: HistoryStore,
    searches: HashMap<u64, AbortHandle>,
    person_slots: Arc<Semaphore>,
    /// The connection the client belongs to, when the dashboard owns it (an embedded
    /// sandbox stops when it is dropped): the one it started with, then the one a
    /// profile switch or the engine switch adopted.
    connection: Option<crate::connect::Connection>,
    /// How to install the models and switch to the face engine, when offered.
    engine_switch: Option<EngineSwitch>,
    install: Option<AbortHandle>,
    handoff: Handoff,
    evals: super::eval_runner::Evals,
    /// Where evaluation journals go (`<data dir>/eval` unless a test says otherwise).
    eval_dir: PathBuf,
    /// Where exports are written: the directory liveface was started from.
    export_dir: PathBuf,
    /// How to connect elsewhere (`Effect::Connect`).
    reconnect: Reconnect,
    /// Reads in flight (collections, persons): aborted on a switch, so no answer of the
    /// old back end lands after the new one's.
    reads: Vec<AbortHandle>,
}

impl Runner {
    pub fn new(
        client: Client,
        tx: mpsc::UnboundedSender<Action>,
        max_side: u32,
        store: HistoryStore,
    ) -> Runner {
        Runner {
            client,
            tx,
            max_side,
            store,
            searches: HashMap::new(),
            person_slots: Arc::new(Semaphore::new(PERSON_FETCH_CONCURRENCY)),
            connection: None,
            engine_switch: None,
            install: None,
            handoff: Handoff::default(),
            evals: Default::default(),
            eval_dir: crate::config::data_dir().join("eval"),
            export_dir: PathBuf::from("."),
            reconnect: Reconnect::default(),
            reads: Vec::new(),
        }
    }

    /// Keeps `connection` (whose client this runner uses) alive, and lets the runner
    /// install the models and switch to the face engine as `switch` says.
    pub fn with_engine_switch(
        mut self,
        connection: Option<crate::connect::Connection>,
        switch: Option<EngineSwitch>,
    ) -> Runner {
        self.connection = connection;
        self.engine_switch = switch;
        self
    }

    /// The base URL requests go to now (changes when the engine switches).
    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// Keeps evaluation journals in `dir` instead of `<data dir>/eval`.
    pub fn with_eval_dir(mut self, dir: PathBuf) -> Runner {
        self.eval_dir = dir;
        self
    }

    /// Connections made by a switch (`Effect::Connect`) use these flags and models.
    pub fn with_reconnect(mut self, reconnect: Reconnect) -> Runner {
        self.reconnect = reconnect;
        self
    }

    /// Exports go to `dir` (the dashboard passes the directory it was started from).
    pub fn with_export_dir(mut self, dir: PathBuf) -> Runner {
        self.export_dir = dir;
        self
    }

    pub fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::ReadDir { seq, dir } => {
                tokio::task::spawn_blocking(move || {
                    let result = read_dir_sorted(&dir);
                    let _ = tx.send(Action::DirLoaded { seq, dir, result });
                });
            }
            Effect::PrepareProbe { seq, path } => {
                let max_side = self.max_side;
                tokio::task::spawn_blocking(move || {
                    let result = prepare_probe(&path, max_side);
                    let _ = tx.send(Action::ProbeReady { seq, path, result });
                });
            }
            Effect::LoadCollections => {
                let client = self.client.clone();
                let task = tokio::spawn(async move {
                    let result = client.list_collections().await.map_err(|e| error_words(&e));
                    let _ = tx.send(Action::CollectionsLoaded(result));
                });
                self.track_read(task.abort_handle());
            }
            Effect::Search { id, image, params } => {
                self.searches.retain(|_, h| !h.is_finished());
                // Retries show in the status, with the time budget left.
                let notify = tx.clone();
                let client = self.client.observed(Arc::new(move |notice| {
                    let _ = notify.send(Action::SearchRetrying { id, notice });
                }));
                let started = Instant::now();
                let task = tokio::spawn(async move {
                    let result = client.search_live_face(&image, &params).await;
                    let elapsed_ms = started.elapsed().as_millis() as u64;
                    let _ = tx.send(Action::SearchDone {
                        id,
                        elapsed_ms,
                        result,
                    });
                });
                self.searches.insert(id, task.abort_handle());
                // A panicking search must end as an error, not as a spinner forever.
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    if let Err(e) = task.await {
                        if e.is_panic() {
                            let _ = tx.send(Action::SearchDone {
                                id,
                                elapsed_ms: started.elapsed().as_millis() as u64,
                                result: Err(ApiError::Decode(
                                    "internal error while searching".into(),
                                )),
                            });
                        }
                    }
                });
            }
            Effect::CancelSearch { id } => {
                if let Some(h) = self.searches.remove(&id) {
                    h.abort();
                }
            }
            Effect::FetchPerson { id } => {
                let client = self.client.clone();
                let slots = self.person_slots.clone();
                let task = tokio::spawn(async move {
                    let _permit = slots.acquire_owned().await;
                    let result = client.get_person(&id).await.map_err(|e| error_words(&e));
                    let _ = tx.send(Action::PersonLoaded { id, result });
                });
                self.track_read(task.abort_handle());
            }
            Effect::ListPersons { seq, query } => {
                let client = self.client.clone();
                let task = tokio::spawn(async move {
                    let result = client.list_persons(&query).await;
                    let _ = tx.send(Action::PersonsLoaded { seq, result });
                });
                self.track_read(task.abort_handle());
            }
            Effect::DeletePerson { id, collection } => {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let result = client.delete_person(&id, collection.as_deref()).await;
                    let _ = tx.send(Action::PersonDeleted {
                        id,
                        collection,
                        result,
                    });
                });
            }
            Effect::SavePerson { request, images } => {
                let client = self.client.clone();
                let max_side = self.max_side;
                tokio::spawn(async move {
                    let (result, note) = save_person(&client, request, images, max_side).await;
                    let _ = tx.send(Action::PersonSaved(result));
                    // After the save's own message, so the status bar shows it.
                    if let Some(note) = note {
                        let _ = tx.send(Action::Warning(note));
                    }
                });
            }
            Effect::CreateCollection { input } => {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let result = client.create_collection(&input).await;
                    let _ = tx.send(Action::CollectionCreated(result));
                });
            }
            Effect::UpdateCollection { id, input } => {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let result = client.update_collection(&id, &input).await;
                    let _ = tx.send(Action::CollectionUpdated { id, result });
                });
            }
            Effect::DeleteCollection { id } => {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let result = client.delete_collection(&id).await;
                    let _ = tx.send(Action::CollectionDeleted { id, result });
                });
            }
            Effect::SaveRun(run) => {
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = store.append(&run) {
                        let _ = tx.send(Action::Warning(format!(
                            "run #{} not saved to {}: {e}",
                            run.id,
                            store.path().display()
                        )));
                    }
                });
            }
            Effect::CurlOf(run) => {
                let dir = self
                    .store
                    .path()
                    .parent()
                    .map_or_else(|| PathBuf::from("."), |d| d.join("curl"));
                // A sandbox run (the app sends only those of this session's sandbox) goes
                // to its address this session; it takes any token, so one is defaulted.
                let (base, token) =
                    match crate::api::curl::base_url_of_key(run.backend_key.as_deref()) {
                        Some(url) => (url.to_owned(), TokenRef::Env),
                        None => (self.client.base_url().to_owned(), TokenRef::EnvOrAny),
                    };
                let max_side = self.max_side;
                tokio::task::spawn_blocking(move || {
                    let result = curl_of(&run, &dir, &base, token, max_side);
                    let _ = tx.send(Action::CurlReady(result));
                });
            }
            Effect::ReadHistoryForEval { seq } => {
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || {
                    let result = store
                        .load()
                        .map(|l| l.runs)
                        .map_err(|e| format!("cannot read the history: {e}"));
                    let _ = tx.send(Action::HistoryForEval { seq, result });
                });
            }
            Effect::SaveLabel { run, spec } => {
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || {
                    let result = store.label(run, &spec);
                    let _ = tx.send(Action::LabelSaved { run, result });
                });
            }
            Effect::PrepareEval { seq, request } => self.evals.prepare(
                seq,
                request,
                self.client.clone(),
                self.max_side,
                self.eval_dir.clone(),
                tx,
            ),
            Effect::RunEval { seq } => self.evals.run(seq, self.client.clone(), self.max_side, tx),
            Effect::StopEval { seq } => self.evals.stop(seq),
            Effect::Clipboard(text) => {
                // Synchronous, between two frames: the escape sequence never splits a draw.
                use crossterm::clipboard::CopyToClipboard;
                let _ = crossterm::execute!(
                    std::io::stdout(),
                    CopyToClipboard::to_clipboard_from(text)
                );
            }
            Effect::Export {
                runs,
                stem,
                formats,
            } => {
                let dir = self.export_dir.clone();
                tokio::task::spawn_blocking(move || {
                    let result = export_runs(&dir, &runs, &stem, &formats);
                    let _ = tx.send(Action::Exported(result));
                });
            }
            Effect::ListProfiles => {
                let flags = self.reconnect.flags.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::config::profile_names(&flags);
                    let _ = tx.send(Action::ProfilesListed(result));
                });
            }
            Effect::Connect { seq, to } => {
                let with = self.reconnect.clone();
                tokio::spawn(async move {
                    let result = super::reconnect::connect(&to, &with).await.map(Box::new);
                    let _ = tx.send(Action::Connected { seq, to, result });
                });
            }
            Effect::UseConnection(handle) => {
                if let Some(conn) = handle.take() {
                    // Nothing of the old back end may answer after this.
                    self.abort_all();
                    for h in self.reads.drain(..) {
                        h.abort();
                    }
                    self.client = conn.client.clone();
                    self.connection = Some(conn);
                }
            }
            Effect::Quit => self.abort_all(),
            Effect::InstallModels { seq, dir, source } => {
                if let Some(h) = self.install.take() {
                    h.abort();
                }
                self.install = Some(engine::spawn_install(seq, dir, source, tx));
            }
            Effect::CancelModelsInstall => {
                if let Some(h) = self.install.take() {
                    h.abort();
                }
            }
            Effect::SwitchToFaceEngine => match self.engine_switch.clone() {
                Some(switch) => engine::spawn_switch(switch, self.handoff.clone(), tx),
                None => {
                    let _ = tx.send(Action::EngineSwitched(Err(
                        "this dashboard does not run the embedded sandbox".into(),
                    )));
                }
            },
            Effect::AdoptEngine => {
                let next = self
                    .handoff
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take();
                if let Some(conn) = next {
                    self.client = conn.client.clone();
                    self.searches.clear();
                    // Dropping the old connection stops its embedded sandbox.
                    self.connection = Some(conn);
                    self.engine_switch = None;
                }
            }
        }
    }

    fn track_read(&mut self, handle: AbortHandle) {
        self.reads.retain(|h| !h.is_finished());
        self.reads.push(handle);
    }

    pub fn abort_all(&mut self) {
        self.evals.stop_all();
        for (_, h) in self.searches.drain() {
            h.abort();
        }
        if let Some(h) = self.install.take() {
            h.abort();
        }
    }
}

/// Prepares the face images off the runtime, then sends the write. A create is never
/// sent twice: when its outcome is unknown the person is looked up, and the second
/// value says what was found ("created (confirmed)", "not created", "unknown").
async fn save_person(
    client: &Client,
    request: PersonSave,
    images: Vec<PathBuf>,
    max_side: u32,
) -> (Result<Person, ApiError>, Option<String>) {
    let images = if images.is_empty() {
        None
    } else {
        let prepared =
            tokio::task::spawn_blocking(move || crate::probe::prepare_faces(&images, max_side))
                .await
                .map_err(|e| ApiError::InvalidInput(e.to_string()));
        match prepared.and_then(|p| p.map_err(ApiError::InvalidInput)) {
            Ok(p) => Some(p),
            Err(e) => return (Err(e), None),
        }
    };
    let created = match request {
        PersonSave::Create(mut p) => {
            p.images = images.unwrap_or_default();
            client.create_person_checked(&p).await
        }
        PersonSave::CreateLive(mut p) => {
            p.images = images.unwrap_or_default();
            client.create_person_live_checked(&p).await
        }
        PersonSave::Update { id, mut update } => {
            update.images = images;
            return (client.update_person(&id, &update).await, None);
        }
    };
    match created {
        Ok(c) => {
            let note = c.note();
            (Ok(c.into_person()), note)
        }
        Err(CreateError::Failed(e)) => (Err(e), None),
        Err(CreateError::Uncertain(u)) => {
            let note = u.to_string();
            (Err(u.error), Some(note))
        }
    }
}

/// Stamps and prepares a probe file (blocking).
pub fn prepare_probe(path: &std::path::Path, max_side: u32) -> Result<ProbeInfo, String> {
    let probe = crate::probe::prepare(path, max_side).map_err(|e| e.to_string())?;
    Ok(ProbeInfo {
        stamp: probe.stamp,
        original: probe.original,
        sent: probe.sent,
        jpeg_bytes: probe.jpeg_bytes,
        preview: make_preview(&probe.base64),
        base64: Arc::from(probe.base64),
    })
}

pub use super::probe_preview::PREVIEW_CELLS;

/// A half-block preview of the upload; `None` if it cannot be made (never fatal).
pub fn make_preview(base64: &str) -> Option<Preview> {
    use base64::Engine as _;
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .ok()?;
    // Decoded no bigger than the preview needs (its 10×20-pixel cells).
    let side = u32::from(PREVIEW_CELLS.0 * 10).max(u32::from(PREVIEW_CELLS.1 * 20));
    let img = crate::imageio::decode_oriented_within(&jpeg, side)
        .ok()?
        .image;
    preview_of(img)
}

pub fn preview_of(img: image::DynamicImage) -> Option<Preview> {
    Preview::new(img)
}
