//! End to end: the real binary in tmux (see `dashboard`). A binary of its own because it
//! needs tmux (skipped, and counted by `.ci/run`, without it unless
//! `LIVEFACE_REQUIRE_TMUX=1`), drives whole terminals for seconds at a time, and is what a
//! developer runs last (`cargo test --test e2e`).

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../mirror_common/mod.rs"]
mod mirror_common;
#[path = "../tui_support/mod.rs"]
mod tui_support;

mod dashboard;
mod install_offer;
