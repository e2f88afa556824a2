//! From configuration to a ready client: the remote API, or the embedded sandbox
//! (started in-process by [`embedded`]).

mod connection;
pub mod embedded;
pub mod face_engine;

use std::path::PathBuf;

use crate::api::{ApiError, Client, Token};
use crate::config::{Config, Target};
use crate::sandbox::engine::Engine as _;

pub use connection::{Backend, Connection, EmbedOptions, EMBEDDED_KEY_PREFIX};

/// The [`Connection::backend_key`] connecting with `config` would give, found without
/// connecting: no request is sent and no sandbox started. The embedded sandbox's engine
/// is the face engine when the models in the models directory (`models`, else
/// `LIVEFACE_MODELS`, else the data directory's) verify, as it would be on start. For
/// commands that only read the history (`eval --history`).
///
/// # Errors
/// A `token_command` that fails, or a base URL the client refuses.
pub fn expected_backend_key(config: &Config, models: Option<PathBuf>) -> Result<String, String> {
    match &config.target {
        Target::Remote { base_url, .. } => {
            let token = config.target.resolve_token()?;
            let client =
                Client::new(config.client_config(base_url, token)).map_err(|e| e.to_string())?;
            Ok(connection::remote_key(&client))
        }
        Target::EmbeddedSandbox => {
            let dir = crate::sandbox::face::resolve_dir(models);
            let engine = if crate::sandbox::face::status(&dir).ready() {
                crate::sandbox::face::ENGINE_LABEL
            } else {
                crate::sandbox::PixelEngine.label()
            };
            Ok(format!("{EMBEDDED_KEY_PREFIX}{engine}"))
        }
    }
}

/// Connects as configured: the remote API, or a freshly started embedded sandbox.
pub async fn connect(config: &Config, embed: &EmbedOptions) -> Result<Connection, ApiError> {
    match &config.target {
        Target::Remote { base_url, .. } => {
            let token = config
                .target
                .resolve_token()
                .map_err(ApiError::InvalidInput)?;
            let client = Client::new(config.client_config(base_url, token.clone()))?;
            Ok(Connection {
                backend: Backend::Remote {
                    host: client.host().to_owned(),
                },
                token_masked: token.as_ref().map(Token::masked),
                notes: Vec::new(),
                sandbox: None,
                client,
            })
        }
        Target::EmbeddedSandbox => embedded::connect(config, embed).await,
    }
}
