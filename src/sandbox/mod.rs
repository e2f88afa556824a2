//! The embedded, Verifik-compatible sandbox server: the documented endpoints,
//! validation and errors, a durable SQLite store, and scores computed from the
//! pixels by a pluggable [`engine::Engine`]. It is not a face recognizer unless a
//! face engine is plugged in; the pixel engine finds near-duplicate images.

pub mod choose;
pub mod demo;
pub mod engine;
mod engine_slot;
pub mod face;
pub mod face_demo;
pub mod gallery;
mod http;
pub mod index;
pub mod pixel;
mod reply;
mod routes;
mod state;
pub mod store;
pub mod synth;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use demo::{seed_demo, seed_demo_with, DemoSummary};
pub use engine_slot::EngineSlot;
pub use pixel::PixelEngine;
use store::Store;

/// Why the sandbox could not start or seed.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{0}")]
    Io(String),
}

/// How long in-flight requests get to finish once the sandbox is told to stop.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxOptions {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Only this bearer token is accepted; `None` accepts any non-empty one.
    pub token: Option<String>,
    pub engine: EngineSlot,
    /// One log line per request through `tracing` (the standalone server; not the TUI).
    pub log: bool,
}

impl SandboxOptions {
    /// 127.0.0.1 on an ephemeral port, the pixel engine, no token, no log.
    pub fn local(data_dir: impl Into<PathBuf>) -> SandboxOptions {
        SandboxOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            token: None,
            engine: EngineSlot::default(),
            log: false,
        }
    }
}

/// A sandbox serving in this process. Dropping it stops the server.
pub struct RunningSandbox {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    pub addr: SocketAddr,
    engine: EngineSlot,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl RunningSandbox {
    pub fn engine_label(&self) -> String {
        self.engine.label()
    }

    /// Stops accepting at once, gives in-flight requests up to [`SHUTDOWN_GRACE`] to
    /// finish, and returns: true when they all did, false when some were cut off (a
    /// client holding a half-sent request cannot keep the server up).
    pub async fn shutdown(mut self) -> bool {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let Some(task) = self.task.take() else {
            return true;
        };
        let abort = task.abort_handle();
        match tokio::time::timeout(SHUTDOWN_GRACE, task).await {
            Ok(_) => true,
            Err(_) => {
                abort.abort();
                false
            }
        }
    }

    /// Waits until the server stops (it stops only through `shutdown` or a failure).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Opens the store, binds, and serves in the background; returns once listening.
pub async fn start(opts: SandboxOptions) -> Result<RunningSandbox, SandboxError> {
    let dir = opts.data_dir.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&dir))
        .await
        .map_err(|e| SandboxError::Io(format!("opening the store failed: {e}")))??;
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|e| SandboxError::Bind {
            addr: opts.addr,
            reason: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| SandboxError::Bind {
        addr: opts.addr,
        reason: e.to_string(),
    })?;
    let state = state::AppState {
        store: Arc::new(store),
        engine: opts.engine.clone(),
        token_digest: opts.token.as_deref().map(http::token_digest),
        log: opts.log,
    };
    let app = routes::router(state);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("sandbox: the server stopped: {e}");
        }
    });
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let host = if addr.is_ipv6() && !addr.ip().is_unspecified() {
        format!("[{host}]")
    } else {
        host
    };
    Ok(RunningSandbox {
        base_url: format!("http://{host}:{}", addr.port()),
        addr,
        engine: opts.engine,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// `<data dir>/liveface/sandbox`.
pub fn default_data_dir() -> PathBuf {
    crate::config::data_dir().join("sandbox")
}

/// Where the demo probes of a data directory go.
pub fn probes_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("probes")
}
