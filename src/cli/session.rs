//! The step most commands share: load the configuration, then connect (to the API or a
//! freshly started embedded sandbox), with the notes and warnings on stderr.

use super::args::GlobalArgs;
use super::feedback::{confirm, report, EXIT_BAD_INPUT};
use crate::api::ApiError;
use crate::config::Config;
use crate::connect::{connect, Connection, EmbedOptions};

/// Loads the config and connects, printing notes on stderr; `Err` carries the exit code.
pub async fn open(
    global: &GlobalArgs,
    flags: crate::config::Flags,
) -> Result<(Config, Connection), i32> {
    let config = crate::config::load(&flags).map_err(|e| {
        report(&e);
        EXIT_BAD_INPUT
    })?;
    for w in &config.warnings {
        eprintln!("liveface: warning: {w}");
    }
    let embed = EmbedOptions {
        models: global.models.clone(),
        wait_for_engine: true,
    };
    let conn = connect(&config, &embed).await.map_err(|e: ApiError| {
        report(&e);
        e.exit_code()
    })?;
    for note in &conn.notes {
        eprintln!("liveface: {note}");
    }
    Ok((config, conn))
}

/// The step every managing command shares: ask the confirmation (if there is one), then
/// connect. `Err` carries the exit code; a refusal sends nothing.
pub async fn confirm_then_open(
    global: &GlobalArgs,
    question: Option<&str>,
) -> Result<Connection, i32> {
    if let Some(q) = question {
        confirm(q).map_err(|e| {
            report(&e);
            EXIT_BAD_INPUT
        })?;
    }
    open(global, global.flags()).await.map(|(_, conn)| conn)
}
