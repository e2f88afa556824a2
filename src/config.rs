//! Where requests go and with which defaults: flags > environment > `config.toml` > defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::api::model::{parse_threshold, validate_threshold, Os, SearchMode, SearchParams};
use crate::api::{ClientConfig, Token};

pub const DEFAULT_BASE_URL: &str = "https://api.verifik.co";
pub const ENV_TOKEN: &str = "VERIFIK_TOKEN";
pub const ENV_BASE_URL: &str = "LIVEFACE_BASE_URL";
/// Default longest side of the uploaded probe, in pixels.
pub const DEFAULT_MAX_SIDE: u32 = 1600;

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

/// `<data dir>/liveface/history.jsonl`: every search the dashboard ran.
pub fn history_path() -> PathBuf {
    data_dir().join("history.jsonl")
}

/// Default cap of the history: older runs are pruned, oldest first, at start.
pub const DEFAULT_HISTORY_MAX_RUNS: usize = 10_000;

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

/// The file's settings with profile `name` laid over them.
fn apply_profile(mut file: FileConfig, name: &str) -> Result<FileConfig, String> {
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

impl Target {
    /// The token to send: the configured one, or the output of `token_command` (run
    /// now, with a 10 s limit; its output is never shown).
    ///
    /// # Errors
    /// Plain words when the command cannot run, fails, times out, or prints no usable
    /// token (its standard error's first line is quoted, printable).
    pub fn resolve_token(&self) -> Result<Option<Token>, String> {
        match self {
            Target::Remote { token: Some(t), .. } => Ok(Some(t.clone())),
            Target::Remote {
                token_command: Some(cmd),
                ..
            } => run_token_command(cmd).map(Some),
            _ => Ok(None),
        }
    }
}

/// Runs `sh -c cmd` and takes its trimmed standard output as the token.
fn run_token_command(cmd: &str) -> Result<Token, String> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("token_command could not start: {e}"))?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("token_command did not finish within 10 s".into());
            }
            Err(e) => return Err(format!("token_command failed: {e}")),
        }
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    if !status.success() {
        let first = err.lines().next().unwrap_or("").trim();
        return Err(format!(
            "token_command failed ({status}){}",
            if first.is_empty() {
                String::new()
            } else {
                format!(": {}", crate::printable::printable(first))
            }
        ));
    }
    Token::parse(&out)
        .map_err(|e| format!("token_command's output: {e}"))?
        .ok_or_else(|| "token_command printed nothing".into())
}

