//! `config.toml`: its keys, its `[profiles.NAME]` tables laid over the top level, and a
//! warning when a file holding a token is readable by others.

use std::path::Path;

use serde::Deserialize;

/// `config.toml`, every key optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub token: Option<String>,
    pub base_url: Option<String>,
    pub os: Option<String>,
    pub liveness_min_score: Option<f64>,
    pub min_score: Option<f64>,
    pub search_mode: Option<String>,
    pub collection_id: Option<String>,
    // Signed, so a negative value reaches the range check and its plain message.
    pub timeout_secs: Option<i64>,
    pub retries: Option<u32>,
    pub max_side: Option<i64>,
    pub theme: Option<String>,
    pub allow_insecure: Option<bool>,
    /// A command whose standard output is the token (so it need not be stored here).
    pub token_command: Option<String>,
    /// The profile used when neither `--profile` nor `LIVEFACE_PROFILE` names one.
    pub profile: Option<String>,
    /// Named accounts and servers: `[profiles.prod]`, `[profiles.staging]` …
    #[serde(default)]
    pub profiles: std::collections::BTreeMap<String, Profile>,
    /// Most runs the history keeps (oldest pruned first); default 10,000.
    pub history_max_runs: Option<usize>,
    /// Minutes a stored run may answer a stricter query locally (0 = never re-filter).
    /// Unset: only runs of the current dashboard session.
    pub refilter_max_age: Option<u64>,
}

/// One `[profiles.NAME]` table: where requests go and with which defaults. Its keys beat
/// the file's top-level keys. A profile with its own `base_url` never inherits the
/// top-level token (a token is sent only where it was meant to go).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub base_url: Option<String>,
    pub token: Option<String>,
    pub token_command: Option<String>,
    pub os: Option<String>,
    pub liveness_min_score: Option<f64>,
    pub min_score: Option<f64>,
    pub search_mode: Option<String>,
    pub collection_id: Option<String>,
    pub timeout_secs: Option<i64>,
    pub retries: Option<u32>,
    pub allow_insecure: Option<bool>,
}

/// The profile that always exists: the embedded sandbox, whatever else is configured.
pub const SANDBOX_PROFILE: &str = "sandbox";

/// The file's settings with profile `name` laid over them.
pub(super) fn apply_profile(mut file: FileConfig, name: &str) -> Result<FileConfig, String> {
    let Some(p) = file.profiles.get(name).cloned() else {
        let mut known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
        known.push(SANDBOX_PROFILE);
        return Err(format!(
            "no profile {name:?} in the config file (profiles: {})",
            known.join(", ")
        ));
    };
    if p.base_url.is_some() {
        // Another server: the top-level token was not meant for it.
        file.token = None;
        file.token_command = None;
    }
    macro_rules! over {
        ($($field:ident),+) => { $( if p.$field.is_some() { file.$field = p.$field.clone(); } )+ };
    }
    over!(
        base_url,
        token,
        token_command,
        os,
        liveness_min_score,
        min_score,
        search_mode,
        collection_id,
        timeout_secs,
        retries,
        allow_insecure
    );
    Ok(file)
}

/// Reads and parses `config.toml`; a file holding a token that other users can read
/// adds a warning.
///
/// # Errors
/// The file cannot be read, or is not a valid config (plain words, with its path).
pub fn read_file_config(path: &Path, warnings: &mut Vec<String>) -> Result<FileConfig, String> {
    // Never open() a FIFO here: it would hang every command.
    let text = crate::filetype::read_regular_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    let file: FileConfig = toml::from_str(&text)
        .map_err(|e| format!("config file {} is invalid: {}", path.display(), e.message()))?;
    let holds_token = file.token.is_some() || file.profiles.values().any(|p| p.token.is_some());
    if holds_token && readable_by_others(path) {
        // The point first: a status bar may show only the start of the line.
        warnings.push(format!(
            "config file holds a token and is readable by other users; run: chmod 600 {}",
            path.display()
        ));
    }
    Ok(file)
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o077 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}
