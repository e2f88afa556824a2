//! `liveface models install` and `models status`: the real binary and the real download
//! code against a file server on 127.0.0.1 serving `../shared/models` (and misbehaving on
//! demand), and against a local directory.

use crate::common::{skip, Missing};
use crate::mirror_common;

use std::path::Path;
use std::process::Output;

use liveface::install::{self, part_path, InstallOptions, Source};
use liveface::sandbox::face::models::{self, ALL, MINIFASNET_V2, MOBILEFACENET};
use mirror_common::{command, have, shared_models, Fault, Mirror};
use serde_json::Value;

fn names() -> Vec<&'static str> {
    ALL.iter().map(|f| f.name).collect()
}

/// The report's `files`, one per pinned model: checks over them cannot pass for an empty
/// or short list.
fn files(v: &Value) -> &[Value] {
    let files = v["files"]
        .as_array()
        .unwrap_or_else(|| panic!("no files in {v}"));
    assert_eq!(files.len(), ALL.len(), "one entry per model: {v}");
    files
}

async fn run(home: &Path, args: &[&str]) -> Output {
    command(home, args).output().await.unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

/// Every entry of a directory, hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn install_from_a_mirror_then_a_second_run_skips_the_verified_files() {
    if !have(&shared_models(), &names()) {
        return;
    }
    let mirror = Mirror::start(&shared_models()).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    let dir_s = dir.to_str().unwrap();
    let out = run(
        home.path(),
        &[
            "--models",
            dir_s,
            "models",
            "install",
            "--from",
            &mirror.base_url,
            "--json",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["ready"], true);
    let outcomes: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["installed"; 4]);
    assert!(models::status(&dir).ready());
    assert_eq!(entries(&dir), {
        let mut n: Vec<String> = names().iter().map(|s| s.to_string()).collect();
        n.sort();
        n
    });
    assert_eq!(mirror.requests().len(), 4);

    // Again: nothing is fetched.
    let out = run(
        home.path(),
        &[
            "--models",
            dir_s,
            "models",
            "install",
            "--from",
            &mirror.base_url,
            "--json",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert!(files(&v).iter().all(|f| f["outcome"] == "already_verified"));
    assert_eq!(
        mirror.requests().len(),
        4,
        "verified files are not downloaded again"
    );

    // Status lists each file as verified, with size, licence and source.
    let out = run(
        home.path(),
        &["--models", dir_s, "models", "status", "--json"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["engine"], "face models");
    for f in files(&v) {
        assert_eq!(f["state"], "verified");
        assert!(f["url"]
            .as_str()
            .unwrap()
            .starts_with("https://raw.githubusercontent.com/"));
        assert!(f["licence"].as_str().unwrap().contains("Apache-2.0"));
        assert!(f["size"].as_u64().unwrap() > 100_000);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pinned_table_matches_the_shared_files() {
    if !have(&shared_models(), &names()) {
        return;
    }
    for f in ALL {
        assert!(
            install::is_verified(&shared_models(), &f.pinned()),
            "{}",
            f.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_file_is_named_and_discarded_and_the_others_stay() {
    if !have(&shared_models(), &names()) {
        return;
    }
    let mirror = Mirror::start(&shared_models()).await;
    mirror.fault(MOBILEFACENET.name, Fault::Corrupt);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    let out = run(
        home.path(),
        &[
            "--models",
            dir.to_str().unwrap(),
            "models",
            "install",
            "--from",
            &mirror.base_url,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("mobilefacenet_128.onnx") && err.contains("discarded"),
        "{err}"
    );
    assert!(
        err.contains(MOBILEFACENET.sha256),
        "names the pinned hash: {err}"
    );
    assert!(!dir.join(MOBILEFACENET.name).exists());
    assert!(!part_path(&dir, &MOBILEFACENET.pinned()).exists());
    // The three before it were installed and verified.
    let st = models::status(&dir);
    assert_eq!(
        st.files
            .iter()
            .filter(|(_, s)| *s == models::FileState::Verified)
            .count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_404_says_so_and_names_the_url() {
    if !have(&shared_models(), &names()) {
        return;
    }
    let mirror = Mirror::start(&shared_models()).await;
    mirror.fault(MINIFASNET_V2.name, Fault::NotFound);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    let out = run(
        home.path(),
        &[
            "--models",
            dir.to_str().unwrap(),
            "models",
            "install",
            "--from",
            &mirror.base_url,
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let msg = v["error"].as_str().unwrap();
    assert!(msg.contains("HTTP 404"), "{msg}");
    assert!(
        msg.contains(&format!("{}/{}", mirror.base_url, MINIFASNET_V2.name)),
        "{msg}"
    );
    assert!(!dir.join(MINIFASNET_V2.name).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_closing_mid_file_is_a_truncated_transfer_and_nothing_is_installed() {
    if !have(&shared_models(), &names()) {
        return;
    }
    let mirror = Mirror::start(&shared_models()).await;
    mirror.fault(MOBILEFACENET.name, Fault::CloseMidFile);
    let dir = tempfile::tempdir().unwrap();
    let opts = InstallOptions {
        source: Source::Mirror(mirror.base_url.clone()),
        from_flag: "--from",
    };
    let err = install::install(&models::pinned_all(), dir.path(), &opts, &|_| {})
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, install::InstallError::Truncated { got, expected, .. }
            if got == MOBILEFACENET.size / 2 && expected == MOBILEFACENET.size),
        "{msg}"
    );
    assert!(msg.contains("run the command again"), "{msg}");
    assert!(!dir.path().join(MOBILEFACENET.name).exists());
    assert!(!entries(dir.path()).iter().any(|n| n.ends_with(".part")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_install_leaves_no_partial_file_and_a_rerun_finishes_it() {
    if !have(&shared_models(), &names()) {
        return;
    }
    let mirror = Mirror::start(&shared_models()).await;
    mirror.fault(MINIFASNET_V2.name, Fault::StallMidFile);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    let dir_s = dir.to_str().unwrap().to_owned();
    let mut child = command(
        home.path(),
        &[
            "--models",
            &dir_s,
            "models",
            "install",
            "--from",
            &mirror.base_url,
        ],
    )
    .spawn()
    .unwrap();
    // Wait until half of the stalled file is on disk, then kill the process (SIGKILL).
    let part = part_path(&dir, &MINIFASNET_V2.pinned());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) < MINIFASNET_V2.size / 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the download never got going"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().await.unwrap();
    assert!(
        !dir.join(MINIFASNET_V2.name).exists(),
        "no partial file under a final name"
    );
    assert!(!models::status(&dir).ready());

    mirror.clear_faults();
    let out = run(
        home.path(),
        &[
            "--models",
            &dir_s,
            "models",
            "install",
            "--from",
            &mirror.base_url,
            "--json",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let outcomes: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["already_verified", "installed", "installed", "installed"]
    );
    assert!(models::status(&dir).ready());
    assert!(
        !part.exists(),
        "the stale part file was replaced and renamed"
    );
}

/// Makes `dir` unwritable even for root (`chattr +i`), undone on drop.
struct Immutable<'a>(&'a Path);

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(self.0)
            .status();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o755));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_directory_is_said_in_plain_words() {
    if !have(&shared_models(), &names()) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    std::fs::create_dir(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let _ = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&dir)
        .status();
    let _guard = Immutable(&dir);
    if std::fs::write(dir.join("probe"), b"x").is_ok() {
        skip(
            Missing::Host,
            "cannot make a directory unwritable here (root without chattr)",
        );
        return;
    }
    let out = run(
        home.path(),
        &[
            "--models",
            dir.to_str().unwrap(),
            "models",
            "install",
            "--from",
            shared_models().to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot write into {}", dir.display())),
        "{err}"
    );
    // A directory that cannot even be created says the same.
    let blocked = home.path().join("a-file");
    std::fs::write(&blocked, b"x").unwrap();
    let sub = blocked.join("models");
    let out = run(
        home.path(),
        &[
            "--models",
            sub.to_str().unwrap(),
            "models",
            "install",
            "--from",
            shared_models().to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write into"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn from_a_local_directory_and_from_nowhere() {
    if !have(&shared_models(), &names()) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    let out = run(
        home.path(),
        &[
            "--models",
            dir.to_str().unwrap(),
            "models",
            "install",
            "--from",
            shared_models().to_str().unwrap(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("installed, verified"), "{text}");
    assert!(models::status(&dir).ready());

    // A folder that is not there: bad input, nothing touched.
    let other = home.path().join("other");
    let out = run(
        home.path(),
        &[
            "--models",
            other.to_str().unwrap(),
            "models",
            "install",
            "--from",
            "/no/such/mirror",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no such directory"),
        "{}",
        stderr(&out)
    );
    assert!(!other.exists());

    // A host that does not answer: the message says what to do instead.
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let out = run(
        home.path(),
        &[
            "--models",
            other.to_str().unwrap(),
            "models",
            "install",
            "--from",
            &format!("http://{refused}"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("cannot reach {refused}")), "{err}");
    assert!(
        err.contains(&format!("copy the files by hand into {}", other.display())),
        "{err}"
    );
    assert!(err.contains("--from"), "{err}");

    // Status of a half-filled directory: missing files named, exit 1.
    let out = run(
        home.path(),
        &[
            "--models",
            other.to_str().unwrap(),
            "models",
            "status",
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["engine"], "pixel fallback");
    assert!(files(&v).iter().all(|f| f["state"] == "missing"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_said_in_plain_words_and_leaves_nothing() {
    if !have(&shared_models(), &names()) || !Path::new("/dev/full").exists() {
        return;
    }
    // The temporary file of the first model points at /dev/full: every write fails with
    // "no space left on device", as on a full disk.
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    std::fs::create_dir(&dir).unwrap();
    let part = part_path(&dir, &ALL[0].pinned());
    #[cfg(unix)]
    std::os::unix::fs::symlink("/dev/full", &part).unwrap();
    let out = run(
        home.path(),
        &[
            "--models",
            dir.to_str().unwrap(),
            "models",
            "install",
            "--from",
            shared_models().to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("the disk holding {} is full", dir.display())),
        "{err}"
    );
    assert!(
        entries(&dir).is_empty(),
        "nothing left: {:?}",
        entries(&dir)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_proxy_from_the_environment_is_used() {
    if !have(&shared_models(), &names()) {
        return;
    }
    // The mirror host does not exist; only the proxy (our server) can answer for it.
    let proxy = Mirror::start(&shared_models()).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("models");
    let out = command(
        home.path(),
        &[
            "--models",
            dir.to_str().unwrap(),
            "models",
            "install",
            "--from",
            "http://models-mirror.invalid/base",
        ],
    )
    .env("HTTP_PROXY", &proxy.base_url)
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(models::status(&dir).ready());
    assert_eq!(
        proxy.requests().len(),
        4,
        "every file went through the proxy"
    );
}
