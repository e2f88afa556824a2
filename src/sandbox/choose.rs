//! Which engine a sandbox runs: the face engine when its four models are present and
//! match their pinned hashes, else the pixel engine — and a note saying which and why.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::engine::Engine;
use super::face::{models, FaceEngine};
use super::{EngineSlot, PixelEngine};

/// The chosen engine and the one-line reason, for the CLI note and the status bar.
pub struct EngineChoice {
    pub slot: EngineSlot,
    /// True when the face models were verified and are loading (or loaded).
    pub face: bool,
    pub note: String,
    pub models_dir: PathBuf,
}

/// Chooses from `--models`, `LIVEFACE_MODELS`, or `<data dir>/liveface/models`.
pub fn choose_engine(models_flag: Option<PathBuf>) -> EngineChoice {
    choose_engine_in(&models::resolve_dir(models_flag))
}

/// Verifies the models in `dir` (hashing ~8 MB) and, when all four are right, loads
/// them on a background thread: the server answers meanwhile with `engine_loading`.
pub fn choose_engine_in(dir: &Path) -> EngineChoice {
    let status = models::status(dir);
    if !status.ready() {
        let missing = status
            .files
            .iter()
            .filter(|(_, s)| *s != models::FileState::Verified)
            .count();
        return EngineChoice {
            slot: EngineSlot::ready(Arc::new(PixelEngine)),
            face: false,
            note: format!(
                "pixel fallback: {missing} of 4 face models missing or wrong in {} (`liveface models install` fetches them)",
                dir.display()
            ),
            models_dir: dir.to_path_buf(),
        };
    }
    let load_dir = dir.to_path_buf();
    let slot = EngineSlot::spawn_loader(move || {
        FaceEngine::load(&load_dir)
            .map(|e| Arc::new(e) as Arc<dyn Engine>)
            .map_err(|e| format!("the face models failed to load: {e}"))
    });
    EngineChoice {
        slot,
        face: true,
        note: format!("face models from {}", dir.display()),
        models_dir: dir.to_path_buf(),
    }
}

/// Blocks until a slot's engine has loaded (or failed); for one-shot commands.
pub fn wait_ready(slot: &EngineSlot) -> Result<Arc<dyn Engine>, String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if let Some(engine) = slot.engine() {
            return Ok(engine);
        }
        if slot.label() == "engine failed" || std::time::Instant::now() > deadline {
            return Err(format!("the engine is not available ({})", slot.label()));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The embedded sandbox keeps one store per engine, so installing the models never
/// leaves a user with a store of vectors the new engine cannot compare.
pub fn embedded_data_dir(face: bool) -> PathBuf {
    if face {
        crate::config::data_dir().join("sandbox-face")
    } else {
        super::default_data_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_models_directory_means_the_pixel_engine_with_a_reason() {
        let d = tempfile::tempdir().unwrap();
        let c = choose_engine_in(d.path());
        assert!(!c.face);
        assert_eq!(c.slot.label(), "pixel fallback");
        assert!(c.note.contains("4 of 4 face models missing"), "{}", c.note);
    }

    #[test]
    fn a_truncated_model_file_is_not_trusted() {
        let d = tempfile::tempdir().unwrap();
        for f in models::ALL {
            std::fs::write(d.path().join(f.name), b"truncated").unwrap();
        }
        let c = choose_engine_in(d.path());
        assert!(!c.face, "hash mismatch must fall back");
        assert_eq!(c.slot.label(), "pixel fallback");
    }
}
