//! End to end: the real binary in tmux against a server on 127.0.0.1. Pick a probe in the
//! browser, run, see matches, raise min_score, run again (re-filtered, no request), see
//! two runs in history, quit, and check the terminal was restored.
//!
//! Skips with a notice when tmux is missing, unless LIVEFACE_REQUIRE_TMUX=1.

mod tui_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tui_support::server::{self, Counters};

struct Tmux {
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

    fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "e2e"])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn text(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "e2e", "-l", text]);
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits until the screen contains `needle`; panics with the screen otherwise.
    fn wait_for(&self, needle: &str) -> String {
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

#[test]
fn dashboard_end_to_end_in_tmux() {
    if !tmux_available() {
        if std::env::var("LIVEFACE_REQUIRE_TMUX").as_deref() == Ok("1") {
            panic!("tmux is required (LIVEFACE_REQUIRE_TMUX=1) but not installed");
        }
        eprintln!("NOTICE: tmux not installed; skipping the dashboard end-to-end test");
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
    let data = tmp.path().join("data");
    let config = tmp.path().join("config");
    let bin = env!("CARGO_BIN_EXE_liveface");
    // After the app exits, print its exit code and the tty mode so we can check that raw
    // mode was undone, then keep the pane open for capture.
    let script = format!(
        "env -u NO_COLOR XDG_DATA_HOME='{}' XDG_CONFIG_HOME='{}' HOME='{}' '{bin}' --base-url '{base}' --dir '{}'; \
         echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; sleep 60",
        data.display(),
        config.display(),
        tmp.path().display(),
        probes.display(),
    );
    let tmux = Tmux {
        socket: format!("liveface-e2e-{}", std::process::id()),
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

    // The browser lists the probe; Enter picks it.
    tmux.wait_for("probe.png");
    tmux.wait_for("Staff"); // collections loaded from the server
    tmux.keys(&["1", "Enter"]);
    tmux.wait_for("upload");

    // First search: a real request.
    tmux.keys(&["F5"]);
    let s = tmux.wait_for("Ana Gómez");
    assert!(s.contains("liveness 0.93 ≥ 0.65 pass"), "{s}");
    assert!(s.contains("3 matches ≥ 0.75"), "{s}");
    assert_eq!(counters.searches(), 1);

    // Raise min_score to 0.9 and run again: re-filtered from run #1, no request.
    tmux.keys(&[
        "2", "Down", "Down", "Enter", "BSpace", "BSpace", "BSpace", "BSpace",
    ]);
    tmux.text("0.9");
    tmux.keys(&["Enter", "F5"]);
    let s = tmux.wait_for("re-filtered from run #1 — no request sent");
    assert!(s.contains("1 match ≥ 0.90"), "{s}");
    assert!(s.contains("2 runs"), "history shows both runs:\n{s}");
    assert_eq!(
        counters.searches(),
        1,
        "the re-filter must not send a request"
    );

    // Quit and check the terminal is back to normal.
    tmux.keys(&["q"]);
    let s = tmux.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
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

    let history = std::fs::read_to_string(data.join("liveface/history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 2, "{history}");
    assert!(history.contains("\"refiltered_from\":1"));
}
