//! What a connection is: the back end it reaches, the client for it, and the notes the
//! user sees.

use std::fmt;
use std::path::PathBuf;

use crate::api::{Client, Token};

/// Where requests go, as the status bar and CLI notes name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded sandbox: its engine label ("pixel fallback", "face models") and the
    /// folder with the demo probes, when it seeded one.
    Sandbox {
        engine: String,
        probes_dir: Option<PathBuf>,
    },
    /// A real server, by host.
    Remote { host: String },
}

impl Backend {
    /// `SANDBOX · pixel fallback` or the API host.
    pub fn label(&self) -> String {
        match self {
            Backend::Sandbox { engine, .. } => format!("SANDBOX · {engine}"),
            Backend::Remote { host } => host.clone(),
        }
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self, Backend::Sandbox { .. })
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A usable connection. Keep it alive as long as the client is used: dropping it stops
/// an embedded sandbox.
pub struct Connection {
    pub client: Client,
    pub backend: Backend,
    /// `••••abcd`, never the token itself.
    pub token_masked: Option<String>,
    /// One-line notes for the user (e.g. "using the embedded sandbox …").
    pub notes: Vec<String>,
    pub sandbox: Option<crate::sandbox::RunningSandbox>,
}

/// The prefix of [`Connection::backend_key`] for the embedded sandbox.
pub const EMBEDDED_KEY_PREFIX: &str = "sandbox:embedded:";

impl Connection {
    /// Exactly which back end answers: `sandbox:embedded:<engine>`, or the base URL and
    /// the token's fingerprint (`https://api.verifik.co#3f2a…`, never the token). Runs
    /// with another key never answer a query locally.
    pub fn backend_key(&self) -> String {
        match &self.backend {
            Backend::Sandbox { engine, .. } => format!("{EMBEDDED_KEY_PREFIX}{engine}"),
            Backend::Remote { .. } => remote_key(&self.client),
        }
    }
}

/// The back-end key of a remote server: its base URL and the token's fingerprint.
pub(super) fn remote_key(client: &Client) -> String {
    let fingerprint = client
        .config()
        .token
        .as_ref()
        .map_or_else(|| "no-token".to_owned(), Token::fingerprint);
    format!("{}#{fingerprint}", client.base_url())
}

/// What the embedded sandbox needs beyond the config.
#[derive(Clone, Debug, Default)]
pub struct EmbedOptions {
    pub models: Option<PathBuf>,
    /// Return only once the sandbox's engine has loaded (one-shot commands); the
    /// dashboard starts at once and the sandbox answers `engine_loading` meanwhile.
    pub wait_for_engine: bool,
}
