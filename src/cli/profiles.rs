//! `liveface profiles …`: the config file's profiles — list them (where each one's token
//! comes from, never its value), or add / update one in `config.toml`.

use std::io::Read;

use clap::Subcommand;

use super::output::table;
use super::{report, EXIT_BAD_INPUT};
use crate::api::Token;
use crate::config::write::{add_profile, ProfileEdit};
use crate::config::{
    default_config_path, read_file_config, Flags, DEFAULT_BASE_URL, ENV_TOKEN, SANDBOX_PROFILE,
};
use crate::printable::printable;

/// Exit code when the config file cannot be written (bad input is `EXIT_BAD_INPUT`).
pub const EXIT_WRITE_FAILED: i32 = 1;

#[derive(Subcommand, Debug, Clone)]
pub enum ProfilesAction {
    /// Each profile: its base URL and where its token comes from (never the token)
    List,
    /// Create or update [profiles.NAME] in config.toml (comments and layout kept; the
    /// file is written atomically, 0600 when new)
    Add {
        name: String,
        #[arg(long, value_name = "URL")]
        base_url: String,
        /// Read the token from standard input (one line) and store it in the file
        #[arg(long, conflicts_with = "token_command")]
        token_stdin: bool,
        /// Store a command whose output is the token instead of the token
        #[arg(long, value_name = "CMD")]
        token_command: Option<String>,
        #[arg(long, value_name = "SCORE", allow_negative_numbers = true)]
        min_score: Option<f64>,
        #[arg(long, value_name = "SCORE", allow_negative_numbers = true)]
        liveness_min_score: Option<f64>,
        /// FAST or ACCURATE
        #[arg(long, value_name = "MODE")]
        search_mode: Option<String>,
        #[arg(long, value_name = "ID")]
        collection: Option<String>,
        /// Time budget per call, 1–600 s
        #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
        timeout_secs: Option<i64>,
    },
}

/// Runs one `profiles` command; returns the exit code.
pub fn run(flags: &Flags, action: &ProfilesAction) -> i32 {
    let Some(path) = flags.config.clone().or_else(default_config_path) else {
        report(&"no config directory on this system: give --config FILE");
        return EXIT_BAD_INPUT;
    };
    match action {
        ProfilesAction::List => list(&path),
        ProfilesAction::Add {
            name,
            base_url,
            token_stdin,
            token_command,
            min_score,
            liveness_min_score,
            search_mode,
            collection,
            timeout_secs,
        } => {
            let token = if *token_stdin {
                match read_token() {
                    Ok(t) => Some(t),
                    Err(e) => {
                        report(&e);
                        return EXIT_BAD_INPUT;
                    }
                }
            } else {
                None
            };
            if let Some(t) = timeout_secs.filter(|t| !(1..=600).contains(t)) {
                report(&format!(
                    "--timeout-secs must be between 1 and 600 seconds (got {t})"
                ));
                return EXIT_BAD_INPUT;
            }
            let edit = ProfileEdit {
                name: name.clone(),
                base_url: base_url.clone(),
                token,
                token_command: token_command.clone(),
                min_score: *min_score,
                liveness_min_score: *liveness_min_score,
                search_mode: search_mode.clone(),
                collection_id: collection.clone(),
                timeout_secs: *timeout_secs,
                allow_insecure: flags.allow_insecure,
            };
            add(&path, &edit)
        }
    }
}

/// One line of standard input, checked as a token (its value never quoted). On a
/// terminal it is asked for without echo, so it never shows on screen.
fn read_token() -> Result<String, String> {
    use std::io::IsTerminal;
    let mut text = String::new();
    if std::io::stdin().is_terminal() {
        text = rpassword::prompt_password("token (not shown): ")
            .map_err(|e| format!("cannot read the token from the terminal: {e}"))?;
    } else {
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the token from standard input: {e}"))?;
    }
    let line = text.lines().next().unwrap_or("").trim().to_owned();
    match Token::parse(&line) {
        Ok(Some(_)) => Ok(line),
        Ok(None) => Err("--token-stdin: standard input held no token".into()),
        Err(_) => Err(
            "--token-stdin: the token is not valid (one line of printable ASCII, no spaces)".into(),
        ),
    }
}

fn add(path: &std::path::Path, edit: &ProfileEdit) -> i32 {
    // Bad input is found before anything is written; only the write itself fails later.
    match add_profile(path, edit) {
        Ok(w) => {
            let what = if w.updated { "updated" } else { "added" };
            println!(
                "profile {} {what} in {}{}",
                edit.name,
                w.path.display(),
                if w.created {
                    " (created, mode 600)"
                } else {
                    ""
                }
            );
            if let Some(words) = w.mode_fixed {
                report(&format!("note: {words}"));
            }
            0
        }
        Err(e) if e.starts_with("cannot write") => {
            report(&e);
            EXIT_WRITE_FAILED
        }
        Err(e) => {
            report(&e);
            EXIT_BAD_INPUT
        }
    }
}

fn list(path: &std::path::Path) -> i32 {
    let mut warnings = Vec::new();
    let file = if path.exists() {
        match read_file_config(path, &mut warnings) {
            Ok(f) => f,
            Err(e) => {
                report(&e);
                return EXIT_BAD_INPUT;
            }
        }
    } else {
        Default::default()
    };
    for w in &warnings {
        report(&format!("warning: {w}"));
    }
    let env_token = std::env::var(ENV_TOKEN)
        .ok()
        .filter(|t| !t.trim().is_empty());
    let source = |token: &Option<String>, command: &Option<String>| -> String {
        if env_token.is_some() {
            return format!("env {ENV_TOKEN}");
        }
        match (token, command) {
            (Some(t), _) => match Token::parse(t) {
                Ok(Some(t)) => format!("token {}", t.masked()),
                _ => "token (invalid)".into(),
            },
            (None, Some(c)) => format!("token_command {}", printable(c)),
            (None, None) => "none".into(),
        }
    };
    let default = std::env::var(crate::config::ENV_PROFILE)
        .ok()
        .or(file.profile.clone());
    let mark = |name: &str| {
        if default.as_deref() == Some(name) {
            "*"
        } else {
            ""
        }
    };
    let mut rows: Vec<Vec<String>> = file
        .profiles
        .iter()
        .map(|(name, p)| {
            // A profile with its own base URL never inherits the top-level token.
            let (token, command) = if p.base_url.is_some() {
                (p.token.clone(), p.token_command.clone())
            } else {
                (
                    p.token.clone().or(file.token.clone()),
                    p.token_command.clone().or(file.token_command.clone()),
                )
            };
            let url = p
                .base_url
                .clone()
                .or(file.base_url.clone())
                .unwrap_or_else(|| DEFAULT_BASE_URL.into());
            vec![
                format!("{name}{}", mark(name)),
                url,
                source(&token, &command),
            ]
        })
        .collect();
    if !file.profiles.contains_key(SANDBOX_PROFILE) {
        rows.push(vec![
            format!("{SANDBOX_PROFILE}{}", mark(SANDBOX_PROFILE)),
            "embedded sandbox".into(),
            "none needed".into(),
        ]);
    }
    print!("{}", table(&["PROFILE", "BASE URL", "TOKEN FROM"], &rows));
    if default.is_some() {
        println!("* the default profile");
    }
    0
}
