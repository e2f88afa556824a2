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
}

/// What the command line said; `None` means "not given".
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
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
    },
    /// Nothing configured: start the embedded sandbox.
    EmbeddedSandbox,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub target: Target,
    pub defaults: SearchParams,
    pub timeout: Duration,
    pub retries: u32,
    pub max_side: u32,
    pub theme: Option<String>,
    /// Things the user should know (e.g. a token file readable by others).
    pub warnings: Vec<String>,
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

    let token_text = nonempty(flags.token.clone())
        .or_else(|| nonempty(env(ENV_TOKEN)))
        .or_else(|| nonempty(file.token.clone()));
    let base_url = nonempty(flags.base_url.clone())
        .or_else(|| nonempty(env(ENV_BASE_URL)))
        .or_else(|| nonempty(file.base_url.clone()));
    let allow_insecure = flags.allow_insecure || file.allow_insecure.unwrap_or(false);

    let target = match (base_url, token_text) {
        (None, None) => Target::EmbeddedSandbox,
        (url, token) => {
            let base_url = url.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
            check_url(&base_url, allow_insecure)?;
            Target::Remote {
                base_url: base_url.trim().trim_end_matches('/').to_owned(),
                token: token.and_then(Token::new),
            }
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
        target,
        defaults,
        timeout: Duration::from_secs(timeout_secs),
        retries: file.retries.unwrap_or(2).min(10),
        max_side,
        theme: flags.theme.clone().or(file.theme),
        warnings,
    })
}

fn read_file_config(path: &Path, warnings: &mut Vec<String>) -> Result<FileConfig, String> {
    // Never open() a FIFO here: it would hang every command.
    let text = crate::filetype::read_regular_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    let file: FileConfig = toml::from_str(&text)
        .map_err(|e| format!("config file {} is invalid: {}", path.display(), e.message()))?;
    if file.token.is_some() && readable_by_others(path) {
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
                token: Token::new("env-token-abcdef")
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
                token: Token::new("flag-token-zzzz")
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
