//! From configuration to a ready client: the remote API, or the embedded sandbox
//! (started in-process by [`embedded`]).

mod connection;
pub mod embedded;
pub mod face_engine;

use crate::api::{ApiError, Client, Token};
use crate::config::{Config, Target};

pub use connection::{Backend, Connection, EmbedOptions, EMBEDDED_KEY_PREFIX};

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
