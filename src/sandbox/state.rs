//! What every handler shares: the store, the engine, the token and whether to log.

use std::sync::Arc;

use super::engine_slot::EngineSlot;
use super::store::Store;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub engine: EngineSlot,
    /// The SHA-256 of the only accepted token; `None` accepts any non-empty one.
    pub token_digest: Option<[u8; 32]>,
    /// One log line per request.
    pub log: bool,
}
