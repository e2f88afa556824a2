//! Starting the sandbox in-process when nothing else is configured.

use crate::api::ApiError;
use crate::config::Config;
use crate::connect::{Connection, EmbedOptions};

pub async fn connect(_config: &Config, _embed: &EmbedOptions) -> Result<Connection, ApiError> {
    Err(ApiError::InvalidInput(
        "no token or base URL configured (embedded sandbox pending merge)".into(),
    ))
}
