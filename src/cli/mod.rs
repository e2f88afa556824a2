//! The headless commands: `search`, `collections`, … Each returns its exit code.

pub mod args;
pub mod collections;
pub mod eval;
pub mod history;
pub mod models;
pub mod output;
pub mod persons;
pub mod sandbox;
pub mod search;

use crate::api::ApiError;
use crate::config::Config;
use crate::connect::{connect, Connection, EmbedOptions};

pub use args::{Cli, Command};

/// Exit code for bad input (nothing was sent).
pub const EXIT_BAD_INPUT: i32 = 2;

/// Prints an error on stderr in one or two plain lines; server text in it is made
/// printable (no escape sequences reach the terminal).
pub fn report(err: &dyn std::fmt::Display) {
    eprintln!(
        "liveface: {}",
        crate::printable::printable(&err.to_string())
    );
}

/// Loads the config and connects, printing notes on stderr; `Err` carries the exit code.
pub async fn open(
    global: &args::GlobalArgs,
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
    global: &args::GlobalArgs,
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

/// Asks a yes/no question on the terminal; refuses when stdin is not a terminal.
pub fn confirm(question: &str) -> Result<(), String> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{question} — refusing without --yes because stdin is not a terminal"
        ));
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err("cancelled: nothing was changed".into())
    }
}
