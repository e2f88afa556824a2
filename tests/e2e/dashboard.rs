//! End to end: the real binary in tmux, against the embedded sandbox with its demo
//! gallery, and against a request-counting server on 127.0.0.1. Pick a probe in the
//! browser, run, see matches, raise min_score, run again (re-filtered, no request), see
//! two runs in history, quit, and check the terminal was restored — after `q`, Ctrl-c and
//! every signal. A bracketed paste into an edit form, a closed pane, and a sandbox failure
//! that goes to the log file instead of over the screen.
//!
//! Skips with a notice when tmux is missing, unless LIVEFACE_REQUIRE_TMUX=1.

use crate::common::{skip, Missing};
use crate::tui_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tui_support::server::{self, Counters};

pub(crate) struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Keys one by one, 60 ms apart: each arrives in a read of its own, as typed (that
    /// pause is the behaviour, not a wait for the app: `wait_for` is that).
    pub(crate) fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Keys in one write, as a fast typist or a laggy SSH link delivers them.
    fn keys_at_once(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.cmd(&args);
        std::thread::sleep(Duration::from_millis(60));
    }

    fn text(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "e2e", "-l", text]);
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits until the screen contains `needle`; panics with the screen otherwise.
    pub(crate) fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {needle:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our own private socket only.
        self.cmd(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn write_probe(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    image::RgbImage::from_fn(120, 160, |x, y| {
        image::Rgb([(x * 2) as u8, (y + 40) as u8, 128])
    })
    .save(dir.join("probe.png"))
    .unwrap();
}

/// False (after a notice) when the test must be skipped.
pub(crate) fn need_tmux() -> bool {
    if tmux_available() {
        return true;
    }
    skip(Missing::Tmux, "tmux is not installed");
    false
}

/// Starts `liveface ARGS` in a private tmux server with isolated XDG dirs. After the app
/// exits the pane prints its exit code and the tty's `icanon`/`echo` flags.
fn launch(tmp: &Path, name: &str, args: &str) -> Tmux {
    launch_env(tmp, name, "", args)
}

/// [`launch`] with `env` options and assignments of its own (`-u VAR NAME='value' …`).
pub(crate) fn launch_env(tmp: &Path, name: &str, env: &str, args: &str) -> Tmux {
    let bin = env!("CARGO_BIN_EXE_liveface");
    let script = format!(
        "env -u NO_COLOR -u VERIFIK_TOKEN -u LIVEFACE_BASE_URL {env} XDG_DATA_HOME='{data}' XDG_CONFIG_HOME='{config}' HOME='{home}' '{bin}' {args}; \
         echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; echo CHECKED; sleep 60",
        data = tmp.join("data").display(),
        config = tmp.join("config").display(),
        home = tmp.display(),
    );
    let tmux = Tmux {
        socket: format!("liveface-{name}-{}", std::process::id()),
    };
    tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "120",
        "-y",
        "40",
        "sh",
        "-c",
        &script,
    ]);
    tmux
}

/// The dashboard against the embedded sandbox, its file browser in the demo probes
/// (the sandbox seeds them there before the dashboard opens).
fn launch_in_demo_probes(tmp: &Path, name: &str) -> Tmux {
    let probes = tmp.join("data/liveface/sandbox/probes");
    launch(tmp, name, &format!("--dir '{}'", probes.display()))
}

/// `q`, then: exit code 0, raw mode and the alternate screen undone.
fn quit_and_check_restored(tmux: &Tmux) {
    tmux.keys(&["q"]);
    check_restored_after(tmux, "EXIT=0");
}

/// In the form, replace min_score (the third field) with `value`.
fn set_min_score(tmux: &Tmux, value: &str) {
    tmux.keys(&["2", "Home", "Down", "Down", "Enter"]);
    tmux.keys(&["BSpace"; 6]);
    tmux.text(value);
    tmux.keys(&["Enter"]);
}

