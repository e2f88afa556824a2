//! Where requests go and with which defaults: flags > environment > `config.toml` > defaults.
//!
//! - [`file`]: what `config.toml` may hold, profiles laid over it, its permissions;
//! - [`token_command`]: a token taken from a command's output instead of the file;
//! - [`url`]: which base URLs a token may be sent to;
//! - [`write`]: `config.toml` written by `liveface profiles add` (0600, atomic).

mod file;
mod token_command;
mod url;
pub mod write;

use std::path::PathBuf;
use std::time::Duration;

use crate::api::model::{parse_threshold, validate_threshold, Os, SearchMode, SearchParams};
use crate::api::{ClientConfig, Token};

pub const DEFAULT_BASE_URL: &str = "https://api.verifik.co";
pub const ENV_TOKEN: &str = "VERIFIK_TOKEN";
pub const ENV_BASE_URL: &str = "LIVEFACE_BASE_URL";
/// Default longest side of the uploaded probe, in pixels.
pub const DEFAULT_MAX_SIDE: u32 = 1600;

pub use file::{FileConfig, Profile, SANDBOX_PROFILE};
pub use url::{check_url, is_loopback};

use file::apply_profile;
pub use file::read_file_config;

pub const ENV_PROFILE: &str = "LIVEFACE_PROFILE";

/// What the command line said; `None` means "not given".
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    /// `--profile NAME`.
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub token: Option<String>,
    pub os: Option<String>,
    pub liveness_min_score: Option<String>,
    pub min_score: Option<String>,
    pub search_mode: Option<String>,
    pub collection_id: Option<String>,
    /// Signed, so `--timeout -5` gets the range check's message, not a parse error.
    pub timeout_secs: Option<i64>,
    /// Signed for the same reason.
    pub max_side: Option<i64>,
    pub theme: Option<String>,
    pub allow_insecure: bool,
}

/// Where requests go.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A real server (the cloud, or a standalone sandbox).
    Remote {
        base_url: String,
        token: Option<Token>,
        /// Run when `token` is `None`: its standard output is the token.
        token_command: Option<String>,
    },
    /// Nothing configured: start the embedded sandbox.
    EmbeddedSandbox,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// The profile in use (`--profile`, `LIVEFACE_PROFILE` or the file's `profile`).
    pub profile: Option<String>,
    pub target: Target,
    pub defaults: SearchParams,
    pub timeout: Duration,
    pub retries: u32,
    pub max_side: u32,
    pub theme: Option<String>,
    /// Most runs the history keeps; the oldest are pruned at the dashboard's start.
    pub history_max_runs: usize,
    /// How old a stored run may be and still be re-filtered (see [`Refilter`]).
    pub refilter: Refilter,
    /// Things the user should know (e.g. a token file readable by others).
    pub warnings: Vec<String>,
}

/// Which stored runs may answer a stricter query without a request. A run must also
/// come from the same back end (base URL and token fingerprint); see
/// `history::refilter`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Refilter {
    /// Runs of the current dashboard session only (the default).
    #[default]
    Session,
    /// Runs of this session, or younger than this (`refilter_max_age`, minutes).
    MaxAge(Duration),
    /// Never: every search sends a request (`refilter_max_age = 0`).
    Never,
}

impl Config {
    /// The client settings for a base URL (the remote one, or the sandbox's once started).
    pub fn client_config(&self, base_url: &str, token: Option<Token>) -> ClientConfig {
        let mut c = ClientConfig::new(base_url, token);
        c.timeout = self.timeout;
        c.retries = self.retries;
        c
    }
}

/// `<config dir>/liveface/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("liveface").join("config.toml"))
}

/// `<data dir>/liveface`: history, the embedded sandbox's store, demo probes.
pub fn data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("liveface")
}

/// `<data dir>/liveface/history.jsonl`: every search the dashboard and `liveface search` ran.
pub fn history_path() -> PathBuf {
    data_dir().join("history.jsonl")
}

/// Default cap of the history: older runs are pruned, oldest first, at start.
pub const DEFAULT_HISTORY_MAX_RUNS: usize = 10_000;