fn read_file_config(path: &Path, warnings: &mut Vec<String>) -> Result<FileConfig, String> {
    // Never open() a FIFO here: it would hang every command.
    let text = crate::filetype::read_regular_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    let file: FileConfig = toml::from_str(&text)
        .map_err(|e| format!("config file {} is invalid: {}", path.display(), e.message()))?;
    let holds_token = file.token.is_some() || file.profiles.values().any(|p| p.token.is_some());
    if holds_token && readable_by_others(path) {
        warnings.push(format!(
            "{} holds a token and is readable by other users; run: chmod 600 {}",
            path.display(),
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

/// Refuses plain `http://` to anything but loopback, unless explicitly allowed:
/// the token and the face images would cross the network in clear text.
pub fn check_url(url: &str, allow_insecure: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| format!("base URL {url:?} is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("base URL {url:?} has no host"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback(host) => Ok(()),
        "http" => Err(format!(
            "refusing plain http:// to {host}: the token and images would travel unencrypted; use https:// or pass --allow-insecure"
        )),
        other => Err(format!("base URL must start with https:// (got {other}://)")),
    }
}

pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn no_file() -> Flags {
        Flags {
            config: Some(PathBuf::from("/nonexistent/liveface-test.toml")),
            ..Flags::default()
        }
    }

    fn with_file(text: &str, mode: u32) -> (tempfile::TempDir, Flags) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let flags = Flags {
            config: Some(p),
            ..Flags::default()
        };
        (dir, flags)
    }

    #[test]
    fn nothing_configured_means_the_embedded_sandbox_with_documented_defaults() {
        let (_d, flags) = with_file("", 0o600);
        let c = resolve(&flags, &env_of(&[])).unwrap();
        assert_eq!(c.target, Target::EmbeddedSandbox);
        assert_eq!(c.defaults, SearchParams::default());
        assert_eq!(c.defaults.liveness_min_score, 0.65);
        assert_eq!(c.defaults.min_score, 0.75);
        assert_eq!(c.timeout, Duration::from_secs(30));
    }

    #[test]
    fn a_missing_explicit_config_file_is_an_error() {
        assert!(resolve(&no_file(), &env_of(&[]))
            .unwrap_err()
            .contains("does not exist"));
    }

    #[test]
    fn flags_beat_environment_beat_file() {
        let (_d, mut flags) = with_file(
            "token = \"file-token-123456\"\nbase_url = \"https://file.example\"\nmin_score = 0.8\n",
            0o600,
        );
        let env = env_of(&[
            (ENV_TOKEN, "env-token-abcdef"),
            (ENV_BASE_URL, "https://env.example"),
        ]);
        let c = resolve(&flags, &env).unwrap();
        assert_eq!(
            c.target,
            Target::Remote {
                base_url: "https://env.example".into(),
                token: Token::new("env-token-abcdef"),
                token_command: None,
            }
        );
        assert_eq!(c.defaults.min_score, 0.8);
        flags.base_url = Some("https://flag.example/".into());
        flags.token = Some("flag-token-zzzz".into());
        flags.min_score = Some("0.9".into());
        let c = resolve(&flags, &env).unwrap();
        assert_eq!(
            c.target,
            Target::Remote {
                base_url: "https://flag.example".into(),
                token: Token::new("flag-token-zzzz"),
                token_command: None,
            }
        );
        assert_eq!(c.defaults.min_score, 0.9);
    }

    #[test]
    fn a_token_alone_goes_to_the_cloud() {
        let (_d, flags) = with_file("", 0o600);
        let c = resolve(&flags, &env_of(&[(ENV_TOKEN, "secret-token-1234")])).unwrap();
        assert!(
            matches!(c.target, Target::Remote { ref base_url, .. } if base_url == DEFAULT_BASE_URL)
        );
    }

    #[test]
    fn out_of_range_thresholds_are_refused_wherever_they_come_from() {
        let (_d, mut flags) = with_file("liveness_min_score = 1.5\n", 0o600);
        assert!(resolve(&flags, &env_of(&[]))
            .unwrap_err()
            .contains("liveness_min_score"));
        let (_d2, f2) = with_file("", 0o600);
        flags = f2;
        flags.min_score = Some("0.49".into());
        assert!(resolve(&flags, &env_of(&[]))
            .unwrap_err()
            .contains("min_score"));
        flags.min_score = Some("abc".into());
        assert!(resolve(&flags, &env_of(&[])).is_err());
    }

    const PROFILES: &str = "token = \"top-token-0123456789\"\nmin_score = 0.8\nprofile = \"prod\"\n\
        [profiles.prod]\nmin_score = 0.85\n\
        [profiles.staging]\nbase_url = \"https://staging.example\"\ntoken_command = \"printf stage-token-0123456789\"\n";

    #[test]
    fn profiles_lay_over_the_file_and_never_carry_a_token_elsewhere() {
        let (_d, mut flags) = with_file(PROFILES, 0o600);
        // The file's default profile: the top-level token, its own threshold.
        let c = resolve(&flags, &env_of(&[])).unwrap();
        assert_eq!(c.profile.as_deref(), Some("prod"));
        assert_eq!(c.defaults.min_score, 0.85);
        assert!(
            matches!(&c.target, Target::Remote { base_url, token: Some(_), .. } if base_url == DEFAULT_BASE_URL)
        );
        // LIVEFACE_PROFILE beats the file; the staging server gets its own token only.
        let c = resolve(&flags, &env_of(&[(ENV_PROFILE, "staging")])).unwrap();
        assert_eq!(c.defaults.min_score, 0.8);
        let Target::Remote {
            base_url,
            token,
            token_command,
        } = &c.target
        else {
            panic!("{:?}", c.target)
        };
        assert_eq!(base_url, "https://staging.example");
        assert_eq!(
            token, &None,
            "the top-level token is not sent to another server"
        );
        assert!(token_command.is_some());
        assert_eq!(
            c.target.resolve_token().unwrap(),
            Token::new("stage-token-0123456789")
        );
        // --profile beats both; `sandbox` always exists and wins over any token.
        flags.profile = Some("sandbox".into());
        let c = resolve(&flags, &env_of(&[(ENV_TOKEN, "env-token-abcdef")])).unwrap();
        assert_eq!(c.target, Target::EmbeddedSandbox);
        flags.profile = Some("nope".into());
        let e = resolve(&flags, &env_of(&[])).unwrap_err();
        assert!(
            e.contains("no profile \"nope\"") && e.contains("prod, staging, sandbox"),
            "{e}"
        );
    }

    #[test]
    fn a_failing_token_command_says_why_without_its_output() {
        let t = |cmd: &str| Target::Remote {
            base_url: DEFAULT_BASE_URL.into(),
            token: None,
            token_command: Some(cmd.into()),
        };
        let e = t("echo secret-out; echo 'no key\x1b[2J' >&2; exit 3")
            .resolve_token()
            .unwrap_err();
        assert!(
            e.contains("token_command failed") && e.contains("no key"),
            "{e}"
        );
        assert!(!e.contains("secret-out") && !e.contains('\x1b'), "{e}");
        assert!(t("true")
            .resolve_token()
            .unwrap_err()
            .contains("printed nothing"));
        assert!(t("printf 'two\nlines'")
            .resolve_token()
            .unwrap_err()
            .contains("line break"));
    }

    #[test]
    fn plain_http_is_only_for_loopback_unless_allowed() {
        assert!(check_url("http://127.0.0.1:8787", false).is_ok());
        assert!(check_url("http://localhost:8787", false).is_ok());
        assert!(check_url("http://[::1]:8787", false).is_ok());
        assert!(check_url("http://api.example.com", false)
            .unwrap_err()
            .contains("--allow-insecure"));
        assert!(check_url("http://api.example.com", true).is_ok());
        assert!(check_url("ftp://x", true).is_err());
        assert!(check_url("not a url", false).is_err());
    }

    #[test]
    #[cfg(unix)]
    fn a_fifo_config_file_is_refused_by_name_instead_of_blocking() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.toml");
        assert!(std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap()
            .success());
        let flags = Flags {
            config: Some(p.clone()),
            ..Flags::default()
        };
        let e = resolve(&flags, &|_| None).unwrap_err();
        assert!(
            e.contains(&p.display().to_string()) && e.contains("named pipe"),
            "{e}"
        );
    }

    #[test]
    fn a_token_file_readable_by_others_gets_a_warning_that_does_not_show_the_token() {
        let (_d, flags) = with_file("token = \"super-secret-token-9876\"\n", 0o644);
        let c = resolve(&flags, &env_of(&[])).unwrap();
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("chmod 600"));
        assert!(!c.warnings[0].contains("super-secret"));
        let (_d, flags) = with_file("token = \"super-secret-token-9876\"\n", 0o600);
        assert!(resolve(&flags, &env_of(&[])).unwrap().warnings.is_empty());
    }

    #[test]
    fn unknown_keys_in_the_file_are_reported() {
        let (_d, flags) = with_file("min_scor = 0.8\n", 0o600);
        assert!(resolve(&flags, &env_of(&[]))
            .unwrap_err()
            .contains("invalid"));
    }
}
