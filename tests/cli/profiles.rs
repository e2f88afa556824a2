//! `liveface profiles add|list`: config.toml created 0600, comments kept on update, a
//! file readable by others narrowed before a token goes in, and the token never in any
//! output or error.

use crate::support::liveface_command;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use tokio::io::AsyncWriteExt;

const SECRET: &str = "eyJsecret-token-value-0123456789wxyz";

async fn liveface(home: &Path, stdin: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = liveface_command(home, None);
    cmd.args(args);
    if stdin.is_some() {
        cmd.stdin(std::process::Stdio::piped());
    }
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).await.unwrap();
        drop(pipe);
    }
    child.wait_with_output().await.unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn add_creates_the_config_0600_and_list_never_shows_the_token() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/liveface/config.toml");
    let out = liveface(
        home.path(),
        Some(&format!("{SECRET}\n")),
        &[
            "profiles",
            "add",
            "prod",
            "--base-url",
            "https://api.example.com",
            "--token-stdin",
            "--min-score",
            "0.8",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(SECRET));
    assert_eq!(mode(&config), 0o600, "a new config file is 0600");
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.contains("[profiles.prod]"), "{written}");
    assert!(written.contains("min_score = 0.8"), "{written}");
    // No temporary file left beside it.
    let names: Vec<_> = std::fs::read_dir(config.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("config.toml")]);

    let out = liveface(
        home.path(),
        None,
        &[
            "profiles",
            "add",
            "staging",
            "--base-url",
            "https://staging.example.com",
            "--token-command",
            "pass show verifik/staging",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = liveface(home.path(), None, &["profiles", "list"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listed = text(&out);
    assert!(!listed.contains(SECRET), "{listed}");
    assert!(!listed.contains("eyJsecret"), "{listed}");
    assert!(listed.contains("token ••••wxyz"), "{listed}");
    assert!(
        listed.contains("token_command pass show verifik/staging"),
        "{listed}"
    );
    assert!(listed.contains("https://staging.example.com"), "{listed}");
    assert!(listed.contains("embedded sandbox"), "{listed}");
    // The environment's token beats the file's: the list says so.
    let mut cmd = liveface_command(home.path(), Some(("https://x.example", SECRET)));
    let out = cmd.args(["profiles", "list"]).output().await.unwrap();
    let listed = text(&out);
    assert!(listed.contains("env VERIFIK_TOKEN"), "{listed}");
    assert!(!listed.contains(SECRET), "{listed}");
}

#[tokio::test]
async fn an_update_keeps_comments_and_narrows_a_file_readable_by_others() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    let original = "# my settings\ntheme = \"mono\"  # I like it plain\n\n\
                    [profiles.prod]   # the real one\nbase_url = \"https://api.example.com\"\n";
    std::fs::write(&config, original).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let c = config.to_str().unwrap();
    // No token: the mode stays as the user set it.
    let out = liveface(
        home.path(),
        None,
        &[
            "--config",
            c,
            "profiles",
            "add",
            "prod",
            "--base-url",
            "https://api.example.com",
            "--min-score",
            "0.9",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("profile prod updated"),
        "{}",
        text(&out)
    );
    assert_eq!(mode(&config), 0o644);
    let written = std::fs::read_to_string(&config).unwrap();
    for kept in ["# my settings", "# I like it plain", "# the real one"] {
        assert!(written.contains(kept), "{kept:?} lost:\n{written}");
    }
    assert!(written.contains("min_score = 0.9"), "{written}");
    // A token into a file others can read: the mode is narrowed first, and said.
    let out = liveface(
        home.path(),
        Some(SECRET),
        &[
            "--config",
            c,
            "profiles",
            "add",
            "prod",
            "--base-url",
            "https://api.example.com",
            "--token-stdin",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(mode(&config), 0o600);
    assert!(
        text(&out).contains("was readable by other users"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(SECRET));
    // A stricter mode is kept.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o400)).unwrap();
    let out = liveface(
        home.path(),
        None,
        &[
            "--config",
            c,
            "profiles",
            "add",
            "dev",
            "--base-url",
            "http://127.0.0.1:8787",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(mode(&config), 0o400);
    assert!(std::fs::read_to_string(&config)
        .unwrap()
        .contains("# the real one"));
}

#[tokio::test]
async fn bad_input_is_refused_in_plain_words_without_the_token() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(&config, "# keep me\n").unwrap();
    let c = config.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["sandbox", "--base-url", "https://x.example"], "built in"),
        (
            &["a b", "--base-url", "https://x.example"],
            "letters, digits",
        ),
        (
            &["p", "--base-url", "https://x.example", "--min-score", "3"],
            "min_score must be between",
        ),
        (
            &["p", "--base-url", "http://far.example"],
            "refusing plain http://",
        ),
    ];
    for (args, says) in cases {
        let mut all = vec!["--config", c, "profiles", "add"];
        all.extend_from_slice(args);
        all.push("--token-stdin");
        let out = liveface(home.path(), Some(SECRET), &all).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
        assert!(!text(&out).contains(SECRET), "{args:?}: {}", text(&out));
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "# keep me\n",
            "untouched"
        );
    }
    // A token with a space is refused without quoting it.
    let out = liveface(
        home.path(),
        Some("eyJsecret with-space\n"),
        &[
            "--config",
            c,
            "profiles",
            "add",
            "p",
            "--base-url",
            "https://x.example",
            "--token-stdin",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!text(&out).contains("eyJsecret"), "{}", text(&out));
}

#[tokio::test]
async fn a_symlinked_config_is_updated_where_it_points() {
    let home = tempfile::tempdir().unwrap();
    let real = home.path().join("dotfiles/liveface.toml");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, "# from my dotfiles\n").unwrap();
    let link = home.path().join("c.toml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = liveface(
        home.path(),
        None,
        &[
            "--config",
            link.to_str().unwrap(),
            "profiles",
            "add",
            "dev",
            "--base-url",
            "http://127.0.0.1:8787",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let written = std::fs::read_to_string(&real).unwrap();
    assert!(written.contains("# from my dotfiles\n"), "{written}");
    assert!(written.contains("[profiles.dev]"), "{written}");
}
