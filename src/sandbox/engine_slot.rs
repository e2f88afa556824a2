//! The engine a running sandbox uses, which may still be loading: requests that need it
//! answer 503 until it is ready.

use std::sync::{Arc, RwLock};

use super::engine::Engine;
use super::pixel::PixelEngine;
use super::reply::Failure;

enum EngineState {
    Loading,
    Ready(Arc<dyn Engine>),
    Failed(String),
}

/// The engine a sandbox uses: ready, still loading (searches and enrolments answer
/// 503 `engine_loading` meanwhile), or failed to load.
#[derive(Clone)]
pub struct EngineSlot(Arc<RwLock<EngineState>>);

impl std::fmt::Debug for EngineSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EngineSlot({})", self.label())
    }
}

impl Default for EngineSlot {
    /// The pixel engine, ready at once.
    fn default() -> Self {
        EngineSlot::ready(Arc::new(PixelEngine))
    }
}

impl EngineSlot {
    pub fn ready(engine: Arc<dyn Engine>) -> EngineSlot {
        EngineSlot(Arc::new(RwLock::new(EngineState::Ready(engine))))
    }

    pub fn loading() -> EngineSlot {
        EngineSlot(Arc::new(RwLock::new(EngineState::Loading)))
    }

    /// A slot filled by `load` on its own thread (e.g. ONNX models taking ~1 s).
    pub fn spawn_loader<F>(load: F) -> EngineSlot
    where
        F: FnOnce() -> Result<Arc<dyn Engine>, String> + Send + 'static,
    {
        let slot = EngineSlot::loading();
        let filler = slot.clone();
        std::thread::spawn(move || match load() {
            Ok(engine) => filler.set(engine),
            Err(why) => filler.fail(why),
        });
        slot
    }

    pub fn set(&self, engine: Arc<dyn Engine>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = EngineState::Ready(engine);
    }

    pub fn fail(&self, reason: impl Into<String>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = EngineState::Failed(reason.into());
    }

    /// The engine, or the 503 a request gets while there is none.
    pub(super) fn get(&self) -> Result<Arc<dyn Engine>, Failure> {
        match &*self.0.read().unwrap_or_else(|p| p.into_inner()) {
            EngineState::Ready(e) => Ok(e.clone()),
            EngineState::Loading => Err(Failure::engine_loading()),
            EngineState::Failed(why) => Err(Failure::engine_failed(why)),
        }
    }

    pub fn engine(&self) -> Option<Arc<dyn Engine>> {
        self.get().ok()
    }

    /// `pixel fallback`, `face models`, `loading face models…` or `engine failed`.
    pub fn label(&self) -> String {
        match &*self.0.read().unwrap_or_else(|p| p.into_inner()) {
            EngineState::Ready(e) => e.label().to_owned(),
            EngineState::Loading => "loading face models…".to_owned(),
            EngineState::Failed(_) => "engine failed".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loader_fills_the_slot_and_a_failed_one_says_why() {
        let slot = EngineSlot::spawn_loader(|| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            Ok(Arc::new(PixelEngine) as Arc<dyn Engine>)
        });
        assert_eq!(slot.label(), "loading face models…");
        assert_eq!(slot.get().err().map(|f| f.status.as_u16()), Some(503));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while slot.engine().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(slot.label(), "pixel fallback");

        let failed = EngineSlot::loading();
        failed.fail("model file missing");
        let e = failed.get().err().expect("a failed slot has no engine");
        assert_eq!(e.status.as_u16(), 503);
        assert!(e.body["message"]
            .as_str()
            .unwrap()
            .contains("model file missing"));
    }
}
