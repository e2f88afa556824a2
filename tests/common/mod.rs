//! What every test binary needs, whatever it tests: waiting on a condition (never a fixed
//! sleep), assertions that cannot pass over an empty list, skips that are counted, and
//! re-running one test of this binary in a child process.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

/// Polls `ready` every 10 ms until it is true; panics naming `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// [`wait_until`] for async tests: polls without blocking the runtime.
pub async fn wait_until_async(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Asserts that `items` is not empty and that every item satisfies `ok`: "all of them"
/// over nothing proves nothing. Names the first offender.
#[track_caller]
pub fn assert_all<T: std::fmt::Debug>(
    what: &str,
    items: impl IntoIterator<Item = T>,
    ok: impl Fn(&T) -> bool,
) {
    let mut seen = 0;
    for item in items {
        assert!(ok(&item), "{what}: fails for {item:?}");
        seen += 1;
    }
    assert!(
        seen > 0,
        "{what}: the list is empty, so nothing was checked"
    );
}

/// Why a test could not run here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Missing {
    /// The face models or photos in `../shared`: a failure under `LIVEFACE_REQUIRE_MODELS=1`.
    Models,
    /// tmux: a failure under `LIVEFACE_REQUIRE_TMUX=1`.
    Tmux,
    /// Something of the host no setting can demand (e.g. a directory root cannot be kept out of).
    Host,
}

impl Missing {
    fn required_by(self) -> Option<&'static str> {
        let var = match self {
            Missing::Models => "LIVEFACE_REQUIRE_MODELS",
            Missing::Tmux => "LIVEFACE_REQUIRE_TMUX",
            Missing::Host => return None,
        };
        std::env::var(var).is_ok_and(|v| v == "1").then_some(var)
    }

    fn word(self) -> &'static str {
        match self {
            Missing::Models => "models",
            Missing::Tmux => "tmux",
            Missing::Host => "host",
        }
    }
}

/// Records that the running test skips (the caller then returns): panics instead when the
/// environment demands what is missing, prints `SKIPPED: …`, and appends one line
/// `KIND BINARY TEST: REASON` to the file `LIVEFACE_SKIP_LOG` names (set by `.ci/run`,
/// which counts and names the skips after `cargo test`: a skip must not pass for a pass).
pub fn skip(missing: Missing, reason: &str) {
    if let Some(var) = missing.required_by() {
        panic!("{var}=1 but {reason}");
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("(unnamed test)")
        .to_owned();
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| s.split('-').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let line = format!("{} {binary} {test}: {reason}", missing.word());
    println!("SKIPPED: {line}");
    if let Some(path) = std::env::var_os("LIVEFACE_SKIP_LOG") {
        // One short write with O_APPEND: lines from parallel tests and processes stay whole.
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("opening the skip log {path:?}: {e}"));
        f.write_all(format!("{line}\n").as_bytes())
            .unwrap_or_else(|e| panic!("writing the skip log {path:?}: {e}"));
    }
}

/// The libtest name of test `name` defined in the module whose `module_path!()` is
/// `module` (the binary's crate name dropped), for `--exact`.
pub fn test_name(module: &str, name: &str) -> String {
    match module.split_once("::") {
        Some((_, path)) => format!("{path}::{name}"),
        None => name.to_owned(),
    }
}

/// A command that runs only test `module::name` of this very binary, one thread, output
/// shown: for tests that need a process of their own (process-wide state such as `TZ`,
/// the panic hook, the real stderr).
pub fn this_test_alone(module: &str, name: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("the test binary's path"));
    cmd.args([
        "--exact",
        &test_name(module, name),
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd
}