#[test]
fn dashboard_against_the_embedded_sandbox() {
    if !need_tmux() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tmux = launch_in_demo_probes(tmp.path(), "sandbox");

    let s = tmux.wait_for("match_alice_exact.jpg");
    assert!(s.contains("SANDBOX"), "{s}");
    tmux.wait_for("Demo staff"); // collections from the sandbox
    tmux.keys(&["1", "/"]);
    tmux.text("alice");
    tmux.keys(&["Enter", "Enter"]);
    tmux.wait_for("upload");

    set_min_score(&tmux, "0.5");
    tmux.keys(&["F5"]);
    let s = tmux.wait_for("Alice Moreau");
    assert!(s.contains("2 matches ≥ 0.50"), "{s}");
    assert!(s.contains("liveness 0.99 > 0.65 pass"), "{s}");

    set_min_score(&tmux, "0.75");
    tmux.keys(&["F5"]);
    let s = tmux.wait_for("re-filtered from run #1 (");
    assert!(s.contains("1 match ≥ 0.75"), "{s}");
    assert!(s.contains("2 runs"), "history shows both runs:\n{s}");

    // The persons list, loaded from the sandbox.
    tmux.keys(&["P"]);
    let s = tmux.wait_for("page 1 of 1");
    assert!(s.contains("nationality"), "{s}");
    tmux.keys(&["Escape"]);

    quit_and_check_restored(&tmux);
    let history = std::fs::read_to_string(tmp.path().join("data/liveface/history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 2, "{history}");
    assert!(history.contains("\"refiltered_from\":1"));
    assert!(
        !history.contains("embedded-sandbox"),
        "the token must not be stored"
    );
}

#[test]
fn refilter_sends_no_request() {
    if !need_tmux() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let counters = Counters::default();
    let base = rt.block_on(server::start(counters.clone()));

    let tmp = tempfile::tempdir().unwrap();
    let probes = tmp.path().join("probes");
    write_probe(&probes);
    let tmux = launch(
        tmp.path(),
        "counting",
        &format!("--base-url '{base}' --dir '{}'", probes.display()),
    );

    // The browser lists the probe; Enter picks it.
    tmux.wait_for("probe.png");
    tmux.wait_for("Staff"); // collections loaded from the server
    tmux.keys(&["1", "Enter"]);
    tmux.wait_for("upload");

    // First search: a real request.
    tmux.keys(&["F5"]);
    let s = tmux.wait_for("Ana Gómez");
    assert!(s.contains("liveness 0.93 > 0.65 pass"), "{s}");
    assert!(s.contains("3 matches ≥ 0.75"), "{s}");
    assert_eq!(counters.searches(), 1);

    // Raise min_score to 0.9 and run again: re-filtered from run #1, no request.
    set_min_score(&tmux, "0.9");
    tmux.keys(&["F5"]);
    let s = tmux.wait_for("re-filtered from run #1 (");
    assert!(s.contains("1 match ≥ 0.90"), "{s}");
    assert!(s.contains("2 runs"), "history shows both runs:\n{s}");
    assert_eq!(
        counters.searches(),
        1,
        "the re-filter must not send a request"
    );
    // Shift-F5 forces a real request.
    tmux.keys(&["S-F5"]);
    tmux.wait_for("3 runs");
    assert_eq!(counters.searches(), 2);

    quit_and_check_restored(&tmux);
    let history = std::fs::read_to_string(tmp.path().join("data/liveface/history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 3, "{history}");
}

/// The pid of the dashboard: the child of the pane's shell.
fn app_pid(tmux: &Tmux) -> String {
    let shell = tmux
        .cmd(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"])
        .trim()
        .to_string();
    let children =
        std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap_or_default();
    children
        .split_whitespace()
        .next()
        .expect("the app runs")
        .to_string()
}

/// Exit code, raw mode, echo and the alternate screen after the app stopped.
fn check_restored_after(tmux: &Tmux, expect_exit: &str) {
    let s = tmux.wait_for("CHECKED");
    assert!(s.contains(expect_exit), "{s}");
    assert!(
        s.contains("icanon") && !s.contains("-icanon"),
        "raw mode left on:\n{s}"
    );
    assert!(
        s.contains("echo") && !s.contains("-echo "),
        "echo left off:\n{s}"
    );
    assert!(
        !s.contains("Results"),
        "still on the alternate screen:\n{s}"
    );
    assert_eq!(
        tmux.cmd(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim(),
        "0"
    );
}

#[test]
fn ctrl_c_and_every_signal_restore_the_terminal() {
    if !need_tmux() || !Path::new("/proc/self/task").exists() {
        return;
    }
    let counters = Counters::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base = rt.block_on(server::start(counters));
    let tmp = tempfile::tempdir().unwrap();
    let args = format!("--base-url '{base}' --dir '{}'", tmp.path().display());

    // Ctrl-c from inside a text input.
    let tmux = launch(tmp.path(), "ctrlc", &args);
    tmux.wait_for("Staff");
    tmux.keys(&["/"]);
    tmux.keys(&["C-c"]);
    check_restored_after(&tmux, "EXIT=0");
    drop(tmux);

    // `kill -INT`, `-QUIT`, `-TERM`, `-HUP` from another shell.
    for signal in ["INT", "QUIT", "TERM", "HUP"] {
        let tmux = launch(tmp.path(), &format!("sig{signal}"), &args);
        tmux.wait_for("Staff");
        let pid = app_pid(&tmux);
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(ok.success());
        check_restored_after(&tmux, "EXIT=0");
    }
}

/// Waits until process `pid` has ended.
fn wait_gone(pid: &str) {
    let start = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{pid} still runs"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn closing_the_pane_prints_no_cursor_error() {
    if !need_tmux() || !Path::new("/proc/self/task").exists() {
        return;
    }
    let counters = Counters::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base = rt.block_on(server::start(counters));
    let tmp = tempfile::tempdir().unwrap();
    let err = tmp.path().join("stderr.txt");
    let args = format!(
        "--base-url '{base}' --dir '{}' 2>'{}'",
        tmp.path().display(),
        err.display()
    );
    let tmux = launch(tmp.path(), "closed", &args);
    tmux.wait_for("Staff");
    let pid = app_pid(&tmux);
    tmux.cmd(&["kill-pane", "-t", "e2e"]);
    wait_gone(&pid);
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    assert!(
        !stderr.contains("Failed to show the cursor"),
        "stderr after the pane closed:\n{stderr}"
    );
}

#[test]
fn a_paste_into_notes_is_saved_in_notes() {
    if !need_tmux() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tmux = launch_in_demo_probes(tmp.path(), "paste");
    tmux.wait_for("stranger.jpg");
    tmux.wait_for("Demo staff");
    tmux.keys(&["1", "/"]);
    tmux.text("stranger");
    tmux.keys(&["Enter", "Enter"]);
    tmux.wait_for("upload");

    tmux.keys(&["P"]);
    tmux.wait_for("page 1 of 1");
    tmux.keys(&["a"]);
    tmux.wait_for("Enrol a person");
    tmux.keys(&["Enter"]);
    tmux.text("Zoe Tester");
    // Gender, Born, Nationality, Notes; start typing in Notes.
    tmux.keys(&["Enter", "Down", "Down", "Down", "Down", "Enter"]);

    // The paste, bracketed (tmux sends its line breaks as CR, as terminals do).
    let note = tmp.path().join("note.txt");
    std::fs::write(&note, "Escort required.\nkeep badge at desk.\n").unwrap();
    tmux.cmd(&["load-buffer", &note.display().to_string()]);
    tmux.cmd(&["paste-buffer", "-p", "-t", "e2e"]);
    tmux.wait_for("keep badge at desk"); // the paste is in the field (its end in view)
    tmux.keys(&["Enter", "C-s"]);
    tmux.wait_for("enrolled Zoe Tester");

    // What was saved, as the sandbox sends it back.
    tmux.keys(&["/"]);
    tmux.text("Zoe");
    tmux.keys(&["Enter", "Enter"]);
    let s = tmux.wait_for("thumbnails"); // the record popup
    let notes = s
        .lines()
        .find(|l| l.contains("Escort required."))
        .unwrap_or_else(|| panic!("no notes shown:\n{s}"));
    assert!(
        notes.contains("notes") && notes.contains("Escort required. keep badge at desk."),
        "{s}"
    );
    assert_eq!(
        s.matches("badge at desk").count(),
        1,
        "only in Notes, not in Nationality:\n{s}"
    );
    tmux.keys(&["Escape", "Escape"]);
    quit_and_check_restored(&tmux);
}

#[test]
fn enrol_search_delete_round_trip() {
    if !need_tmux() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tmux = launch_in_demo_probes(tmp.path(), "enrol");
    tmux.wait_for("stranger.jpg");
    tmux.wait_for("Demo staff");
    tmux.keys(&["1", "/"]);
    tmux.text("stranger");
    tmux.keys(&["Enter", "Enter"]);
    tmux.wait_for("upload");
    tmux.keys(&["F5"]);
    tmux.wait_for("no match at or above 0.75");

    // Enrol the probe as a new person from the persons list.
    tmux.keys(&["P"]);
    tmux.wait_for("page 1 of 1");
    tmux.keys(&["a"]);
    let s = tmux.wait_for("Enrol a person");
    assert!(s.contains("stranger.jpg"), "the probe is the face:\n{s}");
    tmux.keys(&["Enter"]);
    tmux.text("Zoe Tester");
    tmux.keys(&["Enter", "C-s"]);
    tmux.wait_for("enrolled Zoe Tester");

    // The same search now finds her first; it is sent, not re-filtered.
    tmux.keys(&["Escape", "F5"]);
    let s = tmux.wait_for("Results run #2");
    let results: Vec<&str> = s
        .lines()
        .skip_while(|l| !l.contains("Results run #2"))
        .collect();
    let first = results
        .iter()
        .find(|l| l.contains("Zoe Tester") || l.contains("Alice") || l.contains("Bob"))
        .unwrap_or_else(|| panic!("no match listed:\n{s}"));
    assert!(first.contains("Zoe Tester"), "Zoe is not first:\n{s}");
    assert!(!s.contains("re-filtered"), "{s}");

    // Delete her, and search again.
    tmux.keys(&["P"]);
    tmux.wait_for("Zoe Tester");
    tmux.keys(&["d"]);
    tmux.wait_for("Delete Zoe Tester?");
    tmux.keys(&["y"]);
    tmux.wait_for("deleted Zoe Tester");
    // Esc and F5 in one read: crossterm alone would type "[15~" (and `1`/`5` would jump
    // between panes); the dashboard repairs it.
    tmux.keys_at_once(&["Escape", "F5"]);
    let s = tmux.wait_for("Results run #3");
    assert!(s.contains("no match at or above 0.75"), "{s}");
    assert!(s.contains("╔ 1 Files"), "focus must stay on Files:\n{s}");

    quit_and_check_restored(&tmux);
}

#[test]
fn a_sandbox_failure_is_logged_to_the_file_not_over_the_screen() {
    if !need_tmux() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tmux = launch_in_demo_probes(tmp.path(), "logged");
    tmux.wait_for("Demo staff");

    // Another process holds the sandbox's write lock: the next write fails (after the
    // store's 5 s busy timeout) and the sandbox logs why.
    let db = tmp.path().join("data/liveface/sandbox/sandbox.sqlite3");
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    tmux.keys(&["3", "a"]);
    tmux.wait_for("New collection");
    tmux.keys(&["Enter"]);
    tmux.text("Night shift");
    tmux.keys(&["Enter", "C-s"]);
    let s = tmux.wait_for("logged to");
    assert!(s.contains("liveface.log"), "{s}");
    assert!(
        !s.contains("sandbox: storage error"),
        "a log line printed over the dashboard:\n{s}"
    );
    lock.execute_batch("ROLLBACK").unwrap();
    tmux.keys(&["Escape"]);

    quit_and_check_restored(&tmux);
    let s = tmux.screen();
    assert!(
        s.contains("logged to") && s.contains("liveface.log"),
        "the path on exit:\n{s}"
    );
    let log = std::fs::read_to_string(tmp.path().join("data/liveface/liveface.log")).unwrap();
    assert!(log.contains("sandbox: storage error"), "{log}");
}

/// A config file with a token, readable by others: the status bar warns at start. Then
/// `Ctrl-p` switches from profile one to profile two, two counting servers on
/// 127.0.0.1: two's collections appear and its name is in the status bar.
#[test]
fn the_config_warning_shows_and_ctrl_p_switches_profile() {
    if !need_tmux() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (one, two) = (Counters::default(), Counters::default());
    *one.label.lock().unwrap() = "one".into();
    *two.label.lock().unwrap() = "two".into();
    let url_one = rt.block_on(server::start(one.clone()));
    let url_two = rt.block_on(server::start(two.clone()));
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config/liveface/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "profile = \"one\"\n[profiles.one]\nbase_url = \"{url_one}\"\ntoken = \"tok-0123456789abcdef\"\n\
             [profiles.two]\nbase_url = \"{url_two}\"\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let probes = tmp.path().join("probes");
    write_probe(&probes);
    let tmux = launch(
        tmp.path(),
        "profiles",
        &format!("--dir '{}'", probes.display()),
    );
    let s = tmux.wait_for("one gallery");
    assert!(s.contains("[one]"), "{s}");
    assert!(
        s.contains("config file holds a token and is readable by"),
        "{s}"
    );

    tmux.keys(&["C-p"]);
    let s = tmux.wait_for("Switch profile");
    assert!(s.contains("● one  (current)"), "{s}");
    tmux.keys(&["Down", "Enter"]);
    let s = tmux.wait_for("two gallery");
    assert!(s.contains("[two]"), "{s}");
    assert!(s.contains("now on profile two"), "{s}");
    quit_and_check_restored(&tmux);
}

/// On the embedded sandbox, whose start adds notes of its own, the warning about a
/// token file readable by others is still the one the status bar shows.
#[test]
fn the_config_warning_is_not_hidden_by_the_sandbox_notes() {
    if !need_tmux() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config/liveface/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "profile = \"sandbox\"\n[profiles.one]\nbase_url = \"https://api.example.com\"\n\
         token = \"tok-0123456789abcdef\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let tmux = launch_in_demo_probes(tmp.path(), "sandbox-warning");
    let s = tmux.wait_for("Demo staff");
    assert!(s.contains("SANDBOX"), "{s}");
    assert!(
        s.contains("config file holds a token and is readable by"),
        "{s}"
    );
    quit_and_check_restored(&tmux);
}
