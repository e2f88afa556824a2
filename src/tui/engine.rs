//! The dashboard's engine switch, runner side: installing the face models in a
//! background task (progress as throttled actions), then starting the embedded sandbox
//! again with the face engine — demo photo pack fetched and enrolled first, on its own
//! store — and handing the new connection to the runner, which stops the old one.
//!
//! The app side (the offer, the gauge, what a finished switch changes) is
//! `app/models.rs`; the sandbox side (models and store paths, the demo, starting the
//! face-engine sandbox) is `connect::face_engine`; the runner's arms only call the
//! functions here.
//!
//! Relation to a general "switch the dashboard to another connection" (profiles): the
//! last step, [`Handoff`] + `Effect::AdoptEngine`, is that switch — a prepared
//! `Connection` parked by a task and adopted by the runner between two effects, so the
//! effects after it (reload collections …) already use the new client.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::config::{Config, Target};
use crate::connect::face_engine::{
    face_data_dir, model_files, models_dir, switch_to_face, wants_demo, FaceSwitch, FACE_ENGINE,
};
use crate::connect::{Backend, Connection};
use crate::install::{self, Event, InstallOptions, Source};

use super::action::{Action, SwitchedEngine};

/// Points the dashboard's model install at a mirror: a directory or an `http(s)` base URL
/// holding the four model files (as `liveface models install --from`).
pub const ENV_MODELS_FROM: &str = "LIVEFACE_MODELS_FROM";
/// Points the demo photo pack's download at a mirror (as `sandbox demo --pack-from`).
pub const ENV_PACK_FROM: &str = "LIVEFACE_PACK_FROM";

/// At most this often a progress action is sent (the gauge needs a few a second).
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// What the dashboard needs to install the models and switch its embedded sandbox to the
/// face engine. Only made for the embedded sandbox running the pixel engine.
#[derive(Clone, Debug)]
pub struct EngineSwitch {
    pub config: Config,
    /// Where the models go (and the face engine loads them from).
    pub models_dir: PathBuf,
    pub models_source: Source,
    /// The face engine's own store (never the pixel engine's).
    pub face_data_dir: PathBuf,
    pub pack_source: Source,
    /// The face engine already runs, on a store without the demo: the dashboard fetches
    /// and enrols the demo in the background and restarts its sandbox on that store.
    pub demo_only: bool,
}

impl EngineSwitch {
    /// The switch for `conn`, when it is the embedded sandbox: on the pixel engine
    /// because the models are missing (the install offer), or on the face engine the
    /// first time, before its demo is there (`demo_only`). The sources come from
    /// [`ENV_MODELS_FROM`] and [`ENV_PACK_FROM`]. `None` for a cloud profile, and for the
    /// face engine once its demo probes are written.
    pub fn offered_for(
        config: &Config,
        conn: &Connection,
        models_flag: Option<PathBuf>,
    ) -> Option<EngineSwitch> {
        let Backend::Sandbox { engine, probes_dir } = &conn.backend else {
            return None;
        };
        if !matches!(config.target, Target::EmbeddedSandbox) {
            return None;
        }
        let face = engine == FACE_ENGINE;
        let face_data_dir = face_data_dir();
        if face && (probes_dir.is_some() || !wants_demo(&face_data_dir)) {
            return None;
        }
        let env = |k: &str| std::env::var(k).ok();
        Some(EngineSwitch {
            config: config.clone(),
            models_dir: models_dir(models_flag),
            models_source: Source::from_option(env(ENV_MODELS_FROM).as_deref()),
            face_data_dir,
            pack_source: Source::from_option(env(ENV_PACK_FROM).as_deref()),
            demo_only: face,
        })
    }
}

/// The total size of the four model files, in bytes (for the offer's "≈ N MB").
pub fn models_bytes() -> u64 {
    model_files().iter().map(|f| f.size).sum()
}

/// The connection a switch task prepared, parked until the runner adopts it.
pub type Handoff = Arc<Mutex<Option<Connection>>>;

/// Installs the models into `dir` from `source` on a tokio task; reports
/// `Action::ModelsProgress` (throttled) and then `Action::ModelsInstalled`. Aborting the
/// task leaves nothing under a final name (see `crate::install`).
pub fn spawn_install(
    seq: u64,
    dir: PathBuf,
    source: Source,
    tx: mpsc::UnboundedSender<Action>,
) -> AbortHandle {
    tokio::spawn(async move {
        let files = model_files();
        let total: u64 = files.iter().map(|f| f.size).sum();
        let started = Instant::now();
        let gauge = Gauge::new(total, started);
        let report = |e: Event<'_>| {
            if let Some(done) = gauge.on(e) {
                let _ = tx.send(Action::ModelsProgress {
                    seq,
                    done,
                    total,
                    elapsed: started.elapsed(),
                });
            }
        };
        let opts = InstallOptions {
            from_flag: if source == Source::Upstream {
                "`liveface models install --from`"
            } else {
                ENV_MODELS_FROM
            },
            source,
        };
        let result = install::install(&files, &dir, &opts, &report)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string());
        let _ = tx.send(Action::ModelsInstalled { seq, result });
    })
    .abort_handle()
}

