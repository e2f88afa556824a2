//! Starting the sandbox in-process when nothing else is configured.

use crate::api::{ApiError, Client, Token};
use crate::config::Config;
use crate::sandbox::choose::{choose_engine, embedded_data_dir, wait_ready, EngineChoice};
use crate::sandbox::engine::Engine as _;
use crate::sandbox::store::Store;
use crate::sandbox::{
    default_data_dir, probes_dir, seed_demo, start, EngineSlot, PixelEngine, SandboxOptions,
};

use super::connection::{Backend, Connection, EmbedOptions};

/// The bearer token the client sends to its own embedded sandbox (any is accepted).
const PLACEHOLDER_TOKEN: &str = "embedded-sandbox";

/// Starts the sandbox on 127.0.0.1 (ephemeral port) with data in the default
/// directory, seeds the demo on first run, and connects a client to it.
pub async fn connect(config: &Config, embed: &EmbedOptions) -> Result<Connection, ApiError> {
    let models = embed.models.clone();
    let choice = tokio::task::spawn_blocking(move || choose_engine(models))
        .await
        .map_err(|e| ApiError::SandboxStart(format!("choosing the engine failed: {e}")))?;
    if choice.face {
        if embed.wait_for_engine {
            let slot = choice.slot.clone();
            tokio::task::spawn_blocking(move || wait_ready(&slot))
                .await
                .map_err(|e| {
                    ApiError::SandboxStart(format!("loading the face models failed: {e}"))
                })?
                .map_err(ApiError::SandboxStart)?;
        }
        connect_face(config, embedded_data_dir(true), choice).await
    } else {
        let mut conn = connect_at(config, default_data_dir(), choice.slot).await?;
        conn.notes.push(choice.note);
        Ok(conn)
    }
}

/// The embedded sandbox with the face engine, on the store in `data_dir` (see
/// [`embedded_data_dir`]). Its store starts empty: synthetic demo images hold no face,
/// so the note says how to enroll a folder of photos. The dashboard calls it when it
/// switches engines after installing the models.
///
/// # Errors
/// [`ApiError::SandboxStart`] when the store cannot be opened or the server not started.
pub async fn connect_face(
    config: &Config,
    data_dir: std::path::PathBuf,
    choice: EngineChoice,
) -> Result<Connection, ApiError> {
    let count_dir = data_dir.clone();
    let persons = tokio::task::spawn_blocking(move || {
        Store::open(&count_dir).and_then(|s| s.counts().map(|c| c.0))
    })
    .await
    .map_err(|e| ApiError::SandboxStart(e.to_string()))?
    .map_err(|e| ApiError::SandboxStart(e.to_string()))?;
    let mut opts = SandboxOptions::local(&data_dir);
    opts.engine = choice.slot;
    let running = start(opts)
        .await
        .map_err(|e| ApiError::SandboxStart(e.to_string()))?;
    let client =
        Client::new(config.client_config(&running.base_url, Token::new(PLACEHOLDER_TOKEN)))?;
    let enroll = if persons == 0 {
        format!(
            " — the store is empty: `liveface sandbox demo` enrols a demo gallery of real photos, \
             `liveface sandbox demo --from DIR --data {}` a folder of yours",
            data_dir.display()
        )
    } else {
        format!(" — {persons} persons enrolled")
    };
    // The real-photo demo's labelled probes, when `sandbox demo` wrote them.
    let probes = probes_dir(&data_dir);
    let probes_dir = probes.join("README.md").is_file().then_some(probes);
    Ok(Connection {
        client,
        backend: Backend::Sandbox {
            engine: "face models".into(),
            probes_dir,
        },
        token_masked: None,
        notes: vec![format!(
            "no token configured: using the embedded sandbox with the {}{enroll}",
            choice.note
        )],
        sandbox: Some(running),
    })
}

/// [`connect`] with an explicit data directory and engine (tests, the face engine).
pub async fn connect_at(
    config: &Config,
    data_dir: std::path::PathBuf,
    engine: EngineSlot,
) -> Result<Connection, ApiError> {
    let probes = probes_dir(&data_dir);
    let seed_dir = data_dir.clone();
    let seed_probes = probes.clone();
    // The synthetic demo suits the pixel engine only (it has no real faces).
    let pixel = engine.engine().is_some_and(|e| e.id() == PixelEngine.id());
    // Seed before the server opens the store, so its index sees the demo.
    let seeded = pixel
        && tokio::task::spawn_blocking(move || -> Result<(), String> {
            let store = Store::open(&seed_dir).map_err(|e| e.to_string())?;
            let empty = store.counts().map_err(|e| e.to_string())?.0 == 0;
            drop(store);
            if empty || !seed_probes.exists() {
                seed_demo(&seed_dir, &seed_probes).map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .await
        .map_err(|e| ApiError::SandboxStart(e.to_string()))?
        .is_ok();
    let mut opts = SandboxOptions::local(&data_dir);
    opts.engine = engine;
    let running = start(opts)
        .await
        .map_err(|e| ApiError::SandboxStart(e.to_string()))?;
    let client =
        Client::new(config.client_config(&running.base_url, Token::new(PLACEHOLDER_TOKEN)))?;
    let engine = running.engine_label();
    let probes_dir = seeded.then_some(probes);
    let where_probes = probes_dir
        .as_ref()
        .map(|p| format!(" — demo probes in {}", p.display()))
        .unwrap_or_default();
    let honesty = if pixel { "; not a face recognizer" } else { "" };
    Ok(Connection {
        client,
        backend: Backend::Sandbox {
            engine: engine.clone(),
            probes_dir,
        },
        token_masked: None,
        notes: vec![format!(
            "no token configured: using the embedded sandbox ({engine}{honesty}){where_probes}"
        )],
        sandbox: Some(running),
    })
}
