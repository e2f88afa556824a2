//! The configuration's layering, profiles and refusals, through [`resolve`] with an
//! injected environment.

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