/// Bytes done over all files, and whether this event is worth an action now.
struct Gauge {
    total: u64,
    state: Mutex<(u64, u64, Instant)>, // (bytes of finished files, done, last sent)
}

impl Gauge {
    fn new(total: u64, started: Instant) -> Gauge {
        let long_ago = started.checked_sub(PROGRESS_EVERY).unwrap_or(started);
        Gauge {
            total,
            state: Mutex::new((0, 0, long_ago)),
        }
    }

    /// The bytes done, when an action should go out (at most every [`PROGRESS_EVERY`],
    /// and always when a file finishes).
    fn on(&self, e: Event<'_>) -> Option<u64> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (finished, done, last) = &mut *st;
        let force = match e {
            Event::Skipped { file } | Event::Installed { file } => {
                *finished += file.size;
                *done = *finished;
                true
            }
            Event::Started { .. } => false,
            Event::Progress { done: d, .. } => {
                *done = (*finished + d).min(self.total);
                false
            }
        };
        if force || last.elapsed() >= PROGRESS_EVERY {
            *last = Instant::now();
            Some(*done)
        } else {
            None
        }
    }
}

/// Starts the embedded sandbox again with the face engine (after fetching and enrolling
/// the demo photo pack on its store, the first time) and parks the connection in
/// `handoff`; reports `Action::EngineSwitched`.
pub fn spawn_switch(switch: EngineSwitch, handoff: Handoff, tx: mpsc::UnboundedSender<Action>) {
    let face = FaceSwitch {
        config: switch.config,
        models_dir: switch.models_dir,
        face_data_dir: switch.face_data_dir,
        pack_source: switch.pack_source,
        pack_flag: ENV_PACK_FROM,
        demo_only: switch.demo_only,
    };
    tokio::spawn(async move {
        let result = switch_to_face(&face).await.map(|(conn, note)| {
            let switched = SwitchedEngine {
                label: conn.backend.label(),
                backend_key: conn.backend_key(),
                probes_dir: match &conn.backend {
                    Backend::Sandbox { probes_dir, .. } => probes_dir.clone(),
                    Backend::Remote { .. } => None,
                },
                note,
            };
            *handoff.lock().unwrap_or_else(|p| p.into_inner()) = Some(conn);
            switched
        });
        let _ = tx.send(Action::EngineSwitched(result));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::PinnedFile;

    fn config(target: Target) -> Config {
        // An empty config file of its own: never the user's.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "").unwrap_or_else(|e| panic!("{e}"));
        let flags = crate::config::Flags {
            config: Some(file),
            ..Default::default()
        };
        let mut c = crate::config::resolve(&flags, &|_| None).unwrap_or_else(|e| panic!("{e}"));
        c.target = target;
        c
    }

    fn connection(backend: Backend) -> Connection {
        let client =
            crate::api::Client::new(crate::api::ClientConfig::new("http://127.0.0.1:9", None))
                .unwrap_or_else(|e| panic!("{e}"));
        Connection {
            client,
            backend,
            token_masked: None,
            notes: Vec::new(),
            sandbox: None,
        }
    }

    #[test]
    fn the_offer_is_only_for_the_embedded_sandbox_on_the_pixel_engine() {
        let embedded = config(Target::EmbeddedSandbox);
        let pixel = connection(Backend::Sandbox {
            engine: "pixel fallback".into(),
            probes_dir: None,
        });
        let switch = EngineSwitch::offered_for(&embedded, &pixel, Some("/m".into()));
        let switch = switch.unwrap_or_else(|| panic!("offered"));
        assert!(!switch.demo_only);
        assert_eq!(switch.models_dir, PathBuf::from("/m"));
        // A cloud profile: never.
        let cloud = config(Target::Remote {
            base_url: "https://api.verifik.co".into(),
            token: None,
            token_command: None,
        });
        let remote = connection(Backend::Remote {
            host: "api.verifik.co".into(),
        });
        assert!(EngineSwitch::offered_for(&cloud, &remote, None).is_none());
        // The face engine with its demo probes: nothing to do.
        let face = connection(Backend::Sandbox {
            engine: FACE_ENGINE.into(),
            probes_dir: Some("/d/probes".into()),
        });
        assert!(EngineSwitch::offered_for(&embedded, &face, None).is_none());
    }

    #[test]
    fn progress_is_throttled_but_every_finished_file_is_reported() {
        let a = PinnedFile {
            name: "a",
            url: "",
            size: 100,
            sha256: "",
        };
        let b = PinnedFile { name: "b", ..a };
        let g = Gauge::new(200, Instant::now());
        assert_eq!(g.on(Event::Progress { file: &a, done: 10 }), Some(10));
        // Right after: held back.
        assert_eq!(g.on(Event::Progress { file: &a, done: 20 }), None);
        assert_eq!(g.on(Event::Installed { file: &a }), Some(100));
        assert_eq!(g.on(Event::Started { file: &b }), None);
        assert_eq!(g.on(Event::Progress { file: &b, done: 50 }), None);
        std::thread::sleep(PROGRESS_EVERY);
        assert_eq!(g.on(Event::Progress { file: &b, done: 60 }), Some(160));
        assert_eq!(g.on(Event::Skipped { file: &b }), Some(200));
    }
}
