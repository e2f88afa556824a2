//! The embedded sandbox's switch to the face engine, for the dashboard: where the models
//! and the face store are, whether that store still wants the real-photo demo, and
//! starting the face-engine sandbox (demo pack fetched and enrolled first, on its own
//! store). The dashboard reaches the sandbox only through here (`tests/boundaries.rs`).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::install::{self, InstallOptions, PinnedFile, Source};
use crate::sandbox::choose::{choose_engine_in, embedded_data_dir, wait_ready};
use crate::sandbox::face::models;

use super::connection::{Backend, Connection};

/// The engine label of the embedded sandbox with the face models.
pub const FACE_ENGINE: &str = "face models";

/// The models directory: `flag`, else `LIVEFACE_MODELS`, else `<data dir>/liveface/models`.
pub fn models_dir(flag: Option<PathBuf>) -> PathBuf {
    models::resolve_dir(flag)
}

/// The four model files, pinned.
pub fn model_files() -> Vec<PinnedFile> {
    models::pinned_all()
}

/// The face engine's own store (never the pixel engine's).
pub fn face_data_dir() -> PathBuf {
    embedded_data_dir(true)
}

/// True when the face store in `data_dir` has no demo probes and nobody enrolled: a
/// user's own gallery never gets the demo persons mixed in.
pub fn wants_demo(data_dir: &Path) -> bool {
    if crate::sandbox::probes_dir(data_dir)
        .join("README.md")
        .is_file()
    {
        return false;
    }
    crate::sandbox::store::Store::open(data_dir)
        .and_then(|s| s.counts())
        .is_ok_and(|c| c.0 == 0)
}

/// What [`switch_to_face`] does.
#[derive(Clone, Debug)]
pub struct FaceSwitch {
    pub config: Config,
    /// Where the verified models are.
    pub models_dir: PathBuf,
    /// The face store.
    pub face_data_dir: PathBuf,
    /// Where the demo photo pack comes from, and the setting that names it in messages.
    pub pack_source: Source,
    pub pack_flag: &'static str,
    /// The face engine already ran (the note says the demo is enrolled, not the models).
    pub demo_only: bool,
}

/// Starts the embedded sandbox with the face engine on `face_data_dir` — the first time
/// (see [`wants_demo`]) after fetching the demo photo pack and enrolling it, as `sandbox
/// demo` does — and returns the connection with a one-line note. A demo that cannot be
/// fetched or enrolled is said in the note, not an error.
///
/// # Errors
/// In words: the models did not verify, or the sandbox did not start.
pub async fn switch_to_face(switch: &FaceSwitch) -> Result<(Connection, String), String> {
    let dir = switch.models_dir.clone();
    let choice = tokio::task::spawn_blocking(move || choose_engine_in(&dir))
        .await
        .map_err(|e| e.to_string())?;
    if !choice.face {
        return Err(format!(
            "the models in {} did not verify",
            switch.models_dir.display()
        ));
    }
    let data = switch.face_data_dir.clone();
    let probes = crate::sandbox::probes_dir(&data);
    let mut note = String::new();
    // The first start with the face engine: the real-photo demo, as `sandbox demo`.
    let check = data.clone();
    if tokio::task::spawn_blocking(move || wants_demo(&check))
        .await
        .unwrap_or(false)
    {
        match fetch_pack(&data, &switch.pack_source, switch.pack_flag).await {
            Ok(pack) => {
                let slot = choice.slot.clone();
                let seeded = tokio::task::spawn_blocking(move || {
                    let engine = wait_ready(&slot)?;
                    crate::sandbox::face_demo::seed_face_demo(
                        &data,
                        &pack,
                        &probes,
                        engine.as_ref(),
                    )
                    .map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| e.to_string())?;
                if let Err(e) = seeded {
                    note = format!(" (demo not enrolled: {e})");
                }
            }
            Err(e) => note = format!(" (demo photos not fetched: {e})"),
        }
    }
    let conn = super::embedded::connect_face(&switch.config, switch.face_data_dir.clone(), choice)
        .await
        .map_err(|e| e.to_string())?;
    let probes = match &conn.backend {
        Backend::Sandbox {
            probes_dir: Some(p),
            ..
        } => format!(" — demo probes in {}", p.display()),
        _ => String::new(),
    };
    let note = if switch.demo_only {
        format!("the face engine's demo gallery is enrolled{probes}{note}")
    } else {
        format!(
            "face models installed: the embedded sandbox now runs the face engine{probes}{note}"
        )
    };
    Ok((conn, note))
}

/// Fetches the demo photo pack beside the face store; returns its directory.
async fn fetch_pack(
    data_dir: &Path,
    source: &Source,
    flag: &'static str,
) -> Result<PathBuf, String> {
    let pack = crate::sandbox::face_demo::pack_dir(data_dir);
    let files: Vec<PinnedFile> = crate::sandbox::face_demo::pack_files();
    let opts = InstallOptions {
        source: source.clone(),
        from_flag: flag,
    };
    install::install(&files, &pack, &opts, &|_| {})
        .await
        .map_err(|e| e.to_string())?;
    Ok(pack)
}
