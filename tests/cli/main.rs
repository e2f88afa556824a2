//! The real `liveface` binary as a user runs it, against the scripted server on 127.0.0.1:
//! exit codes, JSON output, plain error lines, files and flags that can go wrong, `eval`
//! end to end, and two processes sharing one history file.
//!
//! One binary per thing a developer runs together (`cargo test --test cli` while working
//! on `src/cli/`, `src/main.rs` or `src/eval/`), because each test binary links the whole
//! library and tract. Modules are the former test files. `history_processes` re-runs its
//! own test in child processes (`common::test_name` gives its path in this binary).

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../support/mod.rs"]
mod support;

mod commands;
mod eval;
mod files;
mod history_processes;
mod profiles;