/// The profiles `config.toml` defines (`[profiles.NAME]`), sorted; none when there is no
/// file. `sandbox` is built in and listed only when the file defines it.
///
/// # Errors
/// The file (named by `--config`, or the default one) cannot be read or parsed.
pub fn profile_names(flags: &Flags) -> Result<Vec<String>, String> {
    let path = flags.config.clone().or_else(default_config_path);
    match path {
        Some(p) if p.exists() => {
            let file = read_file_config(&p, &mut Vec::new())?;
            Ok(file.profiles.into_keys().collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// Loads the configuration from the real environment and files.
pub fn load(flags: &Flags) -> Result<Config, String> {
    resolve(flags, &|k| std::env::var(k).ok())
}

/// Resolves the configuration with an injectable environment (for tests).
pub fn resolve(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
    let mut warnings = Vec::new();
    let path = flags.config.clone().or_else(default_config_path);
    let file = match &path {
        Some(p) if p.exists() => read_file_config(p, &mut warnings)?,
        Some(p) if flags.config.is_some() => {
            return Err(format!("config file {} does not exist", p.display()))
        }
        _ => FileConfig::default(),
    };
    let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let profile = nonempty(flags.profile.clone())
        .or_else(|| nonempty(env(ENV_PROFILE)))
        .or_else(|| nonempty(file.profile.clone()));
    let sandbox_forced =
        profile.as_deref() == Some(SANDBOX_PROFILE) && !file.profiles.contains_key(SANDBOX_PROFILE);
    let file = match &profile {
        Some(name) if !sandbox_forced => apply_profile(file, name)?,
        _ => file,
    };

    let token_text = nonempty(flags.token.clone())
        .or_else(|| nonempty(env(ENV_TOKEN)))
        .or_else(|| nonempty(file.token.clone()));
    let token_command = nonempty(file.token_command.clone());
    let base_url = nonempty(flags.base_url.clone())
        .or_else(|| nonempty(env(ENV_BASE_URL)))
        .or_else(|| nonempty(file.base_url.clone()));
    let allow_insecure = flags.allow_insecure || file.allow_insecure.unwrap_or(false);

    let anything_remote = base_url.is_some() || token_text.is_some() || token_command.is_some();
    let target = if sandbox_forced || !anything_remote {
        Target::EmbeddedSandbox
    } else {
        let base_url = base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        check_url(&base_url, allow_insecure)?;
        let token = match token_text {
            Some(t) => Token::parse(&t)?,
            None => None,
        };
        Target::Remote {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            token_command: token_command.filter(|_| token.is_none()),
            token,
        }
    };

    let os = match flags.os.clone().or(file.os.clone()) {
        Some(s) => Os::parse(&s)
            .ok_or_else(|| format!("os must be ANDROID, IOS or DESKTOP (got {s:?})"))?,
        None => Os::Desktop,
    };
    let search_mode = match flags.search_mode.clone().or(file.search_mode.clone()) {
        Some(s) => SearchMode::parse(&s)
            .ok_or_else(|| format!("search_mode must be FAST or ACCURATE (got {s:?})"))?,
        None => SearchMode::Fast,
    };
    let threshold =
        |field: &str, flag: &Option<String>, file: Option<f64>, default: f64| match (flag, file) {
            (Some(text), _) => parse_threshold(field, text),
            (None, Some(v)) => {
                validate_threshold(field, v).map_err(|e| format!("{e} in config.toml"))
            }
            (None, None) => Ok(default),
        };
    let defaults = SearchParams {
        os,
        liveness_min_score: threshold(
            "liveness_min_score",
            &flags.liveness_min_score,
            file.liveness_min_score,
            0.65,
        )?,
        min_score: threshold("min_score", &flags.min_score, file.min_score, 0.75)?,
        search_mode,
        collection_id: nonempty(flags.collection_id.clone())
            .or(nonempty(file.collection_id.clone())),
    };
    let max_side = flags
        .max_side
        .or(file.max_side)
        .unwrap_or(i64::from(DEFAULT_MAX_SIDE));
    if !(64..=8192).contains(&max_side) {
        return Err(format!(
            "max_side must be between 64 and 8192 pixels (got {max_side})"
        ));
    }
    let max_side = max_side as u32;
    let timeout_secs = flags.timeout_secs.or(file.timeout_secs).unwrap_or(30);
    if !(1..=600).contains(&timeout_secs) {
        return Err(format!(
            "timeout must be between 1 and 600 seconds (got {timeout_secs})"
        ));
    }
    let timeout_secs = timeout_secs as u64;
    Ok(Config {
        profile,
        target,
        defaults,
        timeout: Duration::from_secs(timeout_secs),
        retries: file.retries.unwrap_or(2).min(10),
        max_side,
        theme: flags.theme.clone().or(file.theme),
        history_max_runs: match file.history_max_runs {
            None => DEFAULT_HISTORY_MAX_RUNS,
            Some(n) if (100..=10_000_000).contains(&n) => n,
            Some(n) => {
                return Err(format!(
                    "history_max_runs must be between 100 and 10000000 (got {n})"
                ))
            }
        },
        refilter: match file.refilter_max_age {
            None => Refilter::Session,
            Some(0) => Refilter::Never,
            Some(m) if m > 60 * 24 * 365 => {
                return Err(format!(
                    "refilter_max_age is in minutes, at most 525600 (a year) (got {m})"
                ))
            }
            Some(m) => Refilter::MaxAge(Duration::from_secs(m * 60)),
        },
        warnings,
    })
}

#[cfg(test)]
mod tests;
